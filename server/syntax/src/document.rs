//! A source file being edited: its text as a [`Rope`] cut into top-level chunks, each with its
//! own tree-sitter [`Tree`], kept in step edit by edit.
//!
//! It owns applying editor edits (ranges in any [`PositionEncoding`]) to the text, cutting the
//! text into chunks, the incremental reparse of the chunks an edit touched, and the byte ranges
//! each change touched. It knows no protocol: the server converts its notifications into
//! [`TextEdit`]s.
//!
//! # The canonical parse: top-level chunks
//!
//! The parse of a text is defined as its text cut into chunks by a lexical rule, each chunk
//! parsed by tree-sitter on its own (offsets relative to the chunk). The rule is a Lisp reader's:
//! a line whose first byte begins a form (`( [ { # ' ^ @ ~` and the backquote) at column 0 starts
//! a new chunk, unless it lies inside a string opened earlier in the chunk and the chunk holds
//! fewer than [`STRING_LINES`] such lines (a docstring with an example flush left stays whole;
//! a string left open swallows at most that many). The scan knows `;` comments, strings with
//! `\` escapes, and `\` character literals ([`chunk_end`]).
//!
//! Why: with one tree for the whole file, tree-sitter rebalanced the top-level sequence on every
//! keystroke (linear in the number of forms: 34 ms of a 56 ms keystroke in 10,000 one-line
//! forms, `docs/benchmarks.md`), an unclosed `(` made every later form a child of it (each
//! keystroke then reduced the rest of the file again), and a file with an ERROR node was parsed
//! from scratch on every keystroke, because tree-sitter's error recovery is not the same
//! incrementally as fresh (below). With chunks:
//! - an edit reparses the chunks it touches, and the chunk boundaries are recomputed only from
//!   the last boundary before the edit until the first boundary after it that is an old one
//!   (every cut depends only on the text from the chunk's start, so from there on the cuts are
//!   the old ones, moved): a keystroke costs its chunk, whatever the file's size or state;
//! - broken text damages only its chunk: an unclosed `(` ends at the next line that begins a
//!   form, as a reader of Lisp (and Emacs) assumes, and the syntax diagnostics are worded chunk
//!   by chunk;
//! - "incremental == fresh" holds by construction: the cuts are a function of the text, a chunk
//!   is kept only when its text and extent are unchanged, and a reparsed chunk gets the fresh
//!   parse of its bytes (next section). The property tests (`tests/incremental.rs`, the host's)
//!   compare chunk extents, trees and diagnostics with those of a fresh document.
//!
//! The cost: a form written flush left inside another (`(defn f []` then `(g))` at column 0), rare
//! in Lisp code, where column 0 means top level, is read as two broken chunks; the formatter reads
//! the text whole, so it still repairs such a text. Every corpus file of the repository (790
//! `.yin` files) has no such line. Consumers that need a tree get a chunk's
//! ([`Document::chunks`], relative offsets) or a copy shifted to the text's offsets
//! ([`Document::tree_at`], [`Document::trees`]: it costs the depth of the chunk's first leaf).
//!
//! # Reparsing a chunk
//!
//! Invariant: after every public method returns, each chunk's tree is the tree a fresh parse of
//! its bytes gives, node for node (points relative to the chunk, rows split at `\n` only,
//! columns in bytes): the trees, and so the syntax diagnostics, the forms read from them and
//! everything built on them, are a function of the text alone, never of the edit history.
//!
//! Within a chunk, why the tree is reparsed from scratch while its text has syntax errors:
//! tree-sitter's error recovery reuses subtrees of the previous tree, so after an incremental
//! reparse of broken text the same tokens can be grouped into different ERROR nodes, and a
//! delimiter can be kept as a token by one parse and swallowed into a skipped ERROR leaf by the
//! other. The diagnostics match delimiter tokens collected from the tree and read ERROR and
//! MISSING nodes, so they changed with the history
//! (`diagnostics_after_typing_into_errors_are_those_of_the_text`). A fresh parse of a broken
//! chunk makes it canonical, at the cost of that chunk only.
//!
//! Edits of error-free chunks keep the incremental reparse, which gives the fresh tree there, and
//! so do edits of chunks whose only errors are tokens missing at their end (nothing but
//! whitespace and comments after them), the state of a form with a `(` typed and not yet closed.
//! Why reuse is exact there, from how tree-sitter parses (`parser.c`): a missing token is
//! inserted only where the parser finds no action for its lookahead, so no missing token before
//! the end means no error was met before the end, and up to there both parses are the same
//! deterministic run of shifts and reductions over the same text (what makes incremental parsing
//! exact on clean text: a subtree is reused only if untouched by the edit, free of errors, not
//! built while the parser had several stack versions, and valid in the current state, and only
//! while there is one stack version). At the end of the input, before handling the error, the
//! parser breaks reused subtrees on top of its stack down into their children for as long as the
//! end of input is not valid after them, which leaves the stack the fresh parse holds there (it
//! kept those children unreduced for the same reason), and error handling then works on equal
//! stacks and the same lookahead. The result is checked too: only if the new tree's errors are
//! all such missing tokens is it kept (`reparse`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use text_size::{TextRange, TextSize};
use tree_sitter::{InputEdit, Point, Tree};

use crate::parse::{self, size};
use crate::position::{self, Position, PositionEncoding, Range};
use crate::seq::{Piece, Placed, Seq};
use crate::{Diagnostic, Severity};

mod parallel;

use parallel::parse_chunks;

/// Replace the text in `range` with `text`, as an editor's incremental change does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range,
    pub text: String,
}

impl TextEdit {
    pub fn new(range: Range, text: impl Into<String>) -> TextEdit {
        TextEdit {
            range,
            text: text.into(),
        }
    }
}

/// Why an edit was refused. A refused edit leaves the document unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The range starts after it ends. Such a range is a client bug; guessing which end was meant
    /// would silently corrupt the text, so it is refused.
    #[error("edit range starts at {start:?}, after its end {end:?}")]
    StartAfterEnd { start: Position, end: Position },
}

/// Text plus its chunks' trees, edited incrementally. Cloning copies nothing: the rope's nodes,
/// the sequence of chunks and their trees are shared.
#[derive(Clone, Debug)]
pub struct Document {
    rope: Rope,
    /// The text cut into top-level chunks (see the module doc), in order, covering it exactly: a
    /// persistent sequence (`seq.rs`), so an edit that moves every later chunk costs O(log n).
    chunks: Seq<Chunk>,
    /// How many `\r` are not followed by `\n`. While zero, LSP lines and tree-sitter rows agree and
    /// a tree-sitter point costs one rope lookup.
    lone_crs: usize,
    /// What the last change did, for [`Document::changed_ranges`] and [`Document::splices_since`].
    /// Boxed: documents travel inside snapshots and changes, and this is the bulk of one.
    last_change: Box<LastChange>,
    /// Names this text: a fresh number after every change, unique across all documents, so a
    /// consumer that followed an earlier version can tell whether the last change starts from it.
    version: u64,
}

/// One top-level chunk of the text: bytes `start..start + len`, parsed on their own.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// Where the chunk starts, in a chunk handed out by the document; in the document's
    /// sequence the sequence places it (and this is 0).
    start: usize,
    len: usize,
    /// The parse of the chunk's bytes alone: offsets and points relative to its start. Shared
    /// between clones of the document.
    tree: Arc<Tree>,
    /// Whether the tree has a syntax error, kept so that asking every chunk costs no tree access.
    error: bool,
}

impl Chunk {
    /// Where the chunk starts in the text.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Where the chunk ends in the text (exclusive).
    pub fn end(&self) -> usize {
        self.start + self.len
    }

    /// The chunk's tree, its offsets relative to [`Chunk::start`]; [`Document::chunk_tree`] gives
    /// it in the text's offsets.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Whether the chunk has a syntax error.
    pub fn has_error(&self) -> bool {
        self.error
    }

    fn new(start: usize, len: usize, tree: Arc<Tree>) -> Chunk {
        let error = tree.root_node().has_error();
        Chunk {
            start,
            len,
            tree,
            error,
        }
    }

    /// The chunk to store, its start apart (the sequence places it).
    fn stored(self) -> (usize, Chunk) {
        (self.start, Chunk { start: 0, ..self })
    }
}

impl Piece for Chunk {
    fn extent(&self) -> usize {
        self.len
    }

    /// Chunks with a syntax error: [`Document::syntax_diagnostics`] visits only them.
    fn flagged(&self) -> bool {
        self.error
    }

    fn placed(&self, start: usize) -> Chunk {
        Chunk {
            start,
            ..self.clone()
        }
    }
}

/// The chunks of a document in order, each placed in the text.
pub type Chunks<'a> = Placed<'a, Chunk>;

/// One replacement of a change: bytes `start..old_end` became `start..new_end`, in the offsets of
/// the text as it was when this replacement was applied (after the change's earlier ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Splice {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

/// A fresh version number: clones of a document that are then edited apart get different ones.
fn next_version() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The last change, kept so that its changed ranges are computed only when asked for.
#[derive(Clone, Debug)]
struct LastChange {
    /// The chunks reparsed incrementally, each with its tree before the change (edited into the
    /// new text's coordinates, relative to the chunk's start).
    reparsed: Vec<(Chunk, Tree)>,
    /// Byte ranges of the current text holding inserted text or chunks parsed afresh.
    edited: Vec<TextRange>,
    changed: OnceLock<Vec<TextRange>>,
    /// The version the change started from (0 for a whole new text) and its replacements, in order.
    from: u64,
    splices: Vec<Splice>,
    /// Bytes of the current text whose chunks the change made anew (cut or parsed again); every
    /// chunk outside is one of the previous text's, moved. The whole text after a whole new text.
    rechunked: (usize, usize),
}

impl Document {
    pub fn new(text: &str) -> Document {
        let rope = Rope::from_str(text);
        let lone_crs = count_lone_crs(&rope, 0, rope.len_bytes());
        let len = rope.len_bytes();
        let chunks = Seq::from_pieces(
            parse_chunks(&rope, &chunk_bounds(&rope))
                .into_iter()
                .map(Chunk::stored),
        );
        let last_change = LastChange {
            reparsed: Vec::new(),
            edited: vec![TextRange::up_to(size(len))],
            changed: OnceLock::new(),
            from: 0,
            splices: Vec::new(),
            rechunked: (0, len),
        };
        Document {
            rope,
            chunks,
            lone_crs,
            last_change: Box::new(last_change),
            version: next_version(),
        }
    }

    /// The whole text, copied out of the rope.
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The text's top-level chunks, in order; they cover it exactly (an empty text has one, empty).
    pub fn chunks(&self) -> Chunks<'_> {
        self.chunks.placed()
    }

    /// The chunks as stored, for reading their trees in place.
    pub(crate) fn chunk_seq(&self) -> &Seq<Chunk> {
        &self.chunks
    }

    /// The index of the chunk holding byte `offset` (the last one for the end of the text).
    pub fn chunk_index(&self, offset: usize) -> usize {
        self.chunks
            .first(|_, end, _| end > offset)
            .min(self.chunks.len().saturating_sub(1))
    }

    /// The tree of chunk `index` with the text's offsets (a copy of its tree shifted to where the
    /// chunk starts: it costs the depth of the tree's first leaf). `None` past the last chunk.
    pub fn chunk_tree(&self, index: usize) -> Option<Tree> {
        self.shifted_tree(&self.chunks().get(index)?)
    }

    /// `chunk`'s tree shifted to where it starts in the text.
    fn shifted_tree(&self, chunk: &Chunk) -> Option<Tree> {
        let mut tree = (*chunk.tree).clone();
        if chunk.start > 0 {
            tree.edit(&InputEdit {
                start_byte: 0,
                old_end_byte: 0,
                new_end_byte: chunk.start,
                start_position: Point::new(0, 0),
                old_end_position: Point::new(0, 0),
                new_end_position: self.point(chunk.start),
            });
        }
        Some(tree)
    }

    /// The tree of the chunk holding byte `offset`, with the text's offsets (see
    /// [`Document::chunk_tree`]).
    pub fn tree_at(&self, offset: usize) -> Tree {
        let index = self.chunk_index(offset);
        match self.chunk_tree(index) {
            Some(tree) => tree,
            // A document always has a chunk; an empty tree stands in for the impossible.
            None => parse::parse_str(""),
        }
    }

    /// Every chunk's tree with the text's offsets, in order.
    pub fn trees(&self) -> impl Iterator<Item = Tree> + '_ {
        self.chunks()
            .iter()
            .filter_map(|chunk| self.shifted_tree(&chunk))
    }

    /// Whether the text has a syntax error.
    pub fn has_syntax_error(&self) -> bool {
        self.chunks.flagged_count() > 0
    }

    /// Length of the text in bytes.
    pub fn len(&self) -> TextSize {
        size(self.rope.len_bytes())
    }

    pub fn is_empty(&self) -> bool {
        self.rope.len_bytes() == 0
    }

    /// Number of lines: line breaks plus one, so an empty text has one (empty) line.
    pub fn line_count(&self) -> usize {
        self.rope.len_lines()
    }

    /// Byte ranges of the current text touched by the last change: the edited text itself, the
    /// chunks parsed afresh, and every range whose syntax changed in a chunk reparsed
    /// incrementally (tree-sitter's `changed_ranges`), sorted and disjoint. After
    /// [`Document::new`] or [`Document::replace_all`] it is the whole text.
    ///
    /// Computed on the first call after a change (comparing the old and new trees), then cached.
    pub fn changed_ranges(&self) -> &[TextRange] {
        let last = &self.last_change;
        last.changed.get_or_init(|| {
            let syntactic = last.reparsed.iter().flat_map(|(chunk, old)| {
                let base = chunk.start;
                old.changed_ranges(&chunk.tree).map(move |range| {
                    TextRange::new(size(base + range.start_byte), size(base + range.end_byte))
                })
            });
            merge(last.edited.iter().copied().chain(syntactic).collect())
        })
    }

    /// This text's version: it changes with every change.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// What turned the text of `version` into this one: no replacements when it is this version,
    /// the last change's replacements when that change started from `version`, `None` otherwise
    /// (an older version, or a whole new text).
    pub fn splices_since(&self, version: u64) -> Option<&[Splice]> {
        if version == self.version {
            return Some(&[]);
        }
        let last = &self.last_change;
        (last.from != 0 && last.from == version).then_some(last.splices.as_slice())
    }

    /// The bytes of this text whose chunks are not those of the text of `version`, moved: empty
    /// when it is this version, the chunks the last change made anew when it started from
    /// `version`, `None` otherwise (an older version, or a whole new text).
    pub fn rechunked_since(&self, version: u64) -> Option<(usize, usize)> {
        if version == self.version {
            return Some((0, 0));
        }
        let last = &self.last_change;
        (last.from != 0 && last.from == version).then_some(last.rechunked)
    }

    pub fn offset_to_position(&self, offset: TextSize, encoding: PositionEncoding) -> Position {
        position::offset_to_position(&self.rope, usize::from(offset), encoding)
    }

    pub fn position_to_offset(&self, position: Position, encoding: PositionEncoding) -> TextSize {
        size(position::position_to_offset(&self.rope, position, encoding))
    }

    pub fn range_to_text_range(&self, range: Range, encoding: PositionEncoding) -> TextRange {
        let start = self.position_to_offset(range.start, encoding);
        let end = self.position_to_offset(range.end, encoding);
        TextRange::new(start, end.max(start))
    }

    pub fn text_range_to_range(&self, range: TextRange, encoding: PositionEncoding) -> Range {
        Range::new(
            self.offset_to_position(range.start(), encoding),
            self.offset_to_position(range.end(), encoding),
        )
    }

    /// Parse errors, one diagnostic per problem (code `syntax`, severity error), sorted by
    /// position. Each chunk's are its own: a chunk's mistakes are worded from its text alone.
    /// A chunk reports at most [`CHUNK_DIAGNOSTICS`] of them, the last saying how many more it
    /// has: a line that begins a form at column 0 inside a deeply nested form leaves every
    /// bracket around it unmatched, and tens of thousands of messages help no one. Likewise only
    /// the first [`BROKEN_CHUNKS`] broken chunks report theirs, and one more diagnostic, where
    /// the next broken chunk starts, counts the broken chunks left out: a keystroke in a file of
    /// a hundred thousand broken forms then costs what those chunks cost, not the file.
    pub fn syntax_diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut broken = self.chunks.flagged_up_to(BROKEN_CHUNKS + 1);
        let next_broken = (broken.len() > BROKEN_CHUNKS)
            .then(|| broken.pop())
            .flatten();
        for (start, chunk) in broken {
            let chunk = chunk.placed(start);
            if let Some(tree) = self.shifted_tree(&chunk) {
                let mut found = parse::chunk_diagnostics(&tree, &self.rope, chunk.end());
                if found.len() > CHUNK_DIAGNOSTICS {
                    let more = found.len() - (CHUNK_DIAGNOSTICS - 1);
                    found.truncate(CHUNK_DIAGNOSTICS);
                    if let Some(last) = found.last_mut() {
                        last.message = format!("{more} more syntax errors in this form");
                    }
                }
                out.extend(found);
            }
        }
        if let Some((start, chunk)) = next_broken {
            let more = self.chunks.flagged_count() - BROKEN_CHUNKS;
            // The broken chunk's first line, where the unlisted errors begin.
            let line = self.rope.byte_to_line(start.min(self.rope.len_bytes()));
            let mut line_end = self
                .rope
                .line_to_byte(line + 1)
                .min(chunk.placed(start).end());
            while line_end > start && matches!(self.rope.byte(line_end - 1), b'\n' | b'\r') {
                line_end -= 1;
            }
            let offset = |n: usize| TextSize::from(u32::try_from(n).unwrap_or(u32::MAX));
            out.push(Diagnostic {
                range: TextRange::new(offset(start), offset(line_end.max(start))),
                severity: Severity::Error,
                code: "syntax",
                message: format!(
                    "{more} more forms from here on have syntax errors (only the first {BROKEN_CHUNKS} forms with errors are listed)"
                ),
            });
        }
        out
    }

    /// Applies one edit and reparses incrementally.
    pub fn apply_edit(
        &mut self,
        edit: &TextEdit,
        encoding: PositionEncoding,
    ) -> Result<(), EditError> {
        self.apply_edits(std::slice::from_ref(edit), encoding)
    }

    /// Applies edits in order, each range relative to the text the previous edits left (as in an
    /// LSP `didChange`), then cuts and reparses the chunks they touched.
    ///
    /// Every range is checked before any edit is applied, so on error nothing has changed.
    pub fn apply_edits(
        &mut self,
        edits: &[TextEdit],
        encoding: PositionEncoding,
    ) -> Result<(), EditError> {
        if let Some(edit) = edits.iter().find(|edit| edit.range.start > edit.range.end) {
            return Err(EditError::StartAfterEnd {
                start: edit.range.start,
                end: edit.range.end,
            });
        }
        let old_rope = self.rope.clone();
        let mut edited: Vec<TextRange> = Vec::new();
        let mut splices = Vec::with_capacity(edits.len());
        // The bytes the edits replaced, in the new text, and how much longer the text got.
        let mut cover: Option<(usize, usize)> = None;
        let mut growth = 0isize;
        for edit in edits {
            // Clamping is monotonic, so `start <= end` as positions gives `start <= end` as offsets.
            let start = position::position_to_offset(&self.rope, edit.range.start, encoding);
            let end = position::position_to_offset(&self.rope, edit.range.end, encoding);
            let new_end = self.splice(start, end, &edit.text);
            record_edit(&mut edited, start, end, new_end);
            splices.push(Splice {
                start,
                old_end: end,
                new_end,
            });
            let moved = |x: usize| match x {
                _ if x >= end => x - end + new_end,
                _ if x > start => new_end,
                _ => x,
            };
            cover = Some(match cover {
                None => (start, new_end),
                Some((low, high)) => (low.min(start), moved(high).max(new_end)),
            });
            growth += new_end as isize - end as isize;
        }
        let (low, high) = cover.unwrap_or((0, 0));
        let applied: Vec<(Splice, &str)> = splices
            .iter()
            .zip(edits)
            .map(|(splice, edit)| (*splice, edit.text.as_str()))
            .collect();
        let (reparsed, fresh, rechunked) = self.rechunk(&old_rope, &applied, low, high, growth);
        edited.extend(fresh);
        *self.last_change = LastChange {
            reparsed,
            edited,
            changed: OnceLock::new(),
            from: self.version,
            splices,
            rechunked,
        };
        self.version = next_version();
        Ok(())
    }

    /// Replaces the whole text (an editor's full-document sync) and parses it afresh.
    pub fn replace_all(&mut self, text: &str) {
        *self = Document::new(text);
    }

    /// Cuts the text into chunks again after the edits (replacements and their texts), which replaced bytes that are
    /// `low..high` of the new text and made it `growth` bytes longer: from the last chunk that
    /// starts before `low` (a boundary before the edits depends only on the text before it) until
    /// a chunk starts at or after `high` where a chunk of the old text (`old`) started (from there
    /// on the text and so the cuts are the old ones, moved). A new chunk with an old chunk's
    /// extent and text is kept; the one chunk holding every edit, when it has its old start and
    /// end, is reparsed incrementally (see [`reparse`]); any other is parsed afresh.
    ///
    /// Returns the chunks reparsed incrementally with their old trees, the ranges parsed afresh,
    /// and the bytes rechunked.
    fn rechunk(
        &mut self,
        old: &Rope,
        edits: &[(Splice, &str)],
        low: usize,
        high: usize,
        growth: isize,
    ) -> Rechunked {
        // A copy shares every node: the old chunks stay readable while the new ones are made.
        let old_chunks = &self.chunks.clone();
        let first = old_chunks.first(|s, _, _| s >= low).saturating_sub(1);
        let old_position = |new: usize| new.checked_add_signed(-growth);
        let len = self.rope.len_bytes();
        let mut made: Vec<Chunk> = Vec::new();
        let mut reparsed = Vec::new();
        let mut fresh = Vec::new();
        let mut at = old_chunks.get(first).map_or(0, |(start, _)| start);
        let rechunk_start = at;
        // The old chunks from `resume` on are kept, moved by `growth`.
        let mut resume = old_chunks.len();
        let mut k = first;
        loop {
            if at >= high
                && let Some(old_at) = old_position(at)
            {
                k = k.max(old_chunks.first(|s, _, _| s >= old_at));
                if old_chunks
                    .get(k)
                    .is_some_and(|(start, chunk)| start == old_at && chunk.len > 0)
                {
                    resume = k;
                    break;
                }
            }
            // An empty text is one empty chunk; otherwise chunks are never empty.
            if at >= len && (first > 0 || !made.is_empty()) {
                break;
            }
            let end = chunk_end(&self.rope, at);
            match self.new_chunk(old_chunks, old, edits, (low, high), growth, at, end) {
                Made::Kept(chunk) => made.push(chunk),
                Made::Reparsed(chunk, old_tree) => {
                    reparsed.push((chunk.clone(), old_tree));
                    made.push(chunk);
                }
                Made::Fresh(chunk) => {
                    fresh.push(TextRange::new(size(chunk.start), size(chunk.end())));
                    made.push(chunk);
                }
            }
            at = end;
        }
        let rechunked = (rechunk_start, at);
        // The chunks before and after are kept, those after moved: O(log n) whatever their number.
        self.chunks
            .splice(first, resume, made.into_iter().map(Chunk::stored), growth);
        (reparsed, fresh, rechunked)
    }

    /// The chunk of bytes `start..end` of the new text (see [`Document::rechunk`]).
    #[allow(clippy::too_many_arguments)]
    fn new_chunk(
        &self,
        old_chunks: &Seq<Chunk>,
        old: &Rope,
        edits: &[(Splice, &str)],
        (low, high): (usize, usize),
        growth: isize,
        start: usize,
        end: usize,
    ) -> Made {
        let len = end - start;
        let old_start = if start >= high {
            start.checked_add_signed(-growth)
        } else if end <= low {
            Some(start)
        } else {
            None
        };
        // Untouched by the edits and cut as before: the old chunk, moved.
        if let Some(old_start) = old_start {
            let i = old_chunks.first(|s, _, _| s >= old_start);
            if let Some((_, chunk)) = old_chunks
                .get(i)
                .filter(|(s, chunk)| *s == old_start && chunk.len == len)
            {
                return Made::Kept(Chunk {
                    start,
                    len,
                    tree: chunk.tree.clone(),
                    error: chunk.error,
                });
            }
        }
        // Holding every edit, with its old start and end: reparsed incrementally.
        if start <= low && high <= end {
            let i = old_chunks.first(|s, _, _| s >= start);
            if let Some((_, chunk)) = old_chunks.get(i).filter(|(s, chunk)| {
                *s == start && ((s + chunk.len) as isize + growth) as usize == end
            }) && start + chunk.len <= old.len_bytes()
            {
                let mut old_tree = (*chunk.tree).clone();
                let mut text = old.clone();
                for (splice, inserted) in edits {
                    let relative = |x: usize| x - start;
                    let start_position = relative_point(&text, start, splice.start);
                    let old_end_position = relative_point(&text, start, splice.old_end);
                    let from = text.byte_to_char(splice.start.min(text.len_bytes()));
                    let to = text.byte_to_char(splice.old_end.min(text.len_bytes()));
                    text.remove(from..to);
                    text.insert(from, inserted);
                    old_tree.edit(&InputEdit {
                        start_byte: relative(splice.start),
                        old_end_byte: relative(splice.old_end),
                        new_end_byte: relative(splice.new_end),
                        start_position,
                        old_end_position,
                        new_end_position: relative_point(&text, start, splice.new_end),
                    });
                }
                let tree = reparse(&self.rope, start, end, &old_tree);
                return Made::Reparsed(Chunk::new(start, len, Arc::new(tree)), old_tree);
            }
        }
        Made::Fresh(Chunk::new(
            start,
            len,
            Arc::new(parse::parse_range(&self.rope, start, end, None)),
        ))
    }

    /// Replaces bytes `start..end` with `text` in the rope (chunks not yet updated). Returns the
    /// end of the inserted text.
    fn splice(&mut self, start: usize, end: usize, text: &str) -> usize {
        let window_start = start.saturating_sub(1);
        // Saturating: a miscount may only cost speed (the exact slow path), never a panic.
        self.lone_crs = self
            .lone_crs
            .saturating_sub(count_lone_crs(&self.rope, window_start, end));
        let start_char = self.rope.byte_to_char(start);
        self.rope.remove(start_char..self.rope.byte_to_char(end));
        self.rope.insert(start_char, text);
        let new_end = start + text.len();
        self.lone_crs += count_lone_crs(&self.rope, window_start, new_end);
        new_end
    }

    /// The tree-sitter point of byte `offset`: rows split at `\n` only, columns in bytes.
    fn point(&self, offset: usize) -> Point {
        if self.lone_crs == 0 {
            // With no lone `\r`, rope lines end exactly at `\n`s (`\r\n` ends with one).
            let row = self.rope.byte_to_line(offset);
            return Point::new(row, offset - self.rope.line_to_byte(row));
        }
        slow_point(&self.rope, 0, offset)
    }
}

/// What [`Document::rechunk`] did: the chunks reparsed incrementally with their old trees, the
/// ranges parsed afresh, and the bytes cut again.
type Rechunked = (Vec<(Chunk, Tree)>, Vec<TextRange>, (usize, usize));

/// How [`Document::new_chunk`] made a chunk.
enum Made {
    /// An old chunk, moved.
    Kept(Chunk),
    /// Reparsed incrementally; with the old tree, edited.
    Reparsed(Chunk, Tree),
    /// Parsed afresh.
    Fresh(Chunk),
}

/// The tree-sitter point of byte `offset` of `rope` counted from byte `from` (a tree of the bytes
/// from there): rows split at `\n` only, columns in bytes.
fn relative_point(rope: &Rope, from: usize, offset: usize) -> Point {
    slow_point(rope, from, offset.min(rope.len_bytes()).max(from))
}

/// The point of byte `offset` of `rope` counted from byte `from`, by scanning the bytes between.
fn slow_point(rope: &Rope, from: usize, offset: usize) -> Point {
    let mut row = 0;
    let mut row_start = from;
    let mut chunk_start = from;
    let Some(slice) = rope.get_byte_slice(from..offset) else {
        return Point::new(0, 0);
    };
    for chunk in slice.chunks() {
        for (i, byte) in chunk.bytes().enumerate() {
            if byte == b'\n' {
                row += 1;
                row_start = chunk_start + i + 1;
            }
        }
        chunk_start += chunk.len();
    }
    Point::new(row, offset - row_start)
}

/// How many syntax diagnostics one chunk reports at most (see [`Document::syntax_diagnostics`]).
const CHUNK_DIAGNOSTICS: usize = 100;

/// How many broken chunks report their syntax diagnostics (see [`Document::syntax_diagnostics`]).
const BROKEN_CHUNKS: usize = 200;

/// Characters that begin a form at column 0 of a line: such a line begins a new chunk.
const OPENERS: &[u8] = b"([{#'^@~`";

/// How many lines that begin a form at column 0 a string may hold before they cut it anyway:
/// a multi-line docstring with a line of code at column 0 stays whole, and a string left open
/// (whose quote pairs the rest of the file up the wrong way round) swallows at most this many.
const STRING_LINES: usize = 8;

/// The chunks' extents `(start, end)` of a whole text: they cover it exactly (an empty text has
/// one, empty).
fn chunk_bounds(rope: &Rope) -> Vec<(usize, usize)> {
    let len = rope.len_bytes();
    let mut bounds = Vec::new();
    let mut at = 0;
    while at < len || bounds.is_empty() {
        let end = chunk_end(rope, at);
        bounds.push((at, end));
        at = end;
    }
    bounds
}

/// Where the chunk that starts at byte `start` of `rope` ends: at the next line (after `\n` or a
/// lone `\r`) whose first byte is in [`OPENERS`], unless that line lies inside a string opened in
/// the chunk and the chunk holds fewer than [`STRING_LINES`] such lines; else at the end.
///
/// A lexical scan of the chunk alone: `;` comments to the end of the line, strings (and `#"..."`
/// patterns) with `\` escapes, and a `\` outside a string escaping the next byte (a character
/// literal such as `\"` or `\(`).
fn chunk_end(rope: &Rope, start: usize) -> usize {
    let len = rope.len_bytes();
    let mut at = start;
    let mut line_start = false;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    let mut previous_cr = false;
    let mut string_lines = 0;
    let Some(rest) = rope.get_byte_slice(start..) else {
        return len;
    };
    for chunk in rest.chunks() {
        for &byte in chunk.as_bytes() {
            // A lone `\r` ends a line too; `\r\n` ends it at the `\n`.
            if previous_cr && byte != b'\n' {
                line_start = true;
            }
            if line_start && at > start && OPENERS.contains(&byte) {
                if !in_string || string_lines >= STRING_LINES {
                    return at;
                }
                string_lines += 1;
            }
            line_start = false;
            previous_cr = byte == b'\r';
            if byte == b'\n' || byte == b'\r' {
                in_comment = false;
                line_start = byte == b'\n';
                escaped = false;
                // A `\` escapes a line break as any byte; the break still ends the line.
                at += 1;
                continue;
            }
            if escaped {
                escaped = false;
            } else if in_comment {
            } else if in_string {
                match byte {
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'\\' => escaped = true,
                    b'"' => in_string = true,
                    b';' => in_comment = true,
                    _ => {}
                }
            }
            at += 1;
        }
    }
    len
}

/// The tree of bytes `start..end` of `rope` (offsets relative to `start`), given `old`, the
/// chunk's previous tree already edited into its coordinates.
///
/// The incremental reparse is used only when its result is the fresh tree: when every error of
/// `old` and of the result is a missing token with only whitespace and comments after it in the
/// chunk ([`parse::only_missing_before`]), which covers clean text and text whose only damage is
/// delimiters left open (the usual state while a form is being typed); see the module doc for
/// why reuse is exact then. Otherwise the chunk is parsed from scratch: straight away when `old`
/// is so damaged, or after the incremental attempt when its result is.
fn reparse(rope: &Rope, start: usize, end: usize, old: &Tree) -> Tree {
    if !parse::only_missing_before(old, rope, start, end) {
        return parse::parse_range(rope, start, end, None);
    }
    let incremental = parse::parse_range(rope, start, end, Some(old));
    if parse::only_missing_before(&incremental, rope, start, end) {
        incremental
    } else {
        parse::parse_range(rope, start, end, None)
    }
}

/// Counts lone `\r`s (not followed by `\n`) at byte positions `from..to` of `rope`.
fn count_lone_crs(rope: &Rope, from: usize, to: usize) -> usize {
    let to = to.min(rope.len_bytes());
    if from >= to {
        return 0;
    }
    let mut count = 0;
    let mut bytes = rope.bytes_at(from).take(to - from + 1).peekable();
    let mut position = from;
    while let Some(byte) = bytes.next() {
        if position >= to {
            break;
        }
        if byte == b'\r' && bytes.peek() != Some(&b'\n') {
            count += 1;
        }
        position += 1;
    }
    count
}

/// Adds the edit of old bytes `start..end` (now `start..new_end`) to `edited`, whose ranges are in
/// the text before this edit, moving them into the text after it.
fn record_edit(edited: &mut Vec<TextRange>, start: usize, end: usize, new_end: usize) {
    let shift = |offset: usize| match offset {
        _ if offset >= end => offset - end + new_end,
        _ if offset > start => new_end,
        _ => offset,
    };
    let mut merged = TextRange::new(size(start), size(new_end));
    edited.retain_mut(|range| {
        let (range_start, range_end) = (usize::from(range.start()), usize::from(range.end()));
        if range_end < start || range_start > end {
            *range = TextRange::new(size(shift(range_start)), size(shift(range_end)));
            true
        } else {
            let union_start = range_start.min(start);
            let union_end = shift(range_end).max(new_end);
            merged = merged.cover(TextRange::new(size(union_start), size(union_end)));
            false
        }
    });
    edited.push(merged);
}

/// Sorts `ranges` and merges the overlapping or touching ones.
fn merge(mut ranges: Vec<TextRange>) -> Vec<TextRange> {
    ranges.sort_by_key(|range| (range.start(), range.end()));
    let mut merged: Vec<TextRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start() <= last.end() => *last = last.cover(range),
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Tree-sitter's point of `offset`: `\n` starts a row, columns count bytes.
    fn naive_point(text: &str, offset: usize) -> Point {
        let before = &text.as_bytes()[..offset];
        let row = before.iter().filter(|&&byte| byte == b'\n').count();
        let row_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |i| i + 1);
        Point::new(row, offset - row_start)
    }

    fn text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec!["a", "\n", "\r", "\r\n", "😀", " "]);
        prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        // The final tree does not show wrong `InputEdit` points (reparsing relexes the edited
        // nodes), so they are checked here, and the lone-`\r` count that picks the fast path too.
        #[test]
        fn points_and_lone_cr_count_are_exact(
            initial in text(),
            edits in prop::collection::vec((0usize..200, 0usize..200, text()), 0..6),
        ) {
            let mut doc = Document::new(&initial);
            let mut expected = initial;
            for (a, b, insert) in edits {
                let (start, end) = (a.min(b).min(expected.len()), a.max(b).min(expected.len()));
                let (start, end) = (doc.rope.char_to_byte(doc.rope.byte_to_char(start)), doc.rope.char_to_byte(doc.rope.byte_to_char(end)));
                doc.splice(start, end, &insert);
                expected.replace_range(start..end, &insert);
                let lone = expected.match_indices('\r').filter(|(i, _)| !expected[i + 1..].starts_with('\n')).count();
                prop_assert_eq!(doc.lone_crs, lone);
                for offset in (0..=expected.len()).filter(|&offset| expected.is_char_boundary(offset)) {
                    prop_assert_eq!(doc.point(offset), naive_point(&expected, offset), "offset {} in {:?}", offset, expected);
                }
            }
        }
    }
}
