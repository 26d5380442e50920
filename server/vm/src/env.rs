//! The environment: the running function's frame of slots.
//!
//! Variables were resolved to slot numbers by the compiler, so the environment is a flat vector
//! of values plus the closure being run (for its captured values and its `recur` targets). It is
//! shared behind an `Rc` and copied on write: continuation frames that hold it keep their view
//! even when the running code later binds a slot, so states stay persistent values.

use std::rc::Rc;

use smallvec::SmallVec;

use crate::value::{Closure, Value};

/// A frame's slots, or a call's arguments: inline up to two, so most calls allocate nothing
/// for them.
pub type Slots = SmallVec<[Value; 2]>;

#[derive(Clone, Debug)]
pub struct Frame {
    pub slots: Slots,
    pub closure: Rc<Closure>,
    /// Which of the closure's arities is running (for slot names).
    pub arity: u32,
}

pub type Env = Rc<Frame>;

impl Frame {
    pub fn new(slots: Slots, closure: Rc<Closure>, arity: u32) -> Env {
        Rc::new(Frame {
            slots,
            closure,
            arity,
        })
    }

    /// The names of the slots, where the code says them.
    pub fn names(&self) -> &[edn::Symbol] {
        self.closure
            .proto
            .arities
            .get(self.arity as usize)
            .map_or(&[], |a| a.names.as_slice())
    }
}

/// Binds `slot`, copying the frame only if a snapshot or continuation still shares it.
#[inline]
pub(crate) fn set(env: &mut Env, slot: u32, v: Value) {
    let frame = Rc::make_mut(env);
    let i = slot as usize;
    if i >= frame.slots.len() {
        frame.slots.resize(i + 1, Value::Nil);
    }
    frame.slots[i] = v;
}

/// Binds consecutive slots from `first` (what `recur` does), checking once whether the frame is
/// shared rather than once per value.
pub(crate) fn set_all(env: &mut Env, first: u32, vals: Slots) {
    let frame = Rc::make_mut(env);
    let first = first as usize;
    let end = first + vals.len();
    if frame.slots.len() < end {
        frame.slots.resize(end, Value::Nil);
    }
    for (slot, v) in frame.slots[first..end].iter_mut().zip(vals) {
        *slot = v;
    }
}

/// Frames kept for reuse: entering a function needs a frame and returning from one usually frees
/// the callee's, so keeping a few unshared frames turns a free and a malloc per call into a
/// vector push and pop (fib 30 spends a tenth of its instructions in the allocator otherwise).
///
/// Only frames nothing else holds are kept (a continuation or snapshot that shares a frame keeps
/// it out), and their slots are emptied when kept, so the pool never changes what a program or
/// an inspector sees. It is not part of a state: a cloned state starts with an empty pool.
#[derive(Debug, Default)]
pub(crate) struct FramePool(Vec<Env>);

/// Enough for the frames one return frees before the next call needs one.
const POOL_SIZE: usize = 16;

impl Clone for FramePool {
    fn clone(&self) -> FramePool {
        FramePool::default()
    }
}

impl FramePool {
    /// A frame with these contents, reusing a kept one when there is one.
    #[inline]
    pub(crate) fn frame(&mut self, slots: Slots, closure: Rc<Closure>, arity: u32) -> Env {
        if let Some(mut env) = self.0.pop()
            && let Some(frame) = Rc::get_mut(&mut env)
        {
            frame.slots = slots;
            frame.closure = closure;
            frame.arity = arity;
            return env;
        }
        Frame::new(slots, closure, arity)
    }

    /// Keeps `env` for reuse if nothing else holds it; otherwise drops this reference.
    #[inline]
    pub(crate) fn recycle(&mut self, mut env: Env) {
        if self.0.len() < POOL_SIZE
            && let Some(frame) = Rc::get_mut(&mut env)
        {
            frame.slots.clear();
            self.0.push(env);
        }
    }
}
