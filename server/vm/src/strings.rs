//! `clojure.string` and `format`.
//!
//! Strings are Unicode text; case mapping and trimming are Unicode's (Rust's `str` methods), as
//! Java's are. `format` implements a documented subset of Java's format strings: `%s`, `%d`,
//! `%f`, `%.Nf`, `%x`, `%%` and `%n`, with an optional width (`%5d`, `%-5s`) and zero padding
//! (`%05d`); anything else is an error naming the directive.

use imbl::Vector;

use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::prim::{Prim, check_len, items, type_err};
use crate::printer::{pr_capped, str_form};
use crate::value::Value;

fn text(op: &str, v: &Value) -> Result<std::rc::Rc<str>, Error> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => Err(type_err(op, "a string", other)),
    }
}

/// A literal separator or pattern: a string or a character.
fn needle(op: &str, v: &Value) -> Result<String, Error> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        Value::Char(c) => Ok(c.to_string()),
        other => Err(type_err(op, "a string or character", other)),
    }
}

fn strings(parts: impl IntoIterator<Item = String>, limits: &Limits) -> Result<Value, Error> {
    let items: Vector<Value> = parts.into_iter().map(|p| Value::str(&p)).collect();
    check_len(items.len(), limits)?;
    Value::vector(items)
}

/// `x` with `prec` decimals as Java's `%.Nf` writes it: the shortest decimal form of the double
/// rounded half up (`(format "%.0f" 2.5)` is `3`, `(format "%.2f" 2.675)` is `2.68`), where
/// Rust's formatting rounds the exact binary value half to even (`2` and `2.67`).
fn java_fixed(x: f64, prec: usize) -> String {
    if !x.is_finite() {
        return match x {
            f64::INFINITY => "Infinity".to_owned(),
            f64::NEG_INFINITY => "-Infinity".to_owned(),
            _ => "NaN".to_owned(),
        };
    }
    // Display never uses an exponent, so this is all the digits.
    let shortest = format!("{}", x.abs());
    let (int, frac) = shortest.split_once('.').unwrap_or((&shortest, ""));
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes().take(prec)).collect();
    digits.extend(std::iter::repeat_n(b'0', prec.saturating_sub(frac.len())));
    if frac.as_bytes().get(prec).is_some_and(|d| *d >= b'5') {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - prec;
    let mut out = String::with_capacity(digits.len() + 2);
    if x.is_sign_negative() {
        out.push('-');
    }
    out.extend(digits[..split].iter().map(|&d| char::from(d)));
    if prec > 0 {
        out.push('.');
        out.extend(digits[split..].iter().map(|&d| char::from(d)));
    }
    out
}

/// Runs a `clojure.string` function.
pub(crate) fn call(p: Prim, args: &[Value], limits: &Limits) -> Result<Value, Error> {
    let name = p.name();
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    Ok(match p {
        Prim::StrSplit => {
            let s = text(name, &arg(0))?;
            let limit = match args.get(2) {
                Some(Value::Int(n)) if *n > 0 => Some(*n as usize),
                Some(Value::Int(_)) | None => None,
                Some(other) => return Err(type_err(name, "an integer limit", other)),
            };
            let mut parts: Vec<String> = match &arg(1) {
                Value::Regex(re) => {
                    let mut parts: Vec<String> = match limit {
                        Some(n) => re.splitn(&s, n).map(str::to_owned).collect(),
                        None => re.split(&s).map(str::to_owned).collect(),
                    };
                    // As Java's split: a zero-width match at the start gives no leading empty
                    // string (`(split "abc" #"")` is ["a" "b" "c"]).
                    if re.find(&s).is_some_and(|m| m.start() == 0 && m.end() == 0)
                        && parts.first().is_some_and(String::is_empty)
                        && parts.len() > 1
                    {
                        parts.remove(0);
                    }
                    parts
                }
                sep => {
                    let sep = needle(name, sep)?;
                    if sep.is_empty() {
                        s.chars().map(String::from).collect()
                    } else {
                        match limit {
                            Some(n) => s.splitn(n, sep.as_str()).map(str::to_owned).collect(),
                            None => s.split(sep.as_str()).map(str::to_owned).collect(),
                        }
                    }
                }
            };
            // As Java's split without a limit: trailing empty strings are dropped.
            if limit.is_none() {
                while parts.last().is_some_and(String::is_empty) && parts.len() > 1 {
                    parts.pop();
                }
            }
            strings(parts, limits)?
        }
        Prim::StrJoin => {
            let (sep, coll) = match args {
                [coll] => (String::new(), coll.clone()),
                _ => (str_form(&arg(0)), arg(1)),
            };
            let mut out = String::new();
            for (i, x) in items(name, &coll)?.iter().enumerate() {
                if i > 0 {
                    out.push_str(&sep);
                }
                out.push_str(&str_form(x));
                check_len(out.len(), limits)?;
            }
            Value::str(&out)
        }
        Prim::StrUpper => Value::str(&text(name, &arg(0))?.to_uppercase()),
        Prim::StrLower => Value::str(&text(name, &arg(0))?.to_lowercase()),
        Prim::StrTrim => Value::str(text(name, &arg(0))?.trim()),
        Prim::StrIncludes => {
            Value::Bool(text(name, &arg(0))?.contains(needle(name, &arg(1))?.as_str()))
        }
        Prim::StrStartsWith => {
            Value::Bool(text(name, &arg(0))?.starts_with(needle(name, &arg(1))?.as_str()))
        }
        Prim::StrEndsWith => {
            Value::Bool(text(name, &arg(0))?.ends_with(needle(name, &arg(1))?.as_str()))
        }
        Prim::StrBlank => Value::Bool(match arg(0) {
            Value::Nil => true,
            Value::Str(s) => s.trim().is_empty(),
            other => return Err(type_err(name, "a string", &other)),
        }),
        Prim::StrSplitLines => {
            let s = text(name, &arg(0))?;
            strings(s.lines().map(str::to_owned), limits)?
        }
        Prim::StrReplace | Prim::StrReplaceFirst => {
            let s = text(name, &arg(0))?;
            let limit = if p == Prim::StrReplaceFirst { 1 } else { 0 };
            let out = match (&arg(1), &arg(2)) {
                (Value::Regex(re), replacement) => {
                    let r = text(name, replacement)?;
                    re.replacen(&s, limit, crate::regex::java_replacement(&r).as_str())
                        .into_owned()
                }
                (pattern, replacement) if limit == 1 => {
                    let from = needle(name, pattern)?;
                    let to = needle(name, replacement)?;
                    s.replacen(from.as_str(), to.as_str(), 1)
                }
                (pattern, replacement) => {
                    let from = needle(name, pattern)?;
                    let to = needle(name, replacement)?;
                    if from.is_empty() {
                        return Err(Error::argument("clojure.string/replace: empty pattern"));
                    }
                    s.replace(from.as_str(), to.as_str())
                }
            };
            check_len(out.len(), limits)?;
            Value::str(&out)
        }
        other => {
            return Err(Error::new(
                ErrorKind::Type,
                format!("{} is not a string function", other.name()),
            ));
        }
    })
}

/// `(format fmt args...)` over the subset in the module doc.
pub(crate) fn format(args: &[Value], limits: &Limits) -> Result<Value, Error> {
    let fmt = text("format", args.first().unwrap_or(&Value::Nil))?;
    let mut rest = args.iter().skip(1);
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        let conv = loop {
            match chars.next() {
                Some(d) if d.is_ascii_digit() || d == '.' || d == '-' => spec.push(d),
                Some(d) => break d,
                None => return Err(Error::argument("format: the string ends inside a %")),
            }
        };
        let left = spec.starts_with('-');
        let spec = spec.trim_start_matches('-');
        let zero = spec.starts_with('0');
        let (width, precision) = match spec.split_once('.') {
            Some((w, p)) => (
                w.parse::<usize>().ok(),
                Some(p.parse::<usize>().unwrap_or(0)),
            ),
            None => (spec.parse::<usize>().ok(), None),
        };
        let mut next = || {
            rest.next()
                .cloned()
                .ok_or_else(|| Error::argument(format!("format: %{conv} has no argument left")))
        };
        let piece = match conv {
            '%' => "%".to_owned(),
            'n' => "\n".to_owned(),
            's' => str_form(&next()?),
            'd' => match next()? {
                Value::Int(i) => i.to_string(),
                other => return Err(type_err("format %d", "an integer", &other)),
            },
            'x' | 'X' => match next()? {
                Value::Int(i) => {
                    let s = format!("{i:x}");
                    if conv == 'X' { s.to_uppercase() } else { s }
                }
                other => return Err(type_err("format %x", "an integer", &other)),
            },
            'f' => {
                let x = match next()? {
                    Value::Float(f) => f,
                    Value::Int(i) => i as f64,
                    Value::Ratio(n, d) => n as f64 / d as f64,
                    other => return Err(type_err("format %f", "a number", &other)),
                };
                java_fixed(x, precision.unwrap_or(6))
            }
            other => {
                return Err(Error::argument(format!(
                    "format: %{other} is not supported (yin's format has %s %d %f %.Nf %x %n %%); got {}",
                    pr_capped(&Value::Str(fmt.clone()))
                )));
            }
        };
        let pad = width.unwrap_or(0).saturating_sub(piece.chars().count());
        if left {
            out.push_str(&piece);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if zero && matches!(conv, 'd' | 'f' | 'x' | 'X') {
            let (sign, digits) = match piece.strip_prefix('-') {
                Some(d) => ("-", d),
                None => ("", piece.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&piece);
        }
        check_len(out.len(), limits)?;
    }
    Ok(Value::str(&out))
}
