//! Transducers, in the subset an eager machine can give honestly.
//!
//! `(map f)`, `(filter p)`, `(remove p)`, `(keep f)`, `(mapcat f)`, `(map-indexed f)`,
//! `(take n)`, `(drop n)`, `(take-while p)`, `(drop-while p)`, `(partition-all n)`,
//! `(partition-by f)`, `(interpose sep)`, `(distinct)`, `(dedupe)` and `cat` are *stages*: a
//! hidden primitive ([`Prim::Xform`]) partially applied to the stage's kind and argument, as the
//! bounded producers are. `comp` of stages (a [`Value::Comp`]) is a pipeline, its stages in the
//! order the data flows through them, as in Clojure.
//!
//! `into`, `transduce`, `sequence` and `eduction` run a pipeline by calling the sequence function
//! each stage names on the whole collection, one stage after another: `(into [] (comp (map f)
//! (filter p)) xs)` is `(into [] (filter p (map f xs)))`, composed as one function value and called
//! through the machine, so every call of `f` is a step like any other. The results are Clojure's;
//! what differs is when the calls happen: a stage sees all its input before the next starts, so
//! `(take n)` after `(map f)` does not stop `f` early, and a pipeline over an infinite producer
//! must begin with `(take n)` or `(take-while p)`.

use crate::error::Error;
use crate::prim::{Flow, Prim, type_err};
use crate::value::{Map, Value};

/// The transducer a sequence function makes when called without its collection, if this call is
/// one: `(map f)`, `(take 3)`, `(distinct)` ...
pub(crate) fn constructor(p: Prim, args: &[Value]) -> Option<Result<Value, Error>> {
    let stage = match (p, args.len()) {
        (Prim::Distinct | Prim::Dedupe, 0) => p.name(),
        (
            Prim::MapFn
            | Prim::Filter
            | Prim::Remove
            | Prim::Keep
            | Prim::Mapcat
            | Prim::MapIndexed
            | Prim::Take
            | Prim::Drop
            | Prim::TakeWhile
            | Prim::DropWhile
            | Prim::PartitionAll
            | Prim::PartitionBy
            | Prim::Interpose,
            1,
        ) => p.name(),
        _ => return None,
    };
    let mut all = vec![Value::keyword(stage)];
    all.extend(args.iter().cloned());
    Some(Value::partial(Value::Prim(Prim::Xform), all))
}

/// The stages of a transducer value in the order data flows through them, or `None` when `v` is
/// not one. `(comp)` and `identity` are the empty pipeline.
fn stages(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Partial(p) if matches!(p.f, Value::Prim(Prim::Xform)) => Some(vec![v.clone()]),
        Value::Prim(Prim::Cat) => Some(vec![v.clone()]),
        Value::Prim(Prim::Identity) => Some(Vec::new()),
        Value::Comp(c) => {
            let mut all = Vec::new();
            for f in &c.fns {
                all.extend(stages(f)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// The sequence function a stage stands for, as a one-argument function of the collection.
fn stage_fn(stage: &Value) -> Result<Value, Error> {
    let Value::Partial(p) = stage else {
        // `cat`: the elements' elements, in order.
        return Value::partial(Value::Prim(Prim::Apply), vec![Value::Prim(Prim::Concat)]);
    };
    let kind = match p.args.first() {
        Some(Value::Keyword(k)) => k.name(),
        _ => "",
    };
    let prim = Prim::ALL
        .iter()
        .copied()
        .find(|q| q.name() == kind)
        .ok_or_else(|| type_err("transduce", "a transducer", stage))?;
    let fixed: Vec<Value> = p.args.iter().skip(1).cloned().collect();
    if fixed.is_empty() {
        return Ok(Value::Prim(prim));
    }
    Value::partial(Value::Prim(prim), fixed)
}

/// `f` after the pipeline `xform`: the function of a collection that runs every stage, then `f`.
fn pipeline(op: &str, xform: &Value, f: Value) -> Result<Value, Error> {
    let stages = stages(xform).ok_or_else(|| type_err(op, "a transducer", xform))?;
    let mut fns = vec![f];
    for s in stages.iter().rev() {
        fns.push(stage_fn(s)?);
    }
    Value::comp(fns)
}

/// `(into to xform from)`.
pub(crate) fn into(to: Value, xform: &Value, from: Value) -> Result<Flow, Error> {
    let into = Value::partial(Value::Prim(Prim::Into), vec![to])?;
    Ok(Flow::Apply(pipeline("into", xform, into)?, vec![from]))
}

/// `(sequence coll)`, `(sequence xform coll)` and `(eduction xform ... coll)`: the elements as a
/// vector (yin's sequences are eager).
pub(crate) fn sequence(op: &str, args: &[Value]) -> Result<Flow, Error> {
    let empty = Value::vector(imbl::Vector::new())?;
    match args {
        [coll] => Ok(Flow::Apply(
            Value::partial(Value::Prim(Prim::Into), vec![empty])?,
            vec![coll.clone()],
        )),
        [xforms @ .., coll] => {
            let xform = Value::comp(xforms.to_vec())?;
            let into = Value::partial(Value::Prim(Prim::Into), vec![empty])?;
            Ok(Flow::Apply(pipeline(op, &xform, into)?, vec![coll.clone()]))
        }
        [] => Err(type_err(op, "a collection", &Value::Nil)),
    }
}

/// `(transduce xform f coll)` and `(transduce xform f init coll)`: `(f (reduce f init xs))` over
/// the pipeline's output, the initial value being `(f)` when none is given, as in Clojure. The
/// last call is `f`'s completion arity; a core function is its own completion (`(+ x)` is `x`), so
/// it is called only for the program's functions, which Clojure requires to have one (`completing`
/// adds it).
pub(crate) fn transduce(args: &[Value]) -> Result<Flow, Error> {
    match args {
        [xform, f, init, coll] => {
            let reduce = Value::partial(Value::Prim(Prim::Reduce), vec![f.clone(), init.clone()])?;
            let run = Value::comp(with_completion(f, reduce))?;
            Ok(Flow::Apply(
                pipeline("transduce", xform, run)?,
                vec![coll.clone()],
            ))
        }
        [xform, f, coll] => {
            let rest = Value::partial(Value::Prim(Prim::TransduceInit), vec![f.clone()])?;
            Ok(Flow::Apply(
                pipeline("transduce", xform, rest)?,
                vec![coll.clone()],
            ))
        }
        _ => Err(type_err("transduce", "a collection", &Value::Nil)),
    }
}

/// `[f then]`, or just `[then]` when `f` needs no completion call.
fn with_completion(f: &Value, then: Value) -> Vec<Value> {
    if matches!(f, Value::Prim(_)) {
        vec![then]
    } else {
        vec![f.clone(), then]
    }
}

/// The hidden step of `(transduce xform f coll)` once the pipeline has run: `(f)` for the initial
/// value, then the fold and the completion.
pub(crate) fn transduce_init(f: &Value, xs: Value) -> Result<Flow, Error> {
    let reduce = Value::partial(Value::Prim(Prim::ReduceTo), vec![f.clone(), xs])?;
    let mut fns = with_completion(f, reduce);
    fns.push(f.clone());
    Ok(Flow::Apply(Value::comp(fns)?, Vec::new()))
}

/// `(reduce-to f coll init)`: `(reduce f init coll)` with the initial value last, so that it can be
/// composed after the call computing it.
pub(crate) fn reduce_to(args: &[Value]) -> Flow {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    Flow::Apply(Value::Prim(Prim::Reduce), vec![arg(0), arg(2), arg(1)])
}

/// `(completing f)`, `(completing f cf)`: `f` with a one-argument completion (`cf`, or identity).
pub(crate) fn completing(args: &[Value]) -> Result<Value, Error> {
    let f = args.first().cloned().unwrap_or(Value::Nil);
    let cf = args.get(1).cloned().unwrap_or(Value::Prim(Prim::Identity));
    Value::partial(Value::Prim(Prim::CompletingFn), vec![f, cf])
}

/// A call of a `completing` function: one argument goes to the completion, others to `f`.
pub(crate) fn completing_call(args: Vec<Value>) -> Flow {
    let mut it = args.into_iter();
    let f = it.next().unwrap_or(Value::Nil);
    let cf = it.next().unwrap_or(Value::Nil);
    let rest: Vec<Value> = it.collect();
    if rest.len() == 1 {
        Flow::Apply(cf, rest)
    } else {
        Flow::Apply(f, rest)
    }
}

/// A transducer called as a function: yin's transducers are applied by the functions that take
/// one, not to a reducing function.
pub(crate) fn called(stage: &Value) -> Error {
    let kind = match stage {
        Value::Partial(p) => match p.args.first() {
            Some(Value::Keyword(k)) => k.name().to_owned(),
            _ => "transducer".to_owned(),
        },
        _ => "cat".to_owned(),
    };
    Error::argument(format!(
        "({kind} ...) is a transducer: yin applies it with into, transduce, sequence or \
         eduction, not by calling it with a reducing function"
    ))
}

/// An empty map, the target of `update-vals` and `update-keys`.
pub(crate) fn empty_map() -> Value {
    Value::Map(std::rc::Rc::new(Map::default()))
}
