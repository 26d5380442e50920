//! The fixed, safe set of functions usable in predicates and function bindings, and the
//! aggregates of `:find`.
//!
//! Nothing here does I/O or can run for long: every function is total over values (a value
//! outside a function's domain, an overflow or a division by zero gives *no result*, so the row
//! is dropped, exactly like a failed predicate) and costs at most linear time in its arguments.
//! Nor can one take much memory: each call is given the bytes left in the budget as its *room*
//! and fails with [`Oversize`] before building a result larger than that (`str` writes into a
//! capped buffer; the others build at most what their arguments take, checked first).
//! Dropping instead of failing keeps query results independent of the order the planner
//! chooses: an error would surface or not depending on whether a filter ran first.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

use edn::{Keyword, Symbol, Value};

use crate::budget::value_bytes;
use crate::error::ErrorKind;

/// `(min, max)` argument counts; `None` as max means variadic.
fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    Some(match name {
        "=" | "==" | "!=" | "not=" | "<" | ">" | "<=" | ">=" => (1, None),
        "+" | "*" | "str" | "tuple" => (0, None),
        "-" | "/" | "max" | "min" => (1, None),
        "quot" | "rem" | "mod" => (2, Some(2)),
        "inc" | "dec" | "count" | "name" | "namespace" | "identity" | "ground" | "untuple"
        | "string?" | "keyword?" | "symbol?" | "number?" | "int?" | "nil?" | "some?"
        | "boolean?" | "zero?" | "pos?" | "neg?" | "even?" | "odd?" | "true?" | "false?" => {
            (1, Some(1))
        }
        "subs" => (2, Some(3)),
        "starts-with?" | "ends-with?" | "includes?" => (2, Some(2)),
        "keyword" | "symbol" => (1, Some(2)),
        _ => return None,
    })
}

/// Checks that `name` is in the safe set and accepts `argc` arguments.
pub(crate) fn check_call(name: &Symbol, argc: usize) -> Result<(), ErrorKind> {
    let Some((min, max)) = arity(name.as_str()) else {
        return Err(ErrorKind::UnknownFunction(name.to_string()));
    };
    if argc < min || max.is_some_and(|m| argc > m) {
        let expected = match max {
            Some(m) if m == min => min.to_string(),
            Some(m) => format!("{min} to {m}"),
            None => format!("at least {min}"),
        };
        return Err(ErrorKind::Arity {
            name: name.to_string(),
            expected,
            got: argc,
        });
    }
    Ok(())
}

/// Clojure truthiness: everything but `nil` and `false`.
pub(crate) fn truthy(v: &Value) -> bool {
    !matches!(v, Value::Nil | Value::Bool(false))
}

/// Orders two values for `<`, `min`, `max`: numbers numerically (an int and a float compare as
/// floats), everything else by the value order of [`Value`].
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) => (*x as f64).total_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.total_cmp(&(*y as f64)),
        _ => a.cmp(b),
    }
}

#[derive(Clone, Copy)]
enum Num {
    I(i64),
    F(f64),
}

fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::I(*i)),
        Value::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

fn float(n: Num) -> f64 {
    match n {
        Num::I(i) => i as f64,
        Num::F(f) => f,
    }
}

fn value(n: Num) -> Value {
    match n {
        Num::I(i) => Value::Int(i),
        Num::F(f) => Value::Float(f),
    }
}

/// Applies an arithmetic operator: integers stay integers (checked), any float makes a float.
fn arith(
    a: Num,
    b: Num,
    int: fn(i64, i64) -> Option<i64>,
    flt: fn(f64, f64) -> f64,
) -> Option<Num> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => int(x, y).map(Num::I),
        _ => Some(Num::F(flt(float(a), float(b)))),
    }
}

fn fold(args: &[&Value], init: Num, op: impl Fn(Num, Num) -> Option<Num>) -> Option<Value> {
    let mut acc = init;
    for a in args {
        acc = op(acc, num(a)?)?;
    }
    Some(value(acc))
}

fn divide(a: Num, b: Num) -> Option<Num> {
    match (a, b) {
        (_, Num::I(0)) => None,
        (_, Num::F(0.0)) => None,
        (Num::I(x), Num::I(y)) if x.checked_rem(y) == Some(0) => x.checked_div(y).map(Num::I),
        _ => Some(Num::F(float(a) / float(b))),
    }
}

fn int_op(args: &[&Value], op: fn(i64, i64) -> Option<i64>) -> Option<Value> {
    match args {
        [Value::Int(a), Value::Int(b)] => op(*a, *b).map(Value::Int),
        _ => None,
    }
}

fn chain(args: &[&Value], ok: fn(Ordering) -> bool) -> Option<Value> {
    Some(Value::Bool(
        args.windows(2).all(|w| ok(compare(w[0], w[1]))),
    ))
}

fn text(v: &Value) -> Option<&str> {
    match v {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// A string that refuses to grow past `room` bytes: `str` writes its result here, so a result
/// too large for the budget is never allocated.
struct Capped {
    out: String,
    room: usize,
}

impl std::fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.out.len() + s.len() > self.room {
            return Err(std::fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
}

fn str_of(v: &Value, out: &mut Capped) -> std::fmt::Result {
    match v {
        Value::Nil => Ok(()),
        Value::Str(s) => out.write_str(s),
        Value::Char(c) => out.write_char(*c),
        other => write!(out, "{other}"),
    }
}

/// `(subs s start end)` by character index, without copying the characters out first.
fn subs(s: &str, start: &Value, end: Option<&Value>) -> Option<Value> {
    let start = usize::try_from(int(start)?).ok()?;
    let end = match end {
        Some(e) => Some(usize::try_from(int(e)?).ok()?),
        None => None,
    };
    if end.is_some_and(|e| start > e) {
        return None;
    }
    // Byte offset of character `n`, the length standing for the position just past the end.
    let at = |n: usize| {
        s.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .nth(n)
    };
    let from = at(start)?;
    let to = match end {
        Some(e) => at(e)?,
        None => s.len(),
    };
    Some(Value::from(s.get(from..to)?))
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

fn named(args: &[&Value]) -> Option<String> {
    match args {
        [n] => text(n).map(str::to_owned),
        [ns, n] => Some(format!("{}/{}", text(ns)?, text(n)?)),
        _ => None,
    }
}

fn number_test(args: &[&Value], test: fn(f64) -> bool) -> Option<Value> {
    Some(Value::Bool(
        num(args.first()?).is_some_and(|n| test(float(n))),
    ))
}

fn int_test(args: &[&Value], test: fn(i64) -> bool) -> Option<Value> {
    Some(Value::Bool(
        args.first().and_then(|v| int(v)).is_some_and(test),
    ))
}

/// A function's result would not fit in the room it was given.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Oversize;

/// Functions whose result may be a new value as large as their arguments (a copy, a part, or
/// a collection of them); `str` is capped as it writes instead.
fn builds(name: &str) -> bool {
    matches!(
        name,
        "tuple"
            | "untuple"
            | "identity"
            | "ground"
            | "max"
            | "min"
            | "subs"
            | "name"
            | "keyword"
            | "symbol"
    )
}

/// Calls a function of the safe set, building no value larger than `room` bytes (as counted
/// by [`value_bytes`]). `Ok(None)` means no result (the row is dropped). The name and arity
/// were checked when the query was parsed.
pub(crate) fn call(name: &str, args: &[&Value], room: u64) -> Result<Option<Value>, Oversize> {
    if name == "str" {
        let cell = std::mem::size_of::<Value>() as u64;
        // Strings and characters give their length exactly: a result known to be too large
        // fails before writing anything.
        let known = args.iter().fold(cell, |n, a| {
            n.saturating_add(match a {
                Value::Str(s) => s.len() as u64,
                Value::Char(c) => c.len_utf8() as u64,
                _ => 0,
            })
        });
        if known > room {
            return Err(Oversize);
        }
        let mut out = Capped {
            out: String::new(),
            room: usize::try_from(room.saturating_sub(cell)).unwrap_or(usize::MAX),
        };
        for a in args {
            str_of(a, &mut out).map_err(|_| Oversize)?;
        }
        return Ok(Some(Value::Str(Arc::from(out.out))));
    }
    if builds(name) {
        let need = args
            .iter()
            .fold(std::mem::size_of::<Value>() as u64, |n, a| {
                n.saturating_add(value_bytes(a))
            });
        if need > room {
            return Err(Oversize);
        }
    }
    Ok(compute(name, args))
}

fn compute(name: &str, args: &[&Value]) -> Option<Value> {
    let first = args.first().copied();
    let bool = |b: bool| Some(Value::Bool(b));
    match name {
        "=" | "==" => bool(args.windows(2).all(|w| w[0] == w[1])),
        "!=" | "not=" => bool(!args.windows(2).all(|w| w[0] == w[1])),
        "<" => chain(args, Ordering::is_lt),
        ">" => chain(args, Ordering::is_gt),
        "<=" => chain(args, Ordering::is_le),
        ">=" => chain(args, Ordering::is_ge),
        "+" => fold(args, Num::I(0), |a, b| {
            arith(a, b, i64::checked_add, |x, y| x + y)
        }),
        "*" => fold(args, Num::I(1), |a, b| {
            arith(a, b, i64::checked_mul, |x, y| x * y)
        }),
        "-" => match args {
            [x] => arith(Num::I(0), num(x)?, i64::checked_sub, |a, b| a - b).map(value),
            [x, rest @ ..] => fold(rest, num(x)?, |a, b| {
                arith(a, b, i64::checked_sub, |x, y| x - y)
            }),
            [] => None,
        },
        "/" => match args {
            [x] => divide(Num::I(1), num(x)?).map(value),
            [x, rest @ ..] => fold(rest, num(x)?, divide),
            [] => None,
        },
        "quot" => int_op(args, i64::checked_div),
        "rem" => int_op(args, i64::checked_rem),
        "mod" => int_op(args, |a, b| {
            a.checked_rem_euclid(b)
                .map(|r| if b < 0 && r != 0 { r + b } else { r })
        }),
        "inc" => fold(args, Num::I(1), |a, b| {
            arith(a, b, i64::checked_add, |x, y| x + y)
        }),
        "dec" => fold(args, Num::I(-1), |a, b| {
            arith(a, b, i64::checked_add, |x, y| x + y)
        }),
        "max" | "min" => {
            let want = if name == "max" {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            let mut best = first?;
            for a in args {
                num(a)?;
                if compare(a, best) == want {
                    best = a;
                }
            }
            Some(best.clone())
        }
        "subs" => subs(text(first?)?, args.get(1)?, args.get(2).copied()),
        "count" => match first? {
            Value::Str(s) => Some(Value::Int(s.chars().count() as i64)),
            Value::List(xs) | Value::Vector(xs) | Value::Set(xs) => {
                Some(Value::Int(xs.len() as i64))
            }
            Value::Map(m) => Some(Value::Int(m.len() as i64)),
            Value::Nil => Some(Value::Int(0)),
            _ => None,
        },
        "starts-with?" => bool(text(first?)?.starts_with(text(args.get(1)?)?)),
        "ends-with?" => bool(text(first?)?.ends_with(text(args.get(1)?)?)),
        "includes?" => bool(text(first?)?.contains(text(args.get(1)?)?)),
        "name" => match first? {
            Value::Keyword(k) => Some(Value::from(k.name())),
            Value::Symbol(s) => Some(Value::from(s.name())),
            Value::Str(s) => Some(Value::Str(s.clone())),
            _ => None,
        },
        "namespace" => match first? {
            Value::Keyword(k) => Some(k.namespace().map_or(Value::Nil, Value::from)),
            Value::Symbol(s) => Some(s.namespace().map_or(Value::Nil, Value::from)),
            _ => None,
        },
        "keyword" => match args {
            [Value::Keyword(k)] => Some(Value::Keyword(k.clone())),
            _ => Some(Value::Keyword(Keyword::new(&named(args)?))),
        },
        "symbol" => match args {
            [Value::Symbol(s)] => Some(Value::Symbol(s.clone())),
            _ => Some(Value::Symbol(Symbol::new(&named(args)?))),
        },
        "identity" | "ground" => first.cloned(),
        "tuple" => Some(Value::Vector(args.iter().map(|a| (*a).clone()).collect())),
        "untuple" => match first? {
            v @ (Value::Vector(_) | Value::List(_)) => Some(v.clone()),
            _ => None,
        },
        "string?" => bool(matches!(first?, Value::Str(_))),
        "keyword?" => bool(matches!(first?, Value::Keyword(_))),
        "symbol?" => bool(matches!(first?, Value::Symbol(_))),
        "number?" => bool(num(first?).is_some()),
        "int?" => bool(matches!(first?, Value::Int(_))),
        "boolean?" => bool(matches!(first?, Value::Bool(_))),
        "nil?" => bool(matches!(first?, Value::Nil)),
        "some?" => bool(!matches!(first?, Value::Nil)),
        "true?" => bool(matches!(first?, Value::Bool(true))),
        "false?" => bool(matches!(first?, Value::Bool(false))),
        "zero?" => number_test(args, |x| x == 0.0),
        "pos?" => number_test(args, |x| x > 0.0),
        "neg?" => number_test(args, |x| x < 0.0),
        "even?" => int_test(args, |i| i % 2 == 0),
        "odd?" => int_test(args, |i| i % 2 != 0),
        _ => None,
    }
}

/// An aggregate of `:find`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    CountDistinct,
    Min,
    Max,
    Sum,
    Avg,
}

impl Aggregate {
    pub(crate) fn from_name(name: &str) -> Option<Aggregate> {
        Some(match name {
            "count" => Aggregate::Count,
            "count-distinct" => Aggregate::CountDistinct,
            "min" => Aggregate::Min,
            "max" => Aggregate::Max,
            "sum" => Aggregate::Sum,
            "avg" => Aggregate::Avg,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "count",
            Aggregate::CountDistinct => "count-distinct",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
            Aggregate::Sum => "sum",
            Aggregate::Avg => "avg",
        }
    }

    /// Aggregates a non-empty bag of values (duplicates count).
    pub(crate) fn apply(self, values: &[&Value]) -> Result<Value, String> {
        let numbers = || -> Result<Vec<Num>, String> {
            values
                .iter()
                .map(|v| num(v).ok_or_else(|| format!("{} of non-number {v}", self.name())))
                .collect()
        };
        match self {
            Aggregate::Count => Ok(Value::Int(values.len() as i64)),
            Aggregate::CountDistinct => {
                let mut vs = values.to_vec();
                vs.sort();
                vs.dedup();
                Ok(Value::Int(vs.len() as i64))
            }
            Aggregate::Min | Aggregate::Max => {
                let want = if self == Aggregate::Max {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
                let mut best = values.first().copied().ok_or("of nothing")?;
                for v in values {
                    if compare(v, best) == want {
                        best = v;
                    }
                }
                Ok(best.clone())
            }
            Aggregate::Sum => {
                let mut acc = Num::I(0);
                for n in numbers()? {
                    acc = match (acc, n) {
                        (Num::I(a), Num::I(b)) => match a.checked_add(b) {
                            Some(s) => Num::I(s),
                            None => Num::F(a as f64 + b as f64),
                        },
                        (a, b) => Num::F(float(a) + float(b)),
                    };
                }
                Ok(value(acc))
            }
            Aggregate::Avg => {
                let ns = numbers()?;
                let total: f64 = ns.iter().map(|n| float(*n)).sum();
                Ok(Value::Float(total / ns.len() as f64))
            }
        }
    }
}
