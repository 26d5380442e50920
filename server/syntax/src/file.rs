//! A whole file's lowering, kept up to date incrementally, and its datoms.
//!
//! Each top-level form is read, lowered and turned into datoms on its own, with spans relative to
//! its start, and gets a slot (the high bits of its entities' ids) that it keeps while its text is
//! unchanged. After an edit, the forms whose text is unchanged are matched by a common prefix and
//! suffix of the old and new form lists; only the forms in between are lowered again, under fresh
//! slots. What depends on more than one form is recomputed and diffed: each form's absolute
//! position (`:yin/form-start`) and the links of global variables to the file's `def`s (the first
//! `def` of a name wins) or to the core library. Lowering here knows no macros ([`NoMacros`]):
//! calls to macros lower as calls.

use edn::{Datom, Entity, Symbol, Value};
use text_size::{TextRange, TextSize};
use tree_sitter::Node;

use crate::ast::Ast;
use crate::datoms::{GlobalLink, core_entity, entity, form_datoms, global_link_datoms, vocab};
use crate::diagnostic::Diagnostic;
use crate::intern::{Interner, NameMap};
use crate::lower::{NoMacros, lower};
use crate::reader::{read_node_with, top_level_nodes};
use crate::scope::{definitions, resolve};

/// One top-level form of a file, lowered.
#[derive(Clone, Debug)]
pub struct TopForm {
    /// Names this form's entities: `entity(slot, node)`. Stable while the form's text is.
    pub slot: u32,
    /// Absolute byte offset of the form in the file.
    pub start: usize,
    /// The lowered form; its spans are relative to `start`.
    pub ast: Ast,
    /// Reader and lowering diagnostics, relative to `start`.
    pub diagnostics: Vec<Diagnostic>,
    text: Box<str>,
    /// Datoms that depend only on the form's text.
    local: Vec<Datom>,
    /// Variables resolved to a global name.
    globals: Vec<(Entity, Symbol)>,
    /// Globals this form defines, with their binders' entities.
    defines: Vec<(Symbol, Entity)>,
    /// The links of `globals`: they depend on the rest of the file's definitions.
    links: Vec<Datom>,
}

impl TopForm {
    /// The form's span in the file.
    pub fn range(&self) -> TextRange {
        let at = |n: usize| TextSize::from(u32::try_from(n).unwrap_or(u32::MAX));
        TextRange::new(at(self.start), at(self.start + self.text.len()))
    }
}

/// What an update changed: datoms to retract and datoms to assert, in that order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    pub retracted: Vec<Datom>,
    pub asserted: Vec<Datom>,
}

/// A file's top-level forms, lowered, and their datoms.
#[derive(Clone, Debug, Default)]
pub struct FileLowering {
    forms: Vec<TopForm>,
    next_slot: u32,
    interner: Interner,
    /// The first definition of each global name, in file order.
    defs: NameMap<Symbol, Entity>,
}

impl FileLowering {
    /// Lowers every top-level form of `text`, whose parse tree has the root `root`.
    pub fn new(text: &str, root: Node<'_>) -> FileLowering {
        let mut file = FileLowering {
            next_slot: 1,
            ..FileLowering::default()
        };
        file.sync(text, root, None);
        file
    }

    /// Parses `text` and lowers it.
    pub fn from_text(text: &str) -> FileLowering {
        let mut parser = tree_sitter::Parser::new();
        let tree = parser
            .set_language(&tree_sitter_yin::LANGUAGE.into())
            .ok()
            .and_then(|()| parser.parse(text, None));
        match tree {
            Some(tree) => FileLowering::new(text, tree.root_node()),
            None => FileLowering::default(),
        }
    }

    pub fn forms(&self) -> &[TopForm] {
        &self.forms
    }

    /// All datoms, form by form in file order.
    pub fn datoms(&self) -> Vec<Datom> {
        let mut out = Vec::new();
        for form in &self.forms {
            out.extend(form.local.iter().cloned());
            out.extend(form_start(form));
            out.extend(form.links.iter().cloned());
        }
        out
    }

    /// All reader and lowering diagnostics, with absolute ranges.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for form in &self.forms {
            let offset = form.range().start();
            out.extend(form.diagnostics.iter().map(|d| Diagnostic {
                range: d.range + offset,
                ..d.clone()
            }));
        }
        out
    }

    /// Brings the lowering up to date with the new `text` and its tree; returns what changed.
    pub fn update(&mut self, text: &str, root: Node<'_>) -> Delta {
        let mut delta = Delta::default();
        self.sync(text, root, Some(&mut delta));
        delta
    }

    fn sync(&mut self, text: &str, root: Node<'_>, mut delta: Option<&mut Delta>) {
        let nodes = top_level_nodes(root);
        let texts: Vec<&str> = nodes
            .iter()
            .map(|n| text.get(n.start_byte()..n.end_byte()).unwrap_or(""))
            .collect();
        let old_len = self.forms.len();
        let prefix = self
            .forms
            .iter()
            .zip(&texts)
            .take_while(|(f, t)| &*f.text == **t)
            .count();
        let suffix = self.forms[prefix..]
            .iter()
            .rev()
            .zip(texts[prefix..].iter().rev())
            .take_while(|(f, t)| &*f.text == **t)
            .count();
        let fresh: Vec<TopForm> = nodes[prefix..nodes.len() - suffix]
            .iter()
            .map(|&n| {
                let slot = self.next_slot;
                self.next_slot = self.next_slot.saturating_add(1);
                lower_top(n, text, slot, &mut self.interner)
            })
            .collect();
        let removed: Vec<TopForm> = self.forms.splice(prefix..old_len - suffix, fresh).collect();
        let added = prefix..nodes.len() - suffix;
        let defs_changed = removed.iter().any(|f| !f.defines.is_empty())
            || self.forms[added.clone()]
                .iter()
                .any(|f| !f.defines.is_empty());
        if let Some(delta) = delta.as_deref_mut() {
            for form in removed {
                delta.retracted.extend(form_start(&form));
                delta.retracted.extend(form.local);
                delta.retracted.extend(form.links);
            }
            for form in &self.forms[added.clone()] {
                delta.asserted.extend(form.local.iter().cloned());
            }
        }
        let changed_names = if defs_changed {
            let old = std::mem::take(&mut self.defs);
            for form in &self.forms {
                for (name, binder) in &form.defines {
                    self.defs.entry(name.clone()).or_insert(*binder);
                }
            }
            changed_keys(&old, &self.defs)
        } else {
            Vec::new()
        };
        for (i, (form, node)) in self.forms.iter_mut().zip(&nodes).enumerate() {
            let is_new = added.contains(&i);
            if !is_new && form.start != node.start_byte() {
                if let Some(delta) = delta.as_deref_mut() {
                    delta.retracted.extend(form_start(form));
                    form.start = node.start_byte();
                    delta.asserted.extend(form_start(form));
                }
                form.start = node.start_byte();
            }
            let relinks = !changed_names.is_empty()
                && form.globals.iter().any(|(_, n)| changed_names.contains(n));
            if !(is_new || relinks) {
                continue;
            }
            let links = link_datoms(form, &self.defs);
            if let Some(delta) = delta.as_deref_mut() {
                if is_new {
                    delta.asserted.extend(form_start(form));
                    delta.asserted.extend(links.iter().cloned());
                } else {
                    diff(&form.links, &links, delta);
                }
            }
            form.links = links;
        }
    }
}

/// The names whose first definition differs between `old` and `new` (usually one or two).
fn changed_keys(old: &NameMap<Symbol, Entity>, new: &NameMap<Symbol, Entity>) -> Vec<Symbol> {
    let mut changed: Vec<Symbol> = old
        .iter()
        .filter(|&(k, v)| new.get(k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    changed.extend(new.keys().filter(|k| !old.contains_key(*k)).cloned());
    changed
}

/// Appends to `delta` what turns `old` into `new` (both small: one form's links).
fn diff(old: &[Datom], new: &[Datom], delta: &mut Delta) {
    delta
        .retracted
        .extend(old.iter().filter(|d| !new.contains(d)).cloned());
    delta
        .asserted
        .extend(new.iter().filter(|d| !old.contains(d)).cloned());
}

fn lower_top(node: Node<'_>, text: &str, slot: u32, interner: &mut Interner) -> TopForm {
    let start = node.start_byte();
    let mut diagnostics = Vec::new();
    let form = read_node_with(node, text, start, interner, &mut diagnostics);
    let lowered = lower(&form, &mut NoMacros);
    diagnostics.extend(lowered.diagnostics);
    let ast = lowered.ast;
    let resolution = resolve(&ast);
    let mut local = Vec::with_capacity(ast.len() * 6);
    let globals = form_datoms(slot, &ast, &resolution, interner, &mut local);
    let defines = definitions(&ast)
        .into_iter()
        .map(|(name, binder)| (name, entity(slot, binder)))
        .collect();
    TopForm {
        slot,
        start,
        ast,
        diagnostics,
        text: text.get(start..node.end_byte()).unwrap_or("").into(),
        local,
        globals,
        defines,
        links: Vec::new(),
    }
}

/// `[root :yin/form-start offset]`: where the form is in the file.
fn form_start(form: &TopForm) -> Option<Datom> {
    let root = form.ast.root()?;
    Some(Datom::new(
        entity(form.slot, root),
        vocab().form_start.clone(),
        Value::Int(i64::try_from(form.start).unwrap_or(i64::MAX)),
    ))
}

/// What each global variable of the form links to, given the file's definitions.
fn link_datoms(form: &TopForm, defs: &NameMap<Symbol, Entity>) -> Vec<Datom> {
    let mut out = Vec::with_capacity(2 * form.globals.len());
    for (var, name) in &form.globals {
        let link = match defs.get(name) {
            Some(&binder) => GlobalLink::Def(binder),
            None => match core_entity(name.as_str()) {
                Some(e) => GlobalLink::Core(e),
                None => GlobalLink::Unresolved,
            },
        };
        global_link_datoms(*var, link, &mut out);
    }
    out
}
