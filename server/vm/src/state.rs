//! The machine: a CESK state and its one step function.
//!
//! A [`State`] is control (code to evaluate or a value to return), environment (the running
//! frame), store (globals, streams) and continuation (frames waiting for a value), plus a step
//! count and a status. Every part is a persistent value, so `state.clone()` is a snapshot.
//!
//! [`State::step`] performs one transition. It reads as a table: evaluating a node dispatches on
//! the node's operation, returning a value dispatches on the innermost frame, and each arm
//! delegates to a named method. Leaves (constants, variables, closures) and calls of simple
//! primitives on leaves are evaluated inline, without a step of their own, which keeps steps
//! meaningful (one per call, branch, binding or return) and the machine fast. Calls push no
//! frame, so tail calls run in constant continuation space.

use std::rc::Rc;
use std::time::Instant;

use text_size::TextRange;

use crate::code::{Capture, Code, CodeRef, Op, Proto};
use crate::control::Control;
use crate::env::{self, Env, Frame, FramePool, Slots};
use crate::error::{Error, ErrorKind};
use crate::kont::{KFrame, KNode, Kont, Native};
use crate::limits::Limits;
use crate::output::Output;
use crate::prim::{self, Ctx, Flow, Prim};
use crate::store::Store;
use crate::value::{Closure, Continuation, Value};

/// Where a run stands.
#[derive(Clone, Debug)]
pub enum Status {
    /// More steps to take.
    Running,
    /// Finished with this value.
    Done(Value),
    /// Suspended with nothing left to run: `(park)`, or a stream operation that must wait.
    /// [`State::resume`] continues it with a value.
    Parked { reason: String },
    /// Stopped by an error (including a limit).
    Failed(Error),
}

#[derive(Clone, Debug)]
pub struct State {
    pub control: Control,
    pub env: Env,
    pub kont: Kont,
    pub store: Store,
    /// Steps taken so far (cumulative over a session's forms).
    pub steps: u64,
    pub status: Status,
    /// The limits of the current run; set by [`State::run`].
    pub limits: Limits,
    deadline: Option<Instant>,
    /// What the thread may hold before the run stops ([`crate::memory`]); set by [`State::run`].
    memory_ceiling: isize,
    spare: FramePool,
}

/// The error an uncaught exception ends the run with: a caught runtime error thrown again keeps
/// its kind and message.
fn uncaught(ex: &Value) -> Error {
    match ex {
        Value::Ex(x) => match x.kind {
            Some(kind) => Error::new(kind, x.message.to_string()),
            None => {
                let mut message = format!("uncaught exception: {}", x.message);
                if !matches!(x.data, Value::Nil) {
                    message.push(' ');
                    message.push_str(&crate::printer::pr_capped(&x.data));
                }
                Error::new(ErrorKind::Thrown, message)
            }
        },
        other => Error::new(
            ErrorKind::Thrown,
            format!("uncaught exception: {}", crate::printer::pr_capped(other)),
        ),
    }
}

/// A frame whose indices do not fit its code: only a hand-edited serialised state has one.
fn broken_frame() -> Error {
    Error::new(
        ErrorKind::Argument,
        "inconsistent continuation frame (a corrupted state document?)",
    )
}

/// What the running thread may hold before a run that starts now exceeds `limits.max_memory`.
fn memory_ceiling(limits: &Limits) -> isize {
    crate::memory::live_bytes()
        .saturating_add(isize::try_from(limits.max_memory).unwrap_or(isize::MAX))
}

/// An empty function, the closure of code that runs outside any function.
fn host_closure(store: &mut Store, name: &str, slots: u32, body: Option<CodeRef>) -> Rc<Closure> {
    let proto = Proto {
        id: store.fresh_proto_id(),
        name: Some(edn::Symbol::new(name)),
        span: TextRange::default(),
        arities: body
            .map(|body| crate::code::Arity {
                params: 0,
                rest: false,
                slots,
                names: Vec::new(),
                body,
            })
            .into_iter()
            .collect(),
        captures: Vec::new(),
        capture_names: Vec::new(),
        loops: Vec::new(),
    };
    Rc::new(Closure {
        proto: Rc::new(proto),
        captures: Vec::new(),
        depth: 0,
    })
}

impl State {
    /// A state about to run a compiled top-level form.
    pub fn start(store: Store, proto: Rc<Proto>, steps: u64) -> State {
        let (slots, body) = match proto.arities.first() {
            Some(a) => (a.slots, a.body.clone()),
            None => {
                return State::failed(store, Error::new(ErrorKind::Syntax, "empty program"));
            }
        };
        let closure = Rc::new(Closure {
            proto,
            captures: Vec::new(),
            depth: 0,
        });
        State {
            control: Control::Eval(body),
            env: Frame::new(smallvec::smallvec![Value::Nil; slots as usize], closure, 0),
            kont: Kont::default(),
            store,
            steps,
            status: Status::Running,
            limits: Limits::default(),
            deadline: None,
            memory_ceiling: isize::MAX,
            spare: FramePool::default(),
        }
    }

    /// A state made of its parts (used when loading a serialised state).
    pub fn from_parts(
        control: Control,
        env: Env,
        kont: Kont,
        store: Store,
        steps: u64,
        status: Status,
    ) -> State {
        State {
            control,
            env,
            kont,
            store,
            steps,
            status,
            limits: Limits::default(),
            deadline: None,
            memory_ceiling: isize::MAX,
            spare: FramePool::default(),
        }
    }

    /// A state about to call `f` with `args` (used to run macros and by hosts).
    pub fn call(
        mut store: Store,
        f: Value,
        args: Vec<Value>,
        span: TextRange,
        steps: u64,
    ) -> State {
        let closure = host_closure(&mut store, "host", 0, None);
        let mut state = State {
            control: Control::Return(Value::Nil),
            env: Frame::new(Slots::new(), closure, 0),
            kont: Kont::default(),
            store,
            steps,
            status: Status::Running,
            limits: Limits::default(),
            deadline: None,
            memory_ceiling: isize::MAX,
            spare: FramePool::default(),
        };
        if let Err(e) = state.apply(f, Slots::from_vec(args), span, &mut crate::output::Discard) {
            state.status = Status::Failed(e);
        }
        state
    }

    fn failed(store: Store, e: Error) -> State {
        let mut state = State::idle(store);
        state.status = Status::Failed(e);
        state
    }

    /// A state with nothing to run: done, with value `nil`.
    pub fn idle(mut store: Store) -> State {
        let closure = host_closure(&mut store, "host", 0, None);
        State {
            control: Control::Return(Value::Nil),
            env: Frame::new(Slots::new(), closure, 0),
            kont: Kont::default(),
            store,
            steps: 0,
            status: Status::Done(Value::Nil),
            limits: Limits::default(),
            deadline: None,
            memory_ceiling: isize::MAX,
            spare: FramePool::default(),
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.status, Status::Running)
    }

    /// Runs until done, parked, failed, or a limit is reached. `deadline` is when the wall-clock
    /// budget ends (shared by every form of a session).
    pub fn run(&mut self, limits: &Limits, deadline: Instant, out: &mut dyn Output) -> &Status {
        self.limits = limits.clone();
        self.deadline = Some(deadline);
        self.memory_ceiling = memory_ceiling(limits);
        while self.is_running() {
            self.step(out);
        }
        &self.status
    }

    /// Runs at most `n` steps (fewer if the run ends), within `self.limits`. The memory budget
    /// starts at the first slice: a host running a state in slices gets one budget for it.
    pub fn run_steps(&mut self, n: u64, out: &mut dyn Output) -> &Status {
        if self.memory_ceiling == isize::MAX {
            self.memory_ceiling = memory_ceiling(&self.limits);
        }
        for _ in 0..n {
            if !self.is_running() {
                break;
            }
            self.step(out);
        }
        &self.status
    }

    /// Continues a parked state with `v` as the value of the expression that parked.
    pub fn resume(&mut self, v: Value) {
        if matches!(self.status, Status::Parked { .. }) {
            self.control = Control::Return(v);
            self.status = Status::Running;
        }
    }

    /// One transition, after the limit checks.
    pub fn step(&mut self, out: &mut dyn Output) {
        if !self.is_running() {
            return;
        }
        if let Err(e) = self.check_limits() {
            self.status = Status::Failed(e);
            return;
        }
        self.steps += 1;
        let result = match std::mem::replace(&mut self.control, Control::Return(Value::Nil)) {
            Control::Eval(code) => match self.eval(&code, out) {
                Err(e) => {
                    let span = code.span;
                    self.control = Control::Eval(code);
                    Err(e.at(span))
                }
                // A node that produced a value hands it to the innermost frame in the same step:
                // one step per node, not one per node and one per return.
                Ok(()) if self.is_running() => match &self.control {
                    Control::Return(_) => {
                        match std::mem::replace(&mut self.control, Control::Return(Value::Nil)) {
                            Control::Return(v) => self.ret(v, out),
                            Control::Eval(c) => {
                                self.control = Control::Eval(c);
                                Ok(())
                            }
                        }
                    }
                    Control::Eval(_) => Ok(()),
                },
                Ok(()) => Ok(()),
            },
            Control::Return(v) => self.ret(v, out),
        };
        if let Err(e) = result {
            self.raise(e, out);
        }
    }

    /// An error in a step: a jump to the innermost `try` handler frame when it can be caught
    /// and there is one, otherwise the end of the run.
    fn raise(&mut self, e: Error, out: &mut dyn Output) {
        let handled = e.kind().is_catchable() && self.handler_depth().is_some();
        if !handled {
            self.status = Status::Failed(e);
            return;
        }
        let data = Value::map_from([(
            Value::keyword("yin/error"),
            Value::keyword(e.kind().keyword()),
        )]);
        let ex = data.and_then(|data| Value::ex(e.message(), data, Value::Nil, Some(e.kind())));
        let span = e.span().unwrap_or_default();
        if let Err(e) = ex.and_then(|ex| self.throw(ex, span, out)) {
            self.status = Status::Failed(e);
        }
    }

    /// How many frames out the innermost `try` frame is, if there is one.
    fn handler_depth(&self) -> Option<usize> {
        self.kont
            .frames()
            .position(|f| matches!(f, KFrame::Native(n) if matches!(**n, Native::Try { .. })))
    }

    /// Throws `ex`: cuts the continuation back to the innermost `try` frame and runs its
    /// handler (or, without `catch`, its `finally` and then throws again). With no `try` left,
    /// the exception ends the run as an error.
    fn throw(&mut self, ex: Value, span: TextRange, out: &mut dyn Output) -> Result<(), Error> {
        let found = {
            let mut cur = self.kont.0.as_ref();
            let mut found = None;
            while let Some(node) = cur {
                if let KFrame::Native(n) = &node.frame
                    && let Native::Try {
                        handler, finally, ..
                    } = &**n
                    && !(matches!(handler, Value::Nil) && matches!(finally, Value::Nil))
                {
                    found = Some((node.next.clone(), handler.clone(), finally.clone()));
                    break;
                }
                cur = node.next.0.as_ref();
            }
            found
        };
        let Some((kont, handler, finally)) = found else {
            return Err(uncaught(&ex).at(span));
        };
        self.kont = kont;
        match handler {
            Value::Nil => {
                self.push(KFrame::Native(Box::new(Native::Finally {
                    value: ex,
                    rethrow: true,
                    span,
                })))?;
                self.apply(finally, Slots::new(), span, out)
            }
            handler => {
                // The handler runs inside a frame that only has the `finally`: an exception
                // in the handler runs it and goes on outward.
                if !matches!(finally, Value::Nil) {
                    self.push(KFrame::Native(Box::new(Native::Try {
                        handler: Value::Nil,
                        finally,
                        span,
                    })))?;
                }
                self.apply(handler, smallvec::smallvec![ex], span, out)
            }
        }
    }

    fn check_limits(&self) -> Result<(), Error> {
        if crate::memory::live_bytes() > self.memory_ceiling {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "memory limit reached: the program held more than {} MB",
                    self.limits.max_memory >> 20
                ),
            ));
        }
        if self.steps >= self.limits.fuel {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "fuel exhausted: the program ran {} steps (the fuel limit)",
                    self.limits.fuel
                ),
            ));
        }
        if self.steps.is_multiple_of(4096) && self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "timeout: the program ran longer than {} ms",
                    self.limits.timeout.as_millis()
                ),
            ));
        }
        Ok(())
    }

    /// Evaluate a node.
    fn eval(&mut self, code: &CodeRef, out: &mut dyn Output) -> Result<(), Error> {
        match &code.op {
            Op::Const(_)
            | Op::Local(_)
            | Op::Capture(_)
            | Op::SelfRef
            | Op::Global(_)
            | Op::Fn(_) => self.eval_leaf(code),
            Op::If {
                test,
                then,
                otherwise,
            } => self.eval_if(test, then, otherwise),
            Op::Do(_) => self.continue_do(code.clone(), 0),
            Op::Let { slot, init, body } => self.eval_let(code, *slot, init, body),
            Op::Recur {
                args,
                first_slot,
                target,
                in_place: Some(j),
            } if self.recur_in_place(args, *first_slot, *target, *j as usize)? => Ok(()),
            Op::Call { .. } | Op::Recur { .. } | Op::Vector(_) | Op::Map(_) | Op::Set(_) => {
                self.eval_args(code.clone(), None, Slots::new(), out)
            }
            Op::Def { value, .. } => self.eval_def(code, value.as_ref()),
            Op::And(_) | Op::Or(_) => self.continue_logic(code.clone(), 0),
            Op::Fail(msg) => Err(Error::new(ErrorKind::Syntax, msg.to_string())),
        }
    }

    /// Return a value to the innermost frame.
    fn ret(&mut self, v: Value, out: &mut dyn Output) -> Result<(), Error> {
        let Some(node) = self.kont.0.take() else {
            self.control = Control::Return(v.clone());
            self.status = Status::Done(v);
            return Ok(());
        };
        let mut node = node;
        if let Some(KNode {
            frame: KFrame::Args { code, f, vals, env },
            next,
            ..
        }) = Rc::get_mut(&mut node)
        {
            // An argument frame that no captured continuation or snapshot shares is updated
            // where it lies: the value joins it, and when another operand needs steps of its
            // own the same node stays pushed. Popping it and pushing an equal one cost a free, a
            // malloc and several moves of the frame for every such operand after the first.
            self.set_env(env.clone());
            if matches!(code.op, Op::Call { .. }) && f.is_none() {
                *f = Some(v);
            } else {
                vals.push(v);
            }
            let span = code.span;
            return match self.leaf_operands(code, vals) {
                Ok(Some(pending)) => {
                    self.kont.0 = Some(node);
                    self.control = Control::Eval(pending);
                    Ok(())
                }
                Ok(None) => {
                    let (code, f, vals) = (code.clone(), f.take(), std::mem::take(vals));
                    self.kont = std::mem::take(next);
                    drop(node);
                    self.finish_args(&code, f, vals, out)
                        .map_err(|e| e.at(span))
                }
                Err(e) => {
                    self.kont = std::mem::take(next);
                    Err(e.at(span))
                }
            };
        }
        let KNode { frame, next, .. } = Rc::try_unwrap(node).unwrap_or_else(|n| (*n).clone());
        self.kont = next;
        match frame {
            KFrame::If {
                then,
                otherwise,
                env,
            } => self.resume_if(v, then, otherwise, env),
            KFrame::Do { code, next, env } => self.resume_do(code, next, env),
            KFrame::Let { code, env } => self.resume_let(v, &code, env),
            KFrame::Args { code, f, vals, env } => self.resume_args(v, code, f, vals, env, out),
            KFrame::Def { code } => self.define(&code, v),
            KFrame::Logic { code, next, env } => self.resume_logic(v, code, next, env),
            KFrame::Native(n) => self.resume_native(v, *n, out),
        }
    }

    /// Continue a higher-order primitive with the value its function returned.
    fn resume_native(
        &mut self,
        v: Value,
        native: Native,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        match native {
            Native::Map {
                f,
                colls,
                idx,
                mut acc,
                span,
            } => {
                acc.push_back(v);
                let flow = prim::map_step(f, colls, idx, acc, span);
                self.flow(flow?, span, out)
            }
            Native::Filter {
                f,
                items,
                idx,
                mut acc,
                span,
            } => {
                if v.truthy() {
                    acc.push_back(
                        idx.checked_sub(1)
                            .and_then(|i| items.get(i))
                            .cloned()
                            .unwrap_or(Value::Nil),
                    );
                }
                let flow = prim::filter_step(f, items, idx, acc, span);
                self.flow(flow?, span, out)
            }
            Native::Reduce {
                f,
                items,
                idx,
                span,
            } => self.flow(prim::reduce_step(f, items, idx, v, span), span, out),
            Native::Sort {
                cmp,
                items,
                idx,
                sorted,
                mut lo,
                mut hi,
                span,
            } => {
                let mid = lo + hi.saturating_sub(lo) / 2;
                if prim::comparator_less(&v) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
                let flow = prim::sort_step(cmp, items, idx, sorted, lo, hi, span);
                self.flow(flow?, span, out)
            }
            Native::Comp { comp, next, span } => self.resume_comp(v, comp, next, span, out),
            Native::Update { map, key, span } => {
                let m = prim::simple(Prim::Assoc, &[map, key, v], &self.limits)
                    .map_err(|e| e.at(span))?;
                self.control = Control::Return(m);
                Ok(())
            }
            Native::Try { finally, span, .. } => {
                if matches!(finally, Value::Nil) {
                    self.control = Control::Return(v);
                    return Ok(());
                }
                self.push(KFrame::Native(Box::new(Native::Finally {
                    value: v,
                    rethrow: false,
                    span,
                })))?;
                self.apply(finally, Slots::new(), span, out)
            }
            Native::Finally {
                value,
                rethrow,
                span,
            } => {
                if rethrow {
                    return self.throw(value, span, out);
                }
                self.control = Control::Return(value);
                Ok(())
            }
            Native::Swap { atom, span } => {
                prim::set_atom(&mut self.store, atom, v.clone()).map_err(|e| e.at(span))?;
                self.control = Control::Return(v);
                Ok(())
            }
            Native::Lib {
                op,
                f,
                items,
                idx,
                acc,
                extra,
                span,
            } => {
                let lib = crate::hof::Lib {
                    op,
                    f,
                    items,
                    idx,
                    acc,
                    extra,
                    span,
                };
                let flow = crate::hof::resume(lib, v, self.limits.max_items);
                self.flow(flow.map_err(|e| e.at(span))?, span, out)
            }
        }
    }

    /// Makes `env` the running frame, keeping the one it replaces for reuse if nothing holds it.
    fn set_env(&mut self, env: Env) {
        let old = std::mem::replace(&mut self.env, env);
        self.spare.recycle(old);
    }

    fn push(&mut self, frame: KFrame) -> Result<(), Error> {
        if self.kont.depth() >= self.limits.max_depth {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "stack depth limit reached: {} frames of non-tail calls",
                    self.limits.max_depth
                ),
            ));
        }
        self.kont.push(frame);
        Ok(())
    }

    // ---- leaves ----

    fn eval_leaf(&mut self, code: &CodeRef) -> Result<(), Error> {
        let v = self.atom(code)?.unwrap_or(Value::Nil);
        self.control = Control::Return(v);
        Ok(())
    }

    /// The value of a node that needs no step of its own, or `None`.
    ///
    /// Inlined, with locals, constants and defined globals read here and nodes that need steps
    /// answered at once: they are most of the operands a program evaluates, and a call per
    /// operand (with its `Result` written through memory) cost more than reading the value.
    #[inline(always)]
    fn atom(&self, code: &CodeRef) -> Result<Option<Value>, Error> {
        match &code.op {
            Op::Local(i) => Ok(Some(self.local(*i))),
            Op::Const(v) => Ok(Some(v.clone())),
            Op::Global(g) => match self.store.global(*g) {
                Some(v) => Ok(Some(v.clone())),
                None => self.atom_slow(code),
            },
            Op::Call {
                f,
                args,
                inline: true,
                ..
            } => match self.int_call(f, args) {
                Some(v) => Ok(Some(v)),
                None => self.inline_call(f, args).map_err(|e| e.at(code.span)),
            },
            Op::Capture(_) | Op::SelfRef | Op::Fn(_) => self.atom_slow(code),
            _ => Ok(None),
        }
    }

    fn local(&self, slot: u32) -> Value {
        self.env
            .slots
            .get(slot as usize)
            .cloned()
            .unwrap_or(Value::Nil)
    }

    /// An integer operand read in place, without cloning and dropping a `Value`: the fast path
    /// of arithmetic and comparisons on locals and literals.
    #[inline(always)]
    fn int_leaf(&self, code: &Code) -> Option<i64> {
        match &code.op {
            Op::Local(i) => match self.env.slots.get(*i as usize) {
                Some(Value::Int(x)) => Some(*x),
                _ => None,
            },
            Op::Const(Value::Int(x)) => Some(*x),
            _ => None,
        }
    }

    /// [`State::atom`] for the rarer leaves: captured values, the running closure, closures to
    /// make, and undefined globals (an error).
    #[inline(never)]
    fn atom_slow(&self, code: &CodeRef) -> Result<Option<Value>, Error> {
        Ok(Some(match &code.op {
            Op::Capture(i) => self
                .env
                .closure
                .captures
                .get(*i as usize)
                .cloned()
                .unwrap_or(Value::Nil),
            Op::SelfRef => Value::Fn(self.env.closure.clone()),
            Op::Global(g) => self.global(*g).map_err(|e| e.at(code.span))?,
            Op::Fn(proto) => self.make_closure(proto).map_err(|e| e.at(code.span))?,
            _ => return Ok(None),
        }))
    }

    /// Integer arithmetic or comparison of one or two integer locals or literals, such as
    /// `(- n 1)`, `(< n 2)` or `(inc i)`, answered without a call: the commonest inline calls,
    /// and cheap enough that the call of [`State::inline_call`] cost more than the work.
    #[inline(always)]
    fn int_call(&self, f: &Code, args: &[CodeRef]) -> Option<Value> {
        let Op::Global(g) = f.op else {
            return None;
        };
        let Some(Value::Prim(p)) = self.store.global(g) else {
            return None;
        };
        match args {
            [a, b] => prim::int2(*p, self.int_leaf(a)?, self.int_leaf(b)?),
            [a] => prim::int1(*p, self.int_leaf(a)?),
            _ => None,
        }
    }

    /// A call of a simple primitive on leaves, evaluated inline.
    fn inline_call(&self, f: &CodeRef, args: &[CodeRef]) -> Result<Option<Value>, Error> {
        let Op::Global(g) = f.op else {
            return Ok(None);
        };
        let Some(Value::Prim(p)) = self.store.global(g) else {
            return Ok(None);
        };
        let p = *p;
        if !p.is_simple() {
            return Ok(None);
        }
        let arg = |i: usize| self.atom(&args[i]);
        match args.len() {
            1 => {
                if let Op::Local(i) = args[0].op
                    && let Some(v) = self.env.slots.get(i as usize)
                    && let Some(r) = prim::seq1(p, v)
                {
                    return Ok(Some(r));
                }
                let Some(a) = arg(0)? else { return Ok(None) };
                if let Value::Int(x) = a
                    && let Some(v) = prim::int1(p, x)
                {
                    return Ok(Some(v));
                }
                if matches!(p, Prim::First | Prim::Second | Prim::Rest | Prim::Next)
                    && prim::needs_machine(p, std::slice::from_ref(&a))
                {
                    return Ok(None);
                }
                p.check_arity(1)?;
                prim::simple(p, &[a], &self.limits).map(Some)
            }
            2 => {
                let Some(a) = arg(0)? else { return Ok(None) };
                let Some(b) = arg(1)? else { return Ok(None) };
                if matches!(p, Prim::Nth | Prim::Drop)
                    && prim::needs_machine(p, &[a.clone(), b.clone()])
                {
                    return Ok(None);
                }
                if let (Value::Int(x), Value::Int(y)) = (&a, &b)
                    && let Some(v) = prim::int2(p, *x, *y)
                {
                    return Ok(Some(v));
                }
                p.check_arity(2)?;
                prim::simple(p, &[a, b], &self.limits).map(Some)
            }
            n => {
                let mut vals = Vec::with_capacity(n);
                for i in 0..n {
                    let Some(v) = arg(i)? else { return Ok(None) };
                    vals.push(v);
                }
                if p == Prim::Nth && prim::needs_machine(p, &vals) {
                    return Ok(None);
                }
                p.check_arity(n)?;
                prim::simple(p, &vals, &self.limits).map(Some)
            }
        }
    }

    fn global(&self, g: u32) -> Result<Value, Error> {
        self.store.global(g).cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::Unresolved,
                format!("unresolved symbol: {}", self.store.global_name(g)),
            )
        })
    }

    fn make_closure(&self, proto: &Rc<Proto>) -> Result<Value, Error> {
        let captures = proto
            .captures
            .iter()
            .map(|c| match c {
                Capture::Local(s) => self
                    .env
                    .slots
                    .get(*s as usize)
                    .cloned()
                    .unwrap_or(Value::Nil),
                Capture::Outer(i) => self
                    .env
                    .closure
                    .captures
                    .get(*i as usize)
                    .cloned()
                    .unwrap_or(Value::Nil),
                Capture::SelfRef => Value::Fn(self.env.closure.clone()),
            })
            .collect();
        Ok(Value::Fn(Rc::new(Closure::new(proto.clone(), captures)?)))
    }

    // ---- if, do, let ----

    fn eval_if(
        &mut self,
        test: &CodeRef,
        then: &CodeRef,
        otherwise: &CodeRef,
    ) -> Result<(), Error> {
        match self.atom(test)? {
            Some(v) => {
                let branch = if v.truthy() { then } else { otherwise };
                self.control = match self.atom(branch)? {
                    Some(v) => Control::Return(v),
                    None => Control::Eval(branch.clone()),
                };
            }
            None => {
                self.push(KFrame::If {
                    then: then.clone(),
                    otherwise: otherwise.clone(),
                    env: self.env.clone(),
                })?;
                self.control = Control::Eval(test.clone());
            }
        }
        Ok(())
    }

    fn resume_if(
        &mut self,
        v: Value,
        then: CodeRef,
        otherwise: CodeRef,
        env: Env,
    ) -> Result<(), Error> {
        self.set_env(env);
        self.control = Control::Eval(if v.truthy() { then } else { otherwise });
        Ok(())
    }

    /// Evaluate `body[next]` of a `do`, pushing a frame unless it is the last.
    fn continue_do(&mut self, code: CodeRef, next: u32) -> Result<(), Error> {
        let Op::Do(body) = &code.op else {
            return Err(Error::new(ErrorKind::Syntax, "do frame without a do"));
        };
        let i = next as usize;
        let expr = body.get(i).cloned().ok_or_else(broken_frame)?;
        if i + 1 < body.len() {
            self.push(KFrame::Do {
                code: code.clone(),
                next: next + 1,
                env: self.env.clone(),
            })?;
        }
        self.control = Control::Eval(expr);
        Ok(())
    }

    fn resume_do(&mut self, code: CodeRef, next: u32, env: Env) -> Result<(), Error> {
        self.set_env(env);
        self.continue_do(code, next)
    }

    fn eval_let(
        &mut self,
        code: &CodeRef,
        slot: u32,
        init: &CodeRef,
        body: &CodeRef,
    ) -> Result<(), Error> {
        match self.atom(init)? {
            Some(v) => {
                env::set(&mut self.env, slot, v);
                self.control = Control::Eval(body.clone());
            }
            None => {
                self.push(KFrame::Let {
                    code: code.clone(),
                    env: self.env.clone(),
                })?;
                self.control = Control::Eval(init.clone());
            }
        }
        Ok(())
    }

    fn resume_let(&mut self, v: Value, code: &CodeRef, env: Env) -> Result<(), Error> {
        self.set_env(env);
        let Op::Let { slot, body, .. } = &code.op else {
            return Err(Error::new(ErrorKind::Syntax, "let frame without a let"));
        };
        env::set(&mut self.env, *slot, v);
        self.control = Control::Eval(body.clone());
        Ok(())
    }

    // ---- calls, recur, collection literals ----

    /// Evaluate the operator and operands left to right, pushing a frame at the first that needs
    /// steps of its own; when all are values, finish.
    #[inline(always)]
    fn eval_args(
        &mut self,
        code: CodeRef,
        mut f: Option<Value>,
        mut vals: Slots,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        if let (Op::Call { f: fc, .. }, None) = (&code.op, &f) {
            match self.atom(fc)? {
                Some(v) => f = Some(v),
                None => {
                    let fc = fc.clone();
                    self.push(KFrame::Args {
                        code,
                        f: None,
                        vals,
                        env: self.env.clone(),
                    })?;
                    self.control = Control::Eval(fc);
                    return Ok(());
                }
            }
        }
        if let Some(a) = self.leaf_operands(&code, &mut vals)? {
            self.push(KFrame::Args {
                code,
                f,
                vals,
                env: self.env.clone(),
            })?;
            self.control = Control::Eval(a);
            return Ok(());
        }
        self.finish_args(&code, f, vals, out)
    }

    /// A `recur` whose operands are all leaves or inline calls, the `j`th `rest`, `next`,
    /// `assoc` or `conj` on a slot the `recur` rebinds (`(recur (rest s) (+ acc (first s)))`,
    /// `(recur (inc i) (assoc m i x))`; the compiler found it, `Op::Recur::in_place`): that
    /// slot's value is dead once the operands are computed, so it is taken rather than copied,
    /// and a collection nothing else holds changes in place (`prim::owned`). Otherwise a loop
    /// copies a path of its map's trie or a chunk of its vector on every turn, only to drop the
    /// old version at once. The other operands are computed first (they may read the slot);
    /// they are pure, so only which of two failing operands is reported can differ from
    /// left-to-right order. Returns false, having changed nothing, when the global no longer
    /// holds such a primitive, an operand cannot run inline, or a snapshot or continuation
    /// shares the frame.
    fn recur_in_place(
        &mut self,
        args: &[CodeRef],
        first_slot: u32,
        target: u32,
        j: usize,
    ) -> Result<bool, Error> {
        let Some(Op::Call {
            f, args: operands, ..
        }) = args.get(j).map(|a| &a.op)
        else {
            return Ok(false);
        };
        let (Op::Global(g), Some(Op::Local(s))) = (&f.op, operands.first().map(|o| &o.op)) else {
            return Ok(false);
        };
        let s = *s;
        if !(first_slot..first_slot + args.len() as u32).contains(&s) {
            return Ok(false);
        }
        let p = match self.store.global(*g) {
            Some(Value::Prim(p)) if crate::compile::takes_in_place(*p) => *p,
            _ => return Ok(false),
        };
        if Rc::get_mut(&mut self.env).is_none() {
            return Ok(false);
        }
        let mut vals = Slots::new();
        for (i, a) in args.iter().enumerate() {
            if i == j {
                vals.push(Value::Nil);
                continue;
            }
            let Some(v) = self.atom(a)? else {
                return Ok(false);
            };
            vals.push(v);
        }
        let mut rest = Slots::new();
        for o in &operands[1..] {
            let Some(v) = self.atom(o)? else {
                return Ok(false);
            };
            rest.push(v);
        }
        let span = args[j].span;
        p.check_arity(operands.len()).map_err(|e| e.at(span))?;
        let limits = &self.limits;
        let Some(slot) = Rc::get_mut(&mut self.env).and_then(|f| f.slots.get_mut(s as usize))
        else {
            return Ok(false);
        };
        let Some(v) = prim::owned(p, slot, &rest, limits) else {
            return Ok(false);
        };
        vals[j] = v.map_err(|e| e.at(span))?;
        env::set_all(&mut self.env, first_slot, vals);
        let body = self.env.closure.proto.loops.get(target as usize).cloned();
        let body = body.ok_or_else(|| Error::new(ErrorKind::Syntax, "recur target missing"))?;
        self.control = Control::Eval(body);
        Ok(true)
    }

    /// Evaluates the operands of a call, `recur` or collection literal after those in `vals`
    /// while they are leaves; returns the first that needs steps of its own. Inlined into its
    /// two callers, like [`State::finish_args`]: on call-heavy programs the saving and restoring
    /// of registers around these small functions was a tenth of the instructions.
    #[inline(always)]
    fn leaf_operands(&self, code: &Code, vals: &mut Slots) -> Result<Option<CodeRef>, Error> {
        let (Op::Call { args, .. }
        | Op::Recur { args, .. }
        | Op::Vector(args)
        | Op::Map(args)
        | Op::Set(args)) = &code.op
        else {
            return Err(Error::new(
                ErrorKind::Syntax,
                "argument frame without a call",
            ));
        };
        while let Some(a) = args.get(vals.len()) {
            match self.atom(a)? {
                Some(v) => vals.push(v),
                None => return Ok(Some(a.clone())),
            }
        }
        Ok(None)
    }

    fn resume_args(
        &mut self,
        v: Value,
        code: CodeRef,
        mut f: Option<Value>,
        mut vals: Slots,
        env: Env,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        self.set_env(env);
        if matches!(code.op, Op::Call { .. }) && f.is_none() {
            f = Some(v);
        } else {
            vals.push(v);
        }
        let span = code.span;
        self.eval_args(code, f, vals, out).map_err(|e| e.at(span))
    }

    #[inline(always)]
    fn finish_args(
        &mut self,
        code: &CodeRef,
        f: Option<Value>,
        vals: Slots,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        let span = code.span;
        let v = match &code.op {
            Op::Call { .. } => {
                return self
                    .apply(f.unwrap_or(Value::Nil), vals, span, out)
                    .map_err(|e| e.at(span));
            }
            Op::Recur {
                first_slot, target, ..
            } => {
                env::set_all(&mut self.env, *first_slot, vals);
                let body = self.env.closure.proto.loops.get(*target as usize).cloned();
                let body =
                    body.ok_or_else(|| Error::new(ErrorKind::Syntax, "recur target missing"))?;
                self.control = Control::Eval(body);
                return Ok(());
            }
            Op::Vector(_) => Value::vector(vals.into_iter().collect()),
            Op::Set(_) => Value::set_from(vals),
            Op::Map(_) => Value::map_from(
                vals.chunks_exact(2)
                    .map(|kv| (kv[0].clone(), kv[1].clone())),
            ),
            _ => {
                return Err(Error::new(
                    ErrorKind::Syntax,
                    "argument frame without a call",
                ));
            }
        };
        self.control = Control::Return(v.map_err(|e| e.at(span))?);
        Ok(())
    }

    /// Apply a function to arguments: enter a closure, run a primitive, jump to a continuation.
    pub(crate) fn apply(
        &mut self,
        f: Value,
        mut args: Slots,
        span: TextRange,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        match f {
            Value::Fn(c) => {
                let Some((arity_idx, arity)) = c.proto.arity_for(args.len()) else {
                    return Err(Error::new(
                        ErrorKind::Arity,
                        format!(
                            "wrong arity: {} called with {} argument{}, expects {}",
                            c.proto.name.as_ref().map_or("fn", |n| n.as_str()),
                            args.len(),
                            if args.len() == 1 { "" } else { "s" },
                            c.proto.arity_description()
                        ),
                    ));
                };
                if arity.rest {
                    let extra: imbl::Vector<Value> = args.drain(arity.params as usize..).collect();
                    args.push(if extra.is_empty() {
                        Value::Nil
                    } else {
                        Value::list(extra)?
                    });
                }
                // Most functions have no locals beyond their parameters: skip the out-of-line
                // resize then.
                if args.len() != arity.slots as usize {
                    args.resize(arity.slots as usize, Value::Nil);
                }
                self.control = Control::Eval(arity.body.clone());
                let env = self.spare.frame(args, c, arity_idx);
                self.set_env(env);
                Ok(())
            }
            Value::Prim(p) => {
                if let [Value::Int(x), Value::Int(y)] = args[..]
                    && let Some(v) = prim::int2(p, x, y)
                {
                    self.control = Control::Return(v);
                    return Ok(());
                }
                p.check_arity(args.len())?;
                if p.is_simple() && !prim::needs_machine(p, &args) {
                    self.control = Control::Return(prim::simple(p, &args, &self.limits)?);
                    return Ok(());
                }
                let flow = prim::call(
                    p,
                    args.into_vec(),
                    &mut Ctx {
                        store: &mut self.store,
                        limits: &self.limits,
                        out,
                        span,
                    },
                )?;
                self.flow(flow, span, out)
            }
            Value::Partial(p) => {
                let mut all: Slots = p.args.iter().cloned().collect();
                all.extend(args);
                self.apply(p.f.clone(), all, span, out)
            }
            Value::Comp(c) => match c.fns.len() {
                0 => {
                    if args.len() != 1 {
                        return Err(Error::new(
                            ErrorKind::Arity,
                            format!(
                                "wrong arity: (comp) called with {} arguments, expects 1",
                                args.len()
                            ),
                        ));
                    }
                    self.control = Control::Return(args.pop().unwrap_or(Value::Nil));
                    Ok(())
                }
                n => {
                    let last = c.fns[n - 1].clone();
                    if n > 1 {
                        self.push(KFrame::Native(Box::new(Native::Comp {
                            comp: c,
                            next: n - 2,
                            span,
                        })))?;
                    }
                    self.apply(last, args, span, out)
                }
            },
            Value::Cont(k) => {
                if args.len() > 1 {
                    return Err(Error::new(
                        ErrorKind::Arity,
                        format!(
                            "wrong arity: a continuation takes one value, got {}",
                            args.len()
                        ),
                    ));
                }
                self.kont = k.kont.clone();
                self.control = Control::Return(args.pop().unwrap_or(Value::Nil));
                Ok(())
            }
            Value::Keyword(_) | Value::Map(_) | Value::Set(_) if (1..=2).contains(&args.len()) => {
                // Keywords, maps and sets look themselves up, as in Clojure.
                let (coll, key) = match &f {
                    Value::Keyword(_) => (args[0].clone(), f.clone()),
                    _ => (f.clone(), args[0].clone()),
                };
                let mut get_args: Slots = smallvec::smallvec![coll, key];
                get_args.extend(args.get(1).cloned());
                self.control = Control::Return(prim::simple(Prim::Get, &get_args, &self.limits)?);
                Ok(())
            }
            Value::Keyword(_) | Value::Map(_) | Value::Set(_) => Err(Error::new(
                ErrorKind::Arity,
                format!(
                    "wrong arity: {} {} called with {} argument{}, expects 1 or 2",
                    f.type_name(),
                    crate::printer::pr_capped(&f),
                    args.len(),
                    if args.len() == 1 { "" } else { "s" }
                ),
            )),
            other => Err(Error::new(
                ErrorKind::NotAFunction,
                format!(
                    "cannot call non-function {} ({})",
                    crate::printer::pr_capped(&other),
                    other.type_name()
                ),
            )),
        }
    }

    fn flow(&mut self, flow: Flow, span: TextRange, out: &mut dyn Output) -> Result<(), Error> {
        match flow {
            Flow::Value(v) => {
                self.control = Control::Return(v);
                Ok(())
            }
            Flow::Apply(f, args) => self.apply(f, Slots::from_vec(args), span, out),
            Flow::Push(frame, f, args) => {
                self.push(frame)?;
                self.apply(f, Slots::from_vec(args), span, out)
            }
            Flow::CallCc(f) => {
                let k = Value::Cont(Rc::new(Continuation {
                    id: self.store.fresh_cont_id(),
                    kont: self.kont.clone(),
                }));
                self.apply(f, smallvec::smallvec![k], span, out)
            }
            Flow::Park(reason) => {
                self.status = Status::Parked {
                    reason: reason.to_owned(),
                };
                Ok(())
            }
            Flow::Resume(k, v) => self.apply(k, smallvec::smallvec![v], span, out),
            Flow::Throw(ex) => self.throw(ex, span, out),
        }
    }

    fn resume_comp(
        &mut self,
        v: Value,
        comp: Rc<crate::value::Comp>,
        next: usize,
        span: TextRange,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        let f = comp.fns.get(next).cloned().ok_or_else(broken_frame)?;
        if next > 0 {
            self.push(KFrame::Native(Box::new(Native::Comp {
                comp,
                next: next - 1,
                span,
            })))?;
        }
        self.apply(f, smallvec::smallvec![v], span, out)
    }

    // ---- def, and, or ----

    fn eval_def(&mut self, code: &CodeRef, value: Option<&CodeRef>) -> Result<(), Error> {
        let Some(value) = value else {
            return self.define(code, Value::Nil);
        };
        match self.atom(value)? {
            Some(v) => self.define(code, v),
            None => {
                self.push(KFrame::Def { code: code.clone() })?;
                self.control = Control::Eval(value.clone());
                Ok(())
            }
        }
    }

    fn define(&mut self, code: &CodeRef, v: Value) -> Result<(), Error> {
        let Op::Def {
            global, is_macro, ..
        } = &code.op
        else {
            return Err(Error::new(ErrorKind::Syntax, "def frame without a def"));
        };
        if *is_macro && !v.is_fn() {
            return Err(Error::new(ErrorKind::Macro, "defmacro needs a function").at(code.span));
        }
        self.store.define(*global, v.clone(), *is_macro);
        self.control = Control::Return(v);
        Ok(())
    }

    /// Evaluate operand `next` of an `and`/`or`, pushing a frame unless it is the last.
    fn continue_logic(&mut self, code: CodeRef, next: u32) -> Result<(), Error> {
        let (Op::And(items) | Op::Or(items)) = &code.op else {
            return Err(Error::new(ErrorKind::Syntax, "logic frame without and/or"));
        };
        let is_and = matches!(code.op, Op::And(_));
        let mut i = next as usize;
        while i + 1 < items.len() {
            match self.atom(&items[i])? {
                Some(v) if v.truthy() != is_and => {
                    self.control = Control::Return(v);
                    return Ok(());
                }
                Some(_) => i += 1,
                None => {
                    let expr = items[i].clone();
                    self.push(KFrame::Logic {
                        code: code.clone(),
                        next: i as u32 + 1,
                        env: self.env.clone(),
                    })?;
                    self.control = Control::Eval(expr);
                    return Ok(());
                }
            }
        }
        self.control = Control::Eval(items.get(i).cloned().ok_or_else(broken_frame)?);
        Ok(())
    }

    fn resume_logic(&mut self, v: Value, code: CodeRef, next: u32, env: Env) -> Result<(), Error> {
        self.set_env(env);
        let is_and = matches!(code.op, Op::And(_));
        if v.truthy() != is_and {
            self.control = Control::Return(v);
            return Ok(());
        }
        self.continue_logic(code, next)
    }
}
