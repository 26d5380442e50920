//! Dropping deep structures without the host's stack.
//!
//! Two kinds of structure can be as deep as a program or a file makes them: chains of
//! continuations (a loop that captures a continuation per iteration keeps each previous one in a
//! frame of the next) and code (a long `let` nests one node per binding; a saved state may nest
//! code, functions and their bodies however it likes). Dropping them recursively would overflow
//! the stack, so their `Drop` impls hand their children to [`defer`]: the outermost drop on a
//! thread keeps a work list and frees one item at a time, and a drop that starts while it runs
//! only queues. What still recurses is a collection's elements, which
//! [`MAX_DEPTH`](crate::value::MAX_DEPTH) bounds.

use std::cell::RefCell;

use crate::code::Op;
use crate::kont::Kont;

/// Something whose drop may reach arbitrarily deep.
#[expect(
    dead_code,
    reason = "the payloads are held only to be dropped from the work list"
)]
pub(crate) enum Deferred {
    /// A captured continuation's frames.
    Kont(Kont),
    /// A code node's operation, with its sub-nodes.
    Op(Op),
}

thread_local! {
    /// Items waiting to be dropped, while a drop is under way on this thread.
    static PENDING: RefCell<Option<Vec<Deferred>>> = const { RefCell::new(None) };
}

/// Drops `item`, iteratively with respect to whatever it holds that defers in turn.
pub(crate) fn defer(item: Deferred) {
    let first = PENDING.try_with(|p| {
        let mut p = p.borrow_mut();
        match p.as_mut() {
            Some(pending) => {
                pending.push(item);
                None
            }
            None => {
                *p = Some(Vec::new());
                Some(item)
            }
        }
    });
    // `Ok(None)`: a drop under way frees what was queued. `Err`: the thread is exiting and its
    // work list is gone, so the item was dropped in place.
    if let Ok(Some(first)) = first {
        drop(first);
        // Pop outside the borrow: dropping an item queues more.
        while let Some(next) = PENDING.with(|p| p.borrow_mut().as_mut().and_then(Vec::pop)) {
            drop(next);
        }
        PENDING.with(|p| *p.borrow_mut() = None);
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use text_size::TextRange;

    use crate::code::{Code, Op};
    use crate::kont::{KFrame, Kont, Native};
    use crate::value::{Continuation, Value};

    #[test]
    fn a_long_chain_of_continuations_drops() {
        let mut k = Value::Nil;
        for id in 0..300_000 {
            let mut kont = Kont::default();
            kont.push(KFrame::Native(Box::new(Native::Update {
                map: k,
                key: Value::Nil,
                span: TextRange::default(),
            })));
            k = Value::Cont(Rc::new(Continuation { id, kont }));
        }
        drop(k);
    }

    #[test]
    fn deeply_nested_code_drops() {
        let mut code = Rc::new(Code {
            id: 0,
            span: TextRange::default(),
            op: Op::Const(Value::Nil),
        });
        for id in 1..300_000 {
            code = Rc::new(Code {
                id,
                span: TextRange::default(),
                op: Op::Let {
                    slot: 0,
                    init: code.clone(),
                    body: code,
                },
            });
        }
        drop(code);
    }
}
