//! The datom store: interned values, per-attribute indexes and their statistics.
//!
//! Every value is interned into a dense `u32` id (the reverse table turns ids back into values),
//! so the evaluator joins small integer tuples. Entity ids are interned as `Value::Int`, which is
//! how ref-valued attributes hold them, so `[?a :parent ?p] [?p :name ?n]` joins without any
//! conversion. Nearly every pattern names its attribute, so the indexes are per attribute:
//! `aev` holds `(e, v)` sorted by entity, `ave` holds `(v, e)` sorted by value, each a datafrog
//! `Relation` that leapjoins read directly. Ids are never reused: a retracted value stays
//! interned (its cost is one table entry), which keeps ids stable for the life of the `Db`.

use std::collections::BTreeMap;

use datafrog::Relation;
use edn::{Datom, Keyword, Value};
use rustc_hash::FxHashMap;

/// An interned value.
pub(crate) type Id = u32;

/// Statistics the planner reads for one attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttrStats {
    /// Number of datoms with this attribute.
    pub count: usize,
    /// Number of distinct entities having it.
    pub distinct_e: usize,
    /// Number of distinct values it takes.
    pub distinct_v: usize,
    /// Most values any one entity has (an upper bound after retractions).
    pub max_per_e: usize,
    /// Most entities sharing one value (an upper bound after retractions).
    pub max_per_v: usize,
}

/// The two indexes of one attribute.
#[derive(Clone)]
pub(crate) struct AttrIndex {
    /// `(e, v)`, sorted: the values of an entity.
    pub(crate) aev: Relation<(Id, Id)>,
    /// `(v, e)`, sorted: the entities having a value.
    pub(crate) ave: Relation<(Id, Id)>,
    pub(crate) stats: AttrStats,
}

impl Default for AttrIndex {
    fn default() -> AttrIndex {
        AttrIndex::from_pairs(Vec::new())
    }
}

impl std::fmt::Debug for AttrIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AttrIndex({:?})", self.stats)
    }
}

/// Counts the distinct first components of a sorted pair list, and the largest group.
fn groups(pairs: &[(Id, Id)]) -> (usize, usize) {
    let (mut n, mut largest, mut run) = (0, 0, 0);
    let mut last = None;
    for (k, _) in pairs {
        if last != Some(*k) {
            n += 1;
            run = 0;
            last = Some(*k);
        }
        run += 1;
        largest = largest.max(run);
    }
    (n, largest)
}

impl AttrIndex {
    fn from_pairs(ev: Vec<(Id, Id)>) -> AttrIndex {
        let aev = sorted(ev);
        // Flipped from the deduplicated pairs, so the second sort has no duplicates to carry.
        let ave = sorted(aev.iter().map(|&(e, v)| (v, e)).collect());
        let mut index = AttrIndex {
            aev,
            ave,
            stats: AttrStats::default(),
        };
        index.restat();
        index
    }

    fn restat(&mut self) {
        let (distinct_e, max_per_e) = groups(&self.aev);
        let (distinct_v, max_per_v) = groups(&self.ave);
        self.stats = AttrStats {
            count: self.aev.len(),
            distinct_e,
            distinct_v,
            max_per_e,
            max_per_v,
        };
    }

    /// Applies a change to one attribute: `gone` and `new` are sorted, deduplicated `(e, v)`
    /// pairs, `gone` all present and `new` all absent. Both indexes are edited in place (only
    /// the elements after the first edit move) and the statistics adjusted from the edited keys,
    /// so a small change to a large attribute costs a memory move, not a rebuild.
    fn apply(&mut self, gone: &[(Id, Id)], new: &[(Id, Id)]) {
        let flip = |pairs: &[(Id, Id)]| {
            let mut out: Vec<(Id, Id)> = pairs.iter().map(|&(e, v)| (v, e)).collect();
            out.sort_unstable();
            out
        };
        let (gone_ve, new_ve) = (flip(gone), flip(new));
        let stats = &mut self.stats;
        edit(
            &mut self.aev,
            gone,
            new,
            &mut stats.distinct_e,
            &mut stats.max_per_e,
        );
        edit(
            &mut self.ave,
            &gone_ve,
            &new_ve,
            &mut stats.distinct_v,
            &mut stats.max_per_v,
        );
        stats.count = self.aev.len();
    }
}

/// A relation of `pairs`. Ids are dense small integers, so a large list is sorted by radix
/// (linear; a comparison sort was half of `Db::from_datoms`), a small one by the unstable sort
/// (pairs of ids have no order to keep among equals, unlike `Relation::from_vec`'s stable sort).
fn sorted(mut pairs: Vec<(Id, Id)>) -> Relation<(Id, Id)> {
    // Checked first: an attribute whose entities come in id order (one per node, interned in
    // file order) is often sorted already.
    if !pairs.is_sorted() {
        if pairs.len() < 4096 {
            pairs.sort_unstable();
        } else {
            radix_sort(&mut pairs);
        }
    }
    pairs.dedup();
    Relation { elements: pairs }
}

/// Least-significant-digit radix sort of id pairs, as one key `first << bits(second) | second`
/// of 11-bit digits; only the digits some key uses are sorted on.
fn radix_sort(pairs: &mut [(Id, Id)]) {
    const DIGIT: u32 = 11;
    let width = |x: Id| u32::BITS - x.leading_zeros();
    let low = width(pairs.iter().map(|p| p.1).max().unwrap_or(0));
    let high = width(pairs.iter().map(|p| p.0).max().unwrap_or(0));
    let mut keys: Vec<u64> = pairs
        .iter()
        .map(|&(a, b)| (u64::from(a) << low) | u64::from(b))
        .collect();
    let mut spare = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < low + high {
        let mut starts = vec![0usize; 1 << DIGIT];
        let digit = |k: u64| ((k >> shift) & ((1 << DIGIT) - 1)) as usize;
        for k in &keys {
            starts[digit(*k)] += 1;
        }
        let mut total = 0;
        for s in &mut starts {
            (*s, total) = (total, total + *s);
        }
        for k in &keys {
            let d = digit(*k);
            spare[starts[d]] = *k;
            starts[d] += 1;
        }
        std::mem::swap(&mut keys, &mut spare);
        shift += DIGIT;
    }
    let mask = (1u64 << low) - 1;
    for (p, k) in pairs.iter_mut().zip(keys) {
        *p = ((k >> low) as Id, (k & mask) as Id);
    }
}

/// The pairs of a sorted index whose first component is `key`.
pub(crate) fn key_range(index: &[(Id, Id)], key: Id) -> &[(Id, Id)] {
    let start = index.partition_point(|p| p.0 < key);
    let end = start + index[start..].partition_point(|p| p.0 <= key);
    &index[start..end]
}

/// Removes `gone` from and inserts `new` into a sorted index, keeping the count of distinct keys
/// exact and the largest group an upper bound (it only grows).
fn edit(
    index: &mut Relation<(Id, Id)>,
    gone: &[(Id, Id)],
    new: &[(Id, Id)],
    distinct: &mut usize,
    largest: &mut usize,
) {
    let elements = &mut index.elements;
    if let Some(first) = gone.first() {
        let start = elements.partition_point(|p| p < first);
        let mut g = gone.iter().peekable();
        let mut write = start;
        for read in start..elements.len() {
            let t = elements[read];
            while g.peek().is_some_and(|x| **x < t) {
                g.next();
            }
            if g.peek() != Some(&&t) {
                elements[write] = t;
                write += 1;
            }
        }
        elements.truncate(write);
        let mut keys: Vec<Id> = gone.iter().map(|p| p.0).collect();
        keys.dedup();
        *distinct = distinct.saturating_sub(
            keys.iter()
                .filter(|k| key_range(elements, **k).is_empty())
                .count(),
        );
    }
    if let Some(first) = new.first() {
        let mut keys: Vec<Id> = new.iter().map(|p| p.0).collect();
        keys.dedup();
        *distinct += keys
            .iter()
            .filter(|k| key_range(elements, **k).is_empty())
            .count();
        // Merge from the back into the grown vector: elements before `start` never move.
        let start = elements.partition_point(|p| p < first);
        let old_len = elements.len();
        elements.resize(old_len + new.len(), (0, 0));
        let (mut i, mut j, mut w) = (old_len, new.len(), old_len + new.len());
        while j > 0 {
            if i > start && elements[i - 1] > new[j - 1] {
                elements[w - 1] = elements[i - 1];
                i -= 1;
            } else {
                elements[w - 1] = new[j - 1];
                j -= 1;
            }
            w -= 1;
        }
        for k in keys {
            *largest = (*largest).max(key_range(elements, k).len());
        }
    }
}

/// Maps hashed with rustc's FxHash (`rustc-hash`) for the intern table. The table is hashed once
/// per datom value on every bulk build, and its keys are the database's own values, never
/// adversarial network input, so SipHash's flooding resistance buys nothing here and cost about
/// a third of `Db::from_datoms`.
type Fast<K, V> = FxHashMap<K, V>;

/// Integers below this are interned through [`Pages`] rather than the hash table of values.
const PAGED_BELOW: i64 = 1 << 40;
/// log2 of the ids a page holds. Small: every top-level form's entities start a page of their
/// own (`slot << 24`), so a file of half a million one-node forms has as many pages, and a page
/// of 256 ids (1 KiB) each made their `Db` weigh over 500 MB.
const PAGE_BITS: u32 = 5;
/// A page slot no integer has taken yet.
const FREE: Id = Id::MAX;

/// The ids of small non-negative integers, by pages of 32 consecutive integers. Most values of
/// AST datoms are integers: spans and indexes (small), entity ids and references to them
/// (`slot << 24 | node`, dense within a top-level form). A page of them is found by one lookup of
/// its number, usually the same page as the previous integer's, and then indexed, where the
/// general table would hash and compare a whole `Value`.
#[derive(Clone, Debug, Default)]
struct Pages {
    numbers: Fast<i64, u32>,
    pages: Vec<[Id; 1 << PAGE_BITS]>,
    /// The last page used by `intern`, as (page number, index in `pages`).
    last: Option<(i64, u32)>,
}

impl Pages {
    fn split(i: i64) -> (i64, usize) {
        (i >> PAGE_BITS, (i & ((1 << PAGE_BITS) - 1)) as usize)
    }

    fn get(&self, i: i64) -> Option<Id> {
        let (number, at) = Pages::split(i);
        let page = self.numbers.get(&number)?;
        self.pages
            .get(*page as usize)
            .map(|p| p[at])
            .filter(|&id| id != FREE)
    }

    /// The slot of `i`'s id, made if its page is new.
    fn slot(&mut self, i: i64) -> &mut Id {
        let (number, at) = Pages::split(i);
        let page = match self.last {
            Some((n, page)) if n == number => page,
            _ => {
                let next = self.pages.len() as u32;
                let page = *self.numbers.entry(number).or_insert(next);
                if page == next {
                    self.pages.push([FREE; 1 << PAGE_BITS]);
                }
                self.last = Some((number, page));
                page
            }
        };
        &mut self.pages[page as usize][at]
    }
}

/// Values and their ids. Integers in `[0, 2^40)` go through [`Pages`]; every other value through
/// the hash table `ids`, in front of which `by_address` finds a keyword, symbol or string by the
/// address of its text when it is the very allocation the table holds (lowering shares one
/// allocation per name, so most names are found without hashing or comparing their text). An
/// address is recorded only for an allocation held in `values`, which keeps it alive and unique
/// while the `Db` lives.
#[derive(Clone, Debug, Default)]
struct Interner {
    values: Vec<Value>,
    ids: Fast<Value, Id>,
    pages: Pages,
    by_address: Fast<(u8, usize), Id>,
}

/// The kind and address of a value's shared text, if it has one (a keyword and a symbol may
/// share an allocation).
fn address(v: &Value) -> Option<(u8, usize)> {
    match v {
        Value::Keyword(k) => Some((0, k.as_str().as_ptr() as usize)),
        Value::Symbol(s) => Some((1, s.as_str().as_ptr() as usize)),
        Value::Str(s) => Some((2, s.as_ptr() as usize)),
        _ => None,
    }
}

fn paged(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) if (0..PAGED_BELOW).contains(i) => Some(*i),
        _ => None,
    }
}

impl Interner {
    fn get(&self, v: &Value) -> Option<Id> {
        if let Some(i) = paged(v) {
            return self.pages.get(i);
        }
        if let Some(id) = address(v).and_then(|a| self.by_address.get(&a)) {
            return Some(*id);
        }
        self.ids.get(v).copied()
    }

    fn intern(&mut self, v: Value) -> Id {
        let next = self.values.len() as Id;
        if let Some(i) = paged(&v) {
            let slot = self.pages.slot(i);
            if *slot == FREE {
                *slot = next;
                self.values.push(v);
            }
            return *slot;
        }
        let at = address(&v);
        if let Some(id) = at.and_then(|a| self.by_address.get(&a)) {
            return *id;
        }
        match self.ids.entry(v) {
            std::collections::hash_map::Entry::Occupied(slot) => *slot.get(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                self.values.push(slot.key().clone());
                slot.insert(next);
                if let Some(a) = at {
                    self.by_address.insert(a, next);
                }
                next
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        let value = std::mem::size_of::<Value>();
        self.values.capacity() * value
            + self.ids.capacity() * (value + 4)
            + self.pages.pages.capacity() * std::mem::size_of::<[Id; 1 << PAGE_BITS]>()
            + self.pages.numbers.capacity() * 12
            + self.by_address.capacity() * 24
    }
}

/// Datoms, indexed for queries. Cheap to query concurrently (`&self`); updated in place by
/// [`Db::transact`].
#[derive(Clone, Debug, Default)]
pub struct Db {
    table: Interner,
    attrs: BTreeMap<Id, AttrIndex>,
}

impl Db {
    pub fn new() -> Db {
        Db::default()
    }

    /// Builds a database in bulk (faster than asserting the same datoms with `transact`).
    ///
    /// An entity's datoms come together, so the last entity's id is remembered; attributes are
    /// few, so each is interned once and keeps its pair list; only the value goes through the
    /// intern table (moved in, cloned only when new).
    pub fn from_datoms(datoms: impl IntoIterator<Item = Datom>) -> Db {
        let mut db = Db::new();
        // Attribute keyword -> its slot in `attrs` (its id and its (e, v) pairs).
        let mut slots: Fast<Keyword, usize> = Fast::default();
        let mut by_address: Fast<usize, usize> = Fast::default();
        let mut attrs: Vec<(Id, Vec<(Id, Id)>)> = Vec::new();
        let mut last_e: Option<(u64, Id)> = None;
        for d in datoms {
            let e = match last_e {
                Some((raw, id)) if raw == d.e => id,
                _ => {
                    let id = db.table.intern(Value::Int(d.e as i64));
                    last_e = Some((d.e, id));
                    id
                }
            };
            // Found by the address of its text when it shares the allocation of the keyword
            // `slots` holds (lowering shares one per attribute), else by its text.
            let address = d.a.as_str().as_ptr() as usize;
            let slot = match by_address.get(&address).or_else(|| slots.get(&d.a)) {
                Some(slot) => *slot,
                None => {
                    let id = db.table.intern(Value::Keyword(d.a.clone()));
                    attrs.push((id, Vec::new()));
                    by_address.insert(address, attrs.len() - 1);
                    slots.insert(d.a, attrs.len() - 1);
                    attrs.len() - 1
                }
            };
            let v = db.table.intern(d.v);
            if let Some((_, pairs)) = attrs.get_mut(slot) {
                pairs.push((e, v));
            }
        }
        db.attrs = attrs
            .into_iter()
            .map(|(a, ev)| (a, AttrIndex::from_pairs(ev)))
            .collect();
        db
    }

    /// Retracts then asserts, so a datom in both sets stays. Typical use: all datoms of a
    /// top-level form that changed are retracted and the new ones asserted. Only the touched
    /// attributes' indexes are rewritten (a linear merge each), never the whole store.
    pub fn transact(&mut self, retract: &[Datom], assert: &[Datom]) {
        let mut removed: BTreeMap<Id, Vec<(Id, Id)>> = BTreeMap::new();
        for d in retract {
            if let (Some(e), Some(a), Some(v)) = (
                self.table.get(&Value::Int(d.e as i64)),
                self.table.get(&Value::Keyword(d.a.clone())),
                self.table.get(&d.v),
            ) {
                removed.entry(a).or_default().push((e, v));
            }
        }
        let mut added: BTreeMap<Id, Vec<(Id, Id)>> = BTreeMap::new();
        for d in assert {
            let (e, a, v) = self.intern_datom(d);
            added.entry(a).or_default().push((e, v));
        }
        let mut touched: Vec<Id> = removed.keys().chain(added.keys()).copied().collect();
        touched.sort_unstable();
        touched.dedup();
        for a in touched {
            let mut gone = removed.remove(&a).unwrap_or_default();
            let mut new = added.remove(&a).unwrap_or_default();
            gone.sort_unstable();
            gone.dedup();
            new.sort_unstable();
            new.dedup();
            let index = self.attrs.entry(a).or_default();
            // Retract then assert: a datom in both stays, so only `gone - new` leaves, and only
            // the asserted datoms not already there arrive. Re-lowering an unchanged form is
            // then free.
            let gone: Vec<(Id, Id)> = gone
                .into_iter()
                .filter(|p| new.binary_search(p).is_err() && index.aev.binary_search(p).is_ok())
                .collect();
            let new: Vec<(Id, Id)> = new
                .into_iter()
                .filter(|p| index.aev.binary_search(p).is_err())
                .collect();
            index.apply(&gone, &new);
            if index.stats.count == 0 {
                self.attrs.remove(&a);
            }
        }
    }

    /// Number of datoms.
    pub fn len(&self) -> usize {
        self.attrs.values().map(|i| i.stats.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// Every datom, sorted by attribute id then entity then value (not by name).
    pub fn datoms(&self) -> impl Iterator<Item = Datom> + '_ {
        self.attrs.iter().flat_map(move |(a, index)| {
            let a = match self.value(*a) {
                Value::Keyword(k) => k.clone(),
                other => Keyword::new(&other.to_string()),
            };
            index.aev.iter().map(move |&(e, v)| {
                let e = match self.value(e) {
                    Value::Int(i) => *i as u64,
                    _ => 0,
                };
                Datom::new(e, a.clone(), self.value(v).clone())
            })
        })
    }

    /// Planner statistics for an attribute, if any datom has it.
    pub fn stats(&self, attribute: &Keyword) -> Option<AttrStats> {
        let id = self.id(&Value::Keyword(attribute.clone()))?;
        self.attrs.get(&id).map(|i| i.stats)
    }

    /// Approximate heap size of values, ids and indexes, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let pair = std::mem::size_of::<(Id, Id)>();
        let indexes: usize = self
            .attrs
            .values()
            .map(|i| (i.aev.len() + i.ave.len()) * pair)
            .sum();
        indexes + self.table.heap_bytes()
    }

    fn intern_datom(&mut self, d: &Datom) -> (Id, Id, Id) {
        let e = self.table.intern(Value::Int(d.e as i64));
        let a = self.table.intern(Value::Keyword(d.a.clone()));
        let v = self.table.intern(d.v.clone());
        (e, a, v)
    }

    pub(crate) fn id(&self, v: &Value) -> Option<Id> {
        self.table.get(v)
    }

    pub(crate) fn value_count(&self) -> usize {
        self.table.values.len()
    }

    /// The value of an id below [`Db::value_count`].
    pub(crate) fn value(&self, id: Id) -> &Value {
        &self.table.values[id as usize]
    }

    pub(crate) fn attr(&self, id: Id) -> Option<&AttrIndex> {
        self.attrs.get(&id)
    }

    pub(crate) fn attrs(&self) -> impl Iterator<Item = (Id, &AttrIndex)> {
        self.attrs.iter().map(|(a, i)| (*a, i))
    }
}

#[cfg(test)]
mod tests {
    use super::{Db, Id, radix_sort};
    use edn::{Datom, Keyword, Symbol, Value};

    /// Every kind of value gets one id however it is interned (paged integer or not, a name's
    /// shared allocation or a fresh one with the same text), and comes back unchanged.
    #[test]
    fn interned_values_round_trip() {
        let values = [
            Value::Int(0),
            Value::Int(255),
            Value::Int(256),
            Value::Int(-5),
            Value::Int(1 << 41),
            Value::Int(i64::MAX),
            Value::Keyword(Keyword::new("k")),
            Value::Symbol(Symbol::new("k")),
            Value::Str("k".into()),
            Value::Float(2.5),
        ];
        let datoms: Vec<Datom> = values
            .iter()
            .enumerate()
            .map(|(n, v)| Datom::new(n as u64 + 300, Keyword::new("a"), v.clone()))
            .collect();
        let mut db = Db::from_datoms(datoms.clone());
        let mut back: Vec<Datom> = db.datoms().collect();
        back.sort();
        let mut expected = datoms.clone();
        expected.sort();
        assert_eq!(back, expected);
        for v in &values {
            // A fresh allocation of the same text finds the same id.
            let fresh = match v {
                Value::Keyword(k) => Value::Keyword(Keyword::new(k.as_str())),
                Value::Symbol(s) => Value::Symbol(Symbol::new(s.as_str())),
                other => other.clone(),
            };
            let id = db.id(&fresh).expect("interned");
            assert_eq!(db.value(id), v);
        }
        // Retracting through fresh values finds the datoms too.
        let fresh: Vec<Datom> = datoms
            .iter()
            .map(|d| Datom::new(d.e, Keyword::new("a"), d.v.clone()))
            .collect();
        db.transact(&fresh, &[]);
        assert!(db.is_empty());
    }

    #[test]
    fn radix_sort_agrees_with_the_comparison_sort() {
        // A deterministic scramble over several digit widths, with duplicates and zeros.
        for (n, modulus) in [
            (5000u64, 7u64),
            (9000, 70_000),
            (20_000, 5_000_000),
            (4096, 1),
        ] {
            let pairs: Vec<(Id, Id)> = (0..n)
                .map(|i| {
                    let x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7;
                    ((x % modulus) as Id, ((x >> 20) % (modulus + 3)) as Id)
                })
                .collect();
            let mut expected = pairs.clone();
            expected.sort_unstable();
            let mut got = pairs;
            radix_sort(&mut got);
            assert_eq!(got, expected, "{n} pairs below {modulus}");
        }
    }
}
