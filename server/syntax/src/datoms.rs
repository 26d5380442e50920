//! The AST as datoms: `[entity attribute value]` facts, the vocabulary documented in
//! `docs/datoms.md` (a contract for rule authors).
//!
//! Entity ids: `slot << NODE_BITS | node index`. A slot names one top-level form for as long as its
//! text is unchanged, so unchanged forms keep their ids across edits (see `file.rs`); slot 0 holds
//! the core library's entities. Spans are byte offsets relative to the start of the node's
//! top-level form, so a form that only moved keeps all its datoms: no datom holds a position in
//! the file (the lowering maps a form's spans to the file at the edge).
//! Keywords are created once ([`vocab`]) and names come interned from the reader, so equal names
//! share storage; a string's value is allocated anew each time a form's datoms are made (they are
//! made on demand, not kept: a database interns what it stores). Printing is plain EDN or JSON.
//! This module knows nothing of files or edits.

use std::sync::{Arc, OnceLock};

use edn::{Datom, Entity, Keyword, Symbol, Value};

use crate::ast::{Ast, Literal, NodeId, NodeKind, Surface};
use crate::core::CORE;
use crate::form::{Form, FormKind};
use crate::intern::NameMap;
use crate::reader::MAX_DEPTH;
use crate::scope::{Resolution, Resolved};

/// Bits of an entity id that hold the node index within its top-level form.
pub const NODE_BITS: u32 = 24;

/// The entity of node `node` of the form in `slot`.
pub fn entity(slot: u32, node: NodeId) -> Entity {
    (u64::from(slot) << NODE_BITS) | (node.index() as u64 & ((1 << NODE_BITS) - 1))
}

/// The slot (top-level form) an entity belongs to; 0 for core library entities.
pub fn slot_of(e: Entity) -> u32 {
    u32::try_from(e >> NODE_BITS).unwrap_or(u32::MAX)
}

macro_rules! vocabulary {
    ($($field:ident = $text:literal, $ref:literal;)*) => {
        /// Every keyword the datoms use, created once.
        #[derive(Debug)]
        pub struct Vocab {
            $(pub $field: Keyword,)*
        }

        impl Vocab {
            fn new() -> Vocab {
                Vocab { $($field: Keyword::new($text),)* }
            }
        }

        /// Every attribute (and keyword value) with whether it is an entity reference.
        pub const VOCABULARY: &[(&str, bool)] = &[$(($text, $ref),)*];
    };
}

vocabulary! {
    // Attributes.
    ty = "yin/type", false;
    start = "yin/start", false;
    end = "yin/end", false;
    top_level = "yin/top-level", false;
    redefines = "yin/redefines", true;
    surface = "yin/surface", false;
    index = "yin/index", false;
    value = "yin/value", false;
    name = "yin/name", false;
    elements = "yin/elements", true;
    keys = "yin/keys", true;
    vals = "yin/vals", true;
    resolution = "yin/resolution", false;
    binding = "yin/binding", true;
    binder_kind = "yin/binder-kind", false;
    init = "yin/init", true;
    fn_name = "yin/fn-name", true;
    arities = "yin/arities", true;
    params = "yin/params", true;
    rest = "yin/rest", true;
    body = "yin/body", true;
    arity = "yin/arity", false;
    variadic = "yin/variadic", false;
    operator = "yin/operator", true;
    operands = "yin/operands", true;
    test = "yin/test", true;
    consequent = "yin/consequent", true;
    alternate = "yin/alternate", true;
    bindings = "yin/bindings", true;
    binder = "yin/binder", true;
    doc = "yin/doc", false;
    is_macro = "yin/macro", false;
    min_arity = "yin/min-arity", false;
    max_arity = "yin/max-arity", false;
    parts = "yin/parts", true;
    // Values of `:yin/type`.
    t_literal = "literal", false;
    t_quote = "quote", false;
    t_vector = "vector", false;
    t_map = "map", false;
    t_set = "set", false;
    t_variable = "variable", false;
    t_binder = "binder", false;
    t_lambda = "lambda", false;
    t_arity = "arity", false;
    t_application = "application", false;
    t_if = "if", false;
    t_do = "do", false;
    t_let = "let", false;
    t_loop = "loop", false;
    t_recur = "recur", false;
    t_def = "def", false;
    t_and = "and", false;
    t_or = "or", false;
    t_error = "error", false;
    t_core = "core", false;
    // Values of `:yin/resolution`.
    r_local = "local", false;
    r_global = "global", false;
    r_core = "core", false;
    r_unresolved = "unresolved", false;
    // Values of `:yin/binder-kind`.
    b_param = "param", false;
    b_rest = "rest", false;
    b_let = "let", false;
    b_loop = "loop", false;
    b_def = "def", false;
    b_fn_name = "fn-name", false;
}

/// The shared vocabulary.
pub fn vocab() -> &'static Vocab {
    static VOCAB: OnceLock<Vocab> = OnceLock::new();
    VOCAB.get_or_init(Vocab::new)
}

/// Whether the attribute's values are entity ids.
pub fn is_ref(attr: &Keyword) -> bool {
    VOCABULARY
        .iter()
        .any(|&(name, is_ref)| is_ref && name == attr.as_str())
}

fn int(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

pub(crate) fn reference(e: Entity) -> Value {
    Value::Int(i64::try_from(e).unwrap_or(i64::MAX))
}

/// The datoms of the core library: one entity per function in slot 0, with `:yin/type :core`,
/// its name, doc and arities. Variables naming a core function link to these with `:yin/binding`.
pub fn core_datoms() -> Vec<Datom> {
    let v = vocab();
    let mut out = Vec::new();
    for (i, f) in CORE.iter().enumerate() {
        let e = i as Entity;
        out.push(Datom::new(e, v.ty.clone(), v.t_core.clone()));
        out.push(Datom::new(e, v.name.clone(), Symbol::new(f.name)));
        out.push(Datom::new(e, v.doc.clone(), f.doc));
        out.push(Datom::new(e, v.min_arity.clone(), int(f.min_arity)));
        if let Some(max) = f.max_arity {
            out.push(Datom::new(e, v.max_arity.clone(), int(max)));
        }
    }
    out
}

/// The entity of the core function `name`, if it is one.
pub fn core_entity(name: &str) -> Option<Entity> {
    static INDEX: OnceLock<NameMap<&'static str, Entity>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            CORE.iter()
                .enumerate()
                .map(|(i, f)| (f.name, i as Entity))
                .collect()
        })
        .get(name)
        .copied()
}

/// What a global variable links to, decided by the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalLink {
    /// The binder of a `def` in the file.
    Def(Entity),
    /// A core library function's entity.
    Core(Entity),
    Unresolved,
}

/// The datoms saying what the global variable `var` links to.
pub fn global_link_datoms(var: Entity, link: GlobalLink, out: &mut Vec<Datom>) {
    let v = vocab();
    let (kind, target) = match link {
        GlobalLink::Def(e) => (&v.r_global, Some(e)),
        GlobalLink::Core(e) => (&v.r_core, Some(e)),
        GlobalLink::Unresolved => (&v.r_unresolved, None),
    };
    out.push(Datom::new(var, v.resolution.clone(), kind.clone()));
    if let Some(target) = target {
        out.push(Datom::new(var, v.binding.clone(), reference(target)));
    }
}

/// Appends the datoms of one lowered top-level form that depend on nothing but the form: every
/// node's type, span, surface and attributes, child links, and local variable links. Global
/// variables are returned (entity, name) for the file to link with [`global_link_datoms`].
pub fn form_datoms(
    slot: u32,
    ast: &Ast,
    resolution: &Resolution,
    out: &mut Vec<Datom>,
) -> Vec<(Entity, Symbol)> {
    let v = vocab();
    let e = |id: NodeId| entity(slot, id);
    let mut globals = Vec::new();
    let mut binder_kind: Vec<Option<&Keyword>> = vec![None; ast.len()];
    let mut binder_init: Vec<Option<NodeId>> = vec![None; ast.len()];
    let mut def_doc: Vec<Option<&str>> = vec![None; ast.len()];
    // Parents come after their children in the arena, so collect what parents say about
    // children first.
    for (_, node) in ast.iter() {
        match &node.kind {
            NodeKind::Lambda { name: Some(n), .. } => binder_kind[n.index()] = Some(&v.b_fn_name),
            NodeKind::Arity { params, rest, .. } => {
                for p in params {
                    binder_kind[p.index()] = Some(&v.b_param);
                }
                if let Some(r) = rest {
                    binder_kind[r.index()] = Some(&v.b_rest);
                }
            }
            NodeKind::Let { bindings, .. } | NodeKind::Loop { bindings, .. } => {
                let kind = if matches!(node.kind, NodeKind::Let { .. }) {
                    &v.b_let
                } else {
                    &v.b_loop
                };
                for &(b, init) in bindings {
                    binder_kind[b.index()] = Some(kind);
                    binder_init[b.index()] = Some(init);
                }
            }
            NodeKind::Def {
                name, value, doc, ..
            } => {
                binder_kind[name.index()] = Some(&v.b_def);
                binder_init[name.index()] = *value;
                def_doc[name.index()] = doc.as_deref();
            }
            _ => {}
        }
    }
    let push = |out: &mut Vec<Datom>, id: NodeId, a: &Keyword, val: Value| {
        out.push(Datom {
            e: e(id),
            a: a.clone(),
            v: val,
        });
    };
    let children = |out: &mut Vec<Datom>, id: NodeId, a: &Keyword, xs: &[NodeId]| {
        for (i, &x) in xs.iter().enumerate() {
            out.push(Datom {
                e: e(id),
                a: a.clone(),
                v: reference(e(x)),
            });
            out.push(Datom {
                e: e(x),
                a: v.index.clone(),
                v: int(i),
            });
        }
    };
    let one = |out: &mut Vec<Datom>, id: NodeId, a: &Keyword, x: NodeId| {
        out.push(Datom {
            e: e(id),
            a: a.clone(),
            v: reference(e(x)),
        });
    };
    for (id, node) in ast.iter() {
        let ty = match &node.kind {
            NodeKind::Literal(lit) => {
                push(out, id, &v.value, literal_value(lit));
                &v.t_literal
            }
            NodeKind::Quote(form) => {
                push(out, id, &v.value, form_value(form, 0));
                &v.t_quote
            }
            NodeKind::Vector(xs) => {
                children(out, id, &v.elements, xs);
                &v.t_vector
            }
            NodeKind::Set(xs) => {
                children(out, id, &v.elements, xs);
                &v.t_set
            }
            NodeKind::Map(entries) => {
                for (i, &(k, val)) in entries.iter().enumerate() {
                    one(out, id, &v.keys, k);
                    one(out, id, &v.vals, val);
                    push(out, k, &v.index, int(i));
                    push(out, val, &v.index, int(i));
                }
                &v.t_map
            }
            NodeKind::Variable(name) => {
                push(out, id, &v.name, Value::Symbol(name.clone()));
                match resolution.lookup(id) {
                    Some(Resolved::Local(binder)) => {
                        push(out, id, &v.resolution, Value::Keyword(v.r_local.clone()));
                        one(out, id, &v.binding, binder);
                    }
                    Some(Resolved::Global(name)) => globals.push((e(id), name)),
                    None => {}
                }
                &v.t_variable
            }
            NodeKind::Binder(name) => {
                push(out, id, &v.name, Value::Symbol(name.clone()));
                if let Some(kind) = binder_kind[id.index()] {
                    push(out, id, &v.binder_kind, Value::Keyword(kind.clone()));
                }
                if let Some(init) = binder_init[id.index()] {
                    one(out, id, &v.init, init);
                    if let NodeKind::Lambda { arities, .. } = &ast.node(init).kind {
                        arity_datoms(ast, arities, |a, val| push(out, id, a, val));
                    }
                }
                if let Some(doc) = def_doc[id.index()] {
                    push(out, id, &v.doc, Value::Str(Arc::from(doc)));
                }
                &v.t_binder
            }
            NodeKind::Lambda { name, arities } => {
                if let Some(n) = name {
                    one(out, id, &v.fn_name, *n);
                    if let NodeKind::Binder(s) = &ast.node(*n).kind {
                        push(out, id, &v.name, Value::Symbol(s.clone()));
                    }
                    // The name is a binder whose value is this function: calls through it are
                    // checked like calls through a `let` name.
                    arity_datoms(ast, arities, |a, val| push(out, *n, a, val));
                }
                children(out, id, &v.arities, arities);
                &v.t_lambda
            }
            NodeKind::Arity { params, rest, body } => {
                children(out, id, &v.params, params);
                if let Some(r) = rest {
                    one(out, id, &v.rest, *r);
                }
                children(out, id, &v.body, body);
                push(out, id, &v.arity, int(params.len()));
                push(out, id, &v.variadic, Value::Bool(rest.is_some()));
                &v.t_arity
            }
            NodeKind::Application { operator, operands } => {
                one(out, id, &v.operator, *operator);
                children(out, id, &v.operands, operands);
                &v.t_application
            }
            NodeKind::If {
                test,
                consequent,
                alternate,
            } => {
                one(out, id, &v.test, *test);
                one(out, id, &v.consequent, *consequent);
                if let Some(alt) = alternate {
                    one(out, id, &v.alternate, *alt);
                }
                &v.t_if
            }
            NodeKind::Do(body) => {
                children(out, id, &v.body, body);
                &v.t_do
            }
            NodeKind::Let { bindings, body } | NodeKind::Loop { bindings, body } => {
                let binders: Vec<NodeId> = bindings.iter().map(|&(b, _)| b).collect();
                children(out, id, &v.bindings, &binders);
                children(out, id, &v.body, body);
                if matches!(node.kind, NodeKind::Let { .. }) {
                    &v.t_let
                } else {
                    &v.t_loop
                }
            }
            NodeKind::Recur(args) => {
                children(out, id, &v.operands, args);
                &v.t_recur
            }
            NodeKind::Def {
                name,
                value,
                is_macro,
                ..
            } => {
                one(out, id, &v.binder, *name);
                if let NodeKind::Binder(s) = &ast.node(*name).kind {
                    push(out, id, &v.name, Value::Symbol(s.clone()));
                }
                if let Some(val) = value {
                    one(out, id, &v.init, *val);
                }
                if *is_macro {
                    push(out, id, &v.is_macro, Value::Bool(true));
                }
                &v.t_def
            }
            NodeKind::And(xs) => {
                children(out, id, &v.operands, xs);
                &v.t_and
            }
            NodeKind::Or(xs) => {
                children(out, id, &v.operands, xs);
                &v.t_or
            }
            NodeKind::Error(parts) => {
                children(out, id, &v.parts, parts);
                &v.t_error
            }
        };
        push(out, id, &v.ty, Value::Keyword(ty.clone()));
        push(
            out,
            id,
            &v.start,
            int(u32::from(node.span.start()) as usize),
        );
        push(out, id, &v.end, int(u32::from(node.span.end()) as usize));
        if let Some(surface) = node.surface {
            push(
                out,
                id,
                &v.surface,
                Value::Keyword(surface_keyword(surface)),
            );
        }
    }
    globals
}

/// The keyword naming a derived form (the value of `:yin/surface`), created once per form kind.
fn surface_keyword(surface: Surface) -> Keyword {
    // More cells than `Surface` has variants; a variant past them would only cost an allocation.
    static KEYWORDS: [OnceLock<Keyword>; 64] = [const { OnceLock::new() }; 64];
    match KEYWORDS.get(surface as usize) {
        Some(cell) => cell.get_or_init(|| Keyword::new(surface.as_str())).clone(),
        None => Keyword::new(surface.as_str()),
    }
}

/// `:yin/min-arity` and `:yin/max-arity` (absent when variadic) of a function's arities.
fn arity_datoms(ast: &Ast, arities: &[NodeId], mut push: impl FnMut(&Keyword, Value)) {
    let v = vocab();
    let mut min = usize::MAX;
    let mut max = Some(0);
    for &a in arities {
        if let NodeKind::Arity { params, rest, .. } = &ast.node(a).kind {
            min = min.min(params.len());
            max = match rest {
                Some(_) => None,
                None => max.map(|m: usize| m.max(params.len())),
            };
        }
    }
    if min == usize::MAX {
        return;
    }
    push(&v.min_arity, int(min));
    if let Some(max) = max {
        push(&v.max_arity, int(max));
    }
}

fn literal_value(lit: &Literal) -> Value {
    match lit {
        Literal::Nil => Value::Nil,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(x) => Value::Float(*x),
        Literal::Ratio(n, d) => ratio(*n, *d),
        Literal::Char(c) => Value::Char(*c),
        Literal::Str(s) => Value::Str(Arc::from(s.as_str())),
        Literal::Keyword(k) => Value::Keyword(k.clone()),
    }
}

/// Ratios have no EDN literal; they print as the tagged vector `#yin/ratio [5 2]`.
fn ratio(n: i64, d: i64) -> Value {
    Value::Tagged(
        Symbol::new("yin/ratio"),
        Box::new(Value::Vector(vec![Value::Int(n), Value::Int(d)])),
    )
}

/// A quoted form as data. Forms from the reader are at most [`MAX_DEPTH`] deep; deeper ones (made
/// by a macro) are cut with the symbol `...`.
pub fn form_value(form: &Form, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Symbol(Symbol::new("..."));
    }
    let seq = |xs: &[Form]| -> Vec<Value> { xs.iter().map(|x| form_value(x, depth + 1)).collect() };
    match &form.kind {
        FormKind::Nil => Value::Nil,
        FormKind::Bool(b) => Value::Bool(*b),
        FormKind::Int(i) => Value::Int(*i),
        FormKind::Float(x) => Value::Float(*x),
        FormKind::Ratio(n, d) => ratio(*n, *d),
        FormKind::Char(c) => Value::Char(*c),
        FormKind::Str(s) => Value::Str(Arc::from(s.as_str())),
        FormKind::Keyword(k) => Value::Keyword(k.clone()),
        FormKind::Symbol(s) => Value::Symbol(s.clone()),
        FormKind::List(xs) => Value::List(seq(xs)),
        FormKind::Vector(xs) => Value::Vector(seq(xs)),
        FormKind::Set(xs) => Value::Set(seq(xs)),
        FormKind::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, val)| (form_value(k, depth + 1), form_value(val, depth + 1)))
                .collect(),
        ),
        FormKind::Invalid => Value::Tagged(Symbol::new("yin/invalid"), Box::new(Value::Nil)),
    }
}
