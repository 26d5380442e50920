//! Static scope resolution: which binder each variable refers to.
//!
//! Within one top-level form, a variable resolves to the innermost enclosing binder of the same
//! name (a parameter, a `let` or `loop` binding, a `fn`'s own name); anything else is global.
//! `let` and `loop` bind sequentially: a binding's value sees the bindings before it, not itself.
//! A `def`'s name is global, never local. What a global refers to (a `def` in the file, the core
//! library, nothing) is the file's business, so this module answers only per form, and knows
//! nothing about files or datoms. The walk uses an explicit stack: desugared forms (a long `cond`)
//! can be deeper than the source nesting.

use edn::Symbol;

use crate::ast::{Ast, NodeId, NodeKind};

/// What a variable refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A binder node in the same top-level form.
    Local(NodeId),
    /// A global name: a `def`, the core library, or nothing known.
    Global(Symbol),
}

/// The resolution of every variable node of one [`Ast`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    links: Vec<Option<Resolved>>,
}

impl Resolution {
    /// What `var` refers to; `None` when `var` is not a variable node of the resolved AST.
    pub fn lookup(&self, var: NodeId) -> Option<Resolved> {
        self.links.get(var.index()).cloned().flatten()
    }
}

enum Task {
    Visit(NodeId),
    Bind(NodeId),
    /// Drops the bindings made since the environment had this many.
    Unbind(usize),
}

/// Resolves every variable of `ast`.
pub fn resolve(ast: &Ast) -> Resolution {
    let mut links = vec![None; ast.len()];
    let mut env: Vec<(Symbol, NodeId)> = Vec::new();
    let mut tasks: Vec<Task> = ast.root().map(Task::Visit).into_iter().collect();
    while let Some(task) = tasks.pop() {
        let id = match task {
            Task::Visit(id) => id,
            Task::Bind(id) => {
                if let NodeKind::Binder(name) = &ast.node(id).kind {
                    env.push((name.clone(), id));
                }
                continue;
            }
            Task::Unbind(len) => {
                env.truncate(len);
                continue;
            }
        };
        // Tasks are pushed in reverse: the last pushed runs first.
        match &ast.node(id).kind {
            NodeKind::Variable(name) => {
                let binder = env.iter().rev().find(|(n, _)| n == name);
                links[id.index()] = Some(match binder {
                    Some(&(_, binder)) => Resolved::Local(binder),
                    None => Resolved::Global(name.clone()),
                });
            }
            NodeKind::Binder(_) => {}
            NodeKind::Lambda { name, arities } => {
                tasks.push(Task::Unbind(env.len()));
                tasks.extend(arities.iter().rev().map(|&a| Task::Visit(a)));
                tasks.extend(name.map(Task::Bind));
            }
            NodeKind::Arity { params, rest, body } => {
                tasks.push(Task::Unbind(env.len()));
                tasks.extend(body.iter().rev().map(|&b| Task::Visit(b)));
                tasks.extend(rest.map(Task::Bind));
                tasks.extend(params.iter().rev().map(|&p| Task::Bind(p)));
            }
            NodeKind::Let { bindings, body } | NodeKind::Loop { bindings, body } => {
                tasks.push(Task::Unbind(env.len()));
                tasks.extend(body.iter().rev().map(|&b| Task::Visit(b)));
                for &(binder, value) in bindings.iter().rev() {
                    tasks.push(Task::Bind(binder));
                    tasks.push(Task::Visit(value));
                }
            }
            NodeKind::Def { value, .. } => tasks.extend(value.map(Task::Visit)),
            kind => tasks.extend(kind.children().into_iter().rev().map(Task::Visit)),
        }
    }
    Resolution { links }
}

/// The globals a top-level form defines: each `def` (at any depth) with its name's binder.
pub fn definitions(ast: &Ast) -> Vec<(Symbol, NodeId)> {
    ast.iter()
        .filter_map(|(_, node)| match &node.kind {
            NodeKind::Def { name, .. } => match &ast.node(*name).kind {
                NodeKind::Binder(s) => Some((s.clone(), *name)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}
