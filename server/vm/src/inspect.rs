//! Inspection: a state as plain data for people and editors ([`view`]), as datoms for Datalog
//! ([`datoms`]), and a bounded [`History`] of earlier states for stepping back.
//!
//! Nothing here is on the machine's hot path: it reads states and never changes them. Values are
//! shown in their printed (`pr`) form.
//!
//! The datom vocabulary (documented with examples in docs/vm.md):
//! - the configuration, entity 1: `:cfg/step` (int), `:cfg/status` (keyword `:running` `:parked`
//!   `:done` `:error`), `:cfg/control` (ref), `:cfg/kont` (ref to the innermost frame, absent when
//!   the continuation is empty), `:cfg/env` (ref), `:cfg/value` and `:cfg/error` (strings, when
//!   done or failed);
//! - the control: `:control/mode` (`:eval` or `:return`), `:control/kind` (the code kind, such as
//!   `:call` or `:if`), `:control/start`, `:control/end` (byte offsets), `:control/value` (string);
//! - each frame: `:k/tag` (keyword), `:k/depth` (int, 1 is the innermost), `:k/next` (ref to the
//!   next frame out), `:k/start`, `:k/end`, `:k/description` (string);
//! - each binding of the running frame: `:bind/name` (symbol), `:bind/value` (string),
//!   `:bind/scope` (`:local` or `:captured`), `:bind/env` (ref to the configuration's env entity);
//! - each defined global: `:global/name` (symbol), `:global/value` (string), `:global/macro`
//!   (boolean); primitives are left out;
//! - each stream: `:stream/id`, `:stream/count`, `:stream/closed`, `:stream/capacity` (when bounded).

use std::collections::VecDeque;

use edn::{Datom, Entity, Keyword, Symbol};
use text_size::TextRange;

use crate::code::Op;
use crate::control::Control;
use crate::kont::{KFrame, Native};
use crate::printer::pr_str;
use crate::state::{State, Status};
use crate::value::Value;

/// A state as an editor shows it (the `state` of `yin/debug/*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub step: u64,
    /// `running`, `parked`, `done` or `error`.
    pub status: &'static str,
    pub control: ControlView,
    /// The value, when done.
    pub value: Option<String>,
    /// The message, when failed.
    pub error: Option<String>,
    pub environment: Vec<Binding>,
    /// Innermost frame first.
    pub continuation: Vec<FrameView>,
    /// Defined globals (not primitives) and streams.
    pub store: Vec<Binding>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlView {
    /// `eval` or `return`.
    pub mode: &'static str,
    /// The kind of code being evaluated (`call`, `if`, ...), or `value`.
    pub kind: &'static str,
    pub range: Option<TextRange>,
    /// The value being returned.
    pub value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameView {
    pub kind: &'static str,
    pub range: Option<TextRange>,
    pub description: String,
}

pub fn status_name(status: &Status) -> &'static str {
    match status {
        Status::Running => "running",
        Status::Parked { .. } => "parked",
        Status::Done(_) => "done",
        Status::Failed(_) => "error",
    }
}

fn control_view(state: &State) -> ControlView {
    match &state.control {
        Control::Eval(code) => ControlView {
            mode: "eval",
            kind: code.op.kind(),
            range: Some(code.span),
            value: None,
        },
        Control::Return(v) => ControlView {
            mode: "return",
            kind: "value",
            range: None,
            value: Some(pr_str(v)),
        },
    }
}

/// The bindings of the running frame: its slots, then what its closure captured.
pub fn environment(state: &State) -> Vec<(Symbol, &'static str, Value)> {
    let frame = &state.env;
    let mut out: Vec<(Symbol, &'static str, Value)> = frame
        .names()
        .iter()
        .zip(frame.slots.iter())
        .map(|(n, v)| (n.clone(), "local", v.clone()))
        .collect();
    out.extend(
        frame
            .closure
            .proto
            .capture_names
            .iter()
            .zip(frame.closure.captures.iter())
            .map(|(n, v)| (n.clone(), "captured", v.clone())),
    );
    out
}

fn frame_view(frame: &KFrame) -> FrameView {
    let (range, description) = match frame {
        KFrame::If { then, .. } => (Some(then.span), "waiting for the test of an if".to_owned()),
        KFrame::Do { code, next, .. } => {
            let n = match &code.op {
                Op::Do(body) => body.len(),
                _ => 0,
            };
            (
                Some(code.span),
                format!("waiting for expression {next} of {n} of a do"),
            )
        }
        KFrame::Let { code, env } => {
            let name = match &code.op {
                Op::Let { slot, .. } => env
                    .names()
                    .get(*slot as usize)
                    .map_or_else(|| "?".to_owned(), |s| s.to_string()),
                _ => "?".to_owned(),
            };
            (Some(code.span), format!("waiting for the value of {name}"))
        }
        KFrame::Args { code, vals, f, .. } => {
            let (what, n) = match &code.op {
                Op::Call { args, .. } => ("call", args.len() + 1),
                Op::Recur { args, .. } => ("recur", args.len()),
                Op::Vector(xs) | Op::Set(xs) | Op::Map(xs) => (code.op.kind(), xs.len()),
                _ => ("call", 0),
            };
            let done = vals.len() + usize::from(f.is_some());
            (
                Some(code.span),
                format!("waiting for value {} of {n} of a {what}", done + 1),
            )
        }
        KFrame::Def { code } => (
            Some(code.span),
            "waiting for the value to define".to_owned(),
        ),
        KFrame::Logic { code, next, .. } => (
            Some(code.span),
            format!("waiting for operand {next} of an {}", code.op.kind()),
        ),
        KFrame::Native(n) => match &**n {
            Native::Map {
                idx, colls, span, ..
            } => (
                Some(*span),
                format!(
                    "map: element {idx} of {}",
                    colls.iter().map(|c| c.len()).min().unwrap_or(0)
                ),
            ),
            Native::Filter {
                idx, items, span, ..
            } => (
                Some(*span),
                format!("filter: element {idx} of {}", items.len()),
            ),
            Native::Reduce {
                idx, items, span, ..
            } => (
                Some(*span),
                format!("reduce: element {idx} of {}", items.len()),
            ),
            Native::Sort {
                idx, items, span, ..
            } => (
                Some(*span),
                format!("sort: inserting element {} of {}", idx + 1, items.len()),
            ),
            Native::Comp { next, span, .. } => (
                Some(*span),
                format!("comp: function {} still to call", next + 1),
            ),
            Native::Update { key, span, .. } => (
                Some(*span),
                format!("update: new value for {}", crate::printer::pr_capped(key)),
            ),
            Native::Try {
                handler,
                finally,
                span,
            } => (
                Some(*span),
                match (handler, finally) {
                    (Value::Nil, Value::Nil) => "try: waiting for the body".to_owned(),
                    (Value::Nil, _) => "try: waiting, finally to run".to_owned(),
                    _ => "try: waiting for the body; catch handler ready".to_owned(),
                },
            ),
            Native::Finally { rethrow, span, .. } => (
                Some(*span),
                if *rethrow {
                    "finally: running cleanup, then the exception goes on".to_owned()
                } else {
                    "finally: running cleanup, then the value is returned".to_owned()
                },
            ),
            Native::Swap { atom, span } => {
                (Some(*span), format!("swap!: new value for #<atom {atom}>"))
            }
            Native::Lib {
                op,
                items,
                idx,
                span,
                ..
            } => (
                Some(*span),
                if items.is_empty() {
                    format!("{}: waiting for the function", op.name())
                } else {
                    format!("{}: element {idx} of {}", op.name(), items.len())
                },
            ),
        },
    };
    FrameView {
        kind: frame.tag(),
        range,
        description,
    }
}

/// The globals a program defined (primitives left out), by name.
pub fn defined_globals(state: &State) -> Vec<(Symbol, Value, bool)> {
    let store = &state.store;
    store
        .global_info
        .iter()
        .zip(store.globals.iter())
        .filter_map(|(info, v)| match v {
            Some(Value::Prim(_)) | None => None,
            Some(v) => Some((info.name.clone(), v.clone(), info.is_macro)),
        })
        .collect()
}

/// Lists a state: control with its range, environment, continuation frames, store.
pub fn view(state: &State) -> View {
    let mut store: Vec<Binding> = defined_globals(state)
        .into_iter()
        .map(|(name, v, _)| Binding {
            name: name.to_string(),
            value: pr_str(&v),
        })
        .collect();
    for (i, s) in state.store.streams.iter().enumerate() {
        store.push(Binding {
            name: format!("#<stream {i}>"),
            value: format!(
                "{} value{}{}",
                s.items.len(),
                if s.items.len() == 1 { "" } else { "s" },
                if s.closed { ", closed" } else { "" }
            ),
        });
    }
    for (i, v) in state.store.atoms.iter().enumerate() {
        store.push(Binding {
            name: format!("#<atom {i}>"),
            value: pr_str(v),
        });
    }
    View {
        step: state.steps,
        status: status_name(&state.status),
        control: control_view(state),
        value: match &state.status {
            Status::Done(v) => Some(pr_str(v)),
            _ => None,
        },
        error: match &state.status {
            Status::Failed(e) => Some(e.message().to_owned()),
            _ => None,
        },
        environment: environment(state)
            .into_iter()
            .map(|(n, _, v)| Binding {
                name: n.to_string(),
                value: pr_str(&v),
            })
            .collect(),
        continuation: state.kont.frames().map(frame_view).collect(),
        store,
    }
}

struct Datoms {
    out: Vec<Datom>,
    next: Entity,
}

impl Datoms {
    fn entity(&mut self) -> Entity {
        self.next += 1;
        self.next
    }

    fn add(&mut self, e: Entity, a: &str, v: impl Into<edn::Value>) {
        self.out.push(Datom::new(e, Keyword::new(a), v));
    }

    fn range(&mut self, e: Entity, prefix: &str, range: Option<TextRange>) {
        if let Some(r) = range {
            self.add(
                e,
                &format!("{prefix}/start"),
                i64::from(u32::from(r.start())),
            );
            self.add(e, &format!("{prefix}/end"), i64::from(u32::from(r.end())));
        }
    }
}

fn kw(name: &str) -> edn::Value {
    edn::Value::Keyword(Keyword::new(name))
}

fn reference(e: Entity) -> edn::Value {
    edn::Value::Int(e as i64)
}

/// The state as datoms, in the vocabulary documented above, so that questions such as "which
/// frames are waiting" are Datalog queries. Entity 1 is the configuration; the others are
/// numbered from 2 in an unspecified but deterministic order.
pub fn datoms(state: &State) -> Vec<Datom> {
    let mut d = Datoms {
        out: Vec::new(),
        next: 1,
    };
    let cfg: Entity = 1;
    let view = view(state);
    d.add(cfg, "cfg/step", state.steps as i64);
    d.add(cfg, "cfg/status", kw(view.status));
    if let Some(v) = &view.value {
        d.add(cfg, "cfg/value", v.as_str());
    }
    if let Some(e) = &view.error {
        d.add(cfg, "cfg/error", e.as_str());
    }

    let control = d.entity();
    d.add(cfg, "cfg/control", reference(control));
    d.add(control, "control/mode", kw(view.control.mode));
    d.add(control, "control/kind", kw(view.control.kind));
    d.range(control, "control", view.control.range);
    if let Some(v) = &view.control.value {
        d.add(control, "control/value", v.as_str());
    }

    let frames: Vec<Entity> = view.continuation.iter().map(|_| d.entity()).collect();
    if let Some(&first) = frames.first() {
        d.add(cfg, "cfg/kont", reference(first));
    }
    for (i, (f, &e)) in view.continuation.iter().zip(&frames).enumerate() {
        d.add(e, "k/tag", kw(f.kind));
        d.add(e, "k/depth", (i + 1) as i64);
        d.add(e, "k/description", f.description.as_str());
        d.range(e, "k", f.range);
        if let Some(&next) = frames.get(i + 1) {
            d.add(e, "k/next", reference(next));
        }
    }

    let env = d.entity();
    d.add(cfg, "cfg/env", reference(env));
    for (name, scope, v) in environment(state) {
        let b = d.entity();
        d.add(b, "bind/name", edn::Value::Symbol(name));
        d.add(b, "bind/value", pr_str(&v).as_str());
        d.add(b, "bind/scope", kw(scope));
        d.add(b, "bind/env", reference(env));
    }

    for (name, v, is_macro) in defined_globals(state) {
        let g = d.entity();
        d.add(g, "global/name", edn::Value::Symbol(name));
        d.add(g, "global/value", pr_str(&v).as_str());
        d.add(g, "global/macro", is_macro);
    }

    for (i, s) in state.store.streams.iter().enumerate() {
        let e = d.entity();
        d.add(e, "stream/id", i as i64);
        d.add(e, "stream/count", s.items.len() as i64);
        d.add(e, "stream/closed", s.closed);
        if let Some(c) = s.capacity {
            d.add(e, "stream/capacity", c as i64);
        }
    }

    for (i, v) in state.store.atoms.iter().enumerate() {
        let e = d.entity();
        d.add(e, "atom/id", i as i64);
        d.add(e, "atom/value", pr_str(v).as_str());
    }
    d.out
}

/// Earlier states, newest last, at most `capacity` of them. States are persistent, so keeping
/// one costs a few pointer copies and stepping back replays nothing.
#[derive(Clone, Debug)]
pub struct History {
    states: VecDeque<State>,
    capacity: usize,
}

impl History {
    pub fn new(capacity: usize) -> History {
        History {
            states: VecDeque::new(),
            capacity,
        }
    }

    pub fn push(&mut self, state: State) {
        if self.capacity == 0 {
            return;
        }
        if self.states.len() == self.capacity {
            self.states.pop_front();
        }
        self.states.push_back(state);
    }

    /// The state before the latest one pushed, removing it.
    pub fn back(&mut self) -> Option<State> {
        self.states.pop_back()
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
}
