//! The library functions that call yin functions (`some`, `group-by`, `sort-by`, `juxt` ...).
//!
//! None of them calls back into Rust recursively: each is a small state machine whose state lives
//! in one continuation frame ([`Native::Lib`]). Starting pushes the frame and asks the machine to
//! call the function on the first element; every value the function returns resumes the machine
//! here ([`resume`]), which either finishes or calls the function on the next element. So stepping,
//! `call/cc`, parking, exceptions and serialisation work inside them as they do in `map`.
//!
//! The bounded producers (`iterate`, `repeat` and `cycle` without a count, `repeatedly` without
//! a count, `range` without an end) are functions of a hidden primitive ([`Prim::Producer`]) holding what they need;
//! `take` and `take-while` run them, and anything else that wants their elements is told they are
//! infinite. That is how infinite sequences are expressed on a machine whose sequences are eager.

use std::cmp::Ordering;
use std::rc::Rc;

use imbl::Vector;
use text_size::TextRange;

use crate::error::Error;
use crate::kont::{KFrame, Native};
use crate::prim::{Flow, Prim, comparator_less, items, type_err};
use crate::value::{Map, Value};

macro_rules! lib_ops {
    ($($variant:ident $name:literal;)*) => {
        /// Which library function a [`Native::Lib`] frame belongs to.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum LibOp { $($variant),* }

        impl LibOp {
            /// The function's name: the frame's `:k/tag` and its name in a saved state.
            pub fn name(self) -> &'static str {
                match self { $(LibOp::$variant => $name),* }
            }

            pub fn from_name(name: &str) -> Option<LibOp> {
                match name { $($name => Some(LibOp::$variant),)* _ => None }
            }
        }
    };
}

lib_ops! {
    Some "some";
    Every "every?";
    NotAny "not-any?";
    Remove "remove";
    Keep "keep";
    Mapcat "mapcat";
    MapIndexed "map-indexed";
    TakeWhile "take-while";
    DropWhile "drop-while";
    PartitionBy "partition-by";
    GroupBy "group-by";
    SortByKeys "sort-by";
    SortByCmp "sort-by-compare";
    MaxKey "max-key";
    MinKey "min-key";
    Juxt "juxt";
    Complement "complement";
    MergeWith "merge-with";
    UpdateIn "update-in";
    Repeatedly "repeatedly";
    Iterate "iterate";
    IterateWhile "iterate-while";
    SomeFn "some-fn";
    EveryPred "every-pred";
    TreeSeq "tree-seq";
}

/// The kinds of bounded producer, the first argument of [`Prim::Producer`].
const ITERATE: &str = "iterate";
const REPEATEDLY: &str = "repeatedly";
const REPEAT: &str = "repeat";
const CYCLE: &str = "cycle";
const RANGE: &str = "range";

/// A producer value: `(iterate f x)` is the hidden primitive partially applied to
/// `:iterate f x`.
pub(crate) fn producer(kind: &str, args: Vec<Value>) -> Result<Value, Error> {
    let mut all = vec![Value::keyword(kind)];
    all.extend(args);
    Value::partial(Value::Prim(Prim::Producer), all)
}

/// The kind and arguments of a producer value, if `v` is one.
pub(crate) fn as_producer(v: &Value) -> Option<(&str, &[Value])> {
    let Value::Partial(p) = v else { return None };
    if !matches!(p.f, Value::Prim(Prim::Producer)) {
        return None;
    }
    let (Value::Keyword(k), rest) = p.args.split_first()? else {
        return None;
    };
    Some((k.name(), rest))
}

/// The error for using an infinite producer where its elements are needed.
pub(crate) fn infinite(op: &str, kind: &str) -> Error {
    Error::argument(format!(
        "{op}: ({kind} ...) is infinite and yin's sequences are eager; \
         take a prefix first, e.g. (take 10 ({kind} ...))"
    ))
}

/// One frame's state, as [`Native::Lib`] holds it.
pub(crate) struct Lib {
    pub op: LibOp,
    pub f: Value,
    pub items: Vector<Value>,
    pub idx: usize,
    pub acc: Value,
    pub extra: Value,
    pub span: TextRange,
}

impl Lib {
    fn new(op: LibOp, f: Value, items: Vector<Value>, acc: Value, span: TextRange) -> Lib {
        Lib {
            op,
            f,
            items,
            idx: 0,
            acc,
            extra: Value::Nil,
            span,
        }
    }

    /// Calls `f` with `args`, to come back to this frame with its value.
    fn call(self, args: Vec<Value>) -> Flow {
        let f = self.f.clone();
        self.call_with(f, args)
    }

    /// Calls `g` with `args`, to come back to this frame with its value.
    fn call_with(self, g: Value, args: Vec<Value>) -> Flow {
        let Lib {
            op,
            f,
            items,
            idx,
            acc,
            extra,
            span,
        } = self;
        Flow::Push(
            KFrame::Native(Box::new(Native::Lib {
                op,
                f,
                items,
                idx,
                acc,
                extra,
                span,
            })),
            g,
            args,
        )
    }

    /// Calls `f` on the next element (with `idx` advanced), or finishes with `done`.
    fn next(mut self, done: impl FnOnce(Lib) -> Result<Value, Error>) -> Result<Flow, Error> {
        let Some(x) = self.items.get(self.idx).cloned() else {
            return Ok(Flow::Value(done(self)?));
        };
        self.idx += 1;
        Ok(match self.op {
            LibOp::MapIndexed => {
                let i = Value::Int(self.idx as i64 - 1);
                self.call(vec![i, x])
            }
            // mapcat over several collections: each item is the vector of one call's arguments.
            LibOp::Mapcat if matches!(self.extra, Value::Bool(true)) => {
                let args = x
                    .as_seq()
                    .map(|a| a.iter().cloned().collect())
                    .unwrap_or_default();
                self.call(args)
            }
            // some-fn and every-pred: each item is a [pred arg] pair.
            LibOp::SomeFn | LibOp::EveryPred => {
                let (pred, arg) = pair(&x);
                self.call_with(pred, vec![arg])
            }
            // juxt: the items are the functions, `extra` the arguments.
            LibOp::Juxt => {
                let args = acc_items(&self.extra).into_iter().collect();
                self.call_with(x, args)
            }
            _ => self.call(vec![x]),
        })
    }

    /// The element the function was last called on.
    fn current(&self) -> Value {
        self.idx
            .checked_sub(1)
            .and_then(|i| self.items.get(i))
            .cloned()
            .unwrap_or(Value::Nil)
    }
}

fn vector(items: Vector<Value>) -> Result<Value, Error> {
    Value::vector(items)
}

/// `acc` with `x` at the end, without rescanning `acc` (and in place when nothing shares it):
/// accumulating must stay linear.
fn push(acc: &Value, x: Value) -> Result<Value, Error> {
    let mut acc = acc.clone();
    push_into(&mut acc, x)?;
    Ok(acc)
}

fn push_into(acc: &mut Value, x: Value) -> Result<(), Error> {
    match std::mem::replace(acc, Value::Nil) {
        Value::Vector(s) => {
            let depth = s.with_depth_of(&x)?;
            let mut seq = Rc::try_unwrap(s).unwrap_or_else(|s| (*s).clone());
            seq.items.push_back(x);
            seq.depth = depth;
            *acc = Value::Vector(Rc::new(seq));
        }
        _ => *acc = vector(Vector::from(vec![x]))?,
    }
    Ok(())
}

/// `acc` with the elements of `coll` appended; `coll`'s depth bounds theirs.
fn append_into(acc: &mut Value, coll: &Value, op: &str, max_items: usize) -> Result<(), Error> {
    let more = items(op, coll)?;
    let depth = coll.depth().max(1);
    match std::mem::replace(acc, Value::Nil) {
        Value::Vector(s) => {
            let mut seq = Rc::try_unwrap(s).unwrap_or_else(|s| (*s).clone());
            seq.items.append(more);
            if seq.items.len() > max_items {
                return Err(too_many(max_items));
            }
            seq.depth = seq.depth.max(depth);
            *acc = Value::Vector(Rc::new(seq));
        }
        _ => *acc = vector(more)?,
    }
    Ok(())
}

fn too_many(max_items: usize) -> Error {
    Error::new(
        crate::error::ErrorKind::Limit,
        format!("collection limit reached: at most {max_items} elements per collection"),
    )
}

fn acc_items(acc: &Value) -> Vector<Value> {
    acc.as_seq().unwrap_or_default()
}

fn empty() -> Value {
    Value::Vector(Rc::new(crate::value::Seq {
        items: Vector::new(),
        depth: 1,
    }))
}

/// Starts library function `op` over `coll` with function `f`.
pub(crate) fn start(op: LibOp, f: Value, coll: &Value, span: TextRange) -> Result<Flow, Error> {
    let xs = items(op.name(), coll)?;
    let acc = match op {
        LibOp::GroupBy => Value::Map(Rc::new(Map::default())),
        _ => empty(),
    };
    Lib::new(op, f, xs, acc, span).next(finish)
}

/// `(mapcat f c1 c2 ...)`: `f` on the first elements of every collection, then the second ...,
/// as long as the shortest, the results concatenated. `extra` is `true` to say the items are
/// argument vectors.
pub(crate) fn mapcat_many(f: Value, colls: &[Value], span: TextRange) -> Result<Flow, Error> {
    let lists = colls
        .iter()
        .map(|c| items("mapcat", c))
        .collect::<Result<Vec<_>, _>>()?;
    let len = lists.iter().map(Vector::len).min().unwrap_or(0);
    let mut calls = Vector::new();
    for i in 0..len {
        let args: Vector<Value> = lists.iter().filter_map(|l| l.get(i).cloned()).collect();
        calls.push_back(vector(args)?);
    }
    let mut lib = Lib::new(LibOp::Mapcat, f, calls, empty(), span);
    lib.extra = Value::Bool(true);
    lib.next(finish)
}

/// `(juxt-fn fns args...)`: each function of `fns` on the arguments, as a vector.
pub(crate) fn juxt(fns: &Value, args: Vec<Value>, span: TextRange) -> Result<Flow, Error> {
    let fs = items("juxt", fns)?;
    let mut lib = Lib::new(LibOp::Juxt, Value::Nil, fs, empty(), span);
    lib.extra = vector(args.into_iter().collect())?;
    lib.next(finish)
}

/// A call of the function `(some-fn p q ...)` or `(every-pred p q ...)` returned: each predicate
/// on each argument, predicate by predicate as Clojure orders them, until one answer decides.
/// `some-fn` gives the first truthy value or the last falsy one (`nil` with no arguments);
/// `every-pred` gives a boolean.
pub(crate) fn any_pred(
    op: LibOp,
    preds: &Value,
    args: Vec<Value>,
    span: TextRange,
) -> Result<Flow, Error> {
    let mut calls = Vector::new();
    for p in items(op.name(), preds)? {
        for a in &args {
            calls.push_back(vector(Vector::from(vec![p.clone(), a.clone()]))?);
        }
    }
    Lib::new(op, Value::Nil, calls, Value::Nil, span).next(finish)
}

/// `(tree-seq branch? children root)`: the nodes depth first, each before its children. The
/// frame's `items` is the stack of nodes still to visit (top last), `acc` the nodes visited, `f`
/// `branch?` and `extra` `children`; `idx` is 0 while `branch?` is asked about the last node
/// visited, 1 while `children` is.
pub(crate) fn tree_seq(
    branch: Value,
    children: Value,
    root: Value,
    span: TextRange,
) -> Result<Flow, Error> {
    let mut lib = Lib::new(
        LibOp::TreeSeq,
        branch,
        Vector::from(vec![root]),
        empty(),
        span,
    );
    lib.extra = children;
    tree_visit(lib)
}

fn tree_visit(mut lib: Lib) -> Result<Flow, Error> {
    let Some(node) = lib.items.pop_back() else {
        return Ok(Flow::Value(lib.acc));
    };
    push_into(&mut lib.acc, node.clone())?;
    lib.idx = 0;
    Ok(lib.call(vec![node]))
}

fn tree_resume(mut lib: Lib, v: Value, max_items: usize) -> Result<Flow, Error> {
    let node = acc_items(&lib.acc).last().cloned().unwrap_or(Value::Nil);
    if lib.idx == 0 {
        if !v.truthy() {
            return tree_visit(lib);
        }
        lib.idx = 1;
        let children = lib.extra.clone();
        return Ok(lib.call_with(children, vec![node]));
    }
    let kids = items("tree-seq", &v)?;
    if lib.items.len() + kids.len() + acc_items(&lib.acc).len() > max_items {
        return Err(too_many(max_items));
    }
    lib.items.extend(kids.into_iter().rev());
    tree_visit(lib)
}

/// The first `n` elements of a producer whose elements need no call of a program's function
/// (`(range)`, `(repeat x)`, `(cycle c)`), for the functions that take several collections and
/// stop at the shortest (`(map vector xs (range))`, `(zipmap ks (repeat 0))`). Any other
/// producer is refused as infinite.
pub(crate) fn bounded_prefix(op: &str, producer: &Value, n: usize) -> Result<Vector<Value>, Error> {
    let Some((kind, args)) = as_producer(producer) else {
        return items(op, producer);
    };
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    Ok(match kind {
        RANGE => (0..n as i64).map(Value::Int).collect(),
        REPEAT => std::iter::repeat_n(arg(0), n).collect(),
        CYCLE => {
            let xs = items(op, &arg(0))?;
            xs.iter()
                .cycle()
                .take(if xs.is_empty() { 0 } else { n })
                .cloned()
                .collect()
        }
        other => return Err(infinite(op, other)),
    })
}

/// The elements of each collection of a several-collection call, a bounded producer among them
/// cut to the shortest of the others ([`bounded_prefix`]).
pub(crate) fn finite_or_bounded(op: &str, colls: &[Value]) -> Result<Vec<Vector<Value>>, Error> {
    let shortest = colls
        .iter()
        .filter(|c| as_producer(c).is_none())
        .map(|c| items(op, c).map(|xs| xs.len()))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .min();
    colls
        .iter()
        .map(|c| match (as_producer(c), shortest) {
            (Some(_), Some(n)) => bounded_prefix(op, c, n),
            _ => items(op, c),
        })
        .collect()
}

/// `(max-key k x y ...)`/`(min-key k x y ...)`.
pub(crate) fn extreme_key(
    op: LibOp,
    k: Value,
    xs: Vec<Value>,
    span: TextRange,
) -> Result<Flow, Error> {
    Lib::new(op, k, xs.into_iter().collect(), Value::Nil, span).next(finish)
}

/// `(sort-by keyfn comp coll)`: the keys first, then binary insertion driven by `comp`.
pub(crate) fn sort_by_cmp(
    keyfn: Value,
    cmp: Value,
    coll: &Value,
    span: TextRange,
) -> Result<Flow, Error> {
    let xs = items("sort-by", coll)?;
    let mut lib = Lib::new(LibOp::SortByKeys, keyfn, xs, empty(), span);
    lib.extra = cmp;
    lib.next(finish)
}

/// `(complement-fn f args...)`: calls `f`, then negates.
pub(crate) fn complement(f: Value, args: Vec<Value>, span: TextRange) -> Flow {
    let lib = Lib::new(LibOp::Complement, f, Vector::new(), Value::Nil, span);
    lib.call(args)
}

/// `(merge-with f m1 m2 ...)`.
pub(crate) fn merge_with(f: Value, maps: &[Value], span: TextRange) -> Result<Flow, Error> {
    let mut entries = Vector::new();
    let mut acc = None;
    for m in maps {
        match m {
            Value::Nil => {}
            Value::Map(_) if acc.is_none() => acc = Some(m.clone()),
            Value::Map(_) => entries.append(items("merge-with", m)?),
            other => return Err(type_err("merge-with", "a map", other)),
        }
    }
    let lib = Lib::new(
        LibOp::MergeWith,
        f,
        entries,
        acc.unwrap_or(Value::Nil),
        span,
    );
    merge_next(lib)
}

fn merge_next(mut lib: Lib) -> Result<Flow, Error> {
    while let Some(kv) = lib.items.get(lib.idx).cloned() {
        lib.idx += 1;
        let (k, v) = pair(&kv);
        let old = match &lib.acc {
            Value::Map(m) => m.get(&k).cloned(),
            _ => None,
        };
        match old {
            Some(old) => return Ok(lib.call(vec![old, v])),
            None => lib.acc = assoc(&lib.acc, k, v)?,
        }
    }
    Ok(Flow::Value(lib.acc))
}

fn pair(kv: &Value) -> (Value, Value) {
    let xs = acc_items(kv);
    (
        xs.get(0).cloned().unwrap_or(Value::Nil),
        xs.get(1).cloned().unwrap_or(Value::Nil),
    )
}

fn assoc(m: &Value, k: Value, v: Value) -> Result<Value, Error> {
    let base = match m {
        Value::Map(m) => (**m).clone(),
        _ => Map::default(),
    };
    Ok(Value::Map(Rc::new(base.assoc(k, v)?)))
}

/// `(update-in m ks f args...)`: `f` of the value at path `ks`, then `assoc-in`.
pub(crate) fn update_in(
    m: Value,
    path: Value,
    f: Value,
    fargs: Vec<Value>,
    span: TextRange,
) -> Result<Flow, Error> {
    let keys = items("update-in", &path)?;
    if keys.is_empty() {
        return Err(Error::argument("update-in needs a non-empty path"));
    }
    let mut cur = m.clone();
    for k in keys.iter() {
        cur = crate::prim::get(&cur, k).unwrap_or(Value::Nil);
    }
    let mut lib = Lib::new(LibOp::UpdateIn, f, Vector::new(), m, span);
    lib.extra = path;
    let mut args = vec![cur];
    args.extend(fargs);
    Ok(lib.call(args))
}

fn whole(op: &str, v: &Value) -> Result<usize, Error> {
    match v {
        Value::Int(i) => usize::try_from(*i)
            .map_err(|_| Error::argument(format!("{op}: index {i} is out of bounds"))),
        other => Err(type_err(op, "an integer", other)),
    }
}

/// `(nth producer n)`: `(last (take (inc n) producer))`, so the producer runs as `take` runs
/// it (each call a step of the machine) and the prefix is bounded like any collection.
pub(crate) fn nth_producer(producer: &Value, n: &Value) -> Result<Flow, Error> {
    let n = whole("nth", n)?;
    let take = Value::partial(Value::Prim(Prim::Take), vec![Value::Int(n as i64 + 1)])?;
    Ok(Flow::Apply(
        Value::comp(vec![Value::Prim(Prim::Last), take])?,
        vec![producer.clone()],
    ))
}

/// `(drop n producer)`: the producer of what follows the first `n` elements. `(iterate f x)`
/// becomes `(iterate f (nth (iterate f x) n))`, computed through the machine as [`nth_producer`]
/// does; `(repeatedly f)` is refused, since dropping would call `f` for its effects unseen.
pub(crate) fn drop_producer(n: &Value, producer: &Value) -> Result<Flow, Error> {
    let count = whole("drop", n)?;
    let Some((kind, args)) = as_producer(producer) else {
        return Err(type_err("drop", "a producer", producer));
    };
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    Ok(match kind {
        REPEAT => Flow::Value(producer.clone()),
        RANGE => Flow::Value(self::producer(
            ITERATE,
            vec![Value::Prim(Prim::Inc), Value::Int(count as i64)],
        )?),
        CYCLE => {
            let xs = items("cycle", &arg(0))?;
            let k = if xs.is_empty() { 0 } else { count % xs.len() };
            let rotated: Vector<Value> = xs
                .iter()
                .skip(k)
                .chain(xs.iter().take(k))
                .cloned()
                .collect();
            Flow::Value(self::producer(CYCLE, vec![vector(rotated)?])?)
        }
        ITERATE => {
            let restart = Value::partial(Value::Prim(Prim::Iterate), vec![arg(0)])?;
            let take = Value::partial(Value::Prim(Prim::Take), vec![Value::Int(count as i64 + 1)])?;
            Flow::Apply(
                Value::comp(vec![restart, Value::Prim(Prim::Last), take])?,
                vec![producer.clone()],
            )
        }
        other => return Err(infinite("drop", other)),
    })
}

/// `(first producer)`, known without running it (`(first (drop 3 (iterate f x)))`); `None` when
/// `v` is no producer. `(repeatedly f)` is refused: its first element is a call of `f`.
pub(crate) fn producer_first(v: &Value) -> Option<Result<Value, Error>> {
    let (kind, args) = as_producer(v)?;
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    Some(match kind {
        ITERATE => Ok(arg(1)),
        REPEAT => Ok(arg(0)),
        RANGE => Ok(Value::Int(0)),
        CYCLE => items("first", &arg(0)).map(|xs| xs.front().cloned().unwrap_or(Value::Nil)),
        other => Err(infinite("first", other)),
    })
}

/// `(take n producer)` and `(take-while pred producer)`: run the producer.
pub(crate) fn take_producer(
    n: Option<usize>,
    pred: Value,
    kind: &str,
    args: &[Value],
    span: TextRange,
    max_items: usize,
) -> Result<Flow, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let limit_err = || too_many(max_items);
    match (kind, n) {
        (RANGE, Some(n)) => {
            if n > max_items {
                return Err(limit_err());
            }
            Ok(Flow::Value(vector(
                (0..n as i64).map(Value::Int).collect(),
            )?))
        }
        // (range) counts up from 0: take-while over it is take-while over (iterate inc 0).
        (RANGE, None) => take_producer(
            None,
            pred,
            ITERATE,
            &[Value::Prim(Prim::Inc), Value::Int(0)],
            span,
            max_items,
        ),
        (REPEAT, Some(n)) => {
            if n > max_items {
                return Err(limit_err());
            }
            Ok(Flow::Value(vector(
                std::iter::repeat_n(arg(0), n).collect(),
            )?))
        }
        (CYCLE, Some(n)) => {
            let xs = items("cycle", &arg(0))?;
            if xs.is_empty() {
                return Ok(Flow::Value(empty()));
            }
            if n > max_items {
                return Err(limit_err());
            }
            Ok(Flow::Value(vector(
                xs.iter().cycle().take(n).cloned().collect(),
            )?))
        }
        (REPEATEDLY, Some(n)) => repeatedly(n, arg(0), span, max_items),
        (ITERATE, Some(n)) => {
            if n == 0 {
                return Ok(Flow::Value(empty()));
            }
            if n > max_items {
                return Err(limit_err());
            }
            let mut lib = Lib::new(LibOp::Iterate, arg(0), Vector::new(), empty(), span);
            lib.acc = push(&lib.acc, arg(1))?;
            lib.idx = n;
            if n == 1 {
                return Ok(Flow::Value(lib.acc));
            }
            Ok(lib.call(vec![arg(1)]))
        }
        (ITERATE, None) => {
            // take-while over iterate: `extra` is [f x]; test x, then compute the next x.
            let mut lib = Lib::new(LibOp::IterateWhile, pred, Vector::new(), empty(), span);
            lib.extra = vector(Vector::from(vec![arg(0), arg(1)]))?;
            Ok(lib.call(vec![arg(1)]))
        }
        (REPEAT | CYCLE | REPEATEDLY, None) => {
            // take-while over a producer whose elements do not depend on the predicate:
            // materialise up to the collection limit and stop at the first failure.
            let mut lib = Lib::new(LibOp::TakeWhile, pred, Vector::new(), empty(), span);
            // Marks the items as a finite window on an infinite producer: running off its end
            // is an error, not a result.
            lib.extra = Value::keyword(kind);
            match kind {
                REPEAT => {
                    lib.items = std::iter::repeat_n(arg(0), max_items.min(1 << 16)).collect();
                }
                CYCLE => {
                    let xs = items("cycle", &arg(0))?;
                    if xs.is_empty() {
                        return Ok(Flow::Value(empty()));
                    }
                    lib.items = xs
                        .iter()
                        .cycle()
                        .take(max_items.min(1 << 16))
                        .cloned()
                        .collect();
                }
                _ => return Err(infinite("take-while", kind)),
            }
            lib.next(finish)
        }
        (k, _) if crate::lazy::is_pipeline_kind(k) => crate::lazy::take(n, pred, args, max_items),
        _ => Err(infinite("take", kind)),
    }
}

/// `(repeatedly n f)`: `f` called `n` times.
pub(crate) fn repeatedly(
    n: usize,
    f: Value,
    span: TextRange,
    max_items: usize,
) -> Result<Flow, Error> {
    if n > max_items {
        return Err(too_many(max_items));
    }
    if n == 0 {
        return Ok(Flow::Value(empty()));
    }
    let mut lib = Lib::new(LibOp::Repeatedly, f, Vector::new(), empty(), span);
    lib.idx = n - 1;
    Ok(lib.call(Vec::new()))
}

/// What a finished frame returns.
fn finish(lib: Lib) -> Result<Value, Error> {
    Ok(match lib.op {
        LibOp::Some => Value::Nil,
        LibOp::Every | LibOp::NotAny | LibOp::EveryPred => Value::Bool(true),
        LibOp::Mapcat => Value::list(acc_items(&lib.acc))?,
        LibOp::PartitionBy => {
            let mut groups = acc_items(&lib.acc);
            if let Some(cur) = acc_items(&lib.extra).get(1).cloned() {
                groups.push_back(cur);
            }
            vector(groups)?
        }
        // With a comparator, a non-empty collection moves on to sorting when its last key
        // arrives (in `resume`), so only an empty one finishes here.
        LibOp::SortByKeys if !matches!(lib.extra, Value::Nil) => empty(),
        LibOp::SortByKeys => {
            let mut pairs: Vec<(Value, Value)> = acc_items(&lib.acc)
                .into_iter()
                .zip(lib.items.iter().cloned())
                .collect();
            let mut failure = None;
            pairs.sort_by(|(a, _), (b, _)| {
                a.compare(b).unwrap_or_else(|| {
                    failure.get_or_insert_with(|| type_err("sort-by", "comparable keys", b));
                    Ordering::Equal
                })
            });
            if let Some(e) = failure {
                return Err(e);
            }
            vector(pairs.into_iter().map(|(_, x)| x).collect())?
        }
        LibOp::MaxKey | LibOp::MinKey => pair(&lib.acc).1,
        LibOp::TakeWhile => match &lib.extra {
            Value::Keyword(kind) => {
                return Err(Error::new(
                    crate::error::ErrorKind::Limit,
                    format!(
                        "take-while: the predicate held for the first {} elements of ({} ...), \
                         which never ends",
                        lib.items.len(),
                        kind.name()
                    ),
                ));
            }
            _ => lib.acc,
        },
        _ => lib.acc,
    })
}

/// Continues a [`Native::Lib`] frame with the value its function returned.
pub(crate) fn resume(mut lib: Lib, v: Value, max_items: usize) -> Result<Flow, Error> {
    let x = lib.current();
    match lib.op {
        LibOp::Some if v.truthy() => return Ok(Flow::Value(v)),
        LibOp::Every if !v.truthy() => return Ok(Flow::Value(Value::Bool(false))),
        LibOp::NotAny if v.truthy() => return Ok(Flow::Value(Value::Bool(false))),
        LibOp::Some | LibOp::Every | LibOp::NotAny => {}
        LibOp::SomeFn if v.truthy() => return Ok(Flow::Value(v)),
        LibOp::SomeFn => lib.acc = v,
        LibOp::EveryPred if !v.truthy() => return Ok(Flow::Value(Value::Bool(false))),
        LibOp::EveryPred => {}
        LibOp::TreeSeq => return tree_resume(lib, v, max_items),
        LibOp::Remove => {
            if !v.truthy() {
                push_into(&mut lib.acc, x)?;
            }
        }
        LibOp::Keep => {
            if !matches!(v, Value::Nil) {
                push_into(&mut lib.acc, v)?;
            }
        }
        LibOp::Mapcat => append_into(&mut lib.acc, &v, "mapcat", max_items)?,
        LibOp::MapIndexed | LibOp::Juxt => push_into(&mut lib.acc, v)?,
        LibOp::TakeWhile => {
            if !v.truthy() {
                return Ok(Flow::Value(lib.acc));
            }
            push_into(&mut lib.acc, x)?;
        }
        LibOp::DropWhile => {
            if !v.truthy() {
                let rest = lib.items.skip(lib.idx.saturating_sub(1));
                return Ok(Flow::Value(vector(rest)?));
            }
        }
        LibOp::PartitionBy => {
            // extra is [key current-group] once the first element is seen.
            let state = acc_items(&lib.extra);
            let same = state.front().is_some_and(|k| *k == v);
            let group = match (same, state.get(1)) {
                (true, Some(g)) => push(g, x)?,
                (false, Some(g)) => {
                    lib.acc = push(&lib.acc, g.clone())?;
                    vector(Vector::from(vec![x]))?
                }
                (_, None) => vector(Vector::from(vec![x]))?,
            };
            lib.extra = vector(Vector::from(vec![v, group]))?;
        }
        LibOp::GroupBy => {
            let group = match &lib.acc {
                Value::Map(m) => m.get(&v).cloned().unwrap_or_else(empty),
                _ => empty(),
            };
            lib.acc = assoc(&lib.acc, v, push(&group, x)?)?;
        }
        LibOp::SortByKeys => {
            push_into(&mut lib.acc, v)?;
            if lib.idx >= lib.items.len() && !matches!(lib.extra, Value::Nil) {
                return sort_pairs_start(lib);
            }
        }
        LibOp::SortByCmp => return sort_pairs_resume(lib, &v),
        LibOp::MaxKey | LibOp::MinKey => {
            let better = match lib.acc.elements().and_then(|mut s| s.next()) {
                None => true,
                Some(best) => {
                    let o = crate::num::compare_checked(&v, best, lib.op.name())?;
                    // Ties go to the last, as in Clojure.
                    match lib.op {
                        LibOp::MaxKey => o != Some(Ordering::Less),
                        _ => o != Some(Ordering::Greater),
                    }
                }
            };
            if better {
                lib.acc = vector(Vector::from(vec![v, x]))?;
            }
        }
        LibOp::Complement => return Ok(Flow::Value(Value::Bool(!v.truthy()))),
        LibOp::MergeWith => {
            let k = pair(&x).0;
            lib.acc = assoc(&lib.acc, k, v)?;
            return merge_next(lib);
        }
        LibOp::UpdateIn => {
            let m = crate::prim::assoc_in_value(&lib.acc, &lib.extra, v)?;
            return Ok(Flow::Value(m));
        }
        LibOp::Repeatedly => {
            push_into(&mut lib.acc, v)?;
            if lib.idx == 0 {
                return Ok(Flow::Value(lib.acc));
            }
            lib.idx -= 1;
            return Ok(lib.call(Vec::new()));
        }
        LibOp::Iterate => {
            push_into(&mut lib.acc, v.clone())?;
            if acc_items(&lib.acc).len() >= lib.idx {
                return Ok(Flow::Value(lib.acc));
            }
            return Ok(lib.call(vec![v]));
        }
        LibOp::IterateWhile => {
            // An even `idx` waits for the predicate on x, an odd one for (f x).
            let state = acc_items(&lib.extra);
            let f = state.front().cloned().unwrap_or(Value::Nil);
            let cur = state.get(1).cloned().unwrap_or(Value::Nil);
            lib.idx += 1;
            if lib.idx % 2 == 1 {
                if !v.truthy() {
                    return Ok(Flow::Value(lib.acc));
                }
                push_into(&mut lib.acc, cur.clone())?;
                if acc_items(&lib.acc).len() > max_items {
                    return Err(too_many(max_items));
                }
                return Ok(lib.call_with(f, vec![cur]));
            }
            lib.extra = vector(Vector::from(vec![f, v.clone()]))?;
            return Ok(lib.call(vec![v]));
        }
    }
    lib.next(finish)
}

/// `sort-by` with a comparator, once the keys are known: binary insertion of `[key item]`
/// pairs. `items` becomes the pairs, `acc` the sorted pairs, `extra` `[cmp lo hi]`.
fn sort_pairs_start(lib: Lib) -> Result<Flow, Error> {
    let pairs: Vector<Value> = acc_items(&lib.acc)
        .into_iter()
        .zip(lib.items.iter().cloned())
        .map(|(k, x)| vector(Vector::from(vec![k, x])))
        .collect::<Result<_, _>>()?;
    let cmp = lib.extra.clone();
    let next = Lib {
        op: LibOp::SortByCmp,
        f: cmp.clone(),
        items: pairs,
        idx: 0,
        acc: empty(),
        extra: vector(Vector::from(vec![cmp, Value::Int(0), Value::Int(0)]))?,
        span: lib.span,
    };
    sort_pairs_step(next, 0, 0)
}

fn sort_pairs_step(mut lib: Lib, mut lo: usize, mut hi: usize) -> Result<Flow, Error> {
    loop {
        let Some(item) = lib.items.get(lib.idx).cloned() else {
            let sorted = acc_items(&lib.acc).iter().map(|p| pair(p).1).collect();
            return Ok(Flow::Value(vector(sorted)?));
        };
        let mut sorted = acc_items(&lib.acc);
        if lo < hi {
            let mid = lo + (hi - lo) / 2;
            let pivot = sorted.get(mid).cloned().unwrap_or(Value::Nil);
            lib.extra = vector(Vector::from(vec![
                lib.f.clone(),
                Value::Int(lo as i64),
                Value::Int(hi as i64),
            ]))?;
            let args = vec![pair(&item).0, pair(&pivot).0];
            return Ok(lib.call(args));
        }
        sorted.insert(lo.min(sorted.len()), item);
        lib.acc = vector(sorted)?;
        lib.idx += 1;
        lo = 0;
        hi = acc_items(&lib.acc).len();
    }
}

fn sort_pairs_resume(lib: Lib, v: &Value) -> Result<Flow, Error> {
    let state = acc_items(&lib.extra);
    let num = |i: usize| match state.get(i) {
        Some(Value::Int(n)) => usize::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let (mut lo, mut hi) = (num(1), num(2));
    let mid = lo + hi.saturating_sub(lo) / 2;
    if comparator_less(v) {
        hi = mid;
    } else {
        lo = mid + 1;
    }
    sort_pairs_step(lib, lo, hi)
}
