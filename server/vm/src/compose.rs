//! Library functions built from others through the machine: `memoize`, `trampoline`,
//! `update-vals`, `update-keys`, `run!`, `swap-vals!` and `reset-vals!`.
//!
//! Each one that calls a program's function answers with a composed function value for the
//! machine to call ([`Flow::Apply`] of a [`Value::Comp`]), never by calling back into Rust, so
//! stepping, `call/cc`, exceptions and saved states work inside them as in `map`. Their state is
//! where a program's would be: `memoize`'s cache is an atom in the store, visible in the
//! debugger's store view.

use imbl::Vector;

use crate::error::Error;
use crate::prim::{Ctx, Flow, Prim, atom_id, atom_value, bump_cells, set_atom, type_err};
use crate::value::{Map, Value};

/// `(memoize f)`: a function that calls `f` once per distinct argument list, its cache a new atom
/// holding a map from argument vectors to results.
pub(crate) fn memoize(f: Value, ctx: &mut Ctx<'_>) -> Result<Value, Error> {
    bump_cells(ctx.store, ctx.limits)?;
    ctx.store
        .atoms
        .push_back(Value::Map(std::rc::Rc::new(Map::default())));
    let cache = Value::Atom(ctx.store.atoms.len() as u32 - 1);
    Value::partial(Value::Prim(Prim::MemoFn), vec![f, cache])
}

/// A call of a memoized function: the cached result, or `f`'s, stored on its way back.
pub(crate) fn memo_call(args: Vec<Value>, ctx: &mut Ctx<'_>) -> Result<Flow, Error> {
    let mut it = args.into_iter();
    let f = it.next().unwrap_or(Value::Nil);
    let cache = it.next().unwrap_or(Value::Nil);
    let fargs: Vec<Value> = it.collect();
    let key = Value::vector(fargs.iter().cloned().collect())?;
    if let Value::Map(m) = atom_value(ctx.store, "memoize", &cache)?
        && let Some(v) = m.get(&key)
    {
        return Ok(Flow::Value(v.clone()));
    }
    let store = Value::partial(Value::Prim(Prim::MemoStore), vec![cache, key])?;
    Ok(Flow::Apply(Value::comp(vec![store, f])?, fargs))
}

/// `(memo-store cache key v)`: records `v` for `key` and returns it.
pub(crate) fn memo_store(args: &[Value], ctx: &mut Ctx<'_>) -> Result<Flow, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let cache = arg(0);
    let id = atom_id("memoize", &cache)?;
    let m = match atom_value(ctx.store, "memoize", &cache)? {
        Value::Map(m) => (*m).clone(),
        _ => Map::default(),
    };
    set_atom(
        ctx.store,
        id,
        Value::Map(std::rc::Rc::new(m.assoc(arg(1), arg(2))?)),
    )?;
    Ok(Flow::Value(arg(2)))
}

/// `(trampoline f args...)`: calls `f`, then keeps calling what it returns with no arguments
/// while that is a function. Each bounce is a tail call, so the continuation does not grow.
pub(crate) fn trampoline(args: Vec<Value>) -> Result<Flow, Error> {
    let mut it = args.into_iter();
    let f = it.next().unwrap_or(Value::Nil);
    Ok(Flow::Apply(
        Value::comp(vec![Value::Prim(Prim::TrampolineStep), f])?,
        it.collect(),
    ))
}

/// One bounce of `trampoline`: a function is called (and bounced again); anything else is the
/// result.
pub(crate) fn trampoline_step(v: Value) -> Result<Flow, Error> {
    if v.is_fn() {
        return Ok(Flow::Apply(
            Value::comp(vec![Value::Prim(Prim::TrampolineStep), v])?,
            Vec::new(),
        ));
    }
    Ok(Flow::Value(v))
}

/// `(update-vals m f)` and `(update-keys m f)`: `(into {} (map (juxt key (comp f val)) m))`
/// and its mirror.
pub(crate) fn update_entries(p: Prim, m: Value, f: Value) -> Result<Flow, Error> {
    if !matches!(m, Value::Map(_) | Value::Nil) {
        return Err(type_err(p.name(), "a map", &m));
    }
    let parts = if p == Prim::UpdateKeys {
        vec![
            Value::comp(vec![f, Value::Prim(Prim::Key)])?,
            Value::Prim(Prim::Val),
        ]
    } else {
        vec![
            Value::Prim(Prim::Key),
            Value::comp(vec![f, Value::Prim(Prim::Val)])?,
        ]
    };
    let entry = Value::partial(
        Value::Prim(Prim::JuxtFn),
        vec![Value::vector(parts.into_iter().collect())?],
    )?;
    let run = Value::comp(vec![
        Value::partial(Value::Prim(Prim::Into), vec![crate::transduce::empty_map()])?,
        Value::partial(Value::Prim(Prim::MapFn), vec![entry])?,
    ])?;
    Ok(Flow::Apply(run, vec![m]))
}

/// `(run! f coll)`: `f` on each element for its effects; `nil`.
pub(crate) fn run(f: Value, coll: Value) -> Result<Flow, Error> {
    let run = Value::comp(vec![
        Value::Prim(Prim::Dorun),
        Value::partial(Value::Prim(Prim::MapFn), vec![f])?,
    ])?;
    Ok(Flow::Apply(run, vec![coll]))
}

/// `(swap-vals! a f args...)`: as `swap!`, returning `[old new]`.
pub(crate) fn swap_vals(args: Vec<Value>, ctx: &mut Ctx<'_>) -> Result<Flow, Error> {
    let mut it = args.into_iter();
    let a = it.next().unwrap_or(Value::Nil);
    let f = it.next().unwrap_or(Value::Nil);
    let old = atom_value(ctx.store, "swap-vals!", &a)?;
    let mut fargs = vec![old.clone()];
    fargs.extend(it);
    let store = Value::partial(Value::Prim(Prim::SwapValsStore), vec![a, old])?;
    Ok(Flow::Apply(Value::comp(vec![store, f])?, fargs))
}

/// `(swap-vals-store a old new)` and `(reset-vals! a new)`: sets the atom, returning `[old new]`.
pub(crate) fn set_vals(
    op: &str,
    a: &Value,
    old: Value,
    new: Value,
    ctx: &mut Ctx<'_>,
) -> Result<Flow, Error> {
    let id = atom_id(op, a)?;
    set_atom(ctx.store, id, new.clone())?;
    Ok(Flow::Value(Value::vector(Vector::from(vec![old, new]))?))
}

/// `(reduce-kv f init coll)`: `(f acc k v)` over a map's entries, or a vector's indices and
/// elements, through `reduce` (so `reduced` stops it).
pub(crate) fn reduce_kv(args: &[Value]) -> Result<Flow, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let entries: Vector<Value> = match arg(2) {
        Value::Nil => Vector::new(),
        m @ Value::Map(_) => crate::prim::items("reduce-kv", &m)?,
        Value::Vector(s) => s
            .items
            .iter()
            .enumerate()
            .map(|(i, x)| Value::vector(Vector::from(vec![Value::Int(i as i64), x.clone()])))
            .collect::<Result<_, _>>()?,
        other => return Err(type_err("reduce-kv", "a map or vector", &other)),
    };
    let step = Value::partial(Value::Prim(Prim::KvStep), vec![arg(0)])?;
    Ok(Flow::Apply(
        Value::Prim(Prim::Reduce),
        vec![step, arg(1), Value::vector(entries)?],
    ))
}

/// `(kv-step f acc [k v])`: `(f acc k v)`.
pub(crate) fn kv_step(args: Vec<Value>) -> Flow {
    let mut it = args.into_iter();
    let f = it.next().unwrap_or(Value::Nil);
    let acc = it.next().unwrap_or(Value::Nil);
    let entry = it.next().unwrap_or(Value::Nil);
    let (k, v) = match entry.as_seq() {
        Some(kv) => (
            kv.get(0).cloned().unwrap_or(Value::Nil),
            kv.get(1).cloned().unwrap_or(Value::Nil),
        ),
        None => (Value::Nil, Value::Nil),
    };
    Flow::Apply(f, vec![acc, k, v])
}

/// `(reductions f coll)`, `(reductions f init coll)`: the vector of `reduce`'s intermediate
/// values, from the initial one.
pub(crate) fn reductions(args: &[Value]) -> Result<Flow, Error> {
    let f = args.first().cloned().unwrap_or(Value::Nil);
    let (init, rest) = match args {
        [_, init, coll] => (init.clone(), crate::prim::items("reductions", coll)?),
        [_, coll] => {
            let xs = crate::prim::items("reductions", coll)?;
            match xs.front().cloned() {
                // (reductions f []) is [(f)], as in Clojure.
                None => {
                    return Ok(Flow::Apply(
                        Value::comp(vec![Value::Prim(Prim::Vector), f])?,
                        Vec::new(),
                    ));
                }
                Some(first) => (first, xs.skip(1)),
            }
        }
        _ => return Err(type_err("reductions", "a collection", &Value::Nil)),
    };
    let step = Value::partial(Value::Prim(Prim::ReductionsStep), vec![f])?;
    Ok(Flow::Apply(
        Value::Prim(Prim::Reduce),
        vec![
            step,
            Value::vector(Vector::from(vec![init]))?,
            Value::vector(rest)?,
        ],
    ))
}

/// `(reductions-step f acc x)`: `acc` with `(f (peek acc) x)` added.
pub(crate) fn reductions_step(args: &[Value]) -> Result<Flow, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let acc = arg(1);
    let last = acc
        .as_seq()
        .and_then(|s| s.last().cloned())
        .unwrap_or(Value::Nil);
    let add = Value::partial(Value::Prim(Prim::Conj), vec![acc])?;
    Ok(Flow::Apply(
        Value::comp(vec![add, arg(0)])?,
        vec![last, arg(2)],
    ))
}

/// `(keep-indexed f coll)`: the non-nil values of `(f index x)`.
pub(crate) fn keep_indexed(f: Value, coll: Value) -> Result<Flow, Error> {
    let run = Value::comp(vec![
        Value::partial(Value::Prim(Prim::Keep), vec![Value::Prim(Prim::Identity)])?,
        Value::partial(Value::Prim(Prim::MapIndexed), vec![f])?,
    ])?;
    Ok(Flow::Apply(run, vec![coll]))
}

/// `(split-with pred coll)`: `[(take-while pred coll) (drop-while pred coll)]`.
pub(crate) fn split_with(pred: Value, coll: Value) -> Result<Flow, Error> {
    let parts = Value::vector(Vector::from(vec![
        Value::partial(Value::Prim(Prim::TakeWhile), vec![pred.clone()])?,
        Value::partial(Value::Prim(Prim::DropWhile), vec![pred])?,
    ]))?;
    Ok(Flow::Apply(
        Value::partial(Value::Prim(Prim::JuxtFn), vec![parts])?,
        vec![coll],
    ))
}

/// `(not-every? pred coll)`: `(not (every? pred coll))`.
pub(crate) fn not_every(pred: Value, coll: Value) -> Result<Flow, Error> {
    let run = Value::comp(vec![
        Value::Prim(Prim::Not),
        Value::partial(Value::Prim(Prim::Every), vec![pred])?,
    ])?;
    Ok(Flow::Apply(run, vec![coll]))
}

/// A call of `(comparator pred)` on `a` and `b`: -1 when `(pred a b)`, else 1 when `(pred b a)`,
/// else 0, as Clojure's.
pub(crate) fn comparator_call(args: &[Value]) -> Result<Flow, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let then = Value::partial(
        Value::Prim(Prim::ComparatorThen),
        vec![arg(0), arg(1), arg(2)],
    )?;
    Ok(Flow::Apply(
        Value::comp(vec![then, arg(0)])?,
        vec![arg(1), arg(2)],
    ))
}

/// `(comparator-then pred a b r)`: -1 when `r`, the answer of `(pred a b)`, is truthy; else
/// asks `(pred b a)`.
pub(crate) fn comparator_then(args: &[Value]) -> Result<Flow, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    if arg(3).truthy() {
        return Ok(Flow::Value(Value::Int(-1)));
    }
    Ok(Flow::Apply(
        Value::comp(vec![Value::Prim(Prim::ComparatorLast), arg(0)])?,
        vec![arg(2), arg(1)],
    ))
}
