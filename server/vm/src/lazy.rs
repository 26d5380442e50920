//! `map`, `filter`, `remove`, `keep` and `mapcat` over an infinite producer: a producer too.
//!
//! yin's sequences are eager, but `(take 10 (filter prime? (iterate inc 2)))` and
//! `(first (filter pred (range)))` are how a Clojure programmer searches an infinite sequence.
//! Such a call makes a *pipeline*: a producer (`hof::producer`) whose kind is the function's name
//! and whose arguments are the source producer and the vector of stages (each the sequence
//! function with its first argument, e.g. `(partial filter prime?)`), in the order data flows
//! through them. Mapping over a pipeline adds a stage.
//!
//! `take`, `take-while`, `first` and `nth` run a pipeline in chunks: take a chunk of the source
//! (through the machine: `iterate` and `repeatedly` call the program's function), run the stages
//! over it as over any vector, keep what comes out, and go on with the rest of the source until
//! enough has come out. A chunk is as long as the elements still wanted, so a pipeline of `map`s
//! calls the function exactly as often as Clojure does; when a filter lets fewer through, the next
//! chunk doubles (up to 65,536), so a stage may see up to that many elements past the last one
//! needed (Clojure's chunked sequences overshoot the same way, by 32). Each chunk's calls are
//! ordinary steps of the machine, and the state between chunks is in the arguments of hidden
//! primitives, so stepping, exceptions and saved states work as everywhere else.

use imbl::Vector;

use crate::error::{Error, ErrorKind};
use crate::hof::{as_producer, producer};
use crate::prim::{Flow, Prim, items};
use crate::value::Value;

/// The kinds of producer that are pipelines: the functions that make one.
pub(crate) fn is_pipeline_kind(kind: &str) -> bool {
    matches!(kind, "map" | "filter" | "remove" | "keep" | "mapcat")
}

/// Whether `v` is a pipeline.
pub(crate) fn is_pipeline(v: &Value) -> bool {
    as_producer(v).is_some_and(|(kind, _)| is_pipeline_kind(kind))
}

/// `(map f p)`, `(filter pred p)` ... over a producer `p`: the pipeline with one more stage, if
/// this call is one.
pub(crate) fn extend(p: Prim, args: &[Value]) -> Option<Result<Value, Error>> {
    let [f, coll] = args else { return None };
    if !matches!(
        p,
        Prim::MapFn | Prim::Filter | Prim::Remove | Prim::Keep | Prim::Mapcat
    ) {
        return None;
    }
    let (kind, pargs) = as_producer(coll)?;
    Some((|| {
        let stage = Value::partial(Value::Prim(p), vec![f.clone()])?;
        let (source, mut stages) = if is_pipeline_kind(kind) {
            let source = pargs.first().cloned().unwrap_or(Value::Nil);
            let stages = pargs.get(1).and_then(Value::as_seq).unwrap_or_default();
            (source, stages)
        } else {
            (coll.clone(), Vector::new())
        };
        stages.push_back(stage);
        producer(p.name(), vec![source, Value::vector(stages)?])
    })())
}

/// What a pipeline run is after and how far it is: the fields of the state vector the hidden
/// primitives pass along.
struct Run {
    /// `Int(n)` to take `n` elements, `Nil` for `take-while`.
    want: Value,
    /// The `take-while` predicate, or `Nil`.
    pred: Value,
    source: Value,
    stages: Vector<Value>,
    acc: Vector<Value>,
    chunk: usize,
}

const MAX_CHUNK: usize = 1 << 16;

impl Run {
    fn to_value(&self) -> Result<Value, Error> {
        Value::vector(Vector::from(vec![
            self.want.clone(),
            self.pred.clone(),
            self.source.clone(),
            Value::vector(self.stages.clone())?,
            Value::vector(self.acc.clone())?,
            Value::Int(self.chunk as i64),
        ]))
    }

    fn from_value(v: &Value) -> Run {
        let parts = v.as_seq().unwrap_or_default();
        let at = |i: usize| parts.get(i).cloned().unwrap_or(Value::Nil);
        let seq = |i: usize| at(i).as_seq().unwrap_or_default();
        Run {
            want: at(0),
            pred: at(1),
            source: at(2),
            stages: seq(3),
            acc: seq(4),
            chunk: match at(5) {
                Value::Int(n) => usize::try_from(n).unwrap_or(1).max(1),
                _ => 1,
            },
        }
    }

    fn wanted(&self) -> Option<usize> {
        match self.want {
            Value::Int(n) => Some(usize::try_from(n).unwrap_or(0)),
            _ => None,
        }
    }
}

/// `(take n pipeline)` (`pred` is `Nil`) or `(take-while pred pipeline)` (`n` is `None`).
pub(crate) fn take(
    n: Option<usize>,
    pred: Value,
    args: &[Value],
    max_items: usize,
) -> Result<Flow, Error> {
    if n == Some(0) {
        return Ok(Flow::Value(Value::vector(Vector::new())?));
    }
    if n.is_some_and(|n| n > max_items) {
        return Err(too_many(max_items));
    }
    let source = args.first().cloned().unwrap_or(Value::Nil);
    // (range) is (iterate inc 0): one way to continue a source after a chunk.
    let source = match as_producer(&source) {
        Some(("range", _)) => producer("iterate", vec![Value::Prim(Prim::Inc), Value::Int(0)])?,
        _ => source,
    };
    let run = Run {
        want: n.map_or(Value::Nil, |n| Value::Int(n as i64)),
        pred,
        source,
        stages: args.get(1).and_then(Value::as_seq).unwrap_or_default(),
        acc: Vector::new(),
        chunk: n.unwrap_or(1),
    };
    fetch(run)
}

/// Asks the machine for the next chunk of the source; [`chunk`] continues.
fn fetch(run: Run) -> Result<Flow, Error> {
    let Some((kind, _)) = as_producer(&run.source) else {
        return Err(crate::prim::type_err("take", "a producer", &run.source));
    };
    // An iterate chunk takes one element more: the start of what follows, so `f` is never
    // called twice on one element.
    let count = run.chunk + usize::from(kind == "iterate");
    let next = Value::partial(Value::Prim(Prim::LazyChunk), vec![run.to_value()?])?;
    let take = Value::partial(Value::Prim(Prim::Take), vec![Value::Int(count as i64)])?;
    Ok(Flow::Apply(
        Value::comp(vec![next, take])?,
        vec![run.source],
    ))
}

/// `(lazy-chunk state xs)`: the source's chunk has come; run the stages over it.
pub(crate) fn chunk(args: &[Value]) -> Result<Flow, Error> {
    let mut run = Run::from_value(args.first().unwrap_or(&Value::Nil));
    let mut xs = items("take", args.get(1).unwrap_or(&Value::Nil))?;
    let (kind, pargs) = as_producer(&run.source).unwrap_or(("", &[]));
    let parg = |i: usize| pargs.get(i).cloned().unwrap_or(Value::Nil);
    run.source = match kind {
        "iterate" => {
            let start = xs.pop_back().unwrap_or(Value::Nil);
            producer("iterate", vec![parg(0), start])?
        }
        "cycle" => {
            let cycle = items("cycle", &parg(0))?;
            let k = if cycle.is_empty() {
                0
            } else {
                xs.len() % cycle.len()
            };
            let rotated: Vector<Value> = cycle
                .iter()
                .skip(k)
                .chain(cycle.iter().take(k))
                .cloned()
                .collect();
            producer("cycle", vec![Value::vector(rotated)?])?
        }
        _ => run.source.clone(),
    };
    let inputs = xs.len();
    if inputs == 0 {
        // The source ran out (`(cycle [])`): what came out so far is all there is.
        return Ok(Flow::Value(Value::vector(run.acc)?));
    }
    let mut fns = vec![Value::partial(
        Value::Prim(Prim::LazyOut),
        vec![run.to_value()?, Value::Int(inputs as i64)],
    )?];
    fns.extend(run.stages.iter().rev().cloned());
    Ok(Flow::Apply(Value::comp(fns)?, vec![Value::vector(xs)?]))
}

/// `(lazy-out state inputs out)`: what the stages made of a chunk of `inputs` elements. For
/// `take-while`, the predicate runs over it first ([`while_out`]).
pub(crate) fn out(args: &[Value], max_items: usize) -> Result<Flow, Error> {
    let run = Run::from_value(args.first().unwrap_or(&Value::Nil));
    let inputs = match args.get(1) {
        Some(Value::Int(n)) => usize::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let out = items("take", args.get(2).unwrap_or(&Value::Nil))?;
    if run.wanted().is_none() {
        let state = run.to_value()?;
        let out = Value::vector(out)?;
        let next = Value::partial(Value::Prim(Prim::LazyWhile), vec![state, out.clone()])?;
        let take_while = Value::partial(Value::Prim(Prim::TakeWhile), vec![run.pred.clone()])?;
        return Ok(Flow::Apply(Value::comp(vec![next, take_while])?, vec![out]));
    }
    collect(run, out, inputs, false, max_items)
}

/// `(lazy-while state out prefix)`: the prefix of `out` the `take-while` predicate kept.
pub(crate) fn while_out(args: &[Value], max_items: usize) -> Result<Flow, Error> {
    let run = Run::from_value(args.first().unwrap_or(&Value::Nil));
    let out = items("take-while", args.get(1).unwrap_or(&Value::Nil))?;
    let prefix = items("take-while", args.get(2).unwrap_or(&Value::Nil))?;
    let ended = prefix.len() < out.len();
    let inputs = run.chunk;
    collect(run, prefix, inputs, ended, max_items)
}

/// Adds a chunk's output; finishes, or fetches a chunk sized as the module doc says.
fn collect(
    mut run: Run,
    out: Vector<Value>,
    inputs: usize,
    ended: bool,
    max_items: usize,
) -> Result<Flow, Error> {
    let produced = out.len();
    run.acc.append(out);
    if ended {
        return Ok(Flow::Value(Value::vector(run.acc)?));
    }
    if let Some(n) = run.wanted() {
        if run.acc.len() >= n {
            return Ok(Flow::Value(Value::vector(run.acc.take(n))?));
        }
        let missing = n - run.acc.len();
        run.chunk = if produced < inputs {
            (run.chunk * 2).min(MAX_CHUNK).max(missing)
        } else {
            missing
        };
    } else {
        if run.acc.len() > max_items {
            return Err(too_many(max_items));
        }
        run.chunk = (run.chunk * 2).min(MAX_CHUNK);
    }
    fetch(run)
}

fn too_many(max_items: usize) -> Error {
    Error::new(
        ErrorKind::Limit,
        format!("collection limit reached: at most {max_items} elements per collection"),
    )
}
