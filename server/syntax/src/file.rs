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
//! ([`Document::splices_since`]). The forms the replacements touch are found by a search over
//! the form starts and dropped; the later ones are moved, in O(log n) (the forms are a
//! persistent sequence, `seq.rs`, each form's start relative to its neighbours). The new tree's
//! top-level nodes (and chunks) are then matched against the kept forms without reading their
//! text: a kept form read
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
//!
//! # Cost
//!
//! Nothing an update does walks every form: forms are found by offset or by label in O(log n),
//! the first definition of a name is the first entry of a set ordered by name and label, the
//! forms to relink when it changes are that name's users, and the lowering's diagnostics come
//! from the forms flagged as having some. Every structure is persistent, so a copy of the
//! lowering (a snapshot) shares them all and an edit after it copies O(log n) of each.

use std::collections::BTreeSet;
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
use crate::intern::{Interner, NameMap};
use crate::lower::{NoMacros, lower};
use crate::parse::parse_str;
use crate::reader::{read_node_with, top_level_nodes};
use crate::scope::{Resolved, definitions, resolve};
use crate::seq::{Piece, Placed, Seq};

mod parallel;

/// One top-level form of a file, lowered.
///
/// Compact, since a file can hold half a million one-atom forms: a few words and the shared
/// `Ast`, with what most forms lack (diagnostics, globals, definitions, links) shared apart. Its
/// datoms are not kept: they are a function of the slot and the `Ast`, made when asked for
/// ([`TopForm::datoms`]), so a retraction re-derives exactly what was asserted. Cloning one
/// copies handles only.
#[derive(Clone, Debug)]
pub struct TopForm {
    /// Names this form's entities: `entity(slot, node)`. Stable while the form's text is.
    pub slot: u32,
    /// Where the form starts in the file, in a form handed out by the lowering. Inside it the
    /// sequence of forms places each form (a start relative to its neighbours), so an edit moves
    /// later forms without touching them; this field is then unused (0).
    start: u32,
    /// Length in bytes of the form's text.
    len: u32,
    /// Whether the form's text parses without syntax errors.
    clean: bool,
    /// Orders the forms: increases along the file, so a form is found from its slot by a search
    /// ([`FileLowering::node`]). Fixed while the form lives, except when the lowering renumbers
    /// every form (see [`FileLowering::labels`]).
    label: u64,
    /// The lowered form; its spans are relative to its start. Its nodes are shared: a snapshot
    /// of the lowering copies no form's nodes, and an edit that follows it copies only handles.
    pub ast: Ast,
    /// What a form without diagnostics, global names or a chunk does not need.
    more: Option<Arc<More>>,
}

impl Piece for TopForm {
    fn extent(&self) -> usize {
        self.len as usize
    }

    fn key(&self) -> u64 {
        self.label
    }

    /// Forms with reader or lowering diagnostics: [`FileLowering::diagnostics`] visits only them.
    fn flagged(&self) -> bool {
        !self.diagnostics().is_empty()
    }

    fn placed(&self, start: usize) -> TopForm {
        TopForm {
            start: to_u32(start),
            ..self.clone()
        }
    }
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

    fn defines(&self) -> &[(Symbol, Entity)] {
        self.more.as_deref().map_or(&[], |m| &m.defines)
    }

    fn root_def(&self) -> Option<&(Symbol, Entity)> {
        self.more.as_deref()?.root_def.as_ref()
    }

    fn links(&self) -> &[Datom] {
        self.more.as_deref().map_or(&[], |m| &m.links)
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
///
/// Every part is persistent (shared between copies, an edit copying O(log n) of it): the forms
/// and the indexes that find a form by slot, a name's definitions and a name's users, so a
/// snapshot costs nothing and an edit costs what it changed, whatever the number of forms.
#[derive(Clone, Debug, Default)]
pub struct FileLowering {
    forms: Seq<TopForm>,
    next_slot: u32,
    /// Each live slot's form's label: the form is then found by searching the forms by label.
    labels: imbl::OrdMap<u32, u64>,
    /// The names read so far. Shared by the copies of a lowering (a snapshot and the lowering
    /// edited after it): interning only adds names and is invisible in what it returns, so a
    /// copy need not copy the table.
    interner: Arc<Mutex<Interner>>,
    /// Every global definition: (name, its form's label, its place among the form's
    /// definitions, binder). A name's first definition in file order is its first entry.
    defs: imbl::OrdSet<(Symbol, u64, u32, Entity)>,
    /// Every top-level form whose root is a `def`: (name, its label, 0, the root).
    root_defs: imbl::OrdSet<(Symbol, u64, u32, Entity)>,
    /// Every form using a global name: (name, its slot); the forms to relink when the name's
    /// first definition changes.
    users: imbl::OrdSet<(Symbol, u32)>,
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
/// dropped, and the byte ranges of the new text to read again (sorted, disjoint).
#[derive(Default)]
struct Spliced {
    removed: Vec<TopForm>,
    dirty: Vec<(usize, usize)>,
}

/// The distance between the labels of neighbouring forms when they are numbered afresh: new
/// forms between two others get labels between theirs, and only a run of about 32 forms each
/// inserted right after the previous one exhausts a gap (then every form is numbered again).
const LABEL_STEP: u64 = 1 << 32;

/// The forms of a lowering in file order, each placed in the file (see [`TopForm::range`]).
pub type Forms<'a> = Placed<'a, TopForm>;

/// A form to store: its start apart (the sequence places it).
fn stored(mut form: TopForm) -> (usize, TopForm) {
    let start = form.start();
    form.start = 0;
    (start, form)
}

/// The first entry of `name` in a set ordered by name, then by file order.
fn first_of(set: &imbl::OrdSet<(Symbol, u64, u32, Entity)>, name: &Symbol) -> Option<Entity> {
    set.range((name.clone(), 0, 0, 0)..)
        .next()
        .filter(|(n, ..)| n == name)
        .map(|&(.., value)| value)
}

impl FileLowering {
    /// Lowers every top-level form of `doc`.
    pub fn new(doc: &Document) -> FileLowering {
        FileLowering::first(doc, true)
    }

    /// A lowering of `doc`'s version that holds no form yet.
    fn unlowered(doc: &Document) -> FileLowering {
        FileLowering {
            next_slot: 1,
            version: doc.version(),
            rope: doc.rope().clone(),
            ..FileLowering::default()
        }
    }

    /// [`FileLowering::new`], on a second thread too if `parallel` allows (the tests compare
    /// the two).
    fn first(doc: &Document, parallel: bool) -> FileLowering {
        let mut file = FileLowering::unlowered(doc);
        // One copy of the text at the start, so the forms of a clean tree are read from it as
        // they are; updates read only the forms they lower, from the rope. In a broken tree a
        // node without errors can still be a fragment of tree-sitter's recovery (a bare symbol
        // name, say) that reads differently once parsed on its own, as updates do: there every
        // node is parsed on its own from the start.
        let text = doc.rope().to_string();
        let text = (!doc.has_syntax_error()).then_some(text.as_str());
        match text {
            Some(text) if parallel && file.lower_in_parallel(doc, text) => {}
            _ => file.sync(doc, text, None, Spliced::default(), None),
        }
        file
    }

    /// Parses `text` and lowers it.
    pub fn from_text(text: &str) -> FileLowering {
        FileLowering::new(&Document::new(text))
    }

    pub fn forms(&self) -> Forms<'_> {
        self.forms.placed()
    }

    /// The position in `forms` of the form holding `slot`: O(log n).
    fn index_of(&self, slot: u32) -> Option<usize> {
        let &label = self.labels.get(&slot)?;
        let i = self.forms.first(|_, _, key| key >= label);
        self.forms
            .get(i)
            .filter(|(_, form)| form.slot == slot)
            .map(|_| i)
    }

    /// The form holding `slot`, if one does.
    pub fn form_of_slot(&self, slot: u32) -> Option<TopForm> {
        self.forms().get(self.index_of(slot)?)
    }

    /// The form whose span contains `offset` (a form ending at `offset` counts), if any.
    pub fn form_at(&self, offset: TextSize) -> Option<TopForm> {
        let at = usize::from(offset);
        let i = self.forms.first(|_, end, _| end >= at);
        self.forms
            .get(i)
            .filter(|(start, _)| *start <= at)
            .map(|(start, form)| form.placed(start))
    }

    /// The form and node an entity names, if it is a node of this file.
    pub fn node(&self, e: Entity) -> Option<(TopForm, NodeId)> {
        let form = self.form_of_slot(slot_of(e))?;
        let index = usize::try_from(e & ((1 << NODE_BITS) - 1)).ok()?;
        let id = form.ast.id_at(index)?;
        Some((form, id))
    }

    /// The global definitions whose names start with `prefix`, in name order and, for one
    /// name, in file order: (name, its form, its binder). A range of the ordered definitions, so
    /// it costs O(log n) for each definition taken, whatever the number of forms.
    pub fn definitions_starting_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (Symbol, TopForm, NodeId)> + 'a {
        self.defs
            .range((Symbol::new(prefix), 0, 0, 0)..)
            .take_while(move |(name, ..)| name.as_str().starts_with(prefix))
            .filter_map(move |(name, .., binder)| {
                let (form, id) = self.node(*binder)?;
                Some((name.clone(), form, id))
            })
    }

    /// The absolute span of the node an entity names (what a lint diagnostic on it covers).
    pub fn span(&self, e: Entity) -> Option<TextRange> {
        let (form, id) = self.node(e)?;
        Some(form.ast.node(id).span + form.range().start())
    }

    /// The innermost node whose span contains `offset` (a node ending at `offset` counts, so a
    /// cursor just after a symbol finds it), as an entity.
    pub fn entity_at(&self, offset: TextSize) -> Option<Entity> {
        let form = self.form_at(offset)?;
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
        self.forms.iter().flat_map(|(_, form)| form.datoms())
    }

    /// Reader and lowering diagnostics, with absolute ranges. Syntax errors (code `syntax`) are
    /// left out: the document reports them, worded from the whole tree
    /// (`Document::syntax_diagnostics`); each form keeps its own in [`TopForm::diagnostics`].
    /// Costs the forms that have diagnostics, not the others.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (start, form) in self.forms.flagged() {
            let offset = TextSize::from(to_u32(start));
            let lowering = form.diagnostics().iter().filter(|d| d.code != "syntax");
            out.extend(lowering.map(|d| Diagnostic {
                range: d.range + offset,
                ..d.clone()
            }));
        }
        out
    }

    /// Brings the lowering up to date with `doc`; returns what changed. Costs the forms the
    /// document's last change touched (O(log n) each), when the lowering followed the version
    /// that change started from; otherwise the old and new texts are compared once.
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
    /// forms and the byte ranges of the new text to read again (sorted, disjoint).
    fn apply_splices(&mut self, splices: &[Splice]) -> Spliced {
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
            let first = self.forms.first(|_, end, _| end > start);
            let after = self.forms.first(|s, _, _| s >= old_end).max(first);
            let (mut low, mut high) = (start, old_end);
            if first < after {
                if let Some((s, _)) = self.forms.get(first) {
                    low = low.min(s);
                }
                if let Some((s, form)) = self.forms.get(after - 1) {
                    high = high.max(s + form.extent());
                }
            }
            let growth = new_end as isize - old_end as isize;
            if first < after || growth != 0 {
                removed.extend(self.forms.splice(first, after, [], growth));
            }
            let moved = |x: usize| x - old_end + new_end;
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
        Spliced { removed, dirty }
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
        let Spliced { removed, dirty } = spliced;
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
            k = k.max(self.forms.first(|s, _, _| s >= window_start));
            for unit in units {
                let (from, to) = match unit {
                    Unit::Node(node, base) => (base + node.start_byte(), base + node.end_byte()),
                    Unit::Chunk(from, to) => (from, to),
                };
                let stale = k.max(self.forms.first(|s, _, _| s >= from));
                record(k, stale, Vec::new());
                k = stale;
                let next = k.max(self.forms.first(|s, _, _| s >= to));
                let reuse = match unit {
                    Unit::Node(..) => self.forms.get(k).is_some_and(|(start, f)| {
                        start == from && start + f.extent() == to && f.clean && f.chunk().is_none()
                    }),
                    Unit::Chunk(..) => {
                        let inside: Vec<(usize, &TopForm)> =
                            self.forms.iter_from(k).take(next - k).collect();
                        !inside.is_empty()
                            && !is_dirty(from, to)
                            && (inside
                                .iter()
                                .all(|(start, f)| f.chunk() == Some((start - from, to - from)))
                                || only_clean_forms(rope, from, to, &inside))
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
            let stale = k.max(self.forms.first(|s, _, _| s >= window_end));
            record(k, stale, Vec::new());
            k = stale;
        }
        self.replace(ops, removed, delta);
    }

    /// Replaces each run `from..to` of the forms by its new forms (runs in order, indexes into
    /// the forms before any replacement), labels the new forms between their kept neighbours,
    /// and relinks.
    fn replace(
        &mut self,
        mut ops: Vec<(usize, usize, Vec<TopForm>)>,
        mut removed: Vec<TopForm>,
        delta: Option<&mut Delta>,
    ) {
        // Labels for the new forms, between their kept neighbours'.
        let mut renumber = false;
        for (from, to, new) in &mut ops {
            let low = match from.checked_sub(1) {
                Some(i) => self.forms.get(i).map_or(0, |(_, f)| f.label),
                None => 0,
            };
            let high = self.forms.get(*to).map_or(u64::MAX, |(_, f)| f.label);
            let step = (high.saturating_sub(low) / (new.len() as u64 + 1)).min(LABEL_STEP);
            renumber |= step == 0;
            for (j, form) in new.iter_mut().enumerate() {
                form.label = low.saturating_add(step.saturating_mul(j as u64 + 1));
            }
        }
        let mut added: Vec<usize> = Vec::new();
        let mut shift = 0isize;
        for (from, to, new) in &ops {
            let at = from.saturating_add_signed(shift);
            added.extend(at..at + new.len());
            shift += new.len() as isize - (to - from) as isize;
        }
        for (from, to, new) in ops.into_iter().rev() {
            removed.extend(self.forms.splice(from, to, new.into_iter().map(stored), 0));
        }
        self.relink(removed, &added, renumber, delta);
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

    /// Gives every form a label afresh, evenly spaced, and rebuilds what is ordered by them.
    fn renumber(&mut self) {
        let forms: Vec<(usize, TopForm)> = self
            .forms
            .iter()
            .enumerate()
            .map(|(i, (start, form))| {
                let label = (i as u64 + 1).saturating_mul(LABEL_STEP);
                (
                    start,
                    TopForm {
                        label,
                        ..form.clone()
                    },
                )
            })
            .collect();
        self.labels = imbl::OrdMap::new();
        self.defs = imbl::OrdSet::new();
        self.root_defs = imbl::OrdSet::new();
        for (_, form) in &forms {
            self.index_definitions(form);
        }
        self.forms = Seq::from_pieces(forms);
    }

    /// Records `form`'s label and definitions.
    fn index_definitions(&mut self, form: &TopForm) {
        self.labels.insert(form.slot, form.label);
        for (n, (name, binder)) in form.defines().iter().enumerate() {
            self.defs
                .insert((name.clone(), form.label, to_u32(n), *binder));
        }
        if let Some((name, root)) = form.root_def() {
            self.root_defs.insert((name.clone(), form.label, 0, *root));
        }
    }

    /// Forgets `form`'s label and definitions.
    fn forget_definitions(&mut self, form: &TopForm) {
        self.labels.remove(&form.slot);
        for (n, (name, binder)) in form.defines().iter().enumerate() {
            self.defs
                .remove(&(name.clone(), form.label, to_u32(n), *binder));
        }
        if let Some((name, root)) = form.root_def() {
            self.root_defs.remove(&(name.clone(), form.label, 0, *root));
        }
    }

    /// Indexes and links every form, all of them new (the first lowering, or an update of an
    /// empty one): one pass over the forms and one build of the sequence, O(n), where relinking
    /// them one by one would cost O(n log n).
    fn link_all(&mut self, mut delta: Option<&mut Delta>) {
        let mut defs: NameMap<Symbol, Entity> = NameMap::default();
        let mut root_defs: NameMap<Symbol, Entity> = NameMap::default();
        for (_, form) in self.forms.iter() {
            for (name, binder) in form.defines() {
                defs.entry(name.clone()).or_insert(*binder);
            }
            if let Some((name, root)) = form.root_def() {
                root_defs.entry(name.clone()).or_insert(*root);
            }
        }
        let mut forms = Vec::with_capacity(self.forms.len());
        for (start, form) in self.forms.iter() {
            let links = link_datoms(
                form,
                |name| defs.get(name).copied(),
                |name| root_defs.get(name).copied(),
            );
            if let Some(delta) = delta.as_deref_mut() {
                delta.asserted.extend(form.local_datoms());
                delta.asserted.extend(links.iter().cloned());
            }
            let mut form = form.clone();
            // A form with links has globals or a root `def`, so its `More` is there already.
            if let (Some(more), false) = (form.more.as_mut(), links.is_empty()) {
                Arc::make_mut(more).links = links.into_boxed_slice();
            }
            forms.push((start, form));
        }
        for (_, form) in &forms {
            self.index_definitions(form);
            for (_, name) in form.globals() {
                self.users.insert((name.clone(), form.slot));
            }
        }
        self.forms = Seq::from_pieces(forms);
    }

    /// Updates the definitions and users for the removed and added forms (at positions `added`;
    /// `renumber` when their labels did not fit between their neighbours'), gives the added
    /// forms their links and relinks the kept forms whose links changed; records every change in
    /// `delta`. Costs the forms involved, O(log n) each.
    fn relink(
        &mut self,
        removed: Vec<TopForm>,
        added: &[usize],
        renumber: bool,
        mut delta: Option<&mut Delta>,
    ) {
        if removed.is_empty() && added.len() == self.forms.len() {
            self.link_all(delta);
            return;
        }
        let new: Vec<TopForm> = added
            .iter()
            .filter_map(|&i| self.forms.get(i).map(|(_, form)| form.clone()))
            .collect();
        // Only names defined by a removed or an added form can change their first definition.
        let changed = || removed.iter().chain(&new);
        let touched: BTreeSet<Symbol> = changed()
            .flat_map(|f| f.defines().iter().map(|(n, _)| n.clone()))
            .collect();
        let touched_roots: BTreeSet<Symbol> = changed()
            .filter_map(|f| f.root_def().map(|(n, _)| n.clone()))
            .collect();
        let before: Vec<Option<Entity>> = touched.iter().map(|n| first_of(&self.defs, n)).collect();
        let before_roots: Vec<Option<Entity>> = touched_roots
            .iter()
            .map(|n| first_of(&self.root_defs, n))
            .collect();
        for form in &removed {
            self.forget_definitions(form);
            for (_, name) in form.globals() {
                self.users.remove(&(name.clone(), form.slot));
            }
        }
        if renumber {
            self.renumber();
        } else {
            for form in &new {
                self.index_definitions(form);
            }
        }
        for form in &new {
            for (_, name) in form.globals() {
                self.users.insert((name.clone(), form.slot));
            }
        }
        if let Some(delta) = delta.as_deref_mut() {
            for form in removed {
                delta.retracted.extend(form.datoms());
            }
            for form in &new {
                delta.asserted.extend(form.local_datoms());
            }
        }
        // The kept forms whose links may change: those using a name whose first definition
        // changed, and the top-level `def`s of a name whose first such `def` changed.
        let added_slots: BTreeSet<u32> = new.iter().map(|f| f.slot).collect();
        let mut stale: BTreeSet<u32> = BTreeSet::new();
        for (name, before) in touched.iter().zip(before) {
            if first_of(&self.defs, name) != before {
                let users = self
                    .users
                    .range((name.clone(), 0)..=(name.clone(), u32::MAX));
                stale.extend(users.map(|(_, slot)| *slot));
            }
        }
        for (name, before) in touched_roots.iter().zip(before_roots) {
            if first_of(&self.root_defs, name) != before {
                let defs = self
                    .root_defs
                    .range((name.clone(), 0, 0, 0)..)
                    .take_while(|(n, ..)| n == name);
                stale.extend(defs.map(|(.., root)| slot_of(*root)));
            }
        }
        let positions = added.iter().copied().chain(
            stale
                .difference(&added_slots)
                .filter_map(|&slot| self.index_of(slot)),
        );
        let positions: Vec<(usize, bool)> = positions
            .enumerate()
            .map(|(n, i)| (i, n < added.len()))
            .collect();
        for (i, is_new) in positions {
            let Some((_, form)) = self.forms.get(i) else {
                continue;
            };
            let links = link_datoms(
                form,
                |name| first_of(&self.defs, name),
                |name| first_of(&self.root_defs, name),
            );
            if let Some(delta) = delta.as_deref_mut() {
                if is_new {
                    delta.asserted.extend(links.iter().cloned());
                } else {
                    diff(form.links(), &links, delta);
                }
            }
            if !is_new && form.links() == links.as_slice() {
                continue;
            }
            // A form with links has globals or a root `def`, so its `More` is there already.
            self.forms.update(i, |form| {
                if let Some(more) = form.more.as_mut() {
                    Arc::make_mut(more).links = links.into_boxed_slice();
                }
            });
        }
    }
}

/// The top-level units of the document's chunks that overlap bytes `from..to`, in order: the
/// forms of chunks free of syntax errors, and each broken chunk whole (see the module doc).
fn units(doc: &Document, from: usize, to: usize) -> Vec<Unit<'_>> {
    let mut out = Vec::new();
    let chunks = doc.chunk_seq();
    let first = chunks.first(|_, end, _| end > from);
    for (start, chunk) in chunks
        .iter_from(first)
        .take_while(|&(start, _)| start < to || start == from)
    {
        if chunk.has_error() {
            out.push(Unit::Chunk(start, start + chunk.extent()));
            continue;
        }
        let root = chunk.tree().root_node();
        let mut cursor = root.walk();
        out.extend(
            root.children(&mut cursor)
                .filter(crate::reader::is_form)
                .map(|node| Unit::Node(node, start)),
        );
    }
    out
}

/// Whether bytes `from..to` of `rope` are exactly `forms` separated by whitespace, each read on
/// its own without errors. Such a chunk (the forms after an unclosed one, typically) parses into
/// the same forms: their text is unchanged and whitespace ends every token.
fn only_clean_forms(rope: &Rope, from: usize, to: usize, forms: &[(usize, &TopForm)]) -> bool {
    let mut at = from;
    for &(start, form) in forms {
        if !(form.clean && form.chunk().is_none() && is_blank(rope, at, start)) {
            return false;
        }
        at = start + form.extent();
    }
    is_blank(rope, at, to) && forms.first().is_some_and(|&(start, _)| start == from)
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
        label: 0,
        more: (!more.is_empty()).then(|| Arc::new(more)),
    }
}

/// What each global variable of the form links to, given the file's definitions, and the first
/// top-level `def` of the name the form's root `def` defines, when it is not this one.
fn link_datoms(
    form: &TopForm,
    first_def: impl Fn(&Symbol) -> Option<Entity>,
    first_root_def: impl Fn(&Symbol) -> Option<Entity>,
) -> Vec<Datom> {
    let mut out = Vec::with_capacity(2 * form.globals().len());
    if let Some((name, root)) = form.root_def()
        && let Some(first) = first_root_def(name)
        && first != *root
    {
        out.push(Datom::new(
            *root,
            vocab().redefines.clone(),
            reference(first),
        ));
    }
    for (var, name) in form.globals() {
        let link = match first_def(name) {
            Some(binder) => GlobalLink::Def(binder),
            None => match core_entity(name.as_str()) {
                Some(e) => GlobalLink::Core(e),
                None => GlobalLink::Unresolved,
            },
        };
        global_link_datoms(*var, link, &mut out);
    }
    out
}
