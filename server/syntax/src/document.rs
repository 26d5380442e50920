//! A source file being edited: its text as a [`Rope`] and its tree-sitter [`Tree`], kept in step
//! edit by edit.
//!
//! It owns applying editor edits (ranges in any [`PositionEncoding`]) to the text and the tree, the
//! incremental reparse, and the byte ranges each change touched. It knows no protocol: the server
//! converts its notifications into [`TextEdit`]s.
//!
//! Invariant: after every public method returns, `tree` is a parse of exactly `rope`'s text, with
//! byte offsets and tree-sitter points (rows split at `\n` only, columns in bytes) correct, and it
//! is the tree a fresh parse gives, node for node: the tree, and so the syntax diagnostics, the
//! forms read from it and everything built on them, are a function of the text alone, never of the
//! edit history. `tests/incremental.rs` checks this with random edit sessions.
//!
//! Why the tree is reparsed from scratch while the text has syntax errors: tree-sitter's error
//! recovery reuses subtrees of the previous tree, so after an incremental reparse of broken text
//! the same tokens can be grouped into different ERROR nodes, and a delimiter can be kept as a
//! token by one parse and swallowed into a skipped ERROR leaf by the other. The diagnostics match
//! delimiter tokens collected from the tree and read ERROR and MISSING nodes, so they changed with
//! the history: an edited document reported an "unexpected `)`" that `yin check` on the same text
//! did not (`diagnostics_after_typing_into_errors_are_those_of_the_text`). Two fixes were weighed:
//! - A lexical scan as the source of the diagnostics would fix only the delimiter part: dangling
//!   prefixes, stray tokens and unterminated strings come from ERROR and MISSING nodes, and the
//!   reader and lowering read the same tree, so lints on a broken file would still depend on the
//!   history.
//! - A fresh parse whenever the text has errors makes the whole tree canonical. Its cost is one
//!   full parse per edit, but only while the file is broken (on a 10,000-line file, about 70 ms
//!   instead of 0.8 ms on a loaded machine: `docs/benchmarks.md`); see `reparse`.
//!
//! Correctness decided: the second, for text with ERROR nodes. Edits of error-free text keep the
//! incremental reparse, which gives the fresh tree there (checked node for node by the same
//! tests), and so do edits of text whose only errors are tokens missing at its end (nothing but
//! whitespace and comments after them), the state
//! of a file with a `(` typed and not yet closed (otherwise every keystroke in it would cost a full
//! parse: 90-200 ms on 10,000 lines, `docs/benchmarks.md`). Why reuse is exact there, from how
//! tree-sitter parses (`parser.c`): a missing token is inserted only where the parser finds no
//! action for its lookahead, so no missing token before the end means no error was met before the
//! end, and up to there both parses are the same deterministic run of shifts and reductions over
//! the same text (what makes incremental parsing exact on clean text: a subtree is reused only if
//! untouched by the edit, free of errors, not built while the parser had several stack versions,
//! and valid in the current state, and only while there is one stack version). At the end of the
//! input, before handling the error, the parser breaks reused subtrees on top of its stack down
//! into their children for as long as the end of input is not valid after them, which leaves the
//! stack the fresh parse holds there (it kept those children unreduced for the same reason), and
//! error handling then works on equal stacks and the same lookahead. The result is checked too:
//! only if the new tree's errors are all such missing tokens is it kept (`reparse`), and the property
//! tests of `tests/incremental.rs` and the host's compare it with a fresh parse after random
//! sessions of edits that open and close delimiters.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use ropey::Rope;
use text_size::{TextRange, TextSize};
use tree_sitter::{InputEdit, Point, Tree};

use crate::Diagnostic;
use crate::parse::{self, size};
use crate::position::{self, Position, PositionEncoding, Range};

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

/// Text plus tree, edited incrementally. Cloning is cheap (the rope and tree share their nodes).
#[derive(Clone, Debug)]
pub struct Document {
    rope: Rope,
    tree: Tree,
    /// How many `\r` are not followed by `\n`. While zero, LSP lines and tree-sitter rows agree and
    /// a tree-sitter point costs one rope lookup.
    lone_crs: usize,
    /// What the last change did, for [`Document::changed_ranges`] and [`Document::splices_since`].
    last_change: LastChange,
    /// Names this text: a fresh number after every change, unique across all documents, so a
    /// consumer that followed an earlier version can tell whether the last change starts from it.
    version: u64,
}

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

/// The last change, kept so that its changed ranges are computed only when asked for: tree-sitter's
/// tree comparison costs about as much as the incremental reparse itself on a large file.
#[derive(Clone, Debug)]
struct LastChange {
    /// The tree before the change, edited into the new text's coordinates; `None` when the whole
    /// text was replaced.
    old_tree: Option<Tree>,
    /// Byte ranges of the current text holding inserted text.
    edited: Vec<TextRange>,
    changed: OnceLock<Vec<TextRange>>,
    /// The version the change started from (0 for a whole new text) and its replacements, in order.
    from: u64,
    splices: Vec<Splice>,
}

impl Document {
    pub fn new(text: &str) -> Document {
        let rope = Rope::from_str(text);
        let tree = parse::parse(&rope, None);
        let lone_crs = count_lone_crs(&rope, 0, rope.len_bytes());
        let last_change = LastChange {
            old_tree: None,
            edited: vec![TextRange::up_to(size(rope.len_bytes()))],
            changed: OnceLock::new(),
            from: 0,
            splices: Vec::new(),
        };
        Document {
            rope,
            tree,
            lone_crs,
            last_change,
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

    pub fn tree(&self) -> &Tree {
        &self.tree
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

    /// Byte ranges of the current text touched by the last change: the edited text itself plus
    /// every range whose syntax changed (tree-sitter's `changed_ranges`), sorted and disjoint.
    /// After [`Document::new`] or [`Document::replace_all`] it is the whole text.
    ///
    /// Computed on the first call after a change (comparing the old and new trees), then cached.
    pub fn changed_ranges(&self) -> &[TextRange] {
        let last = &self.last_change;
        last.changed.get_or_init(|| {
            let syntactic = last.old_tree.iter().flat_map(|old| {
                old.changed_ranges(&self.tree)
                    .map(|range| TextRange::new(size(range.start_byte), size(range.end_byte)))
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

    /// Parse errors, one diagnostic per problem (code `syntax`, severity error).
    pub fn syntax_diagnostics(&self) -> Vec<Diagnostic> {
        parse::syntax_diagnostics(&self.tree, &self.rope)
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
    /// LSP `didChange`), then reparses once.
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
        let mut edited: Vec<TextRange> = Vec::new();
        let mut splices = Vec::with_capacity(edits.len());
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
        }
        let new_tree = reparse(&self.rope, &self.tree);
        self.last_change = LastChange {
            old_tree: Some(std::mem::replace(&mut self.tree, new_tree)),
            edited,
            changed: OnceLock::new(),
            from: self.version,
            splices,
        };
        self.version = next_version();
        Ok(())
    }

    /// Replaces the whole text (an editor's full-document sync) and parses it afresh.
    pub fn replace_all(&mut self, text: &str) {
        *self = Document::new(text);
    }

    /// Replaces bytes `start..end` with `text` in the rope and in the tree's coordinates (not yet
    /// reparsed). Returns the end of the inserted text.
    fn splice(&mut self, start: usize, end: usize, text: &str) -> usize {
        let start_position = self.point(start);
        let old_end_position = self.point(end);
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
        self.tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position: self.point(new_end),
        });
        new_end
    }

    /// The tree-sitter point of byte `offset`: rows split at `\n` only, columns in bytes.
    fn point(&self, offset: usize) -> Point {
        if self.lone_crs == 0 {
            // With no lone `\r`, rope lines end exactly at `\n`s (`\r\n` ends with one).
            let row = self.rope.byte_to_line(offset);
            return Point::new(row, offset - self.rope.line_to_byte(row));
        }
        let mut row = 0;
        let mut row_start = 0;
        let mut chunk_start = 0;
        for chunk in self.rope.byte_slice(..offset).chunks() {
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
}

/// The tree of `rope`'s text, given `old`, the previous tree already edited into its coordinates.
///
/// The incremental reparse is used only when its result is the fresh tree: when every error of
/// `old` and of the result is a missing token with only whitespace and comments after it ([`parse::only_missing_at_end`]),
/// which covers clean text and text whose only damage is delimiters left open (the usual state
/// while a form is being typed); see the module doc for why reuse is exact then. Otherwise the
/// text is parsed from scratch: straight away when `old` is so damaged (an edit rarely repairs
/// such a file, and the incremental attempt would be wasted), or after the incremental attempt
/// when its result is.
fn reparse(rope: &Rope, old: &Tree) -> Tree {
    if !parse::only_missing_at_end(old, rope) {
        return parse::parse(rope, None);
    }
    let incremental = parse::parse(rope, Some(old));
    if parse::only_missing_at_end(&incremental, rope) {
        incremental
    } else {
        parse::parse(rope, None)
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
