//! Pages of a value, for an inspector that browses a large result a page at a time.
//!
//! A page costs what it holds, not what the value holds: vectors and lists are `imbl` vectors
//! (an index is O(log n), and iteration starts there), maps and sets iterate in insertion order
//! and skip to the offset (O(offset), with no allocation per skipped entry), and a string's
//! characters are found by one scan up to the page's end. Values stay `Rc`-shared: an item is
//! the value itself, for the host to print or to page into in turn.

use crate::printer::{PrintLimits, pr_limited};
use crate::store::Store;
use crate::value::Value;

/// How much of a function's or another part-less value's `pr` form a page's text holds (an
/// exception's data can be large).
const TEXT: PrintLimits = PrintLimits {
    max_length: 100_000,
    max_depth: 10,
    max_items: 1_000,
};

/// What an inspector shows a value as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    List,
    Vector,
    Map,
    Set,
    String,
    Atom,
    Fn,
    Other,
}

impl Kind {
    /// The protocol's name for it (`"vector"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::List => "list",
            Kind::Vector => "vector",
            Kind::Map => "map",
            Kind::Set => "set",
            Kind::String => "string",
            Kind::Atom => "atom",
            Kind::Fn => "fn",
            Kind::Other => "other",
        }
    }

    pub fn of(v: &Value) -> Kind {
        match v {
            Value::List(_) => Kind::List,
            Value::Vector(_) => Kind::Vector,
            Value::Map(_) => Kind::Map,
            Value::Set(_) => Kind::Set,
            Value::Str(_) => Kind::String,
            Value::Atom(_) => Kind::Atom,
            v if v.is_fn() => Kind::Fn,
            _ => Kind::Other,
        }
    }

    /// Whether a value of this kind has parts an inspector can open.
    pub fn has_parts(self) -> bool {
        !matches!(self, Kind::Fn | Kind::Other)
    }
}

/// Items `[offset, offset + count)` of a value (fewer at the end; none past it).
#[derive(Clone, Debug)]
pub struct Page {
    pub kind: Kind,
    /// Elements, entries of a map, characters of a string; 1 for an atom, 0 otherwise.
    pub count: usize,
    pub offset: usize,
    pub items: Vec<Item>,
    /// A string's characters `[offset, offset + count)`; the `pr` form of a function or of
    /// anything else without parts.
    pub text: Option<String>,
}

/// One element, or one entry of a map (with its key); an atom's current value.
#[derive(Clone, Debug)]
pub struct Item {
    pub key: Option<Value>,
    pub value: Value,
}

/// The page of `v` from `offset`, at most `count` items (or characters of a string). `store`
/// is the one the value was made in: an atom's current value is read there.
pub fn page(v: &Value, store: &Store, offset: usize, count: usize) -> Page {
    let kind = Kind::of(v);
    let element = |x: &Value| Item {
        key: None,
        value: x.clone(),
    };
    let mut page = Page {
        kind,
        count: 0,
        offset,
        items: Vec::new(),
        text: None,
    };
    match v {
        // A list is walked to the offset: pointer steps, no copy.
        Value::List(l) => {
            page.count = l.len();
            page.items = l.iter().skip(offset).take(count).map(element).collect();
        }
        Value::Vector(s) => {
            page.count = s.items.len();
            if offset < s.items.len() {
                let end = offset.saturating_add(count).min(s.items.len());
                page.items = s
                    .items
                    .focus()
                    .narrow(offset..end)
                    .into_iter()
                    .map(element)
                    .collect();
            }
        }
        Value::Set(s) => {
            page.count = s.len();
            page.items = s.iter().skip(offset).take(count).map(element).collect();
        }
        Value::Map(m) => {
            page.count = m.len();
            page.items = m
                .iter()
                .skip(offset)
                .take(count)
                .map(|(k, x)| Item {
                    key: Some(k.clone()),
                    value: x.clone(),
                })
                .collect();
        }
        Value::Str(s) => {
            page.count = s.chars().count();
            page.text = Some(s.chars().skip(offset).take(count).collect());
        }
        Value::Atom(id) => {
            page.count = 1;
            if offset == 0 && count > 0 {
                page.items = store
                    .atoms
                    .get(*id as usize)
                    .map(element)
                    .into_iter()
                    .collect();
            }
        }
        other => page.text = Some(pr_limited(other, &TEXT).text),
    }
    page
}
