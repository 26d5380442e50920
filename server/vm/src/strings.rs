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
/// `digits` with a comma between each group of three, when `group` (Java's `,` flag).
fn grouped(digits: String, group: bool) -> String {
    if !group {
        return digits;
    }
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `digits` with its sign: `-` when negative, `+` otherwise when `plus` (Java's `+` flag).
fn signed(digits: String, negative: bool, plus: bool) -> String {
    match (negative, plus) {
        (true, _) => format!("-{digits}"),
        (false, true) => format!("+{digits}"),
        (false, false) => digits,
    }
}

/// Java's `%e`: one digit before the point, `precision` after, and a signed exponent of at
/// least two digits (`1.234500e+03`).
fn java_scientific(x: f64, precision: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".to_owned()
        } else if x > 0.0 {
            "Infinity".to_owned()
        } else {
            "-Infinity".to_owned()
        };
    }
    let text = format!("{x:.precision$e}");
    match text.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => text,
    }
}

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
                Some(d) if d.is_ascii_digit() || matches!(d, '.' | '-' | ',' | '+') => spec.push(d),
                Some(d) => break d,
                None => return Err(Error::argument("format: the string ends inside a %")),
            }
        };
        let left = spec.contains('-');
        let group = spec.contains(',');
        let plus = spec.contains('+');
        let spec: String = spec
            .chars()
            .filter(|c| !matches!(c, '-' | ',' | '+'))
            .collect();
        let spec = spec.as_str();
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
                Value::Int(i) => signed(grouped(i.unsigned_abs().to_string(), group), i < 0, plus),
                other => return Err(type_err("format %d", "an integer", &other)),
            },
            'c' => match next()? {
                Value::Char(c) => c.to_string(),
                Value::Int(i) => u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
                    .ok_or_else(|| Error::argument(format!("format %c: {i} is not a character")))?,
                other => return Err(type_err("format %c", "a character", &other)),
            },
            // Java's %b: false for nil and false, true for anything else.
            'b' => match next()? {
                Value::Nil | Value::Bool(false) => "false".to_owned(),
                _ => "true".to_owned(),
            },
            'o' => match next()? {
                Value::Int(i) => format!("{i:o}"),
                other => return Err(type_err("format %o", "an integer", &other)),
            },
            'e' => {
                let x = match next()? {
                    Value::Float(f) => f,
                    Value::Int(i) => i as f64,
                    Value::Ratio(n, d) => n as f64 / d as f64,
                    other => return Err(type_err("format %e", "a number", &other)),
                };
                java_scientific(x, precision.unwrap_or(6))
            }
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
                let fixed = java_fixed(x, precision.unwrap_or(6));
                let (digits, negative) = match fixed.strip_prefix('-') {
                    Some(d) => (d.to_owned(), true),
                    None => (fixed, false),
                };
                let digits = match digits.split_once('.') {
                    Some((int, frac)) => format!("{}.{frac}", grouped(int.to_owned(), group)),
                    None => grouped(digits, group),
                };
                signed(digits, negative, plus)
            }
            other => {
                return Err(Error::argument(format!(
                    "format: %{other} is not supported (yin's format has %s %d %f %.Nf %e %x %o %c %b %n %% and the flags - 0 , +); got {}",
                    pr_capped(&Value::Str(fmt.clone()))
                )));
            }
        };
        let pad = width.unwrap_or(0).saturating_sub(piece.chars().count());
        if left {
            out.push_str(&piece);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if zero && matches!(conv, 'd' | 'f' | 'x' | 'X' | 'o' | 'e') {
            let (sign, digits) = match piece.chars().next() {
                Some(c @ ('-' | '+')) => (c.to_string(), &piece[1..]),
                _ => (String::new(), piece.as_str()),
            };
            out.push_str(&sign);
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

/// `(clojure.string/escape s cmap)`: each character `cmap` maps replaced by its value's `str`.
pub(crate) fn escape(s: &Value, cmap: &Value, limits: &Limits) -> Result<Value, Error> {
    let op = "clojure.string/escape";
    let s = text(op, s)?;
    let Value::Map(m) = cmap else {
        return Err(type_err(op, "a map from characters to replacements", cmap));
    };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match m.get(&Value::Char(c)) {
            Some(Value::Nil) | None => out.push(c),
            Some(r) => out.push_str(&str_form(r)),
        }
        check_len(out.len(), limits)?;
    }
    Ok(Value::str(&out))
}

/// `(clojure.string/replace s regex f)`: each match replaced by `(str (f match))`, the match
/// shaped as `re-find`'s. The machine calls `f` on every match (`map`), then
/// [`replace_stitch`] puts the results in place.
pub(crate) fn replace_with(args: &[Value], max_items: usize) -> Result<crate::prim::Flow, Error> {
    let op = "clojure.string/replace";
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    if !matches!(arg(1), Value::Regex(_)) {
        return Err(type_err(
            op,
            "a regex when the replacement is a function",
            &arg(1),
        ));
    }
    let matches = match crate::regex::re_seq(&arg(1), &arg(0), max_items)? {
        Value::Nil => return Ok(crate::prim::Flow::Value(arg(0))),
        m => m,
    };
    let stitch = Value::partial(Value::Prim(Prim::ReplaceStitch), vec![arg(0), arg(1)])?;
    let map = Value::partial(Value::Prim(Prim::MapFn), vec![arg(2)])?;
    Ok(crate::prim::Flow::Apply(
        Value::comp(vec![stitch, map])?,
        vec![matches],
    ))
}

/// `(replace-stitch s regex replacements)`: `s` with its matches replaced in order.
pub(crate) fn replace_stitch(args: &[Value], limits: &Limits) -> Result<Value, Error> {
    let op = "clojure.string/replace";
    let s = text(op, args.first().unwrap_or(&Value::Nil))?;
    let Some(Value::Regex(re)) = args.get(1) else {
        return Err(type_err(op, "a regex", args.get(1).unwrap_or(&Value::Nil)));
    };
    let outs = items(op, args.get(2).unwrap_or(&Value::Nil))?;
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (m, r) in re.find_iter(&s).zip(outs.iter()) {
        out.push_str(&s[last..m.start()]);
        out.push_str(&str_form(r));
        last = m.end();
        check_len(out.len(), limits)?;
    }
    out.push_str(&s[last..]);
    check_len(out.len(), limits)?;
    Ok(Value::str(&out))
}
