//! The simple library functions added for Clojure programmers: sequences (`take`, `partition`,
//! `frequencies` ...), maps and sets (`merge`, `select-keys`, `clojure.set/union` ...), numbers
//! and characters (`int`, `char`, `compare`, `hash`), exceptions as values (`ex-info`), the
//! string forms of printing (`pr-str`), and the constructors of function values (`juxt`,
//! `constantly`, `complement`, `fnil`, `iterate` ...).
//!
//! Like the primitives of `prim`, each computes a value from its arguments only; `clojure.string`
//! and `format` are in `strings`.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use imbl::Vector;

use crate::error::Error;
use crate::hof::{self, as_producer, infinite};
use crate::limits::Limits;
use crate::prim::{Prim, check_len, items, type_err};
use crate::printer::{pr_capped, pr_str, print_str};
use crate::value::{Map, Set, Value};

fn count(op: &str, v: &Value) -> Result<usize, Error> {
    match v {
        Value::Int(i) => Ok(usize::try_from(*i).unwrap_or(0)),
        other => Err(type_err(op, "an integer", other)),
    }
}

fn positive(op: &str, v: &Value) -> Result<usize, Error> {
    let n = count(op, v)?;
    if n == 0 {
        return Err(Error::argument(format!("{op}: the size must be positive")));
    }
    Ok(n)
}

/// The elements of `v`, refusing an infinite producer with a message that says what to do.
pub(crate) fn finite(op: &str, v: &Value) -> Result<Vector<Value>, Error> {
    if let Some((kind, _)) = as_producer(v) {
        return Err(infinite(op, kind));
    }
    items(op, v)
}

fn set_of(op: &str, v: &Value) -> Result<Set, Error> {
    match v {
        Value::Set(s) => Ok((**s).clone()),
        Value::Nil => Ok(Set::default()),
        other => Err(type_err(op, "a set", other)),
    }
}

fn map_of(op: &str, v: &Value) -> Result<Option<Rc<Map>>, Error> {
    match v {
        Value::Map(m) => Ok(Some(m.clone())),
        Value::Nil => Ok(None),
        other => Err(type_err(op, "a map", other)),
    }
}

fn int_of(op: &str, v: &Value) -> Result<Value, Error> {
    Ok(Value::Int(match v {
        Value::Int(i) => *i,
        Value::Char(c) => i64::from(u32::from(*c)),
        Value::Float(f) if f.is_finite() && f.abs() < 9.2e18 => f.trunc() as i64,
        Value::Ratio(n, d) => n / d,
        Value::Float(_) => {
            return Err(Error::argument(format!(
                "{op}: {} does not fit in an integer",
                pr_capped(v)
            )));
        }
        other => return Err(type_err(op, "a number or character", other)),
    }))
}

fn vector(items: Vector<Value>, limits: &Limits) -> Result<Value, Error> {
    check_len(items.len(), limits)?;
    Value::vector(items)
}

/// Runs one of the simple library functions; any other primitive is an error (the machine
/// never asks this of them).
pub(crate) fn simple(p: Prim, args: &[Value], limits: &Limits) -> Result<Value, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let name = p.name();
    Ok(match p {
        Prim::ExInfo => {
            let Value::Str(msg) = arg(0) else {
                return Err(type_err("ex-info", "a message string", &arg(0)));
            };
            let data = arg(1);
            if !matches!(data, Value::Map(_) | Value::Nil) {
                return Err(type_err("ex-info", "a data map", &data));
            }
            Value::ex(&msg, data, arg(2), None)?
        }
        Prim::ExData => match arg(0) {
            Value::Ex(x) => x.data.clone(),
            _ => Value::Nil,
        },
        Prim::ExMessage => match arg(0) {
            Value::Ex(x) => Value::Str(x.message.clone()),
            _ => Value::Nil,
        },
        Prim::Drop => {
            let n = count(name, &arg(0))?;
            let xs = finite(name, &arg(1))?;
            vector(xs.skip(n.min(xs.len())), limits)?
        }
        Prim::Iterate => hof::producer("iterate", vec![arg(0), arg(1)])?,
        Prim::Repeat if args.len() == 1 => hof::producer("repeat", vec![arg(0)])?,
        Prim::Repeat => {
            let n = count(name, &arg(0))?;
            check_len(n, limits)?;
            vector(std::iter::repeat_n(arg(1), n).collect(), limits)?
        }
        Prim::Cycle => {
            finite(name, &arg(0))?;
            hof::producer("cycle", vec![arg(0)])?
        }
        Prim::Partition => {
            let n = positive(name, &arg(0))?;
            let (step, pad, coll) = match args.len() {
                2 => (n, None, arg(1)),
                3 => (positive(name, &arg(1))?, None, arg(2)),
                _ => (
                    positive(name, &arg(1))?,
                    Some(finite(name, &arg(2))?),
                    arg(3),
                ),
            };
            let xs = finite(name, &coll)?;
            let mut out = Vector::new();
            let mut start = 0;
            while start < xs.len() {
                let end = (start + n).min(xs.len());
                let mut group: Vector<Value> = xs.clone().slice(start..end);
                if group.len() < n {
                    // As Clojure: the first incomplete group is the last one, padded (perhaps
                    // still short when the pad is), or dropped without a pad.
                    if let Some(pad) = &pad {
                        group.extend(pad.iter().take(n - group.len()).cloned());
                        out.push_back(Value::vector(group)?);
                    }
                    break;
                }
                out.push_back(Value::vector(group)?);
                start += step;
            }
            vector(out, limits)?
        }
        Prim::Frequencies => {
            // Counted in a plain hash map, then one persistent map built in first-seen order:
            // a persistent insert per element cost three times the rest of the work.
            // A regex's hash and equality are its pattern text, which never changes; only its
            // match cache is mutable.
            #[allow(clippy::mutable_key_type)]
            let mut counts: std::collections::HashMap<Value, (usize, i64)> =
                std::collections::HashMap::new();
            for x in finite(name, &arg(0))? {
                let next = counts.len();
                counts.entry(x).or_insert((next, 0)).1 += 1;
            }
            let mut entries: Vec<(Value, (usize, i64))> = counts.into_iter().collect();
            entries.sort_unstable_by_key(|(_, (first, _))| *first);
            Value::map_from(entries.into_iter().map(|(k, (_, n))| (k, Value::Int(n))))?
        }
        Prim::Distinct => {
            let mut seen = imbl::HashSet::new();
            let mut out = Vector::new();
            for x in finite(name, &arg(0))? {
                if seen.insert(x.clone()).is_none() {
                    out.push_back(x);
                }
            }
            vector(out, limits)?
        }
        Prim::Interleave => {
            let colls = args
                .iter()
                .map(|c| finite(name, c))
                .collect::<Result<Vec<_>, _>>()?;
            let n = colls.iter().map(|c| c.len()).min().unwrap_or(0);
            check_len(n.saturating_mul(colls.len()), limits)?;
            let mut out = Vector::new();
            for i in 0..n {
                for c in &colls {
                    out.push_back(c[i].clone());
                }
            }
            vector(out, limits)?
        }
        Prim::Interpose => {
            let mut out = Vector::new();
            for (i, x) in finite(name, &arg(1))?.into_iter().enumerate() {
                if i > 0 {
                    out.push_back(arg(0));
                }
                out.push_back(x);
            }
            vector(out, limits)?
        }
        Prim::Zipmap => {
            let ks = finite(name, &arg(0))?;
            let vs = finite(name, &arg(1))?;
            Value::map_from(ks.into_iter().zip(vs))?
        }
        Prim::Merge => {
            let mut acc: Option<Map> = None;
            for m in args {
                if let Some(m) = map_of(name, m)? {
                    acc = Some(match acc {
                        None => (*m).clone(),
                        Some(mut a) => {
                            for (k, v) in m.iter() {
                                a = a.assoc(k.clone(), v.clone())?;
                            }
                            check_len(a.len(), limits)?;
                            a
                        }
                    });
                }
            }
            acc.map_or(Value::Nil, |m| Value::Map(Rc::new(m)))
        }
        Prim::SelectKeys => {
            let m = map_of(name, &arg(0))?;
            let mut out = Map::default();
            if let Some(m) = m {
                for k in finite(name, &arg(1))? {
                    if let Some(v) = m.get(&k) {
                        out = out.assoc(k, v.clone())?;
                    }
                }
            }
            Value::Map(Rc::new(out))
        }
        Prim::Juxt => Value::partial(
            Value::Prim(Prim::JuxtFn),
            vec![Value::vector(args.iter().cloned().collect())?],
        )?,
        Prim::Constantly => Value::partial(Value::Prim(Prim::ConstantlyFn), vec![arg(0)])?,
        Prim::ConstantlyFn => arg(0),
        Prim::Complement => Value::partial(Value::Prim(Prim::ComplementFn), vec![arg(0)])?,
        Prim::Fnil => Value::partial(
            Value::Prim(Prim::FnilFn),
            vec![arg(0), Value::vector(args[1..].iter().cloned().collect())?],
        )?,
        Prim::Producer => {
            let kind = match arg(0) {
                Value::Keyword(k) => k.name().to_owned(),
                _ => "producer".to_owned(),
            };
            return Err(infinite("a call", &kind));
        }
        Prim::Disj => match arg(0) {
            Value::Nil => Value::Nil,
            Value::Set(s) => {
                let mut s = (*s).clone();
                for x in &args[1..] {
                    s = s.remove(x);
                }
                Value::Set(Rc::new(s))
            }
            other => return Err(type_err(name, "a set", &other)),
        },
        Prim::SetUnion => {
            let mut acc = Set::default();
            for s in args {
                for x in set_of(name, s)?.iter() {
                    acc = acc.insert(x.clone())?;
                }
                check_len(acc.len(), limits)?;
            }
            Value::Set(Rc::new(acc))
        }
        Prim::SetIntersection => {
            let mut acc = set_of(name, &arg(0))?;
            for s in &args[1..] {
                let other = set_of(name, s)?;
                for x in acc.clone().iter() {
                    if !other.contains(x) {
                        acc = acc.remove(x);
                    }
                }
            }
            Value::Set(Rc::new(acc))
        }
        Prim::SetDifference => {
            let mut acc = set_of(name, &arg(0))?;
            for s in &args[1..] {
                for x in set_of(name, s)?.iter() {
                    acc = acc.remove(x);
                }
            }
            Value::Set(Rc::new(acc))
        }
        Prim::ToInt | Prim::ToLong => int_of(name, &arg(0))?,
        Prim::ToChar => match arg(0) {
            Value::Char(c) => Value::Char(c),
            Value::Int(i) => u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .map(Value::Char)
                .ok_or_else(|| {
                    Error::argument(format!("char: {i} is not a character's code point"))
                })?,
            other => return Err(type_err(name, "an integer", &other)),
        },
        Prim::ToDouble => match arg(0) {
            Value::Int(i) => Value::Float(i as f64),
            Value::Float(f) => Value::Float(f),
            Value::Ratio(n, d) => Value::Float(n as f64 / d as f64),
            other => return Err(type_err(name, "a number", &other)),
        },
        Prim::Compare => {
            let (a, b) = (arg(0), arg(1));
            match a.compare(&b) {
                Some(o) => Value::Int(o as i64),
                None => {
                    return Err(Error::type_error(format!(
                        "compare: expected comparable values, got {} and {}",
                        pr_capped(&a),
                        pr_capped(&b)
                    )));
                }
            }
        }
        Prim::Hash => {
            let mut h = std::hash::DefaultHasher::new();
            arg(0).hash(&mut h);
            // Clojure's hashes are 32-bit; staying in that range keeps them readable.
            Value::Int(i64::from(h.finish() as i32))
        }
        Prim::PrStr | Prim::PrnStr | Prim::PrintStr => {
            let form = if p == Prim::PrintStr {
                print_str
            } else {
                pr_str
            };
            let mut s = args.iter().map(form).collect::<Vec<_>>().join(" ");
            if p == Prim::PrnStr {
                s.push('\n');
            }
            check_len(s.len(), limits)?;
            Value::str(&s)
        }
        Prim::Format => crate::strings::format(args, limits)?,
        Prim::StrReverse
        | Prim::StrCapitalize
        | Prim::StrIndexOf
        | Prim::StrLastIndexOf
        | Prim::StrTriml
        | Prim::StrTrimr
        | Prim::StrTrimNewline => crate::basics::simple(p, args, limits)?,
        other if other.name().starts_with("clojure.string/") => {
            crate::strings::call(other, args, limits)?
        }
        other => crate::basics::simple(other, args, limits)?,
    })
}
