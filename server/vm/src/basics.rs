//! The rest of `clojure.core` a Clojure programmer reaches for in the first hour, as simple
//! primitives: sequence odds and ends (`second`, `butlast`, `partition-all`, `peek` ...), type
//! predicates, bit operations, `parse-long`, the `Math/` functions, `reduced`, a few more of
//! `clojure.set` and `clojure.string`, and `require`, accepted so that a file written for Clojure
//! loads (the `str/` and `set/` aliases are always bound).
//!
//! Like those of `collections`, each computes a value from its arguments only. Sequences come
//! back as vectors (yin's sequences are eager, docs/clojure.md) except where Clojure's result is
//! a list a program relies on (`list*`).

use imbl::Vector;

use crate::collections::finite;
use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::prim::{Prim, check_len, type_err};
use crate::value::{Map, Order, Set, Value};

fn vector(items: Vector<Value>, limits: &Limits) -> Result<Value, Error> {
    check_len(items.len(), limits)?;
    Value::vector(items)
}

fn index(op: &str, v: &Value) -> Result<usize, Error> {
    match v {
        Value::Int(i) => Ok(usize::try_from(*i).unwrap_or(0)),
        other => Err(type_err(op, "an integer", other)),
    }
}

fn int(op: &str, v: &Value) -> Result<i64, Error> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(type_err(op, "an integer", other)),
    }
}

fn float(op: &str, v: &Value) -> Result<f64, Error> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        Value::Ratio(n, d) => Ok(*n as f64 / *d as f64),
        other => Err(type_err(op, "a number", other)),
    }
}

fn text<'a>(op: &str, v: &'a Value) -> Result<&'a str, Error> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(type_err(op, "a string", other)),
    }
}

/// A `[k v]` map entry's part: yin's map entries are two-element vectors.
fn entry_part(op: &str, v: &Value, i: usize) -> Result<Value, Error> {
    match v {
        Value::Vector(s) if s.items.len() == 2 => Ok(s.items[i].clone()),
        other => Err(type_err(op, "a map entry", other)),
    }
}

/// `nil` for an empty result, as `next`-like functions give.
fn seq_or_nil(items: Vector<Value>, limits: &Limits) -> Result<Value, Error> {
    if items.is_empty() {
        Ok(Value::Nil)
    } else {
        vector(items, limits)
    }
}

/// What `(reduced x)` holds, if `v` is such a box.
pub(crate) fn unreduced(v: &Value) -> Option<Value> {
    match v {
        Value::Partial(p) if matches!(p.f, Value::Prim(Prim::ReducedBox)) => {
            p.args.first().cloned()
        }
        _ => None,
    }
}

/// An integer result of a float function (`Math/round`), refused outside 64 bits.
fn float_to_int(op: &str, f: f64) -> Result<Value, Error> {
    if f.is_finite() && f.abs() < 9.2e18 {
        Ok(Value::Int(f as i64))
    } else {
        Err(Error::argument(format!(
            "{op}: {f} does not fit in an integer"
        )))
    }
}

fn bits(p: Prim, a: i64, b: i64) -> Result<i64, Error> {
    Ok(match p {
        Prim::BitAnd => a & b,
        Prim::BitOr => a | b,
        Prim::BitXor => a ^ b,
        // Java masks the shift count to six bits; so does Clojure.
        Prim::BitShiftLeft => a.wrapping_shl((b & 63) as u32),
        _ => a.wrapping_shr((b & 63) as u32),
    })
}

/// Checks one `require` spec (`'clojure.string` or `'[clojure.string :as str]`): yin's own
/// namespaces are accepted and need nothing done; any other is refused, saying what exists.
fn require(spec: &Value) -> Result<(), Error> {
    let name = match spec {
        Value::Symbol(s) => s.as_str().to_owned(),
        Value::Vector(v) => match v.items.get(0) {
            Some(Value::Symbol(s)) => s.as_str().to_owned(),
            _ => return Err(type_err("require", "a namespace symbol first", spec)),
        },
        other => {
            return Err(type_err(
                "require",
                "a quoted namespace symbol or vector",
                other,
            ));
        }
    };
    if syntax::core::NAMESPACES.contains(&name.as_str()) {
        return Ok(());
    }
    Err(Error::argument(format!(
        "require: {}",
        syntax::core::missing_namespace(&name)
    )))
}

/// Whether `v` is a sorted map or set.
fn is_sorted(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.order != Order::Insertion,
        Value::Set(s) => s.order != Order::Insertion,
        _ => false,
    }
}

/// The order a `sorted-map-by` or `sorted-set-by` comparator asks for. The collection is walked
/// by the machine's own `compare`, not by calling the comparator, so only the comparators whose
/// order that is are accepted: `compare` and `<` (ascending), `>` (descending).
fn order_of(op: &str, cmp: &Value) -> Result<Order, Error> {
    match cmp {
        Value::Prim(Prim::Compare | Prim::Lt) => Ok(Order::Ascending),
        Value::Prim(Prim::Gt) => Ok(Order::Descending),
        other => Err(type_err(
            op,
            "compare, < or > (yin keeps sorted collections in the order of compare, \
             ascending or descending; sort with sort-by for any other order)",
            other,
        )),
    }
}

/// Runs one of this module's primitives; any other is an error (the machine never asks).
pub(crate) fn simple(p: Prim, args: &[Value], limits: &Limits) -> Result<Value, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let name = p.name();
    Ok(match p {
        Prim::SortedMap | Prim::SortedMapBy => {
            let (order, kvs) = match p {
                Prim::SortedMapBy => (order_of(name, &arg(0))?, &args[1..]),
                _ => (Order::Ascending, args),
            };
            if kvs.len() % 2 != 0 {
                return Err(Error::argument(format!(
                    "{name} needs an even number of keys and values, got {}",
                    kvs.len()
                )));
            }
            check_len(kvs.len() / 2, limits)?;
            let mut m = Map::default();
            m.order = order;
            for kv in kvs.chunks(2) {
                m = m.assoc(kv[0].clone(), kv[1].clone())?;
            }
            Value::Map(std::rc::Rc::new(m))
        }
        Prim::SortedSet | Prim::SortedSetBy => {
            let (order, xs) = match p {
                Prim::SortedSetBy => (order_of(name, &arg(0))?, &args[1..]),
                _ => (Order::Ascending, args),
            };
            check_len(xs.len(), limits)?;
            let mut set = Set::default();
            set.order = order;
            for x in xs {
                set = set.insert(x.clone())?;
            }
            Value::Set(std::rc::Rc::new(set))
        }
        Prim::TakeNth => {
            let n = int(name, &arg(0))?;
            if n <= 0 {
                return Err(Error::argument(format!(
                    "take-nth: n must be positive, got {n}"
                )));
            }
            let xs = finite(name, &arg(1))?;
            vector(xs.into_iter().step_by(n as usize).collect(), limits)?
        }
        Prim::SetRenameKeys => {
            let (Value::Map(m), Value::Map(renames)) = (arg(0), arg(1)) else {
                return Err(type_err(name, "two maps", &arg(0)));
            };
            let mut out = (*m).clone();
            for (old, _) in renames.iter() {
                out = out.dissoc(old);
            }
            for (old, new) in renames.iter() {
                if let Some(v) = m.get(old) {
                    out = out.assoc(new.clone(), v.clone())?;
                }
            }
            Value::Map(std::rc::Rc::new(out))
        }
        Prim::ToUpperCase | Prim::ToLowerCase => match arg(0) {
            Value::Char(c) => {
                let mut mapped = if p == Prim::ToUpperCase {
                    c.to_uppercase().collect::<Vec<_>>()
                } else {
                    c.to_lowercase().collect::<Vec<_>>()
                };
                // Java maps a character to one character; a multi-character mapping keeps it.
                Value::Char(if mapped.len() == 1 {
                    mapped.remove(0)
                } else {
                    c
                })
            }
            other => return Err(type_err(name, "a character", &other)),
        },
        Prim::BitNot => Value::Int(!int(name, &arg(0))?),
        Prim::CharDigit => {
            let Value::Char(c) = arg(0) else {
                return Err(type_err(name, "a character", &arg(0)));
            };
            let radix = int(name, &arg(1))?;
            // Java gives -1 for a character that is no digit in the radix, or a radix outside
            // 2..=36.
            let digit = u32::try_from(radix)
                .ok()
                .filter(|r| (2..=36).contains(r))
                .and_then(|r| c.to_digit(r));
            Value::Int(digit.map_or(-1, i64::from))
        }
        Prim::Second => finite(name, &arg(0))?.get(1).cloned().unwrap_or(Value::Nil),
        Prim::Ffirst => {
            let first = finite(name, &arg(0))?
                .front()
                .cloned()
                .unwrap_or(Value::Nil);
            finite(name, &first)?.front().cloned().unwrap_or(Value::Nil)
        }
        Prim::Butlast => {
            let mut xs = finite(name, &arg(0))?;
            xs.pop_back();
            seq_or_nil(xs, limits)?
        }
        Prim::DropLast | Prim::TakeLast => {
            let (n, coll) = if args.len() == 1 {
                (1, arg(0))
            } else {
                (index(name, &arg(0))?, arg(1))
            };
            let xs = finite(name, &coll)?;
            let n = n.min(xs.len());
            if p == Prim::DropLast {
                vector(xs.take(xs.len() - n), limits)?
            } else {
                seq_or_nil(xs.skip(xs.len() - n), limits)?
            }
        }
        Prim::Nthrest | Prim::Nthnext => {
            let xs = finite(name, &arg(0))?;
            let n = index(name, &arg(1))?.min(xs.len());
            let rest = xs.skip(n);
            if p == Prim::Nthnext {
                seq_or_nil(rest, limits)?
            } else {
                vector(rest, limits)?
            }
        }
        Prim::NotEmpty => {
            if finite(name, &arg(0))?.is_empty() {
                Value::Nil
            } else {
                arg(0)
            }
        }
        Prim::Empty => match arg(0) {
            Value::List(_) => Value::list(Vector::new())?,
            Value::Vector(_) => Value::vector(Vector::new())?,
            Value::Map(_) => Value::map_from([])?,
            Value::Set(_) => Value::set_from([])?,
            // As Clojure: a string (or anything else) has no empty collection of its kind.
            _ => Value::Nil,
        },
        Prim::Flatten => {
            // A work list of collections still to walk, innermost last: no recursion on the
            // data's depth.
            let mut out = Vector::new();
            let mut stack: Vec<(Vector<Value>, usize)> =
                arg(0).as_seq().into_iter().map(|xs| (xs, 0)).collect();
            while let Some((xs, i)) = stack.pop() {
                let Some(x) = xs.get(i).cloned() else {
                    continue;
                };
                stack.push((xs, i + 1));
                match x.as_seq() {
                    Some(inner) => stack.push((inner, 0)),
                    None => {
                        out.push_back(x);
                        check_len(out.len(), limits)?;
                    }
                }
            }
            vector(out, limits)?
        }
        Prim::Subvec => {
            let Value::Vector(v) = arg(0) else {
                return Err(type_err(name, "a vector", &arg(0)));
            };
            let start = int(name, &arg(1))?;
            let end = if args.len() > 2 {
                int(name, &arg(2))?
            } else {
                v.items.len() as i64
            };
            if start < 0 || end < start || end > v.items.len() as i64 {
                return Err(Error::new(
                    ErrorKind::Argument,
                    format!(
                        "subvec: {start}..{end} is out of bounds for a vector of {}",
                        v.items.len()
                    ),
                ));
            }
            Value::vector_bounded(v.items.clone().slice(start as usize..end as usize), v.depth)
        }
        Prim::Dedupe => {
            let mut out: Vector<Value> = Vector::new();
            for x in finite(name, &arg(0))? {
                if out.back() != Some(&x) {
                    out.push_back(x);
                }
            }
            vector(out, limits)?
        }
        Prim::ListStar => {
            let (last, init) = args
                .split_last()
                .map_or((Value::Nil, &[][..]), |(l, i)| (l.clone(), i));
            let mut xs: Vector<Value> = init.iter().cloned().collect();
            xs.append(finite(name, &last)?);
            check_len(xs.len(), limits)?;
            if xs.is_empty() {
                Value::Nil
            } else {
                Value::list(xs)?
            }
        }
        Prim::SplitAt => {
            let xs = finite(name, &arg(1))?;
            let n = index(name, &arg(0))?.min(xs.len());
            let (a, b) = xs.split_at(n);
            Value::vector(Vector::from(vec![Value::vector(a)?, Value::vector(b)?]))?
        }
        Prim::PartitionAll => {
            let n = index(name, &arg(0))?;
            let (step, coll) = if args.len() == 3 {
                (index(name, &arg(1))?, arg(2))
            } else {
                (n, arg(1))
            };
            if n == 0 || step == 0 {
                return Err(Error::argument(format!(
                    "{name}: the size must be positive"
                )));
            }
            let xs = finite(name, &coll)?;
            let mut out = Vector::new();
            let mut start = 0;
            while start < xs.len() {
                let end = (start + n).min(xs.len());
                out.push_back(Value::vector(xs.clone().slice(start..end))?);
                start += step;
            }
            vector(out, limits)?
        }
        Prim::Peek => match arg(0) {
            Value::Vector(s) => s.items.back().cloned().unwrap_or(Value::Nil),
            Value::List(l) => l.first().cloned().unwrap_or(Value::Nil),
            Value::Nil => Value::Nil,
            other => return Err(type_err(name, "a vector or list", &other)),
        },
        Prim::Pop => match arg(0) {
            Value::Vector(s) if !s.items.is_empty() => {
                let mut xs = s.items.clone();
                xs.pop_back();
                Value::vector_bounded(xs, s.depth)
            }
            Value::List(l) if !l.is_empty() => Value::List(l.rest()),
            Value::Vector(_) | Value::List(_) => {
                return Err(Error::argument("pop: can't pop an empty collection"));
            }
            Value::Nil => Value::Nil,
            other => return Err(type_err(name, "a vector or list", &other)),
        },
        Prim::Key => entry_part(name, &arg(0), 0)?,
        Prim::Val => entry_part(name, &arg(0), 1)?,
        Prim::Find => match arg(0) {
            Value::Map(m) => match m.get(&arg(1)) {
                Some(v) => Value::vector(Vector::from(vec![arg(1), v.clone()]))?,
                None => Value::Nil,
            },
            Value::Nil => Value::Nil,
            other => return Err(type_err(name, "a map", &other)),
        },
        Prim::Rseq => match arg(0) {
            Value::Vector(s) if s.items.is_empty() => Value::Nil,
            Value::Vector(s) => {
                Value::vector_bounded(s.items.iter().rev().cloned().collect(), s.depth)
            }
            // A sorted map or set walks backwards too, as Clojure's `rseq` of a sorted collection.
            coll @ (Value::Map(_) | Value::Set(_)) if is_sorted(&coll) => {
                seq_or_nil(finite(name, &coll)?.into_iter().rev().collect(), limits)?
            }
            other => return Err(type_err(name, "a vector or a sorted collection", &other)),
        },
        Prim::IsSorted => Value::Bool(is_sorted(&arg(0))),
        Prim::SetFn => match arg(0) {
            Value::Set(_) => arg(0),
            other => {
                let xs = finite(name, &other)?;
                check_len(xs.len(), limits)?;
                Value::set_from(xs)?
            }
        },
        Prim::Doall | Prim::Dorun => {
            // Sequences are already realised; both only check that there is something finite.
            let coll = args.last().cloned().unwrap_or(Value::Nil);
            finite(name, &coll)?;
            if p == Prim::Doall { coll } else { Value::Nil }
        }
        Prim::IsSeq => Value::Bool(matches!(arg(0), Value::List(_))),
        Prim::IsList => Value::Bool(matches!(arg(0), Value::List(_))),
        Prim::IsColl => Value::Bool(matches!(
            arg(0),
            Value::List(_) | Value::Vector(_) | Value::Map(_) | Value::Set(_)
        )),
        Prim::IsSequential => Value::Bool(matches!(arg(0), Value::List(_) | Value::Vector(_))),
        Prim::IsAssociative => Value::Bool(matches!(arg(0), Value::Vector(_) | Value::Map(_))),
        Prim::IsInteger | Prim::IsInt => Value::Bool(matches!(arg(0), Value::Int(_))),
        Prim::IsPosInt => Value::Bool(matches!(arg(0), Value::Int(i) if i > 0)),
        Prim::IsNegInt => Value::Bool(matches!(arg(0), Value::Int(i) if i < 0)),
        Prim::IsNatInt => Value::Bool(matches!(arg(0), Value::Int(i) if i >= 0)),
        Prim::IsFloat | Prim::IsDouble => Value::Bool(matches!(arg(0), Value::Float(_))),
        Prim::IsChar => Value::Bool(matches!(arg(0), Value::Char(_))),
        Prim::IsBoolean => Value::Bool(matches!(arg(0), Value::Bool(_))),
        Prim::IsTrue => Value::Bool(matches!(arg(0), Value::Bool(true))),
        Prim::IsFalse => Value::Bool(matches!(arg(0), Value::Bool(false))),
        Prim::IsDistinct => {
            #[allow(clippy::mutable_key_type)] // a regex's hash is its unchanging pattern text
            let mut seen = std::collections::HashSet::new();
            Value::Bool(args.iter().all(|x| seen.insert(x.clone())))
        }
        // Values are immutable, so identity cannot be told from equality, except for the values
        // equal only to themselves (functions, atoms), where `=` already asks identity.
        Prim::Identical => Value::Bool(arg(0) == arg(1)),
        Prim::Boolean => Value::Bool(arg(0).truthy()),
        Prim::Namespace => match arg(0) {
            Value::Keyword(k) => k.namespace().map_or(Value::Nil, Value::str),
            Value::Symbol(s) => s.namespace().map_or(Value::Nil, Value::str),
            other => return Err(type_err(name, "a keyword or symbol", &other)),
        },
        Prim::BitAnd | Prim::BitOr | Prim::BitXor | Prim::BitShiftLeft | Prim::BitShiftRight => {
            let mut acc = int(name, &arg(0))?;
            for x in &args[1..] {
                acc = bits(p, acc, int(name, x)?)?;
            }
            Value::Int(acc)
        }
        Prim::ParseLong => text(name, &arg(0))?
            .parse::<i64>()
            .map_or(Value::Nil, Value::Int),
        Prim::ParseDouble => {
            let a0 = arg(0);
            let s = text(name, &a0)?;
            // Rust accepts "inf" and "nan" spellings Java does not; Java's are "Infinity", "NaN".
            match s.trim() {
                "Infinity" | "+Infinity" => Value::Float(f64::INFINITY),
                "-Infinity" => Value::Float(f64::NEG_INFINITY),
                "NaN" => Value::Float(f64::NAN),
                t if t
                    .chars()
                    .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') =>
                {
                    Value::Nil
                }
                t => t.parse::<f64>().map_or(Value::Nil, Value::Float),
            }
        }
        Prim::ToFloat => Value::Float(float(name, &arg(0))?),
        Prim::ParseInt | Prim::ParseLongJava => {
            let a0 = arg(0);
            let s = text(name, &a0)?;
            let radix = match args.get(1) {
                None => 10,
                Some(r) => u32::try_from(int(name, r)?)
                    .ok()
                    .filter(|r| (2..=36).contains(r))
                    .ok_or_else(|| Error::argument(format!("{name}: the radix must be 2 to 36")))?,
            };
            // Java accepts a leading `+`, as Rust's parser does, and nothing else around digits.
            i64::from_str_radix(s, radix).map(Value::Int).map_err(|_| {
                Error::argument(format!(
                    "{name}: {} is not an integer (parse-long returns nil instead of failing)",
                    crate::printer::pr_capped(&a0)
                ))
            })?
        }
        Prim::ParseDoubleJava => {
            let a0 = arg(0);
            match simple(Prim::ParseDouble, args, limits)? {
                Value::Nil => {
                    return Err(Error::argument(format!(
                        "{name}: {} is not a number (parse-double returns nil instead of failing)",
                        crate::printer::pr_capped(&a0)
                    )));
                }
                v => v,
            }
        }
        Prim::IsDigit
        | Prim::IsLetter
        | Prim::IsWhitespace
        | Prim::IsUpperCase
        | Prim::IsLowerCase => {
            let Value::Char(c) = arg(0) else {
                return Err(type_err(name, "a character", &arg(0)));
            };
            Value::Bool(match p {
                Prim::IsDigit => c.is_numeric(),
                Prim::IsLetter => c.is_alphabetic(),
                Prim::IsWhitespace => c.is_whitespace(),
                Prim::IsUpperCase => c.is_uppercase(),
                _ => c.is_lowercase(),
            })
        }
        Prim::MathSqrt => Value::Float(float(name, &arg(0))?.sqrt()),
        Prim::MathPow => Value::Float(float(name, &arg(0))?.powf(float(name, &arg(1))?)),
        Prim::MathAbs => {
            match arg(0) {
                Value::Int(i) => Value::Int(i.checked_abs().ok_or_else(|| {
                    Error::new(ErrorKind::Overflow, "integer overflow in Math/abs")
                })?),
                other => Value::Float(float(name, &other)?.abs()),
            }
        }
        Prim::MathFloor => Value::Float(float(name, &arg(0))?.floor()),
        Prim::MathCeil => Value::Float(float(name, &arg(0))?.ceil()),
        // Java's Math/round rounds half up (towards positive infinity).
        Prim::MathRound => float_to_int(name, (float(name, &arg(0))? + 0.5).floor())?,
        Prim::Reduced => Value::partial(Value::Prim(Prim::ReducedBox), vec![arg(0)])?,
        Prim::IsReduced => Value::Bool(unreduced(&arg(0)).is_some()),
        Prim::ReducedBox => arg(0),
        Prim::ExCause => match arg(0) {
            Value::Ex(x) => x.cause.clone(),
            _ => Value::Nil,
        },
        Prim::Require => {
            for spec in args {
                require(spec)?;
            }
            Value::Nil
        }
        Prim::SetSubset | Prim::SetSuperset => {
            let (small, big) = if p == Prim::SetSubset {
                (arg(0), arg(1))
            } else {
                (arg(1), arg(0))
            };
            let big = match big {
                Value::Set(s) => s,
                Value::Nil => std::rc::Rc::default(),
                other => return Err(type_err(name, "a set", &other)),
            };
            Value::Bool(finite(name, &small)?.iter().all(|x| big.contains(x)))
        }
        Prim::SetMapInvert => match arg(0) {
            Value::Map(m) => {
                let mut out = Map::default();
                for (k, v) in m.iter() {
                    out = out.assoc(v.clone(), k.clone())?;
                }
                Value::Map(std::rc::Rc::new(out))
            }
            Value::Nil => Value::map_from([])?,
            other => return Err(type_err(name, "a map", &other)),
        },
        Prim::StrReverse => Value::str(&text(name, &arg(0))?.chars().rev().collect::<String>()),
        Prim::StrCapitalize => {
            let a0 = arg(0);
            let s = text(name, &a0)?;
            let mut chars = s.chars();
            match chars.next() {
                None => Value::str(""),
                Some(c) => Value::str(&format!(
                    "{}{}",
                    c.to_uppercase(),
                    chars.as_str().to_lowercase()
                )),
            }
        }
        Prim::StrIndexOf | Prim::StrLastIndexOf => {
            let a0 = arg(0);
            let s = text(name, &a0)?;
            let needle = match arg(1) {
                Value::Str(n) => n.to_string(),
                Value::Char(c) => c.to_string(),
                other => return Err(type_err(name, "a string or character", &other)),
            };
            let found = if p == Prim::StrIndexOf {
                s.find(&needle)
            } else {
                s.rfind(&needle)
            };
            // Java counts UTF-16 units; yin counts characters, as `subs` does.
            found.map_or(Value::Nil, |b| Value::Int(s[..b].chars().count() as i64))
        }
        Prim::StrTriml => Value::str(text(name, &arg(0))?.trim_start()),
        Prim::StrTrimr => Value::str(text(name, &arg(0))?.trim_end()),
        Prim::StrTrimNewline => Value::str(text(name, &arg(0))?.trim_end_matches(['\n', '\r'])),
        other => {
            return Err(Error::new(
                ErrorKind::Type,
                format!("{} cannot run inline", other.name()),
            ));
        }
    })
}
