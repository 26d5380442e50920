//! The store: everything a program can reach that is not in a frame. Globals (late-bound, by
//! index), streams and their cursors, atoms, counters for fresh ids, and every compiled top-level proto
//! (so a serialised state carries its own code).
//!
//! All of it is persistent (`imbl`), so cloning a state to keep it in the history costs a few
//! pointer copies, and a step that defines a global or puts on a stream copies only a path.

use std::rc::Rc;

use edn::Symbol;
use imbl::{HashMap, Vector};

use crate::code::Proto;
use crate::value::Value;

#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Global values by index; `None` until defined. A plain vector copied on write rather than
    /// an `imbl` one: globals are read on every call and written only by `def`, so indexing must
    /// be as cheap as possible and an occasional copy of a few hundred pointers is nothing.
    pub globals: Rc<Vec<Option<Value>>>,
    /// Name and flags of each global, by index.
    pub global_info: Vector<GlobalInfo>,
    pub global_ids: HashMap<Symbol, u32>,
    pub streams: Vector<Stream>,
    pub cursors: Vector<Cursor>,
    /// The current value of each atom, by id (`Value::Atom`).
    pub atoms: Vector<Value>,
    /// Every compiled top-level form, in compilation order.
    pub programs: Vector<Rc<Proto>>,
    pub next_code_id: u32,
    pub next_proto_id: u32,
    pub next_cont_id: u64,
    pub next_gensym: u64,
    /// Definitions made so far (`def`, `defn`, `defmacro` ...): a clock that tells a host which
    /// globals a run defined ([`Store::defined_since`]).
    pub definitions: u64,
    /// Globals, cursors, streams, stream items and atoms held: what the store cap limits.
    pub cells: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalInfo {
    pub name: Symbol,
    pub is_macro: bool,
    /// The [`Store::definitions`] clock at its last definition (0: not defined since the clock
    /// started).
    pub defined: u64,
}

/// A stream is an append-only log; cursors read it independently.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    pub items: Vector<Value>,
    /// At most this many values may be unread by the slowest cursor (or stored, with no
    /// cursor); `stream/put!` parks beyond it. `None` is unbounded.
    pub capacity: Option<usize>,
    pub closed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub stream: u32,
    pub pos: usize,
}

impl Store {
    /// The index of global `name`, creating an undefined one the first time it is mentioned.
    pub fn intern_global(&mut self, name: &Symbol) -> u32 {
        if let Some(&id) = self.global_ids.get(name) {
            return id;
        }
        let id = self.globals.len() as u32;
        Rc::make_mut(&mut self.globals).push(None);
        self.global_info.push_back(GlobalInfo {
            name: name.clone(),
            is_macro: false,
            defined: 0,
        });
        self.global_ids.insert(name.clone(), id);
        self.cells += 1;
        id
    }

    #[inline]
    pub fn global(&self, id: u32) -> Option<&Value> {
        self.globals.get(id as usize).and_then(Option::as_ref)
    }

    pub fn global_name(&self, id: u32) -> Symbol {
        self.global_info
            .get(id as usize)
            .map_or_else(|| Symbol::new("?"), |g| g.name.clone())
    }

    pub fn define(&mut self, id: u32, v: Value, is_macro: bool) {
        let i = id as usize;
        if let Some(slot) = Rc::make_mut(&mut self.globals).get_mut(i) {
            *slot = Some(v);
            self.definitions += 1;
            if let Some(info) = self.global_info.get_mut(i) {
                info.is_macro = is_macro;
                info.defined = self.definitions;
            }
        }
    }

    /// The globals defined after the clock read `mark`, in the order of their last definition.
    /// Reads every global's flags, which is cheap next to running a form.
    pub fn defined_since(&self, mark: u64) -> Vec<Symbol> {
        let mut found: Vec<(u64, Symbol)> = self
            .global_info
            .iter()
            .filter(|g| g.defined > mark)
            .map(|g| (g.defined, g.name.clone()))
            .collect();
        found.sort_unstable_by_key(|(at, _)| *at);
        found.into_iter().map(|(_, name)| name).collect()
    }

    /// The macro function bound to `name`, if `name` is a macro.
    pub fn macro_fn(&self, name: &Symbol) -> Option<&Value> {
        let id = *self.global_ids.get(name)?;
        let info = self.global_info.get(id as usize)?;
        if info.is_macro { self.global(id) } else { None }
    }

    pub fn fresh_code_id(&mut self) -> u32 {
        self.next_code_id += 1;
        self.next_code_id
    }

    pub fn fresh_proto_id(&mut self) -> u32 {
        self.next_proto_id += 1;
        self.next_proto_id
    }

    pub fn fresh_cont_id(&mut self) -> u64 {
        self.next_cont_id += 1;
        self.next_cont_id
    }
}
