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
