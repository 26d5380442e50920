//! A whole file's lowering, kept up to date incrementally, and its datoms.
//!
//! Each top-level form is read, lowered and turned into datoms on its own, with spans relative to
//! its start, and gets a slot (the high bits of its entities' ids) that it keeps while its text is
//! unchanged. No datom holds a position in the file, so a form that only moved keeps all its
//! datoms; spans are mapped to the file at the edge ([`FileLowering::span`]). What depends on
//! more than one form is recomputed for the names an update touched and diffed: the links of
//! global variables to the file's `def`s (the first `def` of a name wins) or to the core library,
//! and `:yin/redefines` from a top-level `def` to the earlier one of the same name. Lowering here
//! knows no macros ([`NoMacros`]): calls to macros lower as calls.
//!
//! # The top-level forms of a file
//!
//! They are the forms of the document's chunks (see `document.rs`: the text is cut before every
//! line that begins a form at column 0, and each chunk parsed on its own): the top-level nodes of
//! a chunk without syntax errors, and for a broken chunk the forms of its text parsed on its own
//! (a "chunk" form). So an unclosed `(` or string swallows at most the lines up to the next such
//! line instead of the rest of the file, and since the chunks are a function of the text, so is
//! the lowering.
//!
//! # Updates
//!
//! An update takes the document's replacements since the version it last saw
//! ([`Document::splices_since`]). The forms the replacements touch are found by binary search over
//! the form starts and dropped; the later ones are moved. The new tree's top-level nodes (and
//! chunks) are then matched against the kept forms without reading their text: a kept form read
//! from a node free of errors stays if such a node has its exact extent (its text is unchanged;
//! in a clean tree a form parses alone as it parses in the file, and in a broken tree such nodes
//! are always parsed alone), and the forms of a chunk no replacement touched stay if they were
//! cut from a chunk with the same extent, or if the chunk is nothing but such forms read alone,
//! separated by whitespace (the forms after an unclosed one keep their slots). Everything else is
//! read from the document's rope, parsed on its own and lowered under a fresh slot.
//!
//! Only the chunks the document cut or parsed again since the lowered version are matched
//! ([`Document::rechunked_since`]): every other chunk is an old one, moved, so its forms are the
//! kept ones. Only the forms an edit changed are lowered.

use std::hash::Hasher;
use std::sync::{Arc, Mutex, MutexGuard};

use edn::{Datom, Entity, Symbol, Value};
use ropey::Rope;
use text_size::{TextRange, TextSize};
use tree_sitter::Node;

use crate::ast::{Ast, NodeId, NodeKind};
use crate::datoms::{
    GlobalLink, NODE_BITS, core_entity, entity, form_datoms, global_link_datoms, reference,
    slot_of, vocab,
};
use crate::diagnostic::Diagnostic;
use crate::document::{Document, Splice};
use crate::intern::{Interner, NameHasher, NameMap, NameSet};
use crate::lower::{NoMacros, lower};
use crate::parse::parse_str;
use crate::reader::{read_node_with, top_level_nodes};
use crate::scope::{Resolved, definitions, resolve};

/// One top-level form of a file, lowered.
///
/// Compact, since a file can hold half a million one-atom forms: a few words and the shared
/// `Ast`, with what most forms lack (diagnostics, globals, definitions, links) boxed apart. Its
/// datoms are not kept: they are a function of the slot and the `Ast`, made when asked for
/// ([`TopForm::datoms`]), so a retraction re-derives exactly what was asserted.
#[derive(Clone, Debug)]
pub struct TopForm {
    /// Names this form's entities: `entity(slot, node)`. Stable while the form's text is.
    pub slot: u32,
    /// Absolute byte offset of the form in the file (offsets are `u32`, as in `TextSize`).
    start: u32,
    /// Length in bytes of the form's text.
    len: u32,
    /// Whether the form's text parses without syntax errors.
    clean: bool,
    /// The lowered form; its spans are relative to its start. Its nodes are shared: a snapshot
    /// of the lowering copies no form's nodes, and an edit that follows it copies only handles.
    pub ast: Ast,
    /// What a form without diagnostics, global names or a chunk does not need.
    more: Option<Box<More>>,
}

/// The parts of a [`TopForm`] most one-atom forms lack.
#[derive(Clone, Debug, Default)]
struct More {
    /// Reader and lowering diagnostics, relative to the form's start.
    diagnostics: Box<[Diagnostic]>,
    /// For a form cut from a chunk of a broken node: its offset in the chunk and the chunk's
    /// length. The form is the same while that chunk's text is.
    chunk: Option<(u32, u32)>,
    /// Variables resolved to a global name.
    globals: Box<[(Entity, Symbol)]>,
    /// [`name_bits`] of every name in `globals`: a quick "maybe" before searching them.
    global_bits: u128,
    /// Globals this form defines, with their binders' entities.
    defines: Box<[(Symbol, Entity)]>,
    /// The name defined by the form's root, when it is a `def`, with the root's entity.
    root_def: Option<(Symbol, Entity)>,
    /// The links of `globals` and `:yin/redefines`: they depend on the rest of the file's
    /// definitions.
    links: Box<[Datom]>,
}

impl More {
    fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
            && self.chunk.is_none()
            && self.globals.is_empty()
            && self.defines.is_empty()
            && self.root_def.is_none()
            && self.links.is_empty()
    }
}

impl TopForm {
    /// The form's datoms: those of its text, and its links to other forms' definitions.
    pub fn datoms(&self) -> impl Iterator<Item = Datom> + '_ {
        self.local_datoms()
            .into_iter()
            .chain(self.links().iter().cloned())
    }

    /// The datoms that depend only on the form's text, made anew from its `Ast` (the same
    /// datoms each time).
    fn local_datoms(&self) -> Vec<Datom> {
        let resolution = resolve(&self.ast);
        let mut out = Vec::with_capacity(self.ast.len() * 6 + 1);
        form_datoms(self.slot, &self.ast, &resolution, &mut out);
        if let Some(root) = self.ast.root() {
            out.push(Datom::new(
                entity(self.slot, root),
                vocab().top_level.clone(),
                Value::Bool(true),
            ));
        }
        out
    }

    /// The slots of the other forms this form's links point to (the definitions its global
    /// variables use, the first definition of the name it redefines; the core library, slot 0,
    /// left out): the only datoms of other forms its own refer to.
    pub fn linked_slots(&self) -> impl Iterator<Item = u32> + '_ {
        self.links().iter().filter_map(move |d| match d.v {
            Value::Int(target) => u64::try_from(target)
                .ok()
                .map(slot_of)
                .filter(|&slot| slot != 0 && slot != self.slot),
            _ => None,
        })
    }

    /// Reader and lowering diagnostics, relative to the form's start.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.more.as_deref().map_or(&[], |m| &m.diagnostics)
    }

    /// The form's span in the file.
    pub fn range(&self) -> TextRange {
        // Saturating, as every offset here: the end of a form in a file past 4 GiB is clamped.
        TextRange::new(
            TextSize::from(self.start),
            TextSize::from(to_u32(self.end())),
        )
    }

    fn start(&self) -> usize {
        self.start as usize
    }

    fn end(&self) -> usize {
        self.start() + self.len as usize
    }

    fn chunk(&self) -> Option<(usize, usize)> {
        let (at, len) = self.more.as_deref()?.chunk?;
        Some((at as usize, len as usize))
    }

    fn globals(&self) -> &[(Entity, Symbol)] {
        self.more.as_deref().map_or(&[], |m| &m.globals)
    }

    fn global_bits(&self) -> u128 {
        self.more.as_deref().map_or(0, |m| m.global_bits)
    }

    fn defines(&self) -> &[(Symbol, Entity)] {
        self.more.as_deref().map_or(&[], |m| &m.defines)
    }

    fn root_def(&self) -> Option<&(Symbol, Entity)> {
        self.more.as_deref()?.root_def.as_ref()
    }

    fn links(&self) -> &[Datom] {
        self.more.as_deref().map_or(&[], |m| &m.links)
    }

    /// Moves the form to `start` in the file.
    fn move_to(&mut self, start: usize) {
        self.start = to_u32(start);
    }
}

/// The interner, locked. A panic while it was locked leaves it usable: interning only adds
/// complete entries.
fn lock(interner: &Mutex<Interner>) -> MutexGuard<'_, Interner> {
    interner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An offset or length as stored: `u32`, as `TextSize` is (larger saturate).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
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
    /// Each slot's position in `forms` (`u32::MAX` or a stale position for a slot no form holds
    /// any more: check the form's slot), so an entity finds its form in constant time.
    index: Vec<u32>,
    /// The names read so far. Shared by the copies of a lowering (a snapshot and the lowering
    /// edited after it): interning only adds names and is invisible in what it returns, so a
    /// copy need not copy the table.
    interner: Arc<Mutex<Interner>>,
    /// The first definition of each global name, in file order.
    defs: NameMap<Symbol, Entity>,
    /// The first top-level form whose root is a `def` of each name: that root.
    root_defs: NameMap<Symbol, Entity>,
    /// The document version the forms were lowered from.
    version: u64,
    /// That version's text: shares the document's rope nodes, so keeping it copies nothing. Read
    /// only when an update does not follow the previous one (a whole new text).
    rope: Rope,
}

/// A stretch of the new tree that makes top-level forms.
enum Unit<'t> {
    /// A top-level node of a chunk without syntax errors, and where that chunk starts (the
    /// node's offsets are relative to it).
    Node(Node<'t>, usize),
    /// Bytes `start..end` of a broken chunk, parsed on their own.
    Chunk(usize, usize),
}

/// What replacing text did to the kept forms ([`FileLowering::apply_splices`]): the forms it
/// dropped, the byte ranges of the new text to read again (sorted, disjoint), and the first
/// position in `forms` whose form may have changed.
#[derive(Default)]
struct Spliced {
    removed: Vec<TopForm>,
    dirty: Vec<(usize, usize)>,
    moved_from: usize,
}

impl FileLowering {
    /// Lowers every top-level form of `doc`.
    pub fn new(doc: &Document) -> FileLowering {
        let mut file = FileLowering {
            next_slot: 1,
            version: doc.version(),
            rope: doc.rope().clone(),
            ..FileLowering::default()
        };
        // One copy of the text at the start, so the forms of a clean tree are read from it as
        // they are; updates read only the forms they lower, from the rope. In a broken tree a
        // node without errors can still be a fragment of tree-sitter's recovery (a bare symbol
        // name, say) that reads differently once parsed on its own, as updates do: there every
        // node is parsed on its own from the start.
        let text = doc.rope().to_string();
        let text = (!doc.has_syntax_error()).then_some(text.as_str());
        file.sync(doc, text, None, Spliced::default(), None);
        file
    }

    /// Parses `text` and lowers it.
    pub fn from_text(text: &str) -> FileLowering {
        FileLowering::new(&Document::new(text))
    }

    pub fn forms(&self) -> &[TopForm] {
        &self.forms
    }

    /// The form and node an entity names, if it is a node of this file.
    pub fn node(&self, e: Entity) -> Option<(&TopForm, NodeId)> {
        let slot = slot_of(e);
        let &i = self.index.get(slot as usize)?;
        let form = self.forms.get(i as usize).filter(|f| f.slot == slot)?;
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
        let i = self.forms.partition_point(|f| f.end() < at);
        let form = self.forms.get(i).filter(|f| f.start() <= at)?;
        let relative = offset - form.range().start();
        form.ast
            .iter()
            .filter(|(_, n)| n.span.start() <= relative && relative <= n.span.end())
            .min_by_key(|(_, n)| n.span.len())
            .map(|(id, _)| entity(form.slot, id))
    }

    /// All datoms, form by form in file order.
    pub fn datoms(&self) -> Vec<Datom> {
        self.each_datom().collect()
    }

    /// All datoms, form by form in file order, without collecting them (a database built from
    /// them then never holds them twice).
    pub fn each_datom(&self) -> impl Iterator<Item = Datom> + '_ {
        self.forms.iter().flat_map(TopForm::datoms)
    }

    /// Reader and lowering diagnostics, with absolute ranges. Syntax errors (code `syntax`) are
    /// left out: the document reports them, worded from the whole tree
    /// (`Document::syntax_diagnostics`); each form keeps its own in [`TopForm::diagnostics`].
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for form in &self.forms {
            let offset = form.range().start();
            let lowering = form.diagnostics().iter().filter(|d| d.code != "syntax");
            out.extend(lowering.map(|d| Diagnostic {
                range: d.range + offset,
                ..d.clone()
            }));
        }
        out
    }

    /// Brings the lowering up to date with `doc`; returns what changed. Costs the top-level
    /// walk plus the forms the document's last change touched, when the lowering followed the
    /// version that change started from; otherwise the old and new texts are compared once.
    pub fn update(&mut self, doc: &Document) -> Delta {
        let mut delta = Delta::default();
        let rechunked = doc.rechunked_since(self.version);
        let whole;
        let splices = match doc.splices_since(self.version) {
            Some(splices) => splices,
            None => {
                whole = [difference(&self.rope, doc.rope())];
                &whole[..]
            }
        };
        let spliced = self.apply_splices(splices);
        self.version = doc.version();
        self.rope = doc.rope().clone();
        self.sync(doc, None, rechunked, spliced, Some(&mut delta));
        delta
    }

    /// Drops the forms each replacement touches and moves the later ones; returns the dropped
    /// forms, the byte ranges of the new text to read again (sorted, disjoint) and the first
    /// position in `forms` whose form may have changed.
    fn apply_splices(&mut self, splices: &[Splice]) -> Spliced {
        let mut moved_from = self.forms.len();
        let mut removed = Vec::new();
        let mut dirty: Vec<(usize, usize)> = Vec::new();
        for &Splice {
            start,
            old_end,
            new_end,
        } in splices
        {
            // The forms holding replaced bytes, or the insertion point strictly inside them. A
            // form the edit only touches keeps its bytes; if the edit extended one of its
            // tokens, the new tree's node no longer has its extent and `sync` reads it again.
            let first = self.forms.partition_point(|f| f.end() <= start);
            let after = self
                .forms
                .partition_point(|f| f.start() < old_end)
                .max(first);
            let (mut low, mut high) = (start, old_end);
            if first < after {
                low = low.min(self.forms[first].start());
                high = high.max(self.forms[after - 1].end());
            }
            removed.extend(self.forms.drain(first..after));
            moved_from = moved_from.min(first);
            let moved = |x: usize| x - old_end + new_end;
            for form in &mut self.forms[first..] {
                form.move_to(moved(form.start()));
            }
            let map = |x: usize| match x {
                _ if x >= old_end => moved(x),
                _ if x > start => start,
                _ => x,
            };
            for range in &mut dirty {
                *range = (map(range.0), map(range.1));
            }
            dirty.push((low, moved(high)));
            dirty = merge_ranges(dirty);
        }
        Spliced {
            removed,
            dirty,
            moved_from,
        }
    }

    /// Matches the top-level nodes of the document's chunks against the kept forms
    /// (`self.forms`), lowers what does not match, and relinks; records the changes in `delta`.
    /// `text`, when given, is the whole text (the first lowering); otherwise forms are read from
    /// the rope. `rechunked`, when given, is the bytes whose chunks the document made anew since
    /// the version the forms were lowered from: only their chunks are looked at (every other
    /// chunk is an old one, moved, so its forms are the kept ones).
    fn sync(
        &mut self,
        doc: &Document,
        text: Option<&str>,
        rechunked: Option<(usize, usize)>,
        spliced: Spliced,
        delta: Option<&mut Delta>,
    ) {
        let Spliced {
            mut removed,
            dirty,
            moved_from,
        } = spliced;
        let rope = doc.rope();
        // The kept forms stay in place: the walk records which runs of them to replace by which
        // new forms, applied at the end, so an edit moves no form it does not replace.
        let mut ops: Vec<(usize, usize, Vec<TopForm>)> = Vec::new();
        let mut record = |from: usize, to: usize, new: Vec<TopForm>| match ops.last_mut() {
            Some(last) if last.1 == from => {
                last.1 = to;
                last.2.extend(new);
            }
            _ if from == to && new.is_empty() => {}
            _ => ops.push((from, to, new)),
        };
        let is_dirty = |from: usize, to: usize| {
            let i = dirty.partition_point(|&(_, end)| end < from);
            dirty.get(i).is_some_and(|&(start, _)| start <= to)
        };
        let windows = match (text, rechunked) {
            (None, Some((from, to))) => vec![(from, to, units(doc, from, to))],
            _ => vec![(0, usize::MAX, units(doc, 0, usize::MAX))],
        };
        let mut k = 0;
        for (window_start, window_end, units) in windows {
            // Forms before the window stay; those in it not matched below are dropped.
            k = k.max(self.forms.partition_point(|f| f.start() < window_start));
            for unit in units {
                let (from, to) = match unit {
                    Unit::Node(node, base) => (base + node.start_byte(), base + node.end_byte()),
                    Unit::Chunk(from, to) => (from, to),
                };
                let stale = k + self.forms[k..].partition_point(|f| f.start() < from);
                record(k, stale, Vec::new());
                k = stale;
                let next = k + self.forms[k..].partition_point(|f| f.start() < to);
                let reuse = match unit {
                    Unit::Node(..) => self.forms.get(k).is_some_and(|f| {
                        f.start() == from && f.end() == to && f.clean && f.chunk().is_none()
                    }),
                    Unit::Chunk(..) => {
                        let inside = &self.forms[k..next];
                        !inside.is_empty()
                            && !is_dirty(from, to)
                            && (inside
                                .iter()
                                .all(|f| f.chunk() == Some((f.start() - from, to - from)))
                                || only_clean_forms(rope, from, to, inside))
                    }
                };
                if reuse {
                    k = next;
                    continue;
                }
                let mut new = Vec::new();
                match (unit, text) {
                    (Unit::Node(node, base), Some(text)) => {
                        let slot = self.fresh_slot();
                        let chunk = text.get(base..).unwrap_or_default();
                        let mut interner = lock(&self.interner);
                        new.push(lower_top(node, chunk, base, slot, None, &mut interner));
                    }
                    (Unit::Node(..), None) => self.lower_piece(rope, from, to, false, &mut new),
                    (Unit::Chunk(from, to), _) => self.lower_piece(rope, from, to, true, &mut new),
                }
                record(k, next, new);
                k = next;
            }
            let stale = k.max(self.forms.partition_point(|f| f.start() < window_end));
            record(k, stale, Vec::new());
            k = stale;
        }
        let mut added: Vec<usize> = Vec::new();
        let mut shift = 0isize;
        for (from, to, new) in &ops {
            let at = from.saturating_add_signed(shift);
            added.extend(at..at + new.len());
            shift += new.len() as isize - (to - from) as isize;
        }
        let moved_from = ops.first().map_or(moved_from, |op| op.0.min(moved_from));
        for (from, to, new) in ops.into_iter().rev() {
            removed.extend(self.forms.splice(from..to, new));
        }
        self.reindex(moved_from);
        self.relink(removed, &added, delta);
    }

    /// Records the positions of the forms from `from` on in `index`.
    fn reindex(&mut self, from: usize) {
        let index = &mut self.index;
        index.resize(self.next_slot as usize, u32::MAX);
        for (i, form) in self.forms.iter().enumerate().skip(from) {
            if let Some(cell) = index.get_mut(form.slot as usize) {
                *cell = to_u32(i);
            }
        }
    }

    fn fresh_slot(&mut self) -> u32 {
        let slot = self.next_slot;
        self.next_slot = self.next_slot.saturating_add(1);
        slot
    }

    /// Parses bytes `from..to` of `rope` on their own and lowers their forms into `out`;
    /// `chunk` says they are a chunk of a broken node (see the module doc).
    fn lower_piece(
        &mut self,
        rope: &Rope,
        from: usize,
        to: usize,
        chunk: bool,
        out: &mut Vec<TopForm>,
    ) {
        let text = slice(rope, from, to);
        let tree = parse_str(&text);
        for node in top_level_nodes(tree.root_node()) {
            let slot = self.fresh_slot();
            let origin = chunk.then_some((node.start_byte(), text.len()));
            let mut interner = lock(&self.interner);
            out.push(lower_top(node, &text, from, slot, origin, &mut interner));
        }
    }

    /// Updates the first definitions for the names the removed and added forms define, gives
    /// the added forms their links and relinks the kept forms whose links changed; records
    /// every change in `delta`.
    fn relink(&mut self, removed: Vec<TopForm>, added: &[usize], mut delta: Option<&mut Delta>) {
        // Only names defined by a removed or an added form can change their first definition.
        let (touched, touched_roots) = {
            let changed = || {
                removed
                    .iter()
                    .chain(added.iter().filter_map(|&i| self.forms.get(i)))
            };
            let touched = names(changed().flat_map(|f| f.defines().iter().map(|(n, _)| n)));
            let roots = names(changed().filter_map(|f| f.root_def().map(|(n, _)| n)));
            (touched, roots)
        };
        if let Some(delta) = delta.as_deref_mut() {
            for form in removed {
                delta.retracted.extend(form.datoms());
            }
            for form in added.iter().filter_map(|&i| self.forms.get(i)) {
                delta.asserted.extend(form.local_datoms());
            }
        }
        let changed_names = if touched.len() <= 8 {
            redefine(&self.forms, &mut self.defs, touched, form_defines)
        } else {
            redefine_all(&self.forms, &mut self.defs, form_defines)
        };
        let changed_roots = if touched_roots.len() <= 8 {
            redefine(
                &self.forms,
                &mut self.root_defs,
                touched_roots,
                form_root_def,
            )
        } else {
            redefine_all(&self.forms, &mut self.root_defs, form_root_def)
        };
        let changed_bits = changed_names.iter().fold(0, |bits, n| bits | name_bits(n));
        let changed_names: NameSet = changed_names.into_iter().collect();
        let changed_roots: NameSet = changed_roots.into_iter().collect();
        // When no first definition changed, only the new forms need links: the others' stay.
        let candidates = if changed_names.is_empty() && changed_roots.is_empty() {
            added
                .first()
                .map_or(0..0, |&first| first..added[added.len() - 1] + 1)
        } else {
            0..self.forms.len()
        };
        let mut added = added.iter().copied().peekable();
        for (i, form) in self.forms.iter_mut().enumerate().skip(candidates.start) {
            if i >= candidates.end {
                break;
            }
            let is_new = added.next_if_eq(&i).is_some();
            let relinks = !is_new
                && ((form.global_bits() & changed_bits != 0
                    && form
                        .globals()
                        .iter()
                        .any(|(_, n)| changed_names.contains(n)))
                    || form
                        .root_def()
                        .is_some_and(|(n, _)| changed_roots.contains(n)));
            if !(is_new || relinks) {
                continue;
            }
            let links = link_datoms(form, &self.defs, &self.root_defs);
            if let Some(delta) = delta.as_deref_mut() {
                if is_new {
                    delta.asserted.extend(links.iter().cloned());
                } else {
                    diff(form.links(), &links, delta);
                }
            }
            // A form with links has globals or a root `def`, so its `More` is there already.
            if let Some(more) = form.more.as_deref_mut() {
                more.links = links.into_boxed_slice();
            }
        }
    }
}

/// The global names `form` defines, with their binders.
fn form_defines(form: &TopForm) -> &[(Symbol, Entity)] {
    form.defines()
}

/// The name `form`'s root `def` defines, with the root.
fn form_root_def(form: &TopForm) -> &[(Symbol, Entity)] {
    form.root_def().map_or(&[], std::slice::from_ref)
}

/// The distinct names of `names`, sorted.
fn names<'a>(names: impl Iterator<Item = &'a Symbol>) -> Vec<Symbol> {
    let mut out: Vec<Symbol> = names.cloned().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Recomputes the first definition in `defs` of each of `names` (a few), scanning the forms'
/// definitions (`defined`); returns the names whose first definition changed.
fn redefine(
    forms: &[TopForm],
    defs: &mut NameMap<Symbol, Entity>,
    names: Vec<Symbol>,
    defined: fn(&TopForm) -> &[(Symbol, Entity)],
) -> Vec<Symbol> {
    let mut changed = Vec::new();
    for name in names {
        let first = forms
            .iter()
            .find_map(|f| defined(f).iter().find(|(n, _)| *n == name).map(|(_, e)| *e));
        let before = match first {
            Some(binder) => defs.insert(name.clone(), binder),
            None => defs.remove(&name),
        };
        if before != first {
            changed.push(name);
        }
    }
    changed
}

/// Rebuilds every first definition in `defs` in one pass; returns the names whose first
/// definition changed.
fn redefine_all(
    forms: &[TopForm],
    defs: &mut NameMap<Symbol, Entity>,
    defined: fn(&TopForm) -> &[(Symbol, Entity)],
) -> Vec<Symbol> {
    let mut new: NameMap<Symbol, Entity> =
        NameMap::with_capacity_and_hasher(defs.len(), Default::default());
    for form in forms {
        for (name, binder) in defined(form) {
            new.entry(name.clone()).or_insert(*binder);
        }
    }
    let old = std::mem::replace(defs, new);
    let mut changed: Vec<Symbol> = old
        .iter()
        .filter(|&(name, binder)| defs.get(name) != Some(binder))
        .map(|(name, _)| name.clone())
        .collect();
    changed.extend(defs.keys().filter(|name| !old.contains_key(*name)).cloned());
    changed
}

/// The top-level units of the document's chunks that overlap bytes `from..to`, in order: the
/// forms of chunks free of syntax errors, and each broken chunk whole (see the module doc).
fn units(doc: &Document, from: usize, to: usize) -> Vec<Unit<'_>> {
    let mut out = Vec::new();
    let chunks = doc.chunks();
    let first = chunks.partition_point(|chunk| chunk.end() <= from);
    for chunk in chunks[first..]
        .iter()
        .take_while(|c| c.start() < to || c.start() == from)
    {
        if chunk.has_error() {
            out.push(Unit::Chunk(chunk.start(), chunk.end()));
            continue;
        }
        let root = chunk.tree().root_node();
        let mut cursor = root.walk();
        out.extend(
            root.children(&mut cursor)
                .filter(crate::reader::is_form)
                .map(|node| Unit::Node(node, chunk.start())),
        );
    }
    out
}

/// Whether bytes `from..to` of `rope` are exactly `forms` separated by whitespace, each read on
/// its own without errors. Such a chunk (the forms after an unclosed one, typically) parses into
/// the same forms: their text is unchanged and whitespace ends every token.
fn only_clean_forms(rope: &Rope, from: usize, to: usize, forms: &[TopForm]) -> bool {
    let mut at = from;
    for form in forms {
        if !(form.clean && form.chunk().is_none() && is_blank(rope, at, form.start())) {
            return false;
        }
        at = form.end();
    }
    is_blank(rope, at, to) && forms.first().is_some_and(|f| f.start() == from)
}

/// Whether bytes `from..to` of `rope` are all whitespace (commas count, as in Clojure).
fn is_blank(rope: &Rope, from: usize, to: usize) -> bool {
    from <= to
        && rope.get_byte_slice(from..to).is_some_and(|slice| {
            slice
                .bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b','))
        })
}

/// Bytes `from..to` of `rope` as a string (`from` and `to` are node or line boundaries, so
/// character boundaries).
fn slice(rope: &Rope, from: usize, to: usize) -> String {
    let to = to.min(rope.len_bytes());
    let from = from.min(to);
    match rope.get_byte_slice(from..to) {
        Some(slice) => slice.to_string(),
        None => String::new(),
    }
}

/// The one replacement that turns `old` into `new`: their common prefix and suffix kept.
fn difference(old: &Rope, new: &Rope) -> Splice {
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let (mut old_bytes, mut new_bytes) =
        (old.bytes_at(old.len_bytes()), new.bytes_at(new.len_bytes()));
    let most = old.len_bytes().min(new.len_bytes()) - prefix;
    let mut suffix = 0;
    while suffix < most {
        match (old_bytes.prev(), new_bytes.prev()) {
            (Some(a), Some(b)) if a == b => suffix += 1,
            _ => break,
        }
    }
    Splice {
        start: prefix,
        old_end: old.len_bytes() - suffix,
        new_end: new.len_bytes() - suffix,
    }
}

/// Sorts `ranges` and merges those that overlap or touch.
fn merge_ranges(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
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

/// Lowers `node`, a form of `text`, which starts at byte `base` of the file.
fn lower_top(
    node: Node<'_>,
    text: &str,
    base: usize,
    slot: u32,
    chunk: Option<(usize, usize)>,
    interner: &mut Interner,
) -> TopForm {
    let start = node.start_byte();
    let mut diagnostics = Vec::new();
    let form = read_node_with(node, text, start, interner, &mut diagnostics);
    let lowered = lower(&form, &mut NoMacros);
    diagnostics.extend(lowered.diagnostics);
    let ast = lowered.ast;
    let resolution = resolve(&ast);
    // The variables resolved to a global name, in node order (as `form_datoms` leaves them out).
    let globals: Vec<(Entity, Symbol)> = ast
        .iter()
        .filter_map(|(id, _)| match resolution.lookup(id) {
            Some(Resolved::Global(name)) => Some((entity(slot, id), name)),
            _ => None,
        })
        .collect();
    let root = ast.root();
    let global_bits = globals.iter().fold(0, |bits, (_, n)| bits | name_bits(n));
    let defines: Vec<(Symbol, Entity)> = definitions(&ast)
        .into_iter()
        .map(|(name, binder)| (name, entity(slot, binder)))
        .collect();
    let root_def = root.and_then(|root| match &ast.node(root).kind {
        NodeKind::Def { name, .. } => defines
            .iter()
            .find(|(_, binder)| *binder == entity(slot, *name))
            .map(|(n, _)| (n.clone(), entity(slot, root))),
        _ => None,
    });
    let more = More {
        diagnostics: diagnostics.into_boxed_slice(),
        chunk: chunk.map(|(at, len)| (to_u32(at), to_u32(len))),
        globals: globals.into_boxed_slice(),
        global_bits,
        defines: defines.into_boxed_slice(),
        root_def,
        links: Box::default(),
    };
    TopForm {
        slot,
        start: to_u32(base + start),
        len: to_u32(node.end_byte().saturating_sub(start)),
        clean: !node.has_error(),
        ast,
        more: (!more.is_empty()).then(|| Box::new(more)),
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

/// What each global variable of the form links to, given the file's definitions, and the first
/// top-level `def` of the name the form's root `def` defines, when it is not this one.
fn link_datoms(
    form: &TopForm,
    defs: &NameMap<Symbol, Entity>,
    root_defs: &NameMap<Symbol, Entity>,
) -> Vec<Datom> {
    let mut out = Vec::with_capacity(2 * form.globals().len());
    if let Some((name, root)) = form.root_def()
        && let Some(&first) = root_defs.get(name)
        && first != *root
    {
        out.push(Datom::new(
            *root,
            vocab().redefines.clone(),
            reference(first),
        ));
    }
    for (var, name) in form.globals() {
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
