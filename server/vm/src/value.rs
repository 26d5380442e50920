//! Runtime values: what yin programs compute with.
//!
//! Values are immutable and cheap to clone: scalars are inline, text is an `Rc<str>`, and
//! collections are persistent structures behind an `Rc` (lists cons cells of [`crate::list`],
//! vectors `imbl` vectors, maps and sets the tries of [`crate::hamt`]). Maps and sets remember insertion
//! order (for printing only: equality and hashing ignore it), so output is deterministic and small
//! maps print the way they were written, as Clojure's array maps do.
//!
//! Every collection and closure records an upper bound of its nesting depth, and constructors
//! refuse to exceed [`MAX_DEPTH`]. That bound is what lets equality, hashing, printing, dropping
//! and serialisation recurse without risking the host's stack, whatever the program builds. It
//! must stay: maps and sets are hash tries, which compare keys with `==` from inside their
//! lookups, so equality of nested keys cannot be made iterative from outside them. The bound is
//! kept in constant time per operation (a new collection's bound comes from the one it extends),
//! never by rescanning elements.
//!
//! Continuations are the one edge without a depth: a continuation holds frames whose slots may
//! hold older continuations, as deep as a loop likes. Nothing compares, hashes or prints through
//! a continuation (they are equal by identity), dropping one goes through [`reclaim`] (an
//! explicit work list instead of the host's stack), and serialisation walks them with work lists.

use std::cell::Cell;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use edn::{Keyword, Symbol};
use imbl::Vector;

use crate::code::Proto;
use crate::error::{Error, ErrorKind};
use crate::hamt::Hamt;
use crate::kont::Kont;
use crate::list::{self, List};
use crate::prim::Prim;
use crate::reclaim::{self, Deferred};

/// Deepest nesting of collections and closures a value may have. Deep enough for any data a
/// program means to build, shallow enough that recursive traversals stay within a small stack.
pub const MAX_DEPTH: u32 = 1_000;

/// A yin value.
///
/// The tag is a full word (`repr(u64)`) so that every payload sits at offset 8: moving a value is
/// three aligned word copies. With a byte tag, `bool` and `char` payloads land at offsets 1 and 4
/// and every move becomes overlapping unaligned copies that stall store forwarding, which made the
/// machine's hot path twice as slow.
#[derive(Clone, Debug)]
#[repr(u64)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Lowest terms, positive denominator other than 1.
    Ratio(i64, i64),
    Char(char),
    Str(Rc<str>),
    Keyword(Keyword),
    Symbol(Symbol),
    /// Cons cells: `first`, `rest`, `cons` and `count` in O(1).
    List(List),
    Vector(Rc<Seq>),
    Map(Rc<Map>),
    Set(Rc<Set>),
    /// A compiled function with its captured values.
    Fn(Rc<Closure>),
    /// A host primitive from the core library.
    Prim(Prim),
    /// `(partial f a b)`.
    Partial(Rc<Partial>),
    /// `(comp f g h)`: the functions, applied right to left.
    Comp(Rc<Comp>),
    /// A continuation captured by `call/cc`; invoking it abandons the current one.
    Cont(Rc<Continuation>),
    /// A stream in the store.
    Stream(u32),
    /// A cursor over a stream, in the store.
    Cursor(u32),
    /// An atom: a mutable cell in the store (`Store::atoms`), so stepping back restores it.
    Atom(u32),
    /// An exception: what `ex-info` makes, `throw` raises and `catch` binds (runtime errors
    /// caught by `catch` become one too).
    Ex(Rc<ExInfo>),
    /// A compiled regular expression (`re-pattern`, `#"..."`).
    Regex(Rc<regex::Regex>),
}

/// The elements of a vector, and a bound on their nesting depth.
#[derive(Clone, Debug)]
pub struct Seq {
    pub items: Vector<Value>,
    pub depth: u32,
}

/// How a map or set is walked (printed, `seq`, `keys`, `first` ...): in insertion order, or by
/// `compare` of the keys for `sorted-map` and `sorted-set` (`Descending` for `(sorted-map-by >)`).
/// Keys `compare` cannot order keep their insertion order among themselves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    Insertion,
    Ascending,
    Descending,
}

impl Order {
    fn arrange(self, entries: &mut [&crate::hamt::Entry]) {
        let by = |a: &&crate::hamt::Entry, b: &&crate::hamt::Entry| {
            a.key.compare(&b.key).unwrap_or(Ordering::Equal)
        };
        match self {
            Order::Insertion => {}
            Order::Ascending => entries.sort_by(by),
            Order::Descending => entries.sort_by(|a, b| by(b, a)),
        }
    }
}

/// A persistent map keeping insertion order for printing: a [`Hamt`] whose entries carry their
/// insertion number, sorted by it when the map is walked in order (or by key: [`Order`]).
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Hamt,
    next: u64,
    pub order: Order,
    pub depth: u32,
    /// The hash of the map once computed (0: not yet). Maps are immutable, and a map used as a
    /// key is hashed on every lookup: without the cache, a key nested n levels deep costs n
    /// hashes of everything below it.
    hash: Cell<u64>,
}

/// A persistent set keeping insertion order for printing: a [`Hamt`] of its members (their
/// values unused), as for [`Map`].
#[derive(Clone, Debug, Default)]
pub struct Set {
    members: Hamt,
    next: u64,
    pub order: Order,
    pub depth: u32,
    /// As for [`Map`]: 0 until computed.
    hash: Cell<u64>,
}

#[derive(Debug)]
pub struct Closure {
    pub proto: Rc<Proto>,
    pub captures: Vec<Value>,
    pub depth: u32,
}

#[derive(Debug)]
pub struct Partial {
    pub f: Value,
    pub args: Vec<Value>,
    pub depth: u32,
}

#[derive(Debug)]
pub struct Comp {
    pub fns: Vec<Value>,
    pub depth: u32,
}

/// An exception value.
#[derive(Debug)]
pub struct ExInfo {
    pub message: Rc<str>,
    /// The map given to `ex-info`, or `nil`.
    pub data: Value,
    /// The exception given as `ex-info`'s third argument, or `nil`.
    pub cause: Value,
    /// For a caught runtime error, its kind: rethrowing it (after a `finally`) reports the
    /// same error.
    pub kind: Option<ErrorKind>,
    pub depth: u32,
}

/// A captured continuation: the frames waiting for a value.
#[derive(Debug)]
pub struct Continuation {
    pub id: u64,
    pub kont: Kont,
}

impl Drop for Continuation {
    fn drop(&mut self) {
        if !self.kont.is_empty() {
            reclaim::defer(Deferred::Kont(std::mem::take(&mut self.kont)));
        }
    }
}

fn too_deep() -> Error {
    Error::new(
        ErrorKind::Limit,
        format!(
            "value nested too deeply: collections and closures may nest at most {MAX_DEPTH} levels"
        ),
    )
}

/// The depth bound of a collection holding `x`, refusing to nest past [`MAX_DEPTH`].
pub(crate) fn element_depth(x: &Value) -> Result<u32, Error> {
    let d = x.depth();
    if d >= MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(d + 1)
}

fn child_depth<'a>(items: impl IntoIterator<Item = &'a Value>) -> Result<u32, Error> {
    let inner = items.into_iter().map(Value::depth).max().unwrap_or(0);
    if inner >= MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(inner + 1)
}

impl Seq {
    pub fn new(items: Vector<Value>) -> Result<Seq, Error> {
        let depth = child_depth(items.iter())?;
        Ok(Seq { items, depth })
    }

    /// A sequence of `items` whose nesting is known to be at most `depth` (taken from the
    /// collection they came from), so no element is rescanned: `rest` and `cons` stay O(1).
    pub fn bounded(items: Vector<Value>, depth: u32) -> Seq {
        Seq { items, depth }
    }

    /// Adds one value, keeping the depth bound without rescanning.
    pub fn with_depth_of(&self, v: &Value) -> Result<u32, Error> {
        Ok(self.depth.max(element_depth(v)?))
    }
}

impl Map {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    pub fn get(&self, k: &Value) -> Option<&Value> {
        self.entries.get(k).map(|e| &e.val)
    }

    pub fn contains(&self, k: &Value) -> bool {
        self.entries.get(k).is_some()
    }

    pub fn assoc(&self, k: Value, v: Value) -> Result<Map, Error> {
        let depth = child_depth([&k, &v])?.max(self.depth);
        let (entries, added) = self.entries.insert(k, v, self.next);
        Ok(Map {
            entries,
            next: self.next + u64::from(added),
            order: self.order,
            depth,
            hash: Cell::new(0),
        })
    }

    /// [`Map::assoc`] in place, for a map nothing else holds (see `Hamt::insert_mut`). The
    /// depth is checked before anything changes, so on error the map is as it was.
    pub fn assoc_mut(&mut self, k: Value, v: Value) -> Result<(), Error> {
        self.depth = child_depth([&k, &v])?.max(self.depth);
        self.hash = Cell::new(0);
        if self.entries.insert_mut(k, v, self.next) {
            self.next += 1;
        }
        Ok(())
    }

    pub fn dissoc(&self, k: &Value) -> Map {
        match self.entries.remove(k) {
            Some(entries) => Map {
                entries,
                next: self.next,
                order: self.order,
                depth: self.depth,
                hash: Cell::new(0),
            },
            None => self.clone(),
        }
    }

    /// Entries in the map's [`Order`].
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> + '_ {
        self.in_order().into_iter().map(|e| (&e.key, &e.val))
    }

    /// Keys in the map's [`Order`].
    pub fn keys(&self) -> impl Iterator<Item = &Value> + '_ {
        self.in_order().into_iter().map(|e| &e.key)
    }

    fn in_order(&self) -> Vec<&crate::hamt::Entry> {
        let mut all = self.entries.in_order();
        self.order.arrange(&mut all);
        all
    }

    /// The hash of the contents, independent of insertion order. Each entry is read once,
    /// straight from the table (never looked up by key, which would hash the key again), and the
    /// result is cached, so hashing is linear in the map's size however keys nest.
    fn hash_code(&self) -> u64 {
        cached(&self.hash, || {
            self.entries.entries().fold(0u64, |acc, e| {
                let mut h = std::hash::DefaultHasher::new();
                e.key.hash(&mut h);
                e.val.hash(&mut h);
                acc.wrapping_add(h.finish())
            })
        })
    }
}

/// `slot`'s value, computing it the first time (0 marks "not yet", so a true 0 becomes 1).
fn cached(slot: &Cell<u64>, compute: impl FnOnce() -> u64) -> u64 {
    match slot.get() {
        0 => {
            let h = compute().max(1);
            slot.set(h);
            h
        }
        h => h,
    }
}

impl Set {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.len() == 0
    }

    pub fn contains(&self, v: &Value) -> bool {
        self.members.get(v).is_some()
    }

    pub fn insert(&self, v: Value) -> Result<Set, Error> {
        if self.contains(&v) {
            return Ok(self.clone());
        }
        let depth = child_depth([&v])?.max(self.depth);
        let (members, _) = self.members.insert(v, Value::Nil, self.next);
        Ok(Set {
            members,
            next: self.next + 1,
            order: self.order,
            depth,
            hash: Cell::new(0),
        })
    }

    pub fn remove(&self, v: &Value) -> Set {
        match self.members.remove(v) {
            Some(members) => Set {
                members,
                next: self.next,
                order: self.order,
                depth: self.depth,
                hash: Cell::new(0),
            },
            None => self.clone(),
        }
    }

    /// Members in the set's [`Order`].
    pub fn iter(&self) -> impl Iterator<Item = &Value> + '_ {
        let mut all = self.members.in_order();
        self.order.arrange(&mut all);
        all.into_iter().map(|e| &e.key)
    }

    /// As [`Map::hash_code`]: order-independent, linear, cached.
    fn hash_code(&self) -> u64 {
        cached(&self.hash, || {
            self.members.entries().fold(0u64, |acc, e| {
                let mut h = std::hash::DefaultHasher::new();
                e.key.hash(&mut h);
                acc.wrapping_add(h.finish())
            })
        })
    }
}

impl Closure {
    pub fn new(proto: Rc<Proto>, captures: Vec<Value>) -> Result<Closure, Error> {
        let depth = child_depth(captures.iter())?;
        Ok(Closure {
            proto,
            captures,
            depth,
        })
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn keyword(name: &str) -> Value {
        Value::Keyword(Keyword::new(name))
    }

    pub fn symbol(name: &str) -> Value {
        Value::Symbol(Symbol::new(name))
    }

    pub fn list(items: Vector<Value>) -> Result<Value, Error> {
        Ok(Value::List(List::from_items(items)?))
    }

    pub fn vector(items: Vector<Value>) -> Result<Value, Error> {
        Ok(Value::Vector(Rc::new(Seq::new(items)?)))
    }

    /// A vector of `items` nested at most `depth` deep (see [`Seq::bounded`]).
    pub fn vector_bounded(items: Vector<Value>, depth: u32) -> Value {
        Value::Vector(Rc::new(Seq::bounded(items, depth)))
    }

    pub fn map_from(entries: impl IntoIterator<Item = (Value, Value)>) -> Result<Value, Error> {
        let mut m = Map::default();
        for (k, v) in entries {
            m = m.assoc(k, v)?;
        }
        Ok(Value::Map(Rc::new(m)))
    }

    pub fn set_from(items: impl IntoIterator<Item = Value>) -> Result<Value, Error> {
        let mut s = Set::default();
        for v in items {
            s = s.insert(v)?;
        }
        Ok(Value::Set(Rc::new(s)))
    }

    pub fn partial(f: Value, args: Vec<Value>) -> Result<Value, Error> {
        let depth = child_depth(std::iter::once(&f).chain(&args))?;
        Ok(Value::Partial(Rc::new(Partial { f, args, depth })))
    }

    pub fn ex(
        message: &str,
        data: Value,
        cause: Value,
        kind: Option<ErrorKind>,
    ) -> Result<Value, Error> {
        let depth = child_depth([&data, &cause])?;
        Ok(Value::Ex(Rc::new(ExInfo {
            message: Rc::from(message),
            data,
            cause,
            kind,
            depth,
        })))
    }

    pub fn comp(fns: Vec<Value>) -> Result<Value, Error> {
        let depth = child_depth(fns.iter())?;
        Ok(Value::Comp(Rc::new(Comp { fns, depth })))
    }

    /// Upper bound of nesting depth: 0 for scalars.
    pub fn depth(&self) -> u32 {
        match self {
            Value::List(l) => l.depth(),
            Value::Vector(s) => s.depth,
            Value::Map(m) => m.depth,
            Value::Set(s) => s.depth,
            Value::Fn(c) => c.depth,
            Value::Partial(p) => p.depth,
            Value::Comp(c) => c.depth,
            Value::Ex(x) => x.depth,
            _ => 0,
        }
    }

    /// Only `nil` and `false` are false.
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    /// Elements of a list or vector, as a vector: O(1) for a vector, a copy for a list (to
    /// read them in place, see [`Value::elements`]).
    pub fn as_seq(&self) -> Option<Vector<Value>> {
        match self {
            Value::List(l) => Some(l.to_vector()),
            Value::Vector(s) => Some(s.items.clone()),
            _ => None,
        }
    }

    /// The elements of a list or vector, read in place, front to back.
    pub fn elements(&self) -> Option<Elements<'_>> {
        match self {
            Value::List(l) => Some(Elements::List(l.iter())),
            Value::Vector(s) => Some(Elements::Vector(s.items.iter())),
            _ => None,
        }
    }

    /// Elements in a list or vector (`None` for anything else), in O(1).
    pub fn seq_len(&self) -> Option<usize> {
        match self {
            Value::List(l) => Some(l.len()),
            Value::Vector(s) => Some(s.items.len()),
            _ => None,
        }
    }

    pub fn is_fn(&self) -> bool {
        matches!(
            self,
            Value::Fn(_) | Value::Prim(_) | Value::Partial(_) | Value::Comp(_) | Value::Cont(_)
        )
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_) | Value::Ratio(..))
    }

    /// The type name used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Ratio(..) => "ratio",
            Value::Char(_) => "character",
            Value::Str(_) => "string",
            Value::Keyword(_) => "keyword",
            Value::Symbol(_) => "symbol",
            Value::List(_) => "list",
            Value::Vector(_) => "vector",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
            Value::Fn(_) | Value::Prim(_) | Value::Partial(_) | Value::Comp(_) => "function",
            Value::Cont(_) => "continuation",
            Value::Stream(_) => "stream",
            Value::Cursor(_) => "cursor",
            Value::Atom(_) => "atom",
            Value::Ex(_) => "exception",
            Value::Regex(_) => "regex",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Nil => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Float(_) | Value::Ratio(..) => 2,
            Value::Char(_) => 3,
            Value::Str(_) => 4,
            Value::Keyword(_) => 5,
            Value::Symbol(_) => 6,
            Value::List(_) | Value::Vector(_) => 7,
            Value::Map(_) => 8,
            Value::Set(_) => 9,
            Value::Fn(_) | Value::Prim(_) | Value::Partial(_) | Value::Comp(_) => 10,
            Value::Cont(_) => 11,
            Value::Stream(_) => 12,
            Value::Cursor(_) => 13,
            Value::Atom(_) => 14,
            Value::Ex(_) => 15,
            Value::Regex(_) => 16,
        }
    }

    /// Clojure's `compare`: numbers by value, text lexicographically, sequences by length then
    /// element by element. `None` when the two cannot be ordered (different kinds, maps, functions).
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Nil, Value::Nil) => Some(Ordering::Equal),
            (Value::Nil, _) => Some(Ordering::Less),
            (_, Value::Nil) => Some(Ordering::Greater),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (a, b) if a.is_number() && b.is_number() => crate::num::compare(a, b),
            (Value::Char(a), Value::Char(b)) => Some(a.cmp(b)),
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Keyword(a), Value::Keyword(b)) => Some(a.cmp(b)),
            (Value::Symbol(a), Value::Symbol(b)) => Some(a.cmp(b)),
            (Value::Vector(_), Value::Vector(_)) | (Value::List(_), Value::List(_)) => {
                let (a, b) = (self.elements()?, other.elements()?);
                match a.len().cmp(&b.len()) {
                    Ordering::Equal => {
                        for (x, y) in a.zip(b) {
                            match x.compare(y)? {
                                Ordering::Equal => {}
                                o => return Some(o),
                            }
                        }
                        Some(Ordering::Equal)
                    }
                    o => Some(o),
                }
            }
            _ => None,
        }
    }
}

/// Clojure's `=`: numbers of different kinds are not equal (`(= 1 1.0)` is false), lists and
/// vectors with equal elements are equal, maps and sets ignore order, functions and continuations
/// are equal only to themselves.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Ratio(a, b), Value::Ratio(c, d)) => a == c && b == d,
            (Value::Char(a), Value::Char(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Keyword(a), Value::Keyword(b)) => a == b,
            (Value::Symbol(a), Value::Symbol(b)) => a == b,
            (Value::List(a), Value::List(b)) if a.ptr_eq(b) => true,
            (Value::Vector(a), Value::Vector(b)) if Rc::ptr_eq(a, b) => true,
            (Value::List(_) | Value::Vector(_), Value::List(_) | Value::Vector(_)) => {
                match (self.elements(), other.elements()) {
                    (Some(a), Some(b)) => a.len() == b.len() && a.eq(b),
                    _ => false,
                }
            }
            // Cached hashes first: unequal maps almost always differ there, and each entry is
            // then read from the table rather than looked up through the insertion order.
            (Value::Map(a), Value::Map(b)) => {
                Rc::ptr_eq(a, b)
                    || (a.len() == b.len()
                        && a.hash_code() == b.hash_code()
                        && a.entries.entries().all(|e| b.get(&e.key) == Some(&e.val)))
            }
            (Value::Set(a), Value::Set(b)) => {
                Rc::ptr_eq(a, b)
                    || (a.len() == b.len()
                        && a.hash_code() == b.hash_code()
                        && a.members.entries().all(|e| b.contains(&e.key)))
            }
            (Value::Fn(a), Value::Fn(b)) => Rc::ptr_eq(a, b),
            (Value::Prim(a), Value::Prim(b)) => a == b,
            (Value::Partial(a), Value::Partial(b)) => Rc::ptr_eq(a, b),
            (Value::Comp(a), Value::Comp(b)) => Rc::ptr_eq(a, b),
            (Value::Cont(a), Value::Cont(b)) => a.id == b.id,
            (Value::Stream(a), Value::Stream(b))
            | (Value::Cursor(a), Value::Cursor(b))
            | (Value::Atom(a), Value::Atom(b)) => a == b,
            (Value::Ex(a), Value::Ex(b)) => Rc::ptr_eq(a, b),
            (Value::Regex(a), Value::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            Value::Nil => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            // 0.0 and -0.0 are equal, so they must hash alike.
            Value::Float(f) => (if *f == 0.0 { 0.0f64 } else { *f }).to_bits().hash(state),
            Value::Ratio(n, d) => (n, d).hash(state),
            Value::Char(c) => c.hash(state),
            Value::Str(s) => s.hash(state),
            Value::Keyword(k) => k.hash(state),
            Value::Symbol(s) => s.hash(state),
            Value::List(_) | Value::Vector(_) => {
                if let Some(xs) = self.elements() {
                    xs.len().hash(state);
                    for x in xs {
                        x.hash(state);
                    }
                }
            }
            Value::Map(m) => m.hash_code().hash(state),
            Value::Set(s) => s.hash_code().hash(state),
            Value::Fn(c) => (Rc::as_ptr(c) as usize).hash(state),
            Value::Prim(p) => p.hash(state),
            Value::Partial(p) => (Rc::as_ptr(p) as usize).hash(state),
            Value::Comp(c) => (Rc::as_ptr(c) as usize).hash(state),
            Value::Cont(c) => c.id.hash(state),
            Value::Stream(i) | Value::Cursor(i) | Value::Atom(i) => i.hash(state),
            Value::Ex(x) => (Rc::as_ptr(x) as usize).hash(state),
            Value::Regex(r) => r.as_str().hash(state),
        }
    }
}

/// The elements of a list or vector, read in place ([`Value::elements`]).
#[derive(Clone)]
pub enum Elements<'a> {
    List(list::Iter<'a>),
    Vector(imbl::vector::Iter<'a, Value, imbl::shared_ptr::DefaultSharedPtr>),
}

impl<'a> Iterator for Elements<'a> {
    type Item = &'a Value;

    #[inline]
    fn next(&mut self) -> Option<&'a Value> {
        match self {
            Elements::List(i) => i.next(),
            Elements::Vector(i) => i.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Elements::List(i) => i.size_hint(),
            Elements::Vector(i) => i.size_hint(),
        }
    }
}

impl ExactSizeIterator for Elements<'_> {}
