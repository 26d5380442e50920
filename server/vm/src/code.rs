//! Compiled code: the compact form the machine runs.
//!
//! The compiler turns each top-level [`Ast`](syntax::Ast) into a tree of [`Code`] nodes with every
//! variable already resolved to a frame slot, a captured value or a global index, so the machine
//! never looks a name up. Functions become [`Proto`]s; a closure is a proto plus the values it
//! captured (flat closures: only what the body uses). Loop and function bodies that `recur` can
//! jump to are listed in their proto's `loops`, and `recur` names one by index, which keeps the
//! tree acyclic (and therefore shareable, comparable and serialisable).
//!
//! Each node keeps the source range it came from and a session-unique id, which is how
//! inspection names the control and how serialised states point back into code.

use std::rc::Rc;

use edn::Symbol;
use text_size::TextRange;

use crate::reclaim::{self, Deferred};
use crate::value::Value;

pub type CodeRef = Rc<Code>;

#[derive(Debug)]
pub struct Code {
    pub id: u32,
    pub span: TextRange,
    pub op: Op,
}

/// Code may nest as deeply as a long `let` or a crafted saved state makes it: sub-nodes are
/// dropped from a work list ([`reclaim`]), not by recursion.
impl Drop for Code {
    fn drop(&mut self) {
        match self.op {
            Op::Local(_) | Op::Capture(_) | Op::SelfRef | Op::Global(_) => {}
            _ => reclaim::defer(Deferred::Op(std::mem::replace(&mut self.op, Op::SelfRef))),
        }
    }
}

#[derive(Debug)]
pub enum Op {
    /// A literal or quoted datum.
    Const(Value),
    /// A parameter or `let`/`loop` binding of the running function, by slot.
    Local(u32),
    /// A value the running closure captured, by index.
    Capture(u32),
    /// The running closure itself (a named `fn` referring to its own name).
    SelfRef,
    /// A global, by index in the store; late-bound, so redefinition is seen by callers.
    Global(u32),
    If {
        test: CodeRef,
        then: CodeRef,
        otherwise: CodeRef,
    },
    /// At least two expressions; the last is in tail position.
    Do(Rc<[CodeRef]>),
    /// One binding: evaluate `init` into `slot`, then `body`.
    Let {
        slot: u32,
        init: CodeRef,
        body: CodeRef,
    },
    /// Make a closure.
    Fn(Rc<Proto>),
    Call {
        f: CodeRef,
        args: Rc<[CodeRef]>,
        /// Whether the call is in tail position (the machine pushes no frame for it either way;
        /// the flag is for inspection and for checking `recur`).
        tail: bool,
        /// Whether the operator is a global bound to a simple primitive when compiled and every
        /// operand a leaf or such a call, so the machine may try to run it inline (it does if
        /// the global still holds a simple primitive).
        inline: bool,
    },
    /// Evaluate the arguments, store them in consecutive slots from `first_slot`, and jump to the
    /// running proto's `loops[target]`.
    Recur {
        args: Rc<[CodeRef]>,
        first_slot: u32,
        target: u32,
        /// The operand the machine may compute in place, decided when compiled: an inline call
        /// of `rest`, `next`, `assoc` or `conj` on a slot this `recur` rebinds, the other
        /// operands all leaves or inline calls (see `State::recur_in_place`). `None` for every
        /// other `recur`, which then costs no check at all.
        in_place: Option<u32>,
    },
    Def {
        global: u32,
        value: Option<CodeRef>,
        is_macro: bool,
    },
    And(Rc<[CodeRef]>),
    Or(Rc<[CodeRef]>),
    Vector(Rc<[CodeRef]>),
    /// Keys and values alternate.
    Map(Rc<[CodeRef]>),
    Set(Rc<[CodeRef]>),
    /// Code that could not be compiled; raises its message when reached.
    Fail(Rc<str>),
}

/// A function's code: one entry per arity.
#[derive(Debug)]
pub struct Proto {
    pub id: u32,
    pub name: Option<Symbol>,
    pub span: TextRange,
    pub arities: Vec<Arity>,
    /// Where each captured value comes from, in the frame that creates the closure.
    pub captures: Vec<Capture>,
    /// The name of each captured variable.
    pub capture_names: Vec<Symbol>,
    /// Bodies that `recur` jumps to: each arity's body and each `loop` body.
    pub loops: Vec<CodeRef>,
}

#[derive(Debug)]
pub struct Arity {
    /// Required parameters.
    pub params: u32,
    /// Whether extra arguments are collected into a list in slot `params`.
    pub rest: bool,
    /// Slots the frame needs (parameters and every local).
    pub slots: u32,
    /// The variable each slot holds.
    pub names: Vec<Symbol>,
    pub body: CodeRef,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// A slot of the creating frame.
    Local(u32),
    /// A value the creating closure itself captured.
    Outer(u32),
    /// The creating closure.
    SelfRef,
}

impl Proto {
    /// The arity that accepts `argc` arguments: an exact fixed arity first, then a variadic one.
    pub fn arity_for(&self, argc: usize) -> Option<(u32, &Arity)> {
        // Most functions have one fixed arity: answer without the two searches.
        if let [only] = &self.arities[..]
            && !only.rest
        {
            return (only.params as usize == argc).then_some((0, only));
        }
        let found = self
            .arities
            .iter()
            .position(|a| !a.rest && a.params as usize == argc)
            .or_else(|| {
                self.arities
                    .iter()
                    .position(|a| a.rest && argc >= a.params as usize)
            })?;
        Some((found as u32, &self.arities[found]))
    }

    /// "1", "2 or 3", "at least 1": the counts this function accepts, for arity errors.
    pub fn arity_description(&self) -> String {
        let parts: Vec<String> = self
            .arities
            .iter()
            .map(|a| {
                if a.rest {
                    format!("at least {}", a.params)
                } else {
                    a.params.to_string()
                }
            })
            .collect();
        parts.join(" or ")
    }
}

impl Op {
    /// A short name for the node kind, used by inspection.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Const(_) => "const",
            Op::Local(_) => "local",
            Op::Capture(_) => "capture",
            Op::SelfRef => "self",
            Op::Global(_) => "global",
            Op::If { .. } => "if",
            Op::Do(_) => "do",
            Op::Let { .. } => "let",
            Op::Fn(_) => "fn",
            Op::Call { .. } => "call",
            Op::Recur { .. } => "recur",
            Op::Def { .. } => "def",
            Op::And(_) => "and",
            Op::Or(_) => "or",
            Op::Vector(_) => "vector",
            Op::Map(_) => "map",
            Op::Set(_) => "set",
            Op::Fail(_) => "error",
        }
    }
}
