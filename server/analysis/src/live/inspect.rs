//! Results as editors see them: values printed within the request's bounds, and the handles
//! that keep a value on the evaluation thread so the inspector can page through it lazily
//! (`yin/inspect`).
//!
//! Handles are numbered for the whole server (the inspector names only the handle); each
//! session keeps at most [`MAX_HANDLES`], the oldest forgotten first, and a reset forgets its
//! session's.

use std::collections::{BTreeMap, HashMap};

use vm::Value;

use super::session::PrintOptions;

/// Handles one session keeps.
pub const MAX_HANDLES: usize = 10_000;
/// How an inspector item is printed.
const ITEM_PRINT: PrintOptions = PrintOptions {
    max_length: 200,
    max_depth: 3,
    max_items: 100,
};
/// Characters of a string one inspector item stands for.
const CHARS_PER_ITEM: usize = 100;
/// `yin/inspect/text` cuts the whole value here.
pub const MAX_TEXT: usize = 8 << 20;

/// A printed value: its text cut by the print options, and a handle when it is worth browsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Printed {
    pub text: String,
    pub truncated: bool,
    pub handle: Option<u64>,
}

#[derive(Default)]
pub struct HandleTable {
    values: BTreeMap<u64, (String, Value)>,
    /// Per root, its handles in creation order (the oldest first out).
    by_root: HashMap<String, std::collections::VecDeque<u64>>,
    next: u64,
}

impl HandleTable {
    fn keep(&mut self, root: &str, value: Value) -> u64 {
        self.next += 1;
        let handle = self.next;
        let order = self.by_root.entry(root.to_owned()).or_default();
        order.push_back(handle);
        if order.len() > MAX_HANDLES
            && let Some(oldest) = order.pop_front()
        {
            self.values.remove(&oldest);
        }
        self.values.insert(handle, (root.to_owned(), value));
        handle
    }

    pub fn get(&self, handle: u64) -> Option<(&str, &Value)> {
        self.values
            .get(&handle)
            .map(|(root, value)| (root.as_str(), value))
    }

    pub fn count(&self, root: &str) -> usize {
        self.by_root
            .get(root)
            .map_or(0, std::collections::VecDeque::len)
    }

    pub fn forget_root(&mut self, root: &str) {
        if let Some(order) = self.by_root.remove(root) {
            for handle in order {
                self.values.remove(&handle);
            }
        }
    }
}

/// Whether a value gets a handle: what the inspector can open.
fn browsable(v: &Value) -> bool {
    matches!(
        v,
        Value::List(_)
            | Value::Vector(_)
            | Value::Map(_)
            | Value::Set(_)
            | Value::Str(_)
            | Value::Atom(_)
            | Value::Fn(_)
            | Value::Prim(_)
            | Value::Partial(_)
            | Value::Comp(_)
    )
}

/// Prints `v` within `options`, with a handle in `root`'s session when it is browsable.
pub fn print(v: &Value, options: &PrintOptions, root: &str, handles: &mut HandleTable) -> Printed {
    let (text, truncated) = cut(v, options);
    Printed {
        text,
        truncated,
        handle: browsable(v).then(|| handles.keep(root, v.clone())),
    }
}

/// The `pr` form cut to the options' length, with `...` where it was cut.
fn cut(v: &Value, options: &PrintOptions) -> (String, bool) {
    let full = vm::pr_str(v);
    cut_text(full, options.max_length)
}

fn cut_text(mut text: String, max_chars: usize) -> (String, bool) {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => {
            text.truncate(end);
            text.push_str("...");
            (text, true)
        }
        None => (text, false),
    }
}

/// An inspector page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub kind: &'static str,
    pub count: usize,
    pub offset: usize,
    pub items: Vec<PageItem>,
    pub text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageItem {
    pub key: Option<String>,
    pub value: Printed,
}

/// The error for a handle no session keeps.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown handle {0}: the session was reset or the value is no longer kept; evaluate it again"
)]
pub struct UnknownHandle(pub u64);

/// The page `[offset, offset + count)` of the value behind `handle`; `atom` reads an atom's
/// current value in a root's session.
pub fn page(
    handles: &mut HandleTable,
    atom: &dyn Fn(&str, u32) -> Option<Value>,
    handle: u64,
    offset: usize,
    count: usize,
) -> Result<Page, UnknownHandle> {
    let (root, value) = handles.get(handle).ok_or(UnknownHandle(handle))?;
    let (root, value) = (root.to_owned(), value.clone());
    let mut item = |key: Option<String>, v: &Value| PageItem {
        key,
        value: print(v, &ITEM_PRINT, &root, handles),
    };
    Ok(match &value {
        Value::List(seq) | Value::Vector(seq) => Page {
            kind: if matches!(value, Value::List(_)) {
                "list"
            } else {
                "vector"
            },
            count: seq.items.len(),
            offset,
            // Indexed, so a page deep into a long vector costs its own items only.
            items: (offset..offset.saturating_add(count).min(seq.items.len()))
                .filter_map(|i| seq.items.get(i))
                .map(|v| item(None, v))
                .collect(),
            text: None,
        },
        Value::Map(map) => Page {
            kind: "map",
            count: map.len(),
            offset,
            items: map
                .iter()
                .skip(offset)
                .take(count)
                .map(|(k, v)| item(Some(cut(k, &ITEM_PRINT).0), v))
                .collect(),
            text: None,
        },
        Value::Set(set) => Page {
            kind: "set",
            count: set.len(),
            offset,
            items: set
                .iter()
                .skip(offset)
                .take(count)
                .map(|v| item(None, v))
                .collect(),
            text: None,
        },
        Value::Str(s) => Page {
            kind: "string",
            count: s.chars().count(),
            offset,
            items: Vec::new(),
            text: Some(
                s.chars()
                    .skip(offset)
                    .take(count.saturating_mul(CHARS_PER_ITEM))
                    .collect(),
            ),
        },
        Value::Atom(id) => {
            let current = atom(&root, *id).unwrap_or(Value::Nil);
            Page {
                kind: "atom",
                count: 1,
                offset,
                items: if offset == 0 {
                    vec![item(Some("@".to_owned()), &current)]
                } else {
                    Vec::new()
                },
                text: None,
            }
        }
        other => Page {
            kind: if other.is_fn() { "fn" } else { "other" },
            count: 0,
            offset,
            items: Vec::new(),
            text: Some(cut(other, &PrintOptions::default()).0),
        },
    })
}

/// The whole value behind `handle` in `pr` form, cut at [`MAX_TEXT`] characters.
pub fn whole_text(handles: &HandleTable, handle: u64) -> Result<(String, bool), UnknownHandle> {
    let (_, value) = handles.get(handle).ok_or(UnknownHandle(handle))?;
    Ok(cut_text(vm::pr_str(value), MAX_TEXT))
}
