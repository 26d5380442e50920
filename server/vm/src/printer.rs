//! Printing values the way yin prints them (docs/language.md, "Printing"): Clojure's `pr` form for results and
//! `prn`; the `print` form (strings and characters bare, at any depth) for `print` and `println`;
//! and the `str` form (a bare string or character, `nil` empty, anything else as `pr`) for `str`.
//!
//! Recursion here is bounded by [`MAX_DEPTH`](crate::value::MAX_DEPTH), which every value respects.

use std::fmt::Write;

use crate::value::Value;

/// The `pr` form: what `yin eval` prints and what reads back as the same data where it can.
pub fn pr_str(v: &Value) -> String {
    let mut out = String::new();
    pr(v, &mut out, true);
    out
}

/// The `print` form: for people, so strings and characters are bare wherever they appear.
pub fn print_str(v: &Value) -> String {
    let mut out = String::new();
    pr(v, &mut out, false);
    out
}

/// The `str` form: strings without quotes, characters as themselves, `nil` as nothing.
pub fn str_form(v: &Value) -> String {
    match v {
        Value::Nil => String::new(),
        Value::Str(s) => s.to_string(),
        Value::Char(c) => c.to_string(),
        other => pr_str(other),
    }
}

fn seq<'a>(
    out: &mut String,
    open: &str,
    items: impl Iterator<Item = &'a Value>,
    close: &str,
    readably: bool,
) {
    out.push_str(open);
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        pr(x, out, readably);
    }
    out.push_str(close);
}

/// Prints `v`; `readably` quotes strings and escapes characters (`pr`), otherwise they are bare
/// (`print`).
fn pr(v: &Value, out: &mut String, readably: bool) {
    match v {
        Value::Str(s) if !readably => out.push_str(s),
        Value::Char(c) if !readably => out.push(*c),
        Value::Nil => out.push_str("nil"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => float(*f, out),
        Value::Ratio(n, d) => {
            let _ = write!(out, "{n}/{d}");
        }
        Value::Char(c) => match c {
            '\n' => out.push_str("\\newline"),
            ' ' => out.push_str("\\space"),
            '\t' => out.push_str("\\tab"),
            '\r' => out.push_str("\\return"),
            '\u{8}' => out.push_str("\\backspace"),
            '\u{c}' => out.push_str("\\formfeed"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", *c as u32);
            }
            c => {
                out.push('\\');
                out.push(*c);
            }
        },
        Value::Str(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Keyword(k) => {
            let _ = write!(out, "{k}");
        }
        Value::Symbol(s) => out.push_str(s.as_str()),
        Value::List(s) => seq(out, "(", s.items.iter(), ")", readably),
        Value::Vector(s) => seq(out, "[", s.items.iter(), "]", readably),
        Value::Set(s) => seq(out, "#{", s.iter(), "}", readably),
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                pr(k, out, readably);
                out.push(' ');
                pr(v, out, readably);
            }
            out.push('}');
        }
        Value::Fn(c) => match &c.proto.name {
            Some(name) => {
                let _ = write!(out, "#<fn {name}>");
            }
            None => out.push_str("#<fn>"),
        },
        Value::Prim(p) => {
            let _ = write!(out, "#<fn {}>", p.name());
        }
        Value::Partial(_) => match crate::hof::as_producer(v) {
            Some((kind, _)) => {
                let _ = write!(out, "#<producer {kind}>");
            }
            None => out.push_str("#<fn partial>"),
        },
        Value::Comp(_) => out.push_str("#<fn comp>"),
        Value::Cont(k) => {
            let _ = write!(out, "#<continuation {}>", k.id);
        }
        Value::Stream(id) => {
            let _ = write!(out, "#<stream {id}>");
        }
        Value::Cursor(id) => {
            let _ = write!(out, "#<cursor {id}>");
        }
        Value::Atom(id) => {
            let _ = write!(out, "#<atom {id}>");
        }
        Value::Regex(r) => {
            // Java prints a pattern's source between #" and ", unescaped.
            let _ = write!(out, "#\"{}\"", r.as_str());
        }
        Value::Ex(x) => {
            out.push_str("#error {:message ");
            pr(&Value::Str(x.message.clone()), out, true);
            if !matches!(x.data, Value::Nil) {
                out.push_str(", :data ");
                pr(&x.data, out, readably);
            }
            out.push('}');
        }
    }
}

/// Floats as Clojure prints doubles: always with a fraction or an exponent, `##Inf`, `##NaN`.
fn float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("##NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "##Inf" } else { "##-Inf" });
    } else if f != 0.0 && (f.abs() >= 1e7 || f.abs() < 1e-3) {
        // Java's Double.toString switches to computerised scientific notation outside
        // [1e-3, 1e7); Rust's `{:e}` gives the shortest digits, which only need the ".0".
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        out.push_str(mantissa);
        if !mantissa.contains('.') {
            out.push_str(".0");
        }
        out.push('E');
        out.push_str(exp);
    } else if f.fract() == 0.0 {
        let _ = write!(out, "{f:.1}");
    } else {
        let _ = write!(out, "{f}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_clojure() {
        let p = |f| pr_str(&Value::Float(f));
        assert_eq!(p(2.5), "2.5");
        assert_eq!(p(1.0), "1.0");
        assert_eq!(p(-0.0), "-0.0");
        assert_eq!(p(1e20), "1.0E20");
        assert_eq!(p(1.5e-7), "1.5E-7");
        assert_eq!(p(f64::INFINITY), "##Inf");
    }
}
