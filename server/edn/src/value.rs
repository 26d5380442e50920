//! The value model shared by datoms and queries.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// An entity id. Datomic-style: entity references are plain integers, so a ref-valued attribute
/// holds [`Value::Int`] with the referenced entity's id.
pub type Entity = u64;

/// One fact: entity `e` has attribute `a` with value `v`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Datom {
    pub e: Entity,
    pub a: Keyword,
    pub v: Value,
}

impl Datom {
    pub fn new(e: Entity, a: Keyword, v: impl Into<Value>) -> Datom {
        Datom { e, a, v: v.into() }
    }
}

/// Prints `[e a v]`.
impl fmt::Display for Datom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} {} {}]", self.e, self.a, self.v)
    }
}

/// Prints datoms as an EDN vector of `[e a v]`, one datom per line.
pub fn datoms_to_edn(datoms: &[Datom]) -> String {
    let rows: Vec<String> = datoms.iter().map(ToString::to_string).collect();
    format!("[{}]\n", rows.join("\n "))
}

/// A keyword such as `:yin/type`, stored without the leading colon (`yin/type`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Keyword(Arc<str>);

/// A symbol such as `?x`, `+` or `stream/make`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol(Arc<str>);

macro_rules! named {
    ($ty:ident, $prefix:literal) => {
        impl $ty {
            /// Makes a name from its full text without any sigil, e.g. `ns/name`.
            pub fn new(full: &str) -> $ty {
                $ty(Arc::from(full))
            }

            /// The full text without sigil, namespace included.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The namespace part (`ns` in `ns/name`), if any. A lone `/` has none.
            pub fn namespace(&self) -> Option<&str> {
                match self.0.find('/') {
                    Some(i) if i > 0 && i + 1 < self.0.len() => Some(&self.0[..i]),
                    _ => None,
                }
            }

            /// The name part (`name` in `ns/name`).
            pub fn name(&self) -> &str {
                match self.namespace() {
                    Some(ns) => &self.0[ns.len() + 1..],
                    None => &self.0,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", $prefix, self.0)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}

named!(Keyword, ":");
named!(Symbol, "");

/// An EDN value.
///
/// Floats compare by IEEE total order so that values can be sorted, deduplicated and used as
/// join keys; `-0.0` and `0.0` are therefore distinct, as are NaNs with different payloads.
#[derive(Clone, Debug)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Char(char),
    Str(Arc<str>),
    Keyword(Keyword),
    Symbol(Symbol),
    List(Vec<Value>),
    Vector(Vec<Value>),
    /// Entries in reading order; duplicate keys are a reader error, not a value.
    Map(Vec<(Value, Value)>),
    Set(Vec<Value>),
    /// A tagged literal such as `#inst "..."`.
    Tagged(Symbol, Box<Value>),
}

impl Value {
    fn rank(&self) -> u8 {
        match self {
            Value::Nil => 0,
            Value::Bool(_) => 1,
            Value::Int(_) => 2,
            Value::Float(_) => 3,
            Value::Char(_) => 4,
            Value::Str(_) => 5,
            Value::Keyword(_) => 6,
            Value::Symbol(_) => 7,
            Value::List(_) => 8,
            Value::Vector(_) => 9,
            Value::Map(_) => 10,
            Value::Set(_) => 11,
            Value::Tagged(..) => 12,
        }
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Nil, Value::Nil) => Ordering::Equal,
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Float(a), Value::Float(b)) => a.total_cmp(b),
            (Value::Char(a), Value::Char(b)) => a.cmp(b),
            (Value::Str(a), Value::Str(b)) => a.cmp(b),
            (Value::Keyword(a), Value::Keyword(b)) => a.cmp(b),
            (Value::Symbol(a), Value::Symbol(b)) => a.cmp(b),
            (Value::List(a), Value::List(b))
            | (Value::Vector(a), Value::Vector(b))
            | (Value::Set(a), Value::Set(b)) => a.cmp(b),
            (Value::Map(a), Value::Map(b)) => a.cmp(b),
            (Value::Tagged(ta, a), Value::Tagged(tb, b)) => ta.cmp(tb).then_with(|| a.cmp(b)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            Value::Nil => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            Value::Float(f) => f.to_bits().hash(state),
            Value::Char(c) => c.hash(state),
            Value::Str(s) => s.hash(state),
            Value::Keyword(k) => k.hash(state),
            Value::Symbol(s) => s.hash(state),
            Value::List(v) | Value::Vector(v) | Value::Set(v) => v.hash(state),
            Value::Map(m) => m.hash(state),
            Value::Tagged(t, v) => {
                t.hash(state);
                v.hash(state);
            }
        }
    }
}

/// Prints EDN that the reader reads back to an equal value.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, open: &str, xs: &[Value], close: &str) -> fmt::Result {
            f.write_str(open)?;
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{x}")?;
            }
            f.write_str(close)
        }
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) if x.is_nan() => f.write_str("##NaN"),
            Value::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "##Inf" } else { "##-Inf" })
            }
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e16 => write!(f, "{x:.1}"),
            // Display would print 8e93 as 94 digits with no point, which reads as an integer too
            // big for i64; Debug's exponent form reads back as the same float (found by fuzzing).
            Value::Float(x) if x.fract() == 0.0 => write!(f, "{x:?}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Char(c) => match c {
                '\n' => f.write_str("\\newline"),
                ' ' => f.write_str("\\space"),
                '\t' => f.write_str("\\tab"),
                '\r' => f.write_str("\\return"),
                c if c.is_control() => write!(f, "\\u{:04x}", *c as u32),
                c => write!(f, "\\{c}"),
            },
            Value::Str(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\t' => f.write_str("\\t")?,
                        '\r' => f.write_str("\\r")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
            Value::Keyword(k) => write!(f, "{k}"),
            Value::Symbol(s) => write!(f, "{s}"),
            Value::List(xs) => seq(f, "(", xs, ")"),
            Value::Vector(xs) => seq(f, "[", xs, "]"),
            Value::Set(xs) => seq(f, "#{", xs, "}"),
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} {v}")?;
                }
                f.write_str("}")
            }
            Value::Tagged(tag, v) => write!(f, "#{tag} {v}"),
        }
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }
}

impl From<Keyword> for Value {
    fn from(k: Keyword) -> Value {
        Value::Keyword(k)
    }
}

impl From<Symbol> for Value {
    fn from(s: Symbol) -> Value {
        Value::Symbol(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_namespace() {
        let k = Keyword::new("yin/type");
        assert_eq!(k.namespace(), Some("yin"));
        assert_eq!(k.name(), "type");
        assert_eq!(k.to_string(), ":yin/type");
        let slash = Symbol::new("/");
        assert_eq!(slash.namespace(), None);
        assert_eq!(slash.name(), "/");
        assert_eq!(Symbol::new("call/cc").namespace(), Some("call"));
    }

    #[test]
    fn prints_edn() {
        let v = Value::Vector(vec![
            Value::Nil,
            Value::Float(2.0),
            Value::Char('\n'),
            Value::from("a\"b"),
            Value::Map(vec![(
                Keyword::new("k").into(),
                Value::Set(vec![Value::Int(1)]),
            )]),
            Value::List(vec![Symbol::new("f").into(), Value::Float(f64::INFINITY)]),
        ]);
        assert_eq!(
            v.to_string(),
            r#"[nil 2.0 \newline "a\"b" {:k #{1}} (f ##Inf)]"#
        );
    }

    #[test]
    fn floats_are_totally_ordered() {
        let mut v = [
            Value::Float(f64::NAN),
            Value::Float(1.0),
            Value::Int(3),
            Value::Nil,
        ];
        v.sort();
        assert_eq!(v[0], Value::Nil);
        assert_eq!(v[1], Value::Int(3));
        assert_eq!(v[2], Value::Float(1.0));
    }
}
