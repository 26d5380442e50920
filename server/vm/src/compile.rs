//! The compiler: one top-level [`Ast`] in, one [`Proto`] of [`Code`] out.
//!
//! It resolves every variable once (a frame slot, a captured value, the running closure, or a
//! global index interned in the store), works out which values each `fn` must capture, marks tail
//! positions, and checks that `recur` is in tail position and has the right argument count.
//! Scoping is lexical and follows the lowering's binders: a `let`/`loop` binding is visible to the
//! later bindings and the body, parameters and a `fn`'s own name to its body.

use std::rc::Rc;

use edn::Symbol;
use syntax::ast::{Literal, NodeKind, Surface};
use syntax::{Ast, NodeId};
use text_size::TextRange;

use crate::code::{Arity, Capture, Code, CodeRef, Op, Proto};
use crate::convert::form_to_value;
use crate::error::{Error, ErrorKind};
use crate::prim::Prim;
use crate::store::Store;
use crate::value::Value;

/// Compiles a top-level form into a zero-argument proto the machine runs in a fresh frame.
pub fn compile(ast: &Ast, store: &mut Store) -> Result<Rc<Proto>, Error> {
    let root = ast
        .root()
        .ok_or_else(|| Error::new(ErrorKind::Syntax, "empty form"))?;
    let span = ast.node(root).span;
    let mut c = Compiler {
        ast,
        store,
        fns: vec![FnScope::new(None)],
        name_hint: None,
    };
    let loop_idx = c.reserve_loop();
    let body = c.expr(root, true)?;
    c.fns_top().loops[loop_idx] = body.clone();
    let scope = c.fns.pop().unwrap_or_else(|| FnScope::new(None));
    let proto = Rc::new(Proto {
        id: c.store.fresh_proto_id(),
        name: Some(Symbol::new("toplevel")),
        span,
        arities: vec![Arity {
            params: 0,
            rest: false,
            slots: scope.next_slot,
            names: scope.names,
            body,
        }],
        captures: Vec::new(),
        capture_names: Vec::new(),
        loops: scope.loops,
    });
    c.store.programs.push_back(proto.clone());
    Ok(proto)
}

/// Where `recur` jumps in the innermost loop or function arity.
#[derive(Clone, Copy)]
struct RecurTarget {
    loop_idx: u32,
    first_slot: u32,
    count: u32,
}

struct FnScope {
    self_name: Option<Symbol>,
    /// Visible locals, innermost last; shadowing is pushing.
    locals: Vec<(Symbol, u32)>,
    /// Slots are never reused within an arity, so each has one name, for inspection.
    next_slot: u32,
    names: Vec<Symbol>,
    captures: Vec<(Symbol, Capture)>,
    loops: Vec<CodeRef>,
    recur: Option<RecurTarget>,
}

impl FnScope {
    fn new(self_name: Option<Symbol>) -> FnScope {
        FnScope {
            self_name,
            locals: Vec::new(),
            next_slot: 0,
            names: Vec::new(),
            captures: Vec::new(),
            loops: Vec::new(),
            recur: None,
        }
    }
}

/// How a name resolves inside one function.
#[derive(Clone, Copy)]
enum VarRef {
    Local(u32),
    Capture(u32),
    SelfRef,
}

struct Compiler<'a> {
    ast: &'a Ast,
    store: &'a mut Store,
    fns: Vec<FnScope>,
    /// The name a `def` gives the function it binds, for printing.
    name_hint: Option<Symbol>,
}

fn syntax(msg: impl Into<String>, span: TextRange) -> Error {
    Error::new(ErrorKind::Syntax, msg).at(span)
}

impl<'a> Compiler<'a> {
    fn fns_top(&mut self) -> &mut FnScope {
        let last = self.fns.len() - 1;
        &mut self.fns[last]
    }

    fn node(&self, id: NodeId) -> (TextRange, &'a NodeKind) {
        let ast: &'a Ast = self.ast;
        let n = ast.node(id);
        (n.span, &n.kind)
    }

    fn mk(&mut self, span: TextRange, op: Op) -> CodeRef {
        Rc::new(Code {
            id: self.store.fresh_code_id(),
            span,
            op,
        })
    }

    fn reserve_loop(&mut self) -> usize {
        let placeholder = self.mk(TextRange::default(), Op::Const(Value::Nil));
        let scope = self.fns_top();
        scope.loops.push(placeholder);
        scope.loops.len() - 1
    }

    fn alloc_slot(&mut self, name: Symbol) -> u32 {
        let scope = self.fns_top();
        let slot = scope.next_slot;
        scope.next_slot += 1;
        scope.names.push(name.clone());
        scope.locals.push((name, slot));
        slot
    }

    fn binder_name(&self, id: NodeId) -> Result<Symbol, Error> {
        match self.node(id) {
            (_, NodeKind::Binder(s)) => Ok(s.clone()),
            (span, _) => Err(syntax("expected a name to bind", span)),
        }
    }

    fn resolve_in(&mut self, depth: usize, name: &Symbol) -> Option<VarRef> {
        let scope = &self.fns[depth];
        if let Some(&(_, slot)) = scope.locals.iter().rev().find(|(n, _)| n == name) {
            return Some(VarRef::Local(slot));
        }
        if scope.self_name.as_ref() == Some(name) {
            return Some(VarRef::SelfRef);
        }
        if let Some(i) = scope.captures.iter().position(|(n, _)| n == name) {
            return Some(VarRef::Capture(i as u32));
        }
        if depth == 0 {
            return None;
        }
        let outer = self.resolve_in(depth - 1, name)?;
        let source = match outer {
            VarRef::Local(s) => Capture::Local(s),
            VarRef::Capture(i) => Capture::Outer(i),
            VarRef::SelfRef => Capture::SelfRef,
        };
        let scope = &mut self.fns[depth];
        scope.captures.push((name.clone(), source));
        Some(VarRef::Capture(scope.captures.len() as u32 - 1))
    }

    fn exprs(&mut self, ids: &[NodeId]) -> Result<Rc<[CodeRef]>, Error> {
        ids.iter()
            .map(|&id| self.expr(id, false))
            .collect::<Result<Vec<_>, _>>()
            .map(Rc::from)
    }

    /// A body of several expressions, the last in tail position if the body is.
    fn body(&mut self, ids: &[NodeId], span: TextRange, tail: bool) -> Result<CodeRef, Error> {
        match ids {
            [] => Ok(self.mk(span, Op::Const(Value::Nil))),
            [one] => self.expr(*one, tail),
            [init @ .., last] => {
                let mut codes = Vec::with_capacity(ids.len());
                for &id in init {
                    codes.push(self.expr(id, false)?);
                }
                codes.push(self.expr(*last, tail)?);
                Ok(self.mk(span, Op::Do(Rc::from(codes))))
            }
        }
    }

    fn expr(&mut self, id: NodeId, tail: bool) -> Result<CodeRef, Error> {
        let (span, kind) = self.node(id);
        if !matches!(kind, NodeKind::Lambda { .. }) {
            self.name_hint = None;
        }
        let op = match kind {
            NodeKind::Literal(lit) => Op::Const(literal(lit)),
            NodeKind::Quote(form) => Op::Const(form_to_value(form).map_err(|e| e.at(span))?),
            NodeKind::Variable(name) => {
                let name = name.clone();
                let depth = self.fns.len() - 1;
                match self.resolve_in(depth, &name) {
                    Some(VarRef::Local(s)) => Op::Local(s),
                    Some(VarRef::Capture(i)) => Op::Capture(i),
                    Some(VarRef::SelfRef) => Op::SelfRef,
                    None => Op::Global(self.store.intern_global(&name)),
                }
            }
            NodeKind::Binder(_) => return Err(syntax("a name cannot be evaluated here", span)),
            NodeKind::Vector(xs) => {
                let xs = xs.clone();
                self.collection(span, &xs, Op::Vector)?
            }
            NodeKind::Set(xs) => {
                let xs = xs.clone();
                self.collection(span, &xs, Op::Set)?
            }
            NodeKind::Map(entries) => {
                let flat: Vec<NodeId> = entries.iter().flat_map(|&(k, v)| [k, v]).collect();
                self.collection(span, &flat, Op::Map)?
            }
            NodeKind::If {
                test,
                consequent,
                alternate,
            } => {
                let (test, consequent, alternate) = (*test, *consequent, *alternate);
                let test = self.expr(test, false)?;
                let then = self.expr(consequent, tail)?;
                let otherwise = match alternate {
                    Some(a) => self.expr(a, tail)?,
                    None => self.mk(span, Op::Const(Value::Nil)),
                };
                Op::If {
                    test,
                    then,
                    otherwise,
                }
            }
            NodeKind::Do(xs) => {
                let xs = xs.clone();
                return self.body(&xs, span, tail);
            }
            NodeKind::Let { bindings, body } => {
                let (bindings, body) = (bindings.clone(), body.clone());
                return self.let_chain(span, &bindings, &body, tail, false);
            }
            NodeKind::Loop { bindings, body } => {
                let (bindings, body) = (bindings.clone(), body.clone());
                return self.let_chain(span, &bindings, &body, tail, true);
            }
            NodeKind::Recur(args) => {
                let args = args.clone();
                return self.recur(span, &args, tail);
            }
            NodeKind::Lambda { name, arities } => {
                let (name, arities) = (*name, arities.clone());
                let hint = self.name_hint.take();
                Op::Fn(self.lambda(span, name, hint, &arities)?)
            }
            NodeKind::Arity { .. } => return Err(syntax("an arity outside a fn", span)),
            NodeKind::Application { operator, operands } => {
                let (operator, operands) = (*operator, operands.clone());
                let f = self.expr(operator, false)?;
                let args = self.exprs(&operands)?;
                // Only a hint: the machine checks the global's value each time, so a later
                // redefinition is still seen; a call of a user function is never tried inline.
                let simple_prim = match f.op {
                    Op::Global(g) => {
                        matches!(self.store.global(g), Some(Value::Prim(p)) if p.is_simple())
                    }
                    _ => false,
                };
                let inline = simple_prim && args.iter().all(|a| is_leaf(a));
                Op::Call {
                    f,
                    args,
                    tail,
                    inline,
                }
            }
            NodeKind::Def {
                name,
                value,
                is_macro,
                ..
            } => {
                let (name, value, is_macro) = (*name, *value, *is_macro);
                let sym = self.binder_name(name)?;
                let global = self.store.intern_global(&sym);
                let value = match value {
                    Some(v) => {
                        // `(def f (fn ...))` and `defn` print as `#<fn f>`.
                        self.name_hint = Some(sym);
                        let code = self.expr(v, false);
                        self.name_hint = None;
                        Some(code?)
                    }
                    None => None,
                };
                Op::Def {
                    global,
                    value,
                    is_macro,
                }
            }
            NodeKind::And(xs) | NodeKind::Or(xs) => {
                let is_and = matches!(kind, NodeKind::And(_));
                let xs = xs.clone();
                match xs.as_slice() {
                    [] => Op::Const(if is_and {
                        Value::Bool(true)
                    } else {
                        Value::Nil
                    }),
                    [one] => return self.expr(*one, tail),
                    [init @ .., last] => {
                        let mut codes = Vec::with_capacity(xs.len());
                        for &x in init {
                            codes.push(self.expr(x, false)?);
                        }
                        codes.push(self.expr(*last, tail)?);
                        let codes = Rc::from(codes);
                        if is_and {
                            Op::And(codes)
                        } else {
                            Op::Or(codes)
                        }
                    }
                }
            }
            // Lowering leaves reporting a `recur` with nothing to return to to the lint rule
            // `recur-not-tail`; here it is refused like the other misplaced `recur`s.
            NodeKind::Error(_) if self.ast.node(id).surface == Some(Surface::Recur) => {
                return Err(syntax("recur outside a loop or fn", span));
            }
            NodeKind::Error(_) => match self.ast.node(id).surface {
                Some(s @ (Surface::Case | Surface::Condp)) => Op::Fail(Rc::from(format!(
                    "{}: no clause matches and there is no default",
                    s.as_str()
                ))),
                _ => Op::Fail(Rc::from("this form could not be compiled")),
            },
        };
        Ok(self.mk(span, op))
    }

    /// Vector, map and set literals: constant ones are built once, here.
    fn collection(
        &mut self,
        span: TextRange,
        ids: &[NodeId],
        make: fn(Rc<[CodeRef]>) -> Op,
    ) -> Result<Op, Error> {
        let codes = self.exprs(ids)?;
        if codes.iter().all(|c| matches!(c.op, Op::Const(_))) {
            let vals = codes.iter().filter_map(|c| match &c.op {
                Op::Const(v) => Some(v.clone()),
                _ => None,
            });
            let v = match make(Rc::from(Vec::new())) {
                Op::Vector(_) => Value::vector(vals.collect()),
                Op::Set(_) => Value::set_from(vals),
                _ => {
                    let vals: Vec<Value> = vals.collect();
                    Value::map_from(
                        vals.chunks_exact(2)
                            .map(|kv| (kv[0].clone(), kv[1].clone())),
                    )
                }
            };
            return Ok(Op::Const(v.map_err(|e| e.at(span))?));
        }
        Ok(make(codes))
    }

    fn let_chain(
        &mut self,
        span: TextRange,
        bindings: &[(NodeId, NodeId)],
        body: &[NodeId],
        tail: bool,
        is_loop: bool,
    ) -> Result<CodeRef, Error> {
        let saved_locals = self.fns_top().locals.len();
        let saved_recur = self.fns_top().recur;
        // The bindings' slots are reserved as one block before any init is compiled: `recur`
        // stores a loop's arguments in consecutive slots from `first_slot`, and an init that
        // binds locals of its own (a nested `let` or `loop`) would otherwise take slots in
        // between. A name becomes visible only after its init, as `let` is sequential.
        let first_slot = {
            let scope = self.fns_top();
            let first = scope.next_slot;
            scope.next_slot += bindings.len() as u32;
            scope.names.extend(bindings.iter().map(|_| Symbol::new("")));
            first
        };
        let mut slots = Vec::with_capacity(bindings.len());
        for (slot, &(binder, init)) in (first_slot..).zip(bindings) {
            let name = self.binder_name(binder)?;
            let init = self.expr(init, false)?;
            let scope = self.fns_top();
            if let Some(reserved) = scope.names.get_mut(slot as usize) {
                *reserved = name.clone();
            }
            scope.locals.push((name, slot));
            slots.push((slot, init, self.ast.node(binder).span));
        }
        let mut code = if is_loop {
            let idx = self.reserve_loop();
            self.fns_top().recur = Some(RecurTarget {
                loop_idx: idx as u32,
                first_slot,
                count: bindings.len() as u32,
            });
            // A loop body is always a recur target, so it is compiled in tail position.
            let body = self.body(body, span, true)?;
            self.fns_top().loops[idx] = body.clone();
            self.fns_top().recur = saved_recur;
            body
        } else {
            self.body(body, span, tail)?
        };
        for (slot, init, _) in slots.into_iter().rev() {
            code = self.mk(
                span,
                Op::Let {
                    slot,
                    init,
                    body: code,
                },
            );
        }
        let scope = self.fns_top();
        scope.locals.truncate(saved_locals);
        Ok(code)
    }

    fn recur(&mut self, span: TextRange, args: &[NodeId], tail: bool) -> Result<CodeRef, Error> {
        let Some(target) = self.fns_top().recur else {
            return Err(syntax("recur outside a loop or fn", span));
        };
        if !tail {
            return Err(syntax("recur must be in tail position", span));
        }
        if args.len() as u32 != target.count {
            return Err(syntax(
                format!(
                    "recur expects {} argument{}, got {}",
                    target.count,
                    if target.count == 1 { "" } else { "s" },
                    args.len()
                ),
                span,
            ));
        }
        let args = self.exprs(args)?;
        let in_place = in_place_operand(&args, target.first_slot, self.store);
        Ok(self.mk(
            span,
            Op::Recur {
                args,
                first_slot: target.first_slot,
                target: target.loop_idx,
                in_place,
            },
        ))
    }

    fn lambda(
        &mut self,
        span: TextRange,
        name: Option<NodeId>,
        hint: Option<Symbol>,
        arities: &[NodeId],
    ) -> Result<Rc<Proto>, Error> {
        let self_name = match name {
            Some(n) => Some(self.binder_name(n)?),
            None => None,
        };
        self.fns.push(FnScope::new(self_name.clone()));
        let result = self.arities(arities);
        let scope = self.fns.pop().unwrap_or_else(|| FnScope::new(None));
        let arities = result?;
        Ok(Rc::new(Proto {
            id: self.store.fresh_proto_id(),
            name: self_name.or(hint),
            span,
            arities,
            capture_names: scope.captures.iter().map(|(n, _)| n.clone()).collect(),
            captures: scope.captures.into_iter().map(|(_, c)| c).collect(),
            loops: scope.loops,
        }))
    }

    fn arities(&mut self, arities: &[NodeId]) -> Result<Vec<Arity>, Error> {
        let mut out = Vec::with_capacity(arities.len());
        for &a in arities {
            let (span, kind) = self.node(a);
            let NodeKind::Arity { params, rest, body } = kind else {
                return Err(syntax("expected a parameter vector and body", span));
            };
            let (params, rest, body) = (params.clone(), *rest, body.clone());
            {
                let scope = self.fns_top();
                scope.locals.clear();
                scope.next_slot = 0;
                scope.names.clear();
            }
            for &p in &params {
                let name = self.binder_name(p)?;
                self.alloc_slot(name);
            }
            if let Some(r) = rest {
                let name = self.binder_name(r)?;
                self.alloc_slot(name);
            }
            let idx = self.reserve_loop();
            self.fns_top().recur = Some(RecurTarget {
                loop_idx: idx as u32,
                first_slot: 0,
                count: params.len() as u32 + u32::from(rest.is_some()),
            });
            let code = self.body(&body, span, true)?;
            let scope = self.fns_top();
            scope.loops[idx] = code.clone();
            out.push(Arity {
                params: params.len() as u32,
                rest: rest.is_some(),
                slots: scope.next_slot,
                names: std::mem::take(&mut scope.names),
                body: code,
            });
        }
        Ok(out)
    }
}

/// Code the machine evaluates without a step of its own (when its primitives are simple).
fn is_leaf(code: &Code) -> bool {
    match &code.op {
        Op::Const(_) | Op::Local(_) | Op::Capture(_) | Op::SelfRef | Op::Global(_) => true,
        Op::Call { inline, .. } => *inline,
        _ => false,
    }
}

/// The primitives a `recur` may apply in place to the slot it rebinds (`prim::owned`).
pub(crate) fn takes_in_place(p: Prim) -> bool {
    matches!(p, Prim::Rest | Prim::Next | Prim::Assoc | Prim::Conj)
}

/// Which operand of a `recur` the machine may compute in place (`Op::Recur::in_place`): the
/// first inline call of a [`takes_in_place`] primitive (as the global holds it now; the machine
/// checks again) whose first operand is a slot in `first_slot..first_slot + args.len()`, when
/// every operand is a leaf or a function literal.
pub(crate) fn in_place_operand(args: &[CodeRef], first_slot: u32, store: &Store) -> Option<u32> {
    let end = first_slot + args.len() as u32;
    if !args.iter().all(|a| is_leaf(a) || matches!(a.op, Op::Fn(_))) {
        return None;
    }
    args.iter().position(|a| {
        matches!(&a.op, Op::Call { f, args: operands, inline: true, .. }
            if matches!(f.op, Op::Global(g)
                if matches!(store.global(g), Some(Value::Prim(p)) if takes_in_place(*p)))
            && matches!(operands.first().map(|o| &o.op), Some(Op::Local(s)) if (first_slot..end).contains(s)))
    })
    .map(|j| j as u32)
}

fn literal(lit: &Literal) -> Value {
    match lit {
        Literal::Nil => Value::Nil,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::Ratio(n, d) => Value::Ratio(*n, *d),
        Literal::Char(c) => Value::Char(*c),
        Literal::Str(s) => Value::str(s),
        Literal::Keyword(k) => Value::Keyword(k.clone()),
    }
}
