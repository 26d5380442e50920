//! Names in a file and what they refer to: the symbol under a cursor, the binder (or core
//! function, or special form) it means, every place a binder is used, and what a binder is
//! (its kind, signatures, docstring). Navigation, hover, completion and signature help all read
//! names through here.
//!
//! Resolution is exactly the one the datoms record (`:yin/binding`, docs/datoms.md): locals by
//! `syntax::scope` within a top-level form, globals by the file's first `def` of the name, then
//! the core library. It is recomputed from the lowered forms rather than read back from the
//! datoms, which costs one walk per form and needs no index.

use std::collections::HashMap;

use edn::Entity;
use syntax::core::{CoreFn, SPECIAL_FORMS, core_fn};
use syntax::datoms::entity;
use syntax::file::{FileLowering, TopForm};
use syntax::scope::{Resolved, definitions, resolve};
use syntax::{Ast, NodeId, NodeKind, TextRange, TextSize};
use tree_sitter::Node;

use crate::SourceFile;
use crate::tree::{node_range, node_text};

/// What a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A binder node of the file (parameter, `let`/`loop` name, `fn` name or `def` name).
    Binder(Entity),
    Core(&'static CoreFn),
    SpecialForm(&'static str),
    /// A global no `def` and no core function defines.
    Unresolved,
}

/// A symbol in the source and what it refers to.
#[derive(Clone, Debug)]
pub(crate) struct NameRef {
    /// The symbol's name, without metadata.
    pub(crate) range: TextRange,
    pub(crate) name: String,
    pub(crate) target: Target,
}

/// The symbol under the cursor (or just before it) and its meaning; `None` when the cursor is
/// on no symbol, or on one that names nothing (inside quoted data).
pub(crate) fn name_at(file: &SourceFile, offset: TextSize) -> Option<NameRef> {
    let symbol = symbol_node_at(file, offset)?;
    let range = symbol.name?;
    let name = file
        .document()
        .rope()
        .byte_slice(usize::from(range.start())..usize::from(range.end()))
        .to_string();
    let lowering = file.lowering();
    let node = lowering.forms().iter().find_map(|form| {
        if !form.range().contains_range(range) {
            return None;
        }
        let at = form.range().start();
        let relative = range.checked_sub(at)?;
        let id = form
            .ast
            .iter()
            .filter(|(_, n)| n.span.contains_range(relative))
            .filter(|(_, n)| matches!(n.kind, NodeKind::Variable(_) | NodeKind::Binder(_)))
            .min_by_key(|(_, n)| n.span.len())
            .map(|(id, _)| id)?;
        Some((form, id))
    });
    let target = match node {
        Some((form, id)) => match &form.ast.node(id).kind {
            NodeKind::Binder(_) => Target::Binder(entity(form.slot, id)),
            _ => match resolve(&form.ast).lookup(id)? {
                Resolved::Local(binder) => Target::Binder(entity(form.slot, binder)),
                Resolved::Global(symbol) => global(lowering, symbol.as_str()),
            },
        },
        None => {
            let special = SPECIAL_FORMS.iter().find(|s| **s == name && symbol.head)?;
            Target::SpecialForm(special)
        }
    };
    Some(NameRef {
        range,
        name,
        target,
    })
}

fn is_head(symbol: Node<'_>) -> bool {
    symbol.parent().is_some_and(|list| {
        list.kind() == "list_lit"
            && crate::tree::value_children(list)
                .first()
                .is_some_and(|first| first.id() == symbol.id())
    })
}

/// A `sym_lit` node's range and the range of its `name` field.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SymbolAt {
    pub(crate) range: TextRange,
    pub(crate) name: Option<TextRange>,
    /// Whether it is the head of a list.
    pub(crate) head: bool,
}

/// The `sym_lit` node at `offset`, or ending there.
pub(crate) fn symbol_node_at(file: &SourceFile, offset: TextSize) -> Option<SymbolAt> {
    let document = file.document();
    let at = usize::from(offset);
    let symbol_at = |at: usize| {
        let tree = document.tree_at(at);
        innermost_symbol(tree.root_node(), at, &mut 0).map(|symbol| SymbolAt {
            range: node_range(symbol),
            name: symbol.child_by_field_name("name").map(node_range),
            head: is_head(symbol),
        })
    };
    symbol_at(at).or_else(|| at.checked_sub(1).and_then(symbol_at))
}

/// The innermost `sym_lit` holding the byte at `at` (`start <= at < end`), found by one walk
/// down from `root` with a cursor. Walking up instead is quadratic in nesting: tree-sitter nodes
/// keep no parent link, so each `parent()` walks down from the root again, and an unclosed `(`
/// typed 20,000 times made hover take half a minute. `steps` counts the nodes the walk visits.
fn innermost_symbol<'t>(root: Node<'t>, at: usize, steps: &mut usize) -> Option<Node<'t>> {
    if !(root.start_byte() <= at && at < root.end_byte()) {
        return None;
    }
    let mut cursor = root.walk();
    let mut found = None;
    loop {
        *steps += 1;
        let node = cursor.node();
        if node.kind() == "sym_lit" {
            found = Some(node);
        }
        if !cursor.goto_first_child() {
            return found;
        }
        // The child holding `at`, if any: children are in order, so the first one ending past
        // `at` is it when it starts at or before `at`, and `at` lies between children otherwise.
        loop {
            *steps += 1;
            let child = cursor.node();
            if child.end_byte() > at {
                if child.start_byte() > at {
                    return found;
                }
                break;
            }
            if !cursor.goto_next_sibling() {
                return found;
            }
        }
    }
}

/// What the global `name` refers to in `lowering`: its first `def`, else the core library.
pub(crate) fn global(lowering: &FileLowering, name: &str) -> Target {
    resolve_global(&first_definitions(lowering), name)
}

/// The binder of the first `def` of each global name, in file order.
fn first_definitions(lowering: &FileLowering) -> HashMap<String, Entity> {
    let mut defs = HashMap::new();
    for form in lowering.forms() {
        for (name, binder) in definitions(&form.ast) {
            defs.entry(name.as_str().to_owned())
                .or_insert_with(|| entity(form.slot, binder));
        }
    }
    defs
}

fn resolve_global(defs: &HashMap<String, Entity>, name: &str) -> Target {
    match defs.get(name) {
        Some(&binder) => Target::Binder(binder),
        None => core_fn(name).map_or(Target::Unresolved, Target::Core),
    }
}

/// A place a name occurs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub(crate) range: TextRange,
    /// The binder itself rather than a use.
    pub(crate) declaration: bool,
}

/// Every occurrence of `target` in the file, in source order: its binder (if in the file) and
/// every variable resolving to it. Empty for special forms and unresolved names.
pub(crate) fn occurrences(file: &SourceFile, target: Target) -> Vec<Occurrence> {
    let lowering = file.lowering();
    let mut out = Vec::new();
    let local_form = match target {
        Target::Binder(e) => {
            let Some((form, binder)) = lowering.node(e) else {
                return out;
            };
            out.push(Occurrence {
                range: form.ast.node(binder).span + form.range().start(),
                declaration: true,
            });
            let is_def = is_global_binder(&form.ast, binder);
            (!is_def).then_some(form.slot)
        }
        Target::Core(_) => None,
        Target::SpecialForm(_) | Target::Unresolved => return out,
    };
    let defs = if local_form.is_none() {
        first_definitions(lowering)
    } else {
        HashMap::new()
    };
    for form in lowering.forms() {
        if local_form.is_some_and(|slot| slot != form.slot) {
            continue;
        }
        let resolution = resolve(&form.ast);
        for (id, node) in form.ast.iter() {
            if !matches!(node.kind, NodeKind::Variable(_)) {
                continue;
            }
            let refers = match resolution.lookup(id) {
                Some(Resolved::Local(binder)) => {
                    target == Target::Binder(entity(form.slot, binder))
                }
                Some(Resolved::Global(name)) => {
                    local_form.is_none() && resolve_global(&defs, name.as_str()) == target
                }
                None => false,
            };
            if refers {
                out.push(Occurrence {
                    range: node.span + form.range().start(),
                    declaration: false,
                });
            }
        }
    }
    out.sort_by_key(|o| (o.range.start(), o.range.end()));
    out.dedup();
    out
}

/// Whether `binder` is the name of a `def` (a global) rather than a local.
fn is_global_binder(ast: &Ast, binder: NodeId) -> bool {
    ast.iter()
        .any(|(_, n)| matches!(n.kind, NodeKind::Def { name, .. } if name == binder))
}

/// What kind of name a binder introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinderKind {
    Param,
    Rest,
    Let,
    Loop,
    FnName,
    Def,
    /// A `def` made by `defmacro`.
    Macro,
}

impl BinderKind {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            BinderKind::Param => "parameter",
            BinderKind::Rest => "rest parameter",
            BinderKind::Let => "local",
            BinderKind::Loop => "loop binding",
            BinderKind::FnName => "local function",
            BinderKind::Def => "global",
            BinderKind::Macro => "macro",
        }
    }
}

/// One arity of a function: its parameter names and the name after `&`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signature {
    pub(crate) params: Vec<String>,
    pub(crate) rest: Option<String>,
}

impl Signature {
    /// The parameters as written after the name in a call: `a b & more`.
    pub(crate) fn labels(&self) -> Vec<String> {
        let mut parts = self.params.clone();
        if let Some(rest) = &self.rest {
            parts.push(format!("& {rest}"));
        }
        parts
    }

    /// `(name a b & more)`
    pub(crate) fn call(&self, name: &str) -> String {
        let mut parts = vec![name.to_owned()];
        parts.extend(self.labels());
        format!("({})", parts.join(" "))
    }

    /// A core function's signature: parameter names are not recorded, so they are numbered.
    pub(crate) fn of_core(f: &CoreFn) -> Vec<Signature> {
        let arg = |i: usize| format!("x{}", i + 1);
        match f.max_arity {
            Some(max) => (f.min_arity..=max)
                .map(|n| Signature {
                    params: (0..n).map(arg).collect(),
                    rest: None,
                })
                .collect(),
            None => vec![Signature {
                params: (0..f.min_arity).map(arg).collect(),
                rest: Some("more".to_owned()),
            }],
        }
    }
}

/// What a binder is: its kind, the signatures of the function it is bound to (if its value is
/// a `fn`), and its docstring.
#[derive(Clone, Debug)]
pub(crate) struct BinderInfo {
    pub(crate) kind: BinderKind,
    pub(crate) signatures: Vec<Signature>,
    pub(crate) doc: Option<String>,
}

pub(crate) fn binder_info(lowering: &FileLowering, e: Entity) -> Option<BinderInfo> {
    let (form, binder) = lowering.node(e)?;
    binder_info_in(&form, binder)
}

/// [`binder_info`] of a binder of `form`, without finding the form by its slot (a walk over
/// the file's forms).
pub(crate) fn binder_info_in(form: &TopForm, binder: NodeId) -> Option<BinderInfo> {
    let ast = &form.ast;
    if !matches!(ast.node(binder).kind, NodeKind::Binder(_)) {
        return None;
    }
    let mut kind = BinderKind::Let;
    let mut init = None;
    let mut doc = None;
    for (_, node) in ast.iter() {
        match &node.kind {
            NodeKind::Arity { params, rest, .. } => {
                if params.contains(&binder) {
                    kind = BinderKind::Param;
                } else if *rest == Some(binder) {
                    kind = BinderKind::Rest;
                }
            }
            NodeKind::Lambda { name: Some(n), .. } if *n == binder => kind = BinderKind::FnName,
            NodeKind::Let { bindings, .. } | NodeKind::Loop { bindings, .. } => {
                if let Some((_, value)) = bindings.iter().find(|(b, _)| *b == binder) {
                    kind = if matches!(node.kind, NodeKind::Loop { .. }) {
                        BinderKind::Loop
                    } else {
                        BinderKind::Let
                    };
                    init = Some(*value);
                }
            }
            NodeKind::Def {
                name,
                doc: d,
                value,
                is_macro,
            } if *name == binder => {
                kind = if *is_macro {
                    BinderKind::Macro
                } else {
                    BinderKind::Def
                };
                init = *value;
                doc.clone_from(d);
            }
            _ => {}
        }
    }
    let signatures = init.map(|f| signatures(ast, f)).unwrap_or_default();
    Some(BinderInfo {
        kind,
        signatures,
        doc,
    })
}

/// The arities of the `fn` at `f`, or none when `f` is not a function.
fn signatures(ast: &Ast, f: NodeId) -> Vec<Signature> {
    let name = |id: NodeId| match &ast.node(id).kind {
        NodeKind::Binder(s) => s.as_str().to_owned(),
        _ => "_".to_owned(),
    };
    let NodeKind::Lambda { arities, .. } = &ast.node(f).kind else {
        return Vec::new();
    };
    arities
        .iter()
        .filter_map(|&a| match &ast.node(a).kind {
            NodeKind::Arity { params, rest, .. } => Some(Signature {
                params: params.iter().map(|&p| name(p)).collect(),
                rest: rest.map(name),
            }),
            _ => None,
        })
        .collect()
}

/// The top-level form containing `offset` (a form ending there counts).
pub(crate) fn form_at(lowering: &FileLowering, offset: TextSize) -> Option<TopForm> {
    lowering.form_at(offset)
}

/// Node kinds that are forms (what a reader reads as one datum), as opposed to comments,
/// discarded forms and the parts of a symbol.
fn is_form_kind(kind: &str) -> bool {
    !matches!(
        kind,
        "comment" | "dis_expr" | "sym_name" | "auto_res_mark" | "source"
    )
}

/// The named form children of `node`, in order.
fn form_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| is_form_kind(child.kind()) && !child.is_missing())
        .collect()
}

/// The innermost form at `offset`, as Calva's "current form": a form starting or ending at the
/// cursor (on its opener, or right after its closer) is that form; inside a symbol or another
/// atom, that atom; in whitespace, the form before the cursor on the same line, else the
/// enclosing form. `None` at the top level with nothing before the cursor on its line. Walks
/// down from the root (nodes keep no parent link).
pub(crate) fn innermost_form_at(file: &SourceFile, offset: TextSize) -> Option<TextRange> {
    let at = usize::from(offset);
    let text_line_start = {
        let rope = file.document().rope();
        let at = at.min(rope.len_bytes());
        rope.line_to_byte(rope.byte_to_line(at))
    };
    let tree = file.document().tree_at(at);
    let mut node = tree.root_node();
    let mut enclosing: Option<Node<'_>> = None;
    loop {
        let children = form_children(node);
        if let Some(child) = children.iter().find(|c| c.start_byte() == at) {
            return Some(node_range(*child));
        }
        if let Some(child) = children.iter().find(|c| c.end_byte() == at) {
            return Some(node_range(*child));
        }
        if let Some(child) = children
            .iter()
            .find(|c| c.start_byte() < at && at < c.end_byte())
        {
            if form_children(*child).is_empty() {
                return Some(node_range(*child));
            }
            enclosing = Some(*child);
            node = *child;
            continue;
        }
        let before = children
            .iter()
            .rev()
            .find(|c| c.end_byte() <= at && c.end_byte() >= text_line_start);
        return before.or(enclosing.as_ref()).map(|n| node_range(*n));
    }
}

/// The top-level form containing `offset` (a form ending there counts), except inside a
/// top-level `(comment ...)`: there the child form of the comment containing it, as Clojure's
/// rich comments are used. The comment itself when the cursor is on none of its children.
pub(crate) fn top_level_form_at(file: &SourceFile, offset: TextSize) -> Option<TextRange> {
    let at = usize::from(offset);
    let tree = file.document().tree_at(at);
    let top = form_children(tree.root_node())
        .into_iter()
        .find(|c| c.start_byte() <= at && at <= c.end_byte())?;
    if top.kind() == "list_lit" {
        let children = form_children(top);
        let is_comment = children.first().is_some_and(|head| {
            head.kind() == "sym_lit" && node_text(*head, file.document().rope()) == "comment"
        });
        if is_comment
            && let Some(child) = children
                .iter()
                .skip(1)
                .find(|c| c.start_byte() <= at && at <= c.end_byte())
        {
            return Some(node_range(*child));
        }
    }
    Some(node_range(top))
}

/// The local binders visible at `offset`, innermost last: parameters and `fn` names inside
/// their function, `let`/`loop` names after their value up to the end of the form. Spans of
/// half-typed forms end where the parse stopped, which is where the cursor usually is.
pub(crate) fn locals_at(lowering: &FileLowering, offset: TextSize) -> Vec<(String, Entity)> {
    let Some(form) = form_at(lowering, offset) else {
        return Vec::new();
    };
    let Some(at) = offset.checked_sub(form.range().start()) else {
        return Vec::new();
    };
    let ast = &form.ast;
    let inside = |id: NodeId| {
        let span = ast.node(id).span;
        span.start() < at && at <= span.end()
    };
    let mut scoped: Vec<(TextSize, NodeId)> = Vec::new();
    for (id, node) in ast.iter() {
        match &node.kind {
            NodeKind::Lambda { name: Some(n), .. } if inside(id) => {
                scoped.push((node.span.start(), *n));
            }
            NodeKind::Arity { params, rest, .. } if inside(id) => {
                scoped.extend(
                    params
                        .iter()
                        .chain(rest)
                        .map(|&p| (ast.node(p).span.start(), p)),
                );
            }
            NodeKind::Let { bindings, .. } | NodeKind::Loop { bindings, .. } if inside(id) => {
                for &(binder, value) in bindings {
                    if ast.node(value).span.end() <= at {
                        scoped.push((ast.node(binder).span.start(), binder));
                    }
                }
            }
            _ => {}
        }
    }
    scoped.sort_by_key(|&(start, _)| start);
    scoped
        .into_iter()
        .filter_map(|(_, id)| match &ast.node(id).kind {
            NodeKind::Binder(s) => Some((s.as_str().to_owned(), entity(form.slot, id))),
            _ => None,
        })
        .collect()
}

/// What a symbol names, as far as highlighting distinguishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A parameter (rest parameters included).
    Parameter,
    /// A `let` or `loop` name whose value is not a `fn`.
    Local,
    /// A `fn`'s own name, or a `let`/`loop` name bound to a `fn`.
    LocalFunction,
    /// A global defined as a `fn` (`defn`, or `def` of a `fn`).
    Function,
    /// A global defined by `defmacro`.
    Macro,
    /// Any other global the file defines.
    Value,
}

/// The globals `form` defines, in order, with their roles.
pub(crate) fn form_definitions(form: &TopForm) -> Vec<(String, Role)> {
    let mut out = Vec::new();
    for (_, node) in form.ast.iter() {
        if let NodeKind::Def {
            name,
            value,
            is_macro,
            ..
        } = &node.kind
            && let NodeKind::Binder(symbol) = &form.ast.node(*name).kind
        {
            let role = if *is_macro {
                Role::Macro
            } else if value.is_some_and(|v| is_lambda(&form.ast, v)) {
                Role::Function
            } else {
                Role::Value
            };
            out.push((symbol.as_str().to_owned(), role));
        }
    }
    out
}

/// The role of every binder and variable of `form`, with the name's range relative to the form
/// and whether it is the binder, by the same resolution as navigation: locals within their
/// form, globals by `globals` (the role of the first definition of each name). Core functions
/// and unresolved names are left out. The global names the answer depends on (looked up in
/// `globals`, found or not) are added to `used`.
pub(crate) fn form_roles(
    form: &TopForm,
    globals: &HashMap<String, Role>,
    used: &mut Vec<String>,
) -> Vec<(TextRange, Role, bool)> {
    let ast = &form.ast;
    let mut global = |symbol: &str| {
        used.push(symbol.to_owned());
        globals.get(symbol).copied()
    };
    let mut locals: HashMap<NodeId, Role> = HashMap::new();
    for (_, node) in ast.iter() {
        match &node.kind {
            NodeKind::Arity { params, rest, .. } => {
                for &param in params.iter().chain(rest) {
                    locals.insert(param, Role::Parameter);
                }
            }
            NodeKind::Lambda { name: Some(n), .. } => {
                locals.insert(*n, Role::LocalFunction);
            }
            NodeKind::Let { bindings, .. } | NodeKind::Loop { bindings, .. } => {
                for &(binder, value) in bindings {
                    let role = if is_lambda(ast, value) {
                        Role::LocalFunction
                    } else {
                        Role::Local
                    };
                    locals.insert(binder, role);
                }
            }
            NodeKind::Def { name, .. } => {
                if let NodeKind::Binder(symbol) = &ast.node(*name).kind
                    && let Some(role) = global(symbol.as_str())
                {
                    locals.insert(*name, role);
                }
            }
            _ => {}
        }
    }
    let resolution = resolve(ast);
    let mut out = Vec::new();
    for (id, node) in ast.iter() {
        let binder = matches!(node.kind, NodeKind::Binder(_));
        let role = match &node.kind {
            NodeKind::Binder(_) => locals.get(&id).copied(),
            NodeKind::Variable(_) => match resolution.lookup(id) {
                Some(Resolved::Local(binder)) => locals.get(&binder).copied(),
                Some(Resolved::Global(symbol)) => global(symbol.as_str()),
                None => None,
            },
            _ => None,
        };
        if let Some(role) = role {
            out.push((node.span, role, binder));
        }
    }
    out
}

fn is_lambda(ast: &Ast, node: NodeId) -> bool {
    matches!(ast.node(node).kind, NodeKind::Lambda { .. })
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::fixture::{cursor, mark};

    /// Each fixture with the form `find` picks marked `<...>` (or `none`), one per line.
    fn forms(fixtures: &[&str], find: fn(&SourceFile, TextSize) -> Option<TextRange>) -> String {
        fixtures
            .iter()
            .map(|fixture| {
                let (text, offset) = cursor(fixture);
                let file = SourceFile::from_text(&text);
                match find(&file, offset) {
                    Some(range) => mark(&text, &[range]),
                    None => "none".to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_innermost_form_is_calvas_current_form() {
        expect![[r#"
            (defn f [n] <(dec n)>)
            (defn f [n] <(dec n)>)
            (defn f [n] (<dec> n))
            (defn f [n] (dec <n>))
            <(defn f [n] (dec n)
               )>
            <[1 2]>  :a
            (f <"a b">)
            none
            (g <'x>)"#]]
        .assert_eq(&forms(
            &[
                "(defn f [n] $0(dec n))",
                "(defn f [n] (dec n)$0)",
                "(defn f [n] (de$0c n))",
                "(defn f [n] (dec $0n))",
                "(defn f [n] (dec n)\n   $0)",
                "[1 2] $0 :a",
                "(f \"a $0b\")",
                "  $0\n(f)",
                "(g $0'x)",
            ],
            innermost_form_at,
        ));
    }

    #[test]
    fn rich_comment_children_are_top_level_forms() {
        expect![[r#"
            <(defn f [n] (dec n))>
            (comment
              <(f 1)>
              (f 2))
            <(comment
              (f 1))>
            <(comment (f 1))>"#]]
        .assert_eq(&forms(
            &[
                "(defn f [n] (d$0ec n))",
                "(comment\n  (f $01)\n  (f 2))",
                "(com$0ment\n  (f 1))",
                "(comment (f 1))$0",
            ],
            top_level_form_at,
        ));
    }

    /// Nodes visited looking for a symbol on the innermost of `depth` unclosed `(` (there is
    /// none: the walk goes all the way down) and on the symbol after it.
    fn steps_under_open_parens(depth: usize) -> usize {
        let text = format!("{}abc", "(".repeat(depth));
        let file = SourceFile::from_text(&text);
        let tree = file.document().tree_at(0);
        let root = tree.root_node();
        let mut steps = 0;
        assert!(innermost_symbol(root, depth - 1, &mut steps).is_none());
        let symbol = innermost_symbol(root, depth + 1, &mut steps);
        assert_eq!(
            symbol.map(|s| (s.start_byte(), s.end_byte())),
            Some((depth, depth + 3))
        );
        steps
    }

    #[test]
    fn finding_the_symbol_is_linear_in_unclosed_nesting() {
        let small = steps_under_open_parens(5_000);
        let large = steps_under_open_parens(20_000);
        // Four times the nesting: four times the steps (and a little slack), not sixteen.
        assert!(
            large <= 5 * small,
            "5,000 deep: {small} steps; 20,000 deep: {large}"
        );
    }

    #[test]
    fn the_symbol_at_or_just_before_the_cursor() {
        let file = SourceFile::from_text("(foo bar) baz");
        let at = |offset: u32| {
            symbol_node_at(&file, TextSize::from(offset))
                .map(|s| (usize::from(s.range.start()), usize::from(s.range.end())))
        };
        assert_eq!(at(1), Some((1, 4)));
        assert_eq!(at(4), Some((1, 4)));
        assert_eq!(at(5), Some((5, 8)));
        assert_eq!(at(9), None);
        assert_eq!(at(13), Some((10, 13)));
        assert_eq!(at(0), None);
    }
}
