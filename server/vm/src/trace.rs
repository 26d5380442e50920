//! Stack traces: the continuation at a failure, as frames a Clojure programmer reads.
//!
//! The machine has no call stack: a call pushes no frame, and what waits for a value is the
//! continuation's frames (an argument list half evaluated, a `let` binding, the test of an `if`,
//! a `map` calling its function ...). Each frame holds the environment of the function it
//! belongs to, so a trace names both what the frame waits for and in which function
//! ("argument 2 of +, in total"), with the range of the expression being evaluated there. Calls
//! in tail position leave no frame, as in any language with proper tail calls.
//!
//! A trace is taken when a run stops, before anything unwinds: an error that no `try` catches
//! leaves the continuation as it was when it was raised, and an interrupted or limited run is
//! stopped between two steps. Only the innermost [`MAX_FRAMES`] frames are described; the rest
//! are counted (the continuation knows its depth, so a million-frame trace costs no walk).

use text_size::TextRange;

use crate::code::{CodeRef, Op};
use crate::control::Control;
use crate::env::Env;
use crate::kont::{KFrame, Native};
use crate::source::{Location, SourceMap};
use crate::state::State;
use crate::store::Store;
use crate::value::Value;

/// Frames described at most; deeper ones are only counted.
pub const MAX_FRAMES: usize = 50;

/// The continuation at a failure, innermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub frames: Vec<TraceFrame>,
    /// Frames left out beyond [`MAX_FRAMES`].
    pub more: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    /// What the frame is doing, e.g. "argument 2 of +, in total".
    pub description: String,
    /// The expression it is evaluating, when the code has a position.
    pub location: Option<Location>,
}

/// The trace of `state`, whose run stopped at `site` (the failing expression's span).
pub(crate) fn capture(state: &State, site: Option<TextRange>, sources: &SourceMap) -> Trace {
    let store = &state.store;
    // An error raised while a call's last operand returns leaves a value as the control: the
    // failing call is then found in the running function's code by its span.
    let site_code = match &state.control {
        Control::Eval(code) => Some(code.clone()),
        Control::Return(_) => site.and_then(|span| code_at(&state.env, span)),
    };
    let what = match site_code.as_ref().map(|c| &c.op) {
        Some(Op::Call { f, .. }) => format!("calling {}, ", operator_name(f, &state.env, store)),
        _ => String::new(),
    };
    let site = site.or_else(|| site_code.map(|c| c.span));
    let mut frames = vec![TraceFrame {
        description: format!("{what}{}", in_function(&state.env)),
        location: site.and_then(|s| sources.locate(s)),
    }];
    for frame in state.kont.frames().take(MAX_FRAMES - 1) {
        let (description, span) = describe(frame, store);
        frames.push(TraceFrame {
            description,
            location: span.and_then(|s| sources.locate(s)),
        });
    }
    let more = (state.kont.depth() as usize).saturating_sub(MAX_FRAMES - 1);
    Trace { frames, more }
}

/// Nodes of a function's code searched for a failing call, at most.
const SEARCH_NODES: usize = 100_000;

/// The call in the running function's code whose span is `span` (not inside nested functions,
/// which run in environments of their own).
fn code_at(env: &Env, span: TextRange) -> Option<CodeRef> {
    let mut work: Vec<&CodeRef> = env.closure.proto.arities.iter().map(|a| &a.body).collect();
    let mut seen = 0;
    while let Some(code) = work.pop() {
        seen += 1;
        if seen > SEARCH_NODES {
            return None;
        }
        if code.span == span && matches!(code.op, Op::Call { .. }) {
            return Some(code.clone());
        }
        match &code.op {
            Op::If {
                test,
                then,
                otherwise,
            } => work.extend([test, then, otherwise]),
            Op::Let { init, body, .. } => work.extend([init, body]),
            Op::Call { f, args, .. } => {
                work.push(f);
                work.extend(args.iter());
            }
            Op::Def {
                value: Some(value), ..
            } => work.push(value),
            Op::Do(items)
            | Op::Recur { args: items, .. }
            | Op::And(items)
            | Op::Or(items)
            | Op::Vector(items)
            | Op::Map(items)
            | Op::Set(items) => work.extend(items.iter()),
            _ => {}
        }
    }
    None
}

/// "in area", "at top level", "in an anonymous fn".
fn in_function(env: &Env) -> String {
    match env.closure.proto.name.as_ref().map(|n| n.as_str()) {
        Some("toplevel" | "host") => "at top level".to_owned(),
        Some(name) => format!("in {name}"),
        None => "in an anonymous fn".to_owned(),
    }
}

/// A frame's description and the span of the expression it is evaluating.
fn describe(frame: &KFrame, store: &Store) -> (String, Option<TextRange>) {
    let with_env = |what: String, env: &Env, span: Option<TextRange>| {
        (format!("{what}, {}", in_function(env)), span)
    };
    match frame {
        KFrame::If { env, .. } => with_env("test of an if".to_owned(), env, None),
        KFrame::Do { code, next, env } => {
            let (n, span) = match &code.op {
                Op::Do(body) => (body.len(), nth_span(body, *next as usize)),
                _ => (0, None),
            };
            with_env(format!("expression {next} of {n} of a body"), env, span)
        }
        KFrame::Let { code, env } => {
            let (name, span) = match &code.op {
                Op::Let { slot, init, .. } => (
                    env.names()
                        .get(*slot as usize)
                        .map_or_else(|| "?".to_owned(), |s| s.as_str().to_owned()),
                    Some(init.span),
                ),
                _ => ("?".to_owned(), None),
            };
            with_env(format!("let binding {name}"), env, span)
        }
        KFrame::Args { code, f, vals, env } => {
            let i = vals.len();
            let (what, span) = match (&code.op, f) {
                (Op::Call { f: fc, .. }, None) => (
                    format!("operator of a call to {}", operator_name(fc, env, store)),
                    Some(fc.span),
                ),
                (Op::Call { args, .. }, Some(f)) => (
                    format!("argument {} of {}", i + 1, value_name(f)),
                    nth_span(args, i + 1),
                ),
                (Op::Recur { args, .. }, _) => (
                    format!("argument {} of recur", i + 1),
                    nth_span(args, i + 1),
                ),
                (Op::Vector(items), _) => (
                    format!("element {} of a vector", i + 1),
                    nth_span(items, i + 1),
                ),
                (Op::Set(items), _) => (
                    format!("element {} of a set", i + 1),
                    nth_span(items, i + 1),
                ),
                (Op::Map(items), _) => {
                    let part = if i % 2 == 0 { "key" } else { "value" };
                    (
                        format!("{part} {} of a map", i / 2 + 1),
                        nth_span(items, i + 1),
                    )
                }
                _ => ("an argument".to_owned(), None),
            };
            with_env(what, env, span.or(Some(code.span)))
        }
        KFrame::Def { code } => match &code.op {
            Op::Def { global, value, .. } => (
                format!("value of def {}", store.global_name(*global)),
                value.as_ref().map(|v| v.span).or(Some(code.span)),
            ),
            _ => ("value of a def".to_owned(), Some(code.span)),
        },
        KFrame::Logic { code, next, env } => {
            let (name, span) = match &code.op {
                Op::And(items) => ("and", nth_span(items, *next as usize)),
                Op::Or(items) => ("or", nth_span(items, *next as usize)),
                _ => ("and/or", None),
            };
            with_env(format!("operand {next} of {name}"), env, span)
        }
        KFrame::Native(native) => describe_native(native),
    }
}

fn describe_native(native: &Native) -> (String, Option<TextRange>) {
    let calling = |f: &Value, from: &str| format!("calling {} from {from}", value_name(f));
    match native {
        Native::Map { f, span, .. } => (calling(f, "map"), Some(*span)),
        Native::Filter { f, span, .. } => (calling(f, "filter"), Some(*span)),
        Native::Reduce { f, span, .. } => (calling(f, "reduce"), Some(*span)),
        Native::Sort { cmp, span, .. } => (calling(cmp, "sort"), Some(*span)),
        Native::Comp { span, .. } => ("calling a function of comp".to_owned(), Some(*span)),
        Native::Update { span, .. } => ("calling the function of update".to_owned(), Some(*span)),
        Native::Try { span, .. } => ("body of a try".to_owned(), Some(*span)),
        Native::Finally { span, .. } => ("finally of a try".to_owned(), Some(*span)),
        Native::Swap { span, .. } => ("calling the function of swap!".to_owned(), Some(*span)),
        Native::Lib { op, f, span, .. } => (calling(f, op.name()), Some(*span)),
    }
}

/// The span of the 1-based `n`th code of `items`.
fn nth_span(items: &[CodeRef], n: usize) -> Option<TextRange> {
    n.checked_sub(1)
        .and_then(|i| items.get(i))
        .map(|code| code.span)
}

/// The name a call's operator expression gives its function: a global's or a local's name.
fn operator_name(code: &CodeRef, env: &Env, store: &Store) -> String {
    let name = match &code.op {
        Op::Global(id) => Some(store.global_name(*id).as_str().to_owned()),
        Op::Local(slot) => env
            .names()
            .get(*slot as usize)
            .map(|s| s.as_str().to_owned()),
        Op::Capture(i) => env
            .closure
            .proto
            .capture_names
            .get(*i as usize)
            .map(|s| s.as_str().to_owned()),
        Op::SelfRef => env
            .closure
            .proto
            .name
            .as_ref()
            .map(|s| s.as_str().to_owned()),
        Op::Const(v) => Some(value_name(v)),
        _ => None,
    };
    name.unwrap_or_else(|| "a computed function".to_owned())
}

/// The name of a function value as a trace shows it.
fn value_name(f: &Value) -> String {
    match f {
        Value::Fn(c) => c
            .proto
            .name
            .as_ref()
            .map_or_else(|| "an anonymous fn".to_owned(), |n| n.as_str().to_owned()),
        Value::Prim(p) => p.name().to_owned(),
        Value::Partial(_) => "a partial".to_owned(),
        Value::Comp(_) => "a comp".to_owned(),
        Value::Cont(_) => "a continuation".to_owned(),
        Value::Keyword(k) => k.to_string(),
        other => other.type_name().to_owned(),
    }
}
