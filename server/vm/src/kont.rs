//! The continuation: what to do with the value being computed, as an immutable linked list of
//! frames shared through `Rc`s.
//!
//! Capturing a continuation (`call/cc`, parking, a snapshot) is a pointer copy; re-entering one
//! is replacing the current list. Calls in tail position push nothing, so a loop of tail calls runs
//! in constant continuation space. Dropping a long list is iterative, so a million-frame
//! continuation does not overflow the host's stack when it is freed.

use std::rc::Rc;

use imbl::Vector;
use text_size::TextRange;

use crate::code::CodeRef;
use crate::env::{Env, Slots};
use crate::value::{Comp, Value};

/// A continuation: `None` is "halt: this value is the result".
#[derive(Clone, Debug, Default)]
pub struct Kont(pub Option<Rc<KNode>>);

#[derive(Clone, Debug)]
pub struct KNode {
    pub frame: KFrame,
    pub next: Kont,
    /// Number of frames in this list, for the depth limit and inspection.
    pub depth: u32,
}

/// A frame waiting for a value.
#[derive(Clone, Debug)]
pub enum KFrame {
    /// Waiting for the test of an `if`.
    If {
        then: CodeRef,
        otherwise: CodeRef,
        env: Env,
    },
    /// Waiting for `body[next - 1]` of a `do`; `body[next]` is evaluated next.
    Do { code: CodeRef, next: u32, env: Env },
    /// Waiting for the value of a `let` binding.
    Let { code: CodeRef, env: Env },
    /// Waiting for an operator or argument of a call, or an element of a `recur` or a collection
    /// literal (`code` says which): `f` and `vals` hold what is evaluated so far.
    Args {
        code: CodeRef,
        f: Option<Value>,
        vals: Slots,
        env: Env,
    },
    /// Waiting for the value of a `def`.
    Def { code: CodeRef },
    /// Waiting for an operand of `and` (`is_and`) or `or`; `next` is evaluated next.
    Logic { code: CodeRef, next: u32, env: Env },
    /// A higher-order primitive (`map`, `filter`, `reduce`, `sort`, `comp`, `update`) waiting
    /// for the function it called. Boxed: these are rare and large, and every frame is as big as
    /// the largest variant.
    Native(Box<Native>),
}

/// The state of a higher-order primitive between calls of its function.
#[derive(Clone, Debug)]
pub enum Native {
    /// `(map f c1 c2 ...)`: waiting for `f` of element `idx - 1`.
    Map {
        f: Value,
        colls: Vec<Vector<Value>>,
        idx: usize,
        acc: Vector<Value>,
        span: TextRange,
    },
    /// `(filter pred coll)`: waiting for `pred` of element `idx - 1`.
    Filter {
        f: Value,
        items: Vector<Value>,
        idx: usize,
        acc: Vector<Value>,
        span: TextRange,
    },
    /// `(reduce f init coll)`: waiting for the accumulator after element `idx - 1`.
    Reduce {
        f: Value,
        items: Vector<Value>,
        idx: usize,
        span: TextRange,
    },
    /// `(sort cmp coll)` by binary insertion: waiting for `(cmp item (sorted mid))`.
    Sort {
        cmp: Value,
        items: Vector<Value>,
        idx: usize,
        sorted: Vector<Value>,
        lo: usize,
        hi: usize,
        span: TextRange,
    },
    /// `((comp f g h) x)`: waiting for the value to pass to `fns[next - 1]`.
    Comp {
        comp: Rc<Comp>,
        next: usize,
        span: TextRange,
    },
    /// `(update m k f args...)`: waiting for the new value of `k`.
    Update {
        map: Value,
        key: Value,
        span: TextRange,
    },
    /// A `try`'s handler frame, waiting for the body's value. An exception (a `throw`, or a
    /// catchable runtime error) raised while this frame is on the continuation jumps here:
    /// the continuation is cut back to this frame, then `handler` (a one-argument function, or
    /// `nil` when there is no `catch`) runs, then `finally` (a thunk or `nil`).
    Try {
        handler: Value,
        finally: Value,
        span: TextRange,
    },
    /// Waiting for a `finally` thunk; then `value` is returned, or thrown again when
    /// `rethrow` (a `try` without `catch`, or a handler that threw).
    Finally {
        value: Value,
        rethrow: bool,
        span: TextRange,
    },
    /// `(swap! a f args...)`: waiting for the atom's new value.
    Swap { atom: u32, span: TextRange },
    /// A library function of `crate::hof` (`some`, `group-by`, `sort-by` ...) waiting for the
    /// function it called on `items[idx - 1]`; `acc` and `extra` are its own state.
    Lib {
        op: crate::hof::LibOp,
        f: Value,
        items: Vector<Value>,
        idx: usize,
        acc: Value,
        extra: Value,
        span: TextRange,
    },
}

impl Kont {
    /// Pushes a frame in place (taking the old list rather than sharing it saves a reference
    /// count round trip on every non-tail call).
    pub fn push(&mut self, frame: KFrame) {
        let depth = self.depth() + 1;
        let next = Kont(self.0.take());
        self.0 = Some(Rc::new(KNode { frame, next, depth }));
    }

    pub fn depth(&self) -> u32 {
        self.0.as_ref().map_or(0, |n| n.depth)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The frames from the innermost out.
    pub fn frames(&self) -> impl Iterator<Item = &KFrame> + '_ {
        let mut cur = self.0.as_deref();
        std::iter::from_fn(move || {
            let node = cur?;
            cur = node.next.0.as_deref();
            Some(&node.frame)
        })
    }
}

impl Drop for Kont {
    #[inline]
    fn drop(&mut self) {
        if self.0.is_some() {
            self.drop_list();
        }
    }
}

impl Kont {
    #[inline(never)]
    fn drop_list(&mut self) {
        let mut next = self.0.take();
        while let Some(node) = next {
            match Rc::try_unwrap(node) {
                Ok(mut node) => next = node.next.0.take(),
                Err(_) => break,
            }
        }
    }
}

impl KFrame {
    /// The frame kind, as inspection names it (`:k/tag`).
    pub fn tag(&self) -> &'static str {
        match self {
            KFrame::If { .. } => "if",
            KFrame::Do { .. } => "do",
            KFrame::Let { .. } => "let",
            KFrame::Args { .. } => "args",
            KFrame::Def { .. } => "def",
            KFrame::Logic { .. } => "logic",
            KFrame::Native(n) => match **n {
                Native::Map { .. } => "map",
                Native::Filter { .. } => "filter",
                Native::Reduce { .. } => "reduce",
                Native::Sort { .. } => "sort",
                Native::Comp { .. } => "comp",
                Native::Update { .. } => "update",
                Native::Try { .. } => "try",
                Native::Finally { .. } => "finally",
                Native::Swap { .. } => "swap",
                Native::Lib { op, .. } => op.name(),
            },
        }
    }
}
