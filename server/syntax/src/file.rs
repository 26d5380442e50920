//! A whole file's lowering, kept up to date incrementally, and its datoms.
//!
//! Each top-level form is read, lowered and turned into datoms on its own, with spans relative to
//! its start, and gets a slot (the high bits of its entities' ids) that it keeps while its text is
//! unchanged. After an edit, the forms that did not change are the longest common prefix and
//! suffix of the old and new form lists; only the forms in between are lowered again, under fresh
//! slots. When both parses are clean, the unchanged forms are found from the bytes that differ,
//! checking only the forms that border the edit against the tree, so an edit costs time in the
//! size of the edit, not of the file; otherwise every top-level node is compared by kind and text.
//! What depends on more than one form is recomputed and diffed: each form's absolute position
//! (`:yin/form-start`) and the links of global variables to the file's `def`s (the first `def` of
//! a name wins) or to the core library. Lowering here knows no macros ([`NoMacros`]): calls to
//! macros lower as calls.

use std::collections::VecDeque;
use std::hash::Hasher;

use edn::{Datom, Entity, Symbol, Value};
use text_size::{TextRange, TextSize};
use tree_sitter::Node;

use crate::ast::{Ast, NodeId};
use crate::datoms::{
    GlobalLink, NODE_BITS, core_entity, entity, form_datoms, global_link_datoms, slot_of, vocab,
};
use crate::diagnostic::Diagnostic;
use crate::intern::{Interner, NameHasher, NameMap, NameSet};
use crate::lower::{NoMacros, lower};
use crate::reader::{is_form, read_node_with, top_level_nodes};
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
    /// Length in bytes of the form's text.
    len: usize,
    /// The tree-sitter kind of the form's node.
    kind: u16,
    /// Datoms that depend only on the form's text.
    local: Vec<Datom>,
    /// Variables resolved to a global name.
    globals: Vec<(Entity, Symbol)>,
    /// [`name_bits`] of every name in `globals`: a quick "maybe" before searching them.
    global_bits: u128,
    /// Globals this form defines, with their binders' entities.
    defines: Vec<(Symbol, Entity)>,
    /// The links of `globals`: they depend on the rest of the file's definitions.
    links: Vec<Datom>,
}

impl TopForm {
    /// The form's datoms: those of its text, its position, its global variables' links.
    pub fn datoms(&self) -> impl Iterator<Item = Datom> + '_ {
        self.local
            .iter()
            .cloned()
            .chain(form_start(self))
            .chain(self.links.iter().cloned())
    }

    /// The slots of the other forms this form's global variables link to (their definitions;
    /// the core library, slot 0, left out): the only datoms of other forms its own refer to.
    pub fn linked_slots(&self) -> impl Iterator<Item = u32> + '_ {
        self.links.iter().filter_map(move |d| match d.v {
            Value::Int(target) => u64::try_from(target)
                .ok()
                .map(slot_of)
                .filter(|&slot| slot != 0 && slot != self.slot),
            _ => None,
        })
    }

    /// The form's span in the file.
    pub fn range(&self) -> TextRange {
        let at = |n: usize| TextSize::from(u32::try_from(n).unwrap_or(u32::MAX));
        TextRange::new(at(self.start), at(self.start + self.len))
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
    /// The text the forms were lowered from.
    text: String,
    /// Whether that text parsed without syntax errors.
    clean: bool,
}

/// Which forms an edit replaced: `forms[prefix..len - suffix]` became `nodes`; `starts` holds
/// the new start of each kept form, prefix then suffix.
struct Change<'t> {
    prefix: usize,
    suffix: usize,
    nodes: Vec<Node<'t>>,
    starts: Vec<usize>,
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

    /// The form and node an entity names, if it is a node of this file.
    pub fn node(&self, e: Entity) -> Option<(&TopForm, NodeId)> {
        let slot = slot_of(e);
        let form = self.forms.iter().find(|f| f.slot == slot)?;
        let index = usize::try_from(e & ((1 << NODE_BITS) - 1)).ok()?;
        Some((form, form.ast.id_at(index)?))
    }

    /// The absolute span of the node an entity names (what a lint diagnostic on it covers).
    pub fn span(&self, e: Entity) -> Option<TextRange> {
        let (form, id) = self.node(e)?;
        Some(form.ast.node(id).span + form.range().start())
    }

    /// The innermost node whose span contains `offset` (a node ending at `offset` counts, so a
    /// cursor just after a symbol finds it), as an entity.
    pub fn entity_at(&self, offset: TextSize) -> Option<Entity> {
        let at = usize::from(offset);
        let i = self.forms.partition_point(|f| f.start + f.len < at);
        let form = self.forms.get(i).filter(|f| f.start <= at)?;
        let relative = offset - form.range().start();
        form.ast
            .iter()
            .filter(|(_, n)| n.span.start() <= relative && relative <= n.span.end())
            .min_by_key(|(_, n)| n.span.len())
            .map(|(id, _)| entity(form.slot, id))
    }

    /// All datoms, form by form in file order.
    pub fn datoms(&self) -> Vec<Datom> {
        let mut out = Vec::new();
        for form in &self.forms {
            out.extend(form.datoms());
        }
        out
    }

    /// Reader and lowering diagnostics, with absolute ranges. Syntax errors (code `syntax`) are
    /// left out: the document reports them, worded from the whole tree
    /// (`Document::syntax_diagnostics`); each form keeps its own in [`TopForm::diagnostics`].
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for form in &self.forms {
            let offset = form.range().start();
            let lowering = form.diagnostics.iter().filter(|d| d.code != "syntax");
            out.extend(lowering.map(|d| Diagnostic {
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
        let Change {
            prefix,
            suffix,
            nodes,
            starts,
        } = self
            .local_change(text, root)
            .unwrap_or_else(|| self.full_change(text, root));
        let old_len = self.forms.len();
        self.text.clear();
        self.text.push_str(text);
        self.clean = !root.has_error();
        let fresh: Vec<TopForm> = nodes
            .iter()
            .map(|&n| {
                let slot = self.next_slot;
                self.next_slot = self.next_slot.saturating_add(1);
                lower_top(n, text, slot, &mut self.interner)
            })
            .collect();
        let removed: Vec<TopForm> = self.forms.splice(prefix..old_len - suffix, fresh).collect();
        let added = prefix..prefix + nodes.len();
        // Only names defined by a removed or an added form can change their first definition.
        let mut touched: Vec<Symbol> = removed
            .iter()
            .chain(&self.forms[added.clone()])
            .flat_map(|f| f.defines.iter().map(|(name, _)| name.clone()))
            .collect();
        touched.sort_unstable();
        touched.dedup();
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
        let changed_names = if touched.len() <= 8 {
            self.redefine(touched)
        } else {
            self.redefine_all()
        };
        let changed_bits = changed_names.iter().fold(0, |bits, n| bits | name_bits(n));
        let changed_names: NameSet = changed_names.into_iter().collect();
        let mut starts = starts.into_iter();
        for (i, form) in self.forms.iter_mut().enumerate() {
            let is_new = added.contains(&i);
            let start = if is_new { None } else { starts.next() };
            if let Some(start) = start.filter(|&s| s != form.start) {
                if let Some(delta) = delta.as_deref_mut() {
                    delta.retracted.extend(form_start(form));
                    form.start = start;
                    delta.asserted.extend(form_start(form));
                }
                form.start = start;
            }
            let relinks = !is_new
                && form.global_bits & changed_bits != 0
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

    /// Recomputes the first definition of each of `names` (a few), scanning the forms; returns
    /// the names whose first definition changed.
    fn redefine(&mut self, names: Vec<Symbol>) -> Vec<Symbol> {
        let mut changed = Vec::new();
        for name in names {
            let first = self.forms.iter().find_map(|f| {
                f.defines
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|&(_, binder)| binder)
            });
            let before = match first {
                Some(binder) => self.defs.insert(name.clone(), binder),
                None => self.defs.remove(&name),
            };
            if before != first {
                changed.push(name);
            }
        }
        changed
    }

    /// Rebuilds every first definition in one pass; returns the names whose first definition
    /// changed.
    fn redefine_all(&mut self) -> Vec<Symbol> {
        let mut defs: NameMap<Symbol, Entity> =
            NameMap::with_capacity_and_hasher(self.defs.len(), Default::default());
        for form in &self.forms {
            for (name, binder) in &form.defines {
                defs.entry(name.clone()).or_insert(*binder);
            }
        }
        let old = std::mem::replace(&mut self.defs, defs);
        let mut changed: Vec<Symbol> = old
            .iter()
            .filter(|&(name, binder)| self.defs.get(name) != Some(binder))
            .map(|(name, _)| name.clone())
            .collect();
        changed.extend(
            self.defs
                .keys()
                .filter(|name| !old.contains_key(*name))
                .cloned(),
        );
        changed
    }

    /// Finds the changed forms from the tree's top-level nodes, comparing every form's text.
    fn full_change<'t>(&self, text: &str, root: Node<'t>) -> Change<'t> {
        let nodes = top_level_nodes(root);
        let same = |form: &TopForm, node: &Node<'_>| {
            node.kind_id() == form.kind
                && self.text.get(form.start..form.start + form.len)
                    == text.get(node.start_byte()..node.end_byte())
        };
        let prefix = self
            .forms
            .iter()
            .zip(&nodes)
            .take_while(|(f, n)| same(f, n))
            .count();
        let suffix = self.forms[prefix..]
            .iter()
            .rev()
            .zip(nodes[prefix..].iter().rev())
            .take_while(|(f, n)| same(f, n))
            .count();
        let starts = nodes[..prefix]
            .iter()
            .chain(&nodes[nodes.len() - suffix..])
            .map(|n| n.start_byte())
            .collect();
        let nodes = nodes[prefix..nodes.len() - suffix].to_vec();
        Change {
            prefix,
            suffix,
            nodes,
            starts,
        }
    }

    /// Finds the changed forms from the bytes that differ, without walking every top-level node:
    /// forms strictly inside the common prefix or suffix of the old and new text are unchanged,
    /// provided the tree agrees that the forms bordering the edit are still top-level forms with
    /// the same extent. `None` when it does not (say, an unclosed `(` swallowed what follows).
    ///
    /// Only clean parses (old and new) qualify: then the parser is in its top-level state at
    /// every top-level form, so identical text after a verified boundary parses identically.
    /// Error recovery is not local (a missing `]` can be placed differently after an unrelated
    /// edit earlier on), so with syntax errors every top-level node is compared.
    fn local_change<'t>(&self, text: &str, root: Node<'t>) -> Option<Change<'t>> {
        if self.forms.is_empty() || !self.clean || root.has_error() {
            return None;
        }
        let (old, new) = (self.text.as_bytes(), text.as_bytes());
        let head = common_prefix(old, new);
        let tail = common_suffix(&old[head..], &new[head..]);
        let shift = new.len() as i64 - old.len() as i64;
        // A form is kept only if the byte after it (before it, for the suffix) is unchanged too,
        // so the edit cannot extend its last (first) token.
        let mut prefix = self.forms.partition_point(|f| f.start + f.len < head);
        let tail_start = old.len() - tail;
        let mut first_kept = self
            .forms
            .partition_point(|f| f.start <= tail_start)
            .max(prefix);
        let is_root_child = |form: &TopForm, offset: i64| {
            let start = usize::try_from(form.start as i64 + offset).ok()?;
            let node = root.first_child_for_byte(start)?;
            let same = node.start_byte() == start
                && node.end_byte() == start + form.len
                && node.kind_id() == form.kind
                && is_form(&node);
            same.then_some(node)
        };
        let scan_from = match prefix.checked_sub(1) {
            Some(last) => is_root_child(&self.forms[last], 0)?.end_byte(),
            None => 0,
        };
        let scan_to = match self.forms.get(first_kept) {
            Some(first) => is_root_child(first, shift)?.start_byte(),
            None => text.len(),
        };
        let mut nodes = VecDeque::new();
        let mut next = root.first_child_for_byte(scan_from);
        while let Some(node) = next {
            if node.start_byte() >= scan_to {
                break;
            }
            if node.start_byte() >= scan_from && is_form(&node) {
                nodes.push_back(node);
            }
            next = node.next_sibling();
        }
        // Forms next to the edit whose text and place did not change are kept too.
        let same = |form: &TopForm, node: &Node<'_>, offset: i64| {
            form.start as i64 + offset == node.start_byte() as i64
                && node.kind_id() == form.kind
                && self.text.get(form.start..form.start + form.len)
                    == text.get(node.start_byte()..node.end_byte())
        };
        while prefix < first_kept
            && nodes
                .front()
                .is_some_and(|n| same(&self.forms[prefix], n, 0))
        {
            nodes.pop_front();
            prefix += 1;
        }
        while first_kept > prefix
            && nodes
                .back()
                .is_some_and(|n| same(&self.forms[first_kept - 1], n, shift))
        {
            nodes.pop_back();
            first_kept -= 1;
        }
        let starts = self.forms[..prefix]
            .iter()
            .map(|f| f.start)
            .chain(
                self.forms[first_kept..]
                    .iter()
                    .map(|f| usize::try_from(f.start as i64 + shift).unwrap_or(0)),
            )
            .collect();
        Some(Change {
            prefix,
            suffix: self.forms.len() - first_kept,
            nodes: nodes.into(),
            starts,
        })
    }
}

/// Length of the common prefix of `a` and `b`, compared a block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Length of the common suffix of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (ea, eb) = (a.len(), b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[ea - i - BLOCK..ea - i] == b[eb - i - BLOCK..eb - i] {
        i += BLOCK;
    }
    while i < n && a[ea - i - 1] == b[eb - i - 1] {
        i += 1;
    }
    i
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
    let global_bits = globals.iter().fold(0, |bits, (_, n)| bits | name_bits(n));
    let defines = definitions(&ast)
        .into_iter()
        .map(|(name, binder)| (name, entity(slot, binder)))
        .collect();
    TopForm {
        slot,
        start,
        ast,
        diagnostics,
        len: node.end_byte().saturating_sub(start),
        kind: node.kind_id(),
        local,
        globals,
        global_bits,
        defines,
        links: Vec::new(),
    }
}

/// Two bits chosen by the name's hash: a set of names becomes a 128-bit Bloom filter, which
/// rules out most forms without comparing names.
fn name_bits(name: &Symbol) -> u128 {
    let mut hasher = NameHasher::default();
    hasher.write(name.as_str().as_bytes());
    let hash = hasher.finish();
    (1 << (hash >> 57)) | (1 << ((hash >> 50) & 127))
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
