//! Regular expressions: `re-pattern`, `re-find`, `re-matches`, `re-seq` and the patterns of
//! `clojure.string/split` and `replace`, on the `regex` crate.
//!
//! The engine runs in time linear in the text whatever the pattern, so a user's pattern cannot
//! make the machine backtrack for an exponential time (no step of the machine may take long).
//! The syntax is Rust's, which agrees with Java's on the common constructs (classes,
//! quantifiers, groups, anchors, `\d \w \s`, flags like `(?i)`); backreferences and lookaround,
//! which need backtracking, are refused with the engine's message.

use std::rc::Rc;

use imbl::Vector;

use crate::error::Error;
use crate::prim::type_err;
use crate::value::Value;

/// Compiles a pattern; the compiled size is capped so a huge pattern is an error, not a stall.
pub(crate) fn compile(op: &str, pattern: &str) -> Result<Value, Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map(|re| Value::Regex(Rc::new(re)))
        .map_err(|e| Error::argument(format!("{op}: invalid regex {pattern:?}: {e}")))
}

fn pattern(op: &str, v: &Value) -> Result<Rc<regex::Regex>, Error> {
    match v {
        Value::Regex(re) => Ok(re.clone()),
        other => Err(type_err(op, "a regex (re-pattern or #\"...\")", other)),
    }
}

fn text(op: &str, v: &Value) -> Result<Rc<str>, Error> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => Err(type_err(op, "a string", other)),
    }
}

/// A match as Clojure returns it: the matched text, or with groups the vector of the whole
/// match and each group (`nil` for a group that did not take part).
fn shape(caps: &regex::Captures<'_>) -> Result<Value, Error> {
    let whole = caps.get(0).map_or("", |m| m.as_str());
    if caps.len() == 1 {
        return Ok(Value::str(whole));
    }
    let groups: Vector<Value> = caps
        .iter()
        .map(|g| g.map_or(Value::Nil, |m| Value::str(m.as_str())))
        .collect();
    Value::vector(groups)
}

pub(crate) fn re_pattern(v: &Value) -> Result<Value, Error> {
    match v {
        Value::Regex(_) => Ok(v.clone()),
        Value::Str(s) => compile("re-pattern", s),
        other => Err(type_err("re-pattern", "a string", other)),
    }
}

pub(crate) fn re_find(re: &Value, s: &Value) -> Result<Value, Error> {
    let re = pattern("re-find", re)?;
    let s = text("re-find", s)?;
    match re.captures(&s) {
        Some(caps) => shape(&caps),
        None => Ok(Value::Nil),
    }
}

pub(crate) fn re_matches(re: &Value, s: &Value) -> Result<Value, Error> {
    let re = pattern("re-matches", re)?;
    let s = text("re-matches", s)?;
    match re.captures(&s) {
        Some(caps)
            if caps
                .get(0)
                .is_some_and(|m| m.start() == 0 && m.end() == s.len()) =>
        {
            shape(&caps)
        }
        // The leftmost-first match may stop short where a whole-string match exists: ask for
        // one explicitly.
        _ => {
            let anchored = compile("re-matches", &format!("^(?:{})$", re.as_str()))?;
            let Value::Regex(anchored) = anchored else {
                return Ok(Value::Nil);
            };
            match anchored.captures(&s) {
                Some(caps) => shape(&caps),
                None => Ok(Value::Nil),
            }
        }
    }
}

pub(crate) fn re_seq(re: &Value, s: &Value, max_items: usize) -> Result<Value, Error> {
    let re = pattern("re-seq", re)?;
    let s = text("re-seq", s)?;
    let mut out = Vector::new();
    for caps in re.captures_iter(&s) {
        out.push_back(shape(&caps)?);
        if out.len() > max_items {
            return Err(Error::new(
                crate::error::ErrorKind::Limit,
                format!("collection limit reached: at most {max_items} elements per collection"),
            ));
        }
    }
    if out.is_empty() {
        return Ok(Value::Nil);
    }
    Value::vector(out)
}

/// Java's replacement syntax (`$1`, `\$`) in the `regex` crate's (`${1}`, `$$`).
pub(crate) fn java_replacement(r: &str) -> String {
    let mut out = String::with_capacity(r.len());
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            other => out.push(other),
        }
    }
    out
}
