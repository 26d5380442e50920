//! Results as editors see them: values printed within the request's bounds, and the handles
//! that keep a value on the evaluation thread so the inspector can page through it lazily
//! (`yin/inspect`).
//!
//! Handles are numbered for the whole server (the inspector names only the handle); each
//! session keeps at most [`MAX_HANDLES`], the oldest forgotten first, and a reset forgets its
//! session's.

use std::collections::{BTreeMap, HashMap};

use vm::page::Kind;
use vm::{PrintLimits, Session, Value, pr_limited};

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

/// Whether a value gets a handle: what the inspector can open or show.
fn browsable(v: &Value) -> bool {
    let kind = Kind::of(v);
    kind.has_parts() || kind == Kind::Fn
}

/// Prints `v` within `options`, with a handle in `root`'s session when it is browsable.
pub fn print(v: &Value, options: &PrintOptions, root: &str, handles: &mut HandleTable) -> Printed {
    let printed = pr_limited(v, &limits(options));
    Printed {
        text: printed.text,
        truncated: printed.truncated,
        handle: browsable(v).then(|| handles.keep(root, v.clone())),
    }
}

fn limits(options: &PrintOptions) -> PrintLimits {
    PrintLimits {
        max_length: options.max_length,
        max_depth: options.max_depth,
        max_items: options.max_items,
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

/// The page `[offset, offset + count)` of `value`, kept by `root`'s session `machine` (an atom
/// is read in its store): each item printed for the inspector, with a handle of its own.
pub(crate) fn page(
    machine: &Session,
    handles: &mut HandleTable,
    root: &str,
    value: &Value,
    offset: usize,
    count: usize,
) -> Page {
    let count = if Kind::of(value) == Kind::String {
        count.saturating_mul(CHARS_PER_ITEM)
    } else {
        count
    };
    let page = machine.page(value, offset, count);
    Page {
        kind: page.kind.name(),
        count: page.count,
        offset: page.offset,
        items: page
            .items
            .iter()
            .map(|item| PageItem {
                key: item
                    .key
                    .as_ref()
                    .map(|key| pr_limited(key, &PrintLimits::ITEM).text),
                value: print(&item.value, &ITEM_PRINT, root, handles),
            })
            .collect(),
        text: page.text,
    }
}

/// The whole value in `pr` form, cut at [`MAX_TEXT`] characters.
pub(crate) fn whole_text(value: &Value) -> Printed {
    let printed = pr_limited(
        value,
        &PrintLimits {
            max_length: MAX_TEXT,
            max_depth: vm::MAX_DEPTH,
            max_items: usize::MAX,
        },
    );
    Printed {
        text: printed.text,
        truncated: printed.truncated,
        handle: None,
    }
}
