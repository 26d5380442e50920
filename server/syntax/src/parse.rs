//! Tree-sitter parsing of a [`Rope`], read chunk by chunk, and the syntax diagnostics of a tree.
//!
//! It owns the one parser per thread and the wording of parse errors. It knows nothing of
//! documents, positions or edits: callers hand it a rope and, for incremental parsing, the previous
//! tree already adjusted with `Tree::edit`.

use std::cell::RefCell;

use ropey::Rope;
use text_size::{TextRange, TextSize};
use tree_sitter::{Node, Parser, Tree};

use crate::{Diagnostic, Severity};

thread_local! {
    // A parser is cheap to keep and costly to set up; one per thread keeps documents `Send + Sync`.
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_yin::LANGUAGE.into())
        .expect("tree-sitter-yin is generated for the ABI of the tree-sitter crate we link");
    parser
}

/// Parses bytes `start..end` of `rope` on their own (offsets in the tree are relative to `start`),
/// reusing the unchanged parts of `old`, a tree of the previous text of the same bytes already
/// edited to match them.
///
/// The parser reads the rope's chunks in place: no copy of the text is made.
pub(crate) fn parse_range(rope: &Rope, start: usize, end: usize, old: Option<&Tree>) -> Tree {
    let end = end.min(rope.len_bytes());
    let start = start.min(end);
    let mut read = |byte: usize, _| -> &[u8] {
        let at = start + byte;
        if at >= end {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(at);
        let bytes = &chunk.as_bytes()[at - chunk_start..];
        &bytes[..bytes.len().min(end - at)]
    };
    let tree = PARSER.with(|parser| match parser.try_borrow_mut() {
        Ok(mut parser) => parser.parse_with_options(&mut read, old, None),
        // Only a re-entrant parse lands here; it gets a parser of its own.
        Err(_) => new_parser().parse_with_options(&mut read, old, None),
    });
    // `parse` returns `None` only without a language, or when cancelled or timed out; we set a
    // language and never set a cancellation flag or a timeout.
    tree.expect("a parser with a language and no cancellation always returns a tree")
}

/// Parses `text` alone, from scratch.
pub(crate) fn parse_str(text: &str) -> Tree {
    let tree = PARSER.with(|parser| match parser.try_borrow_mut() {
        Ok(mut parser) => parser.parse(text, None),
        Err(_) => new_parser().parse(text, None),
    });
    // As in `parse`: no cancellation flag or timeout is ever set.
    tree.expect("a parser with a language and no cancellation always returns a tree")
}

/// Whether every error in `tree` (a parse of bytes `base..end` of `rope`, its offsets relative to `base`) is a MISSING node followed by nothing but
/// whitespace and comments: the parser met no token it could not shift before the end of the
/// input (`end`). True for a clean tree. Descends only into nodes that contain an error, with a cursor (no
/// recursion: nesting is the user's to choose), so a clean tree costs nothing and a broken one the
/// paths down to its errors and their siblings, plus one scan of the text after the first
/// missing token.
pub(crate) fn only_missing_before(tree: &Tree, rope: &Rope, base: usize, end: usize) -> bool {
    let root = tree.root_node();
    if !root.has_error() {
        return true;
    }
    let mut first_missing = usize::MAX;
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() {
            return false;
        }
        if node.is_missing() {
            first_missing = first_missing.min(node.start_byte());
        }
        // Into the first child holding an error, else on to the next node holding one.
        let mut moved = !node.is_missing() && cursor.goto_first_child();
        loop {
            if moved && cursor.node().has_error() {
                break;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return only_trivia_between(rope, base.saturating_add(first_missing), end);
                }
            }
            moved = true;
        }
    }
}

/// Whether bytes `from..end` of `rope` are only whitespace, commas and `;` comments (`from` past
/// the end counts as nothing after it).
fn only_trivia_between(rope: &Rope, from: usize, end: usize) -> bool {
    let end = end.min(rope.len_bytes());
    let Some(rest) = rope.get_byte_slice(from.min(end)..end) else {
        return false;
    };
    let mut in_comment = false;
    rest.bytes().all(|byte| {
        if in_comment {
            in_comment = !matches!(byte, b'\n' | b'\r');
            return true;
        }
        in_comment = byte == b';';
        in_comment || matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b',')
    })
}

pub(crate) fn size(n: usize) -> TextSize {
    TextSize::new(u32::try_from(n).unwrap_or(u32::MAX))
}

fn text_range(node: &Node<'_>) -> TextRange {
    TextRange::new(size(node.start_byte()), size(node.end_byte()))
}

/// How many delimiters past a mismatched closer are read to choose how to recover from it.
/// Bounded so that a file full of mismatches costs linear time.
const LOOKAHEAD: usize = 512;

/// One diagnostic per syntax problem in `tree` (parsed from `rope`), sorted by position.
///
/// Delimiter problems are found by matching the delimiter tokens themselves rather than read off
/// tree-sitter's recovery, whose ERROR nodes often span a whole region for one missing `)`. The
/// remaining ERROR nodes (stray characters, unterminated strings) and MISSING nodes each give one
/// diagnostic, unless a delimiter diagnostic already explains them.
pub(crate) fn syntax_diagnostics(tree: &Tree, rope: &Rope) -> Vec<Diagnostic> {
    chunk_diagnostics(tree, rope, rope.len_bytes())
}

/// [`syntax_diagnostics`] of a tree of bytes `..end` of `rope` (offsets as in the rope): a
/// string left open runs to `end`, not to the end of the rope.
pub(crate) fn chunk_diagnostics(tree: &Tree, rope: &Rope, end: usize) -> Vec<Diagnostic> {
    // With errors only at the end no delimiter is mismatched (the parser shifted every token, and
    // the grammar pairs each closer with its opener), so the delimiters of subtrees free of
    // errors, balanced, cannot change the matching: they are not collected, and a keystroke in a
    // file with an open form walks the paths to its errors, not the whole tree.
    scanned_diagnostics(tree, rope, end, only_missing_before(tree, rope, 0, end))
}

/// [`chunk_diagnostics`], the scan skipping the insides of subtrees free of errors if `prune`.
fn scanned_diagnostics(tree: &Tree, rope: &Rope, end: usize, prune: bool) -> Vec<Diagnostic> {
    let root = tree.root_node();
    if !root.has_error() {
        return Vec::new();
    }
    let scan = Scan::new(root, prune);
    let mut out = Vec::new();
    let unclosed = match_delimiters(&scan.delimiters, rope, &mut out);
    let mut string_runs_to_end = false;
    for node in &scan.skipped {
        let text = first_token(rope, node);
        let diagnostic = if text.starts_with('"') {
            string_runs_to_end |= node.end_byte() >= end;
            let start = size(node.start_byte());
            error(
                TextRange::at(start, TextSize::of('"')),
                "unterminated string".to_owned(),
            )
        } else {
            let range = TextRange::at(size(node.start_byte()), TextSize::of(text.as_str()));
            error(range, format!("unexpected `{text}`"))
        };
        out.push(diagnostic);
    }
    // A string left open swallows the rest of the file, closers included: the brackets it leaves
    // unclosed are not separate mistakes.
    if !string_runs_to_end {
        out.extend(
            unclosed
                .into_iter()
                .map(|opener| error(opener.range, format!("unclosed `{}`", opener.kind))),
        );
    }
    for node in &scan.missing {
        out.push(missing(node, rope));
    }
    out.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.range.end()));
    let mut unexplained = Vec::new();
    for node in &scan.errors {
        if !explains_any(&out, text_range(node)) {
            unexplained.extend(unexplained_error(node, rope));
        }
    }
    out.extend(unexplained);
    out.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.range.end()));
    out
}

/// Whether one of `sorted` (by start) lies within `range`. Outermost ERROR nodes are disjoint, so
/// checking them all costs a binary search each plus one pass over the diagnostics.
fn explains_any(sorted: &[Diagnostic], range: TextRange) -> bool {
    let first = sorted.partition_point(|diagnostic| diagnostic.range.start() < range.start());
    sorted[first..]
        .iter()
        .take_while(|diagnostic| diagnostic.range.start() <= range.end())
        .any(|diagnostic| diagnostic.range.end() <= range.end())
}

/// The nodes syntax diagnostics are made of, collected in one pre-order walk.
///
/// The walk uses a cursor, not recursion: nesting depth is the user's to choose.
struct Scan<'t> {
    /// Delimiter tokens present in the text (MISSING ones excluded), in order.
    delimiters: Vec<Delimiter>,
    /// ERROR nodes without children: text the parser skipped.
    skipped: Vec<Node<'t>>,
    /// MISSING nodes other than closing delimiters (those are reported as unclosed openers).
    missing: Vec<Node<'t>>,
    /// Outermost ERROR nodes with children.
    errors: Vec<Node<'t>>,
}

impl<'t> Scan<'t> {
    /// `prune`: skip the insides of subtrees free of errors.
    fn new(root: Node<'t>, prune: bool) -> Scan<'t> {
        let mut scan = Scan {
            delimiters: Vec::new(),
            skipped: Vec::new(),
            missing: Vec::new(),
            errors: Vec::new(),
        };
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            scan.visit(node);
            if (!prune || node.has_error()) && cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return scan;
                }
            }
        }
    }

    fn visit(&mut self, node: Node<'t>) {
        let kind = node.kind();
        if node.is_missing() {
            if closer_of_kind(kind).is_none() && !is_closer(kind) {
                self.missing.push(node);
            }
        } else if node.is_error() {
            let nested = self.errors.last().is_some_and(|outer| {
                outer.end_byte() >= node.end_byte() && outer.start_byte() <= node.start_byte()
            });
            if node.child_count() == 0 {
                self.skipped.push(node);
            } else if !nested {
                self.errors.push(node);
            }
        } else if node.child_count() == 0 && (is_closer(kind) || closer_of_kind(kind).is_some()) {
            self.delimiters.push(Delimiter {
                kind,
                range: text_range(&node),
            });
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Delimiter {
    kind: &'static str,
    range: TextRange,
}

fn closer_of_kind(opener: &str) -> Option<&'static str> {
    match opener {
        "(" | "#(" => Some(")"),
        "[" => Some("]"),
        "{" | "#{" => Some("}"),
        _ => None,
    }
}

fn is_closer(kind: &str) -> bool {
    matches!(kind, ")" | "]" | "}")
}

fn closes(opener: &str, closer: &str) -> bool {
    closer_of_kind(opener) == Some(closer)
}

/// Ways to read a closer that does not match the innermost open delimiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Recovery {
    /// It closes an outer opener; the `n` openers inside that one were left unclosed.
    CloseOuter(usize),
    /// It was meant to close the innermost opener (a typo: `)` for `]`).
    Replace,
    /// It is one closer too many.
    Drop,
}

/// Matches openers with closers, reporting each mismatch into `out`, and returns the openers
/// still open at the end of the text.
///
/// At a mismatch each [`Recovery`] is tried on the next [`LOOKAHEAD`] delimiters and the one that
/// leaves the fewest further problems wins, so that `(let [x 1) x)` reports the one wrong `)` and
/// `(let [x 1 x)` the one missing `]`, instead of a cascade.
fn match_delimiters(
    delimiters: &[Delimiter],
    rope: &Rope,
    out: &mut Vec<Diagnostic>,
) -> Vec<Delimiter> {
    let mut stack: Vec<Delimiter> = Vec::new();
    for (i, &delimiter) in delimiters.iter().enumerate() {
        if !is_closer(delimiter.kind) {
            stack.push(delimiter);
            continue;
        }
        let Some(top) = stack.last() else {
            out.push(error(
                delimiter.range,
                format!("unexpected `{}`", delimiter.kind),
            ));
            continue;
        };
        if closes(top.kind, delimiter.kind) {
            stack.pop();
            continue;
        }
        let rest = &delimiters[i + 1..delimiters.len().min(i + 1 + LOOKAHEAD)];
        let visible = &stack[stack.len().saturating_sub(LOOKAHEAD)..];
        let outer = visible
            .iter()
            .rev()
            .position(|opener| closes(opener.kind, delimiter.kind));
        let candidates = outer
            .map(Recovery::CloseOuter)
            .into_iter()
            .chain([Recovery::Replace, Recovery::Drop]);
        let best = candidates
            .min_by_key(|&recovery| {
                let mut kinds: Vec<&str> = visible.iter().map(|opener| opener.kind).collect();
                let cost = recover(&mut kinds, recovery);
                cost + simulate(kinds, rest)
            })
            .unwrap_or(Recovery::Drop);
        let line = rope.byte_to_line(usize::from(delimiter.range.start())) + 1;
        match best {
            Recovery::CloseOuter(inner) => {
                for opener in stack.drain(stack.len() - inner..) {
                    let expected = closer_of_kind(opener.kind).unwrap_or_default();
                    out.push(error(
                        opener.range,
                        format!(
                            "unclosed `{}`: missing `{expected}` before the `{}` on line {line}",
                            opener.kind, delimiter.kind
                        ),
                    ));
                }
                stack.pop();
            }
            Recovery::Replace => {
                let opener_line = rope.byte_to_line(usize::from(top.range.start())) + 1;
                let expected = closer_of_kind(top.kind).unwrap_or_default();
                out.push(error(
                    delimiter.range,
                    format!(
                        "mismatched `{}`: expected `{expected}` to close the `{}` on line {opener_line}",
                        delimiter.kind, top.kind
                    ),
                ));
                stack.pop();
            }
            Recovery::Drop => {
                out.push(error(
                    delimiter.range,
                    format!("unexpected `{}`", delimiter.kind),
                ));
            }
        }
    }
    stack
}

/// Applies `recovery` for a mismatched closer to the open `kinds`; returns the problems it reports.
fn recover(kinds: &mut Vec<&str>, recovery: Recovery) -> usize {
    match recovery {
        Recovery::CloseOuter(inner) => {
            kinds.truncate(kinds.len() - inner - 1);
            inner
        }
        Recovery::Replace => {
            kinds.pop();
            1
        }
        Recovery::Drop => 1,
    }
}

/// Counts the problems greedy matching finds in `rest`, counting openers left open at its end.
fn simulate(mut kinds: Vec<&str>, rest: &[Delimiter]) -> usize {
    let mut cost = 0;
    for delimiter in rest {
        if !is_closer(delimiter.kind) {
            kinds.push(delimiter.kind);
        } else if kinds.last().is_some_and(|top| closes(top, delimiter.kind)) {
            kinds.pop();
        } else if let Some(outer) = kinds
            .iter()
            .rev()
            .position(|opener| closes(opener, delimiter.kind))
        {
            cost += recover(&mut kinds, Recovery::CloseOuter(outer));
        } else {
            let recovery = if kinds.is_empty() {
                Recovery::Drop
            } else {
                Recovery::Replace
            };
            cost += recover(&mut kinds, recovery);
        }
    }
    cost + kinds.len()
}

/// A MISSING node: a token tree-sitter inserted to finish a form. Named ones stand for a whole
/// form that a prefix (`'`, `@`, `#tag`, ...) or a closing delimiter needed.
fn missing(node: &Node<'_>, rope: &Rope) -> Diagnostic {
    let at = TextRange::empty(size(node.start_byte()));
    if !node.is_named() {
        return error(at, format!("missing `{}`", node.kind()));
    }
    // The token the missing form should have followed: the previous sibling of the node or of the
    // nearest ancestor that has one.
    let mut current = *node;
    let before = loop {
        if let Some(previous) = current.prev_sibling() {
            break Some(previous);
        }
        match current.parent() {
            Some(parent) => current = parent,
            None => break None,
        }
    };
    match before {
        Some(previous) => {
            let text = first_token(rope, &previous);
            let range = TextRange::at(size(previous.start_byte()), TextSize::of(text.as_str()));
            error(range, format!("expected a form after `{text}`"))
        }
        None => error(at, "expected a form".to_owned()),
    }
}

/// Reader macros that need a form after them.
const PREFIXES: &[&str] = &[
    "'", "`", "~", "~@", "@", "^", "#^", "#'", "#=", "#_", "#", "#?", "#?@",
];

/// An ERROR node that no delimiter problem explains: most often a prefix with no form after it
/// (`(a #_)`), which tree-sitter cannot attach anywhere. Each such prefix is one diagnostic;
/// failing that, the node's first token is unexpected.
fn unexplained_error(node: &Node<'_>, rope: &Rope) -> Vec<Diagnostic> {
    let mut leaves = Vec::new();
    let mut cursor = node.walk();
    'walk: loop {
        let current = cursor.node();
        if current.child_count() == 0 && !current.is_missing() {
            leaves.push(current);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() || cursor.node() == *node {
                break 'walk;
            }
        }
    }
    let texts: Vec<String> = leaves.iter().map(|leaf| first_token(rope, leaf)).collect();
    let dangling: Vec<Diagnostic> = leaves
        .iter()
        .zip(&texts)
        .enumerate()
        .filter(|(i, (_, text))| {
            PREFIXES.contains(&text.as_str())
                && texts
                    .get(i + 1)
                    .is_none_or(|next| matches!(next.as_str(), ")" | "]" | "}"))
        })
        .map(|(_, (leaf, text))| {
            let range = TextRange::at(size(leaf.start_byte()), TextSize::of(text.as_str()));
            error(range, format!("expected a form after `{text}`"))
        })
        .collect();
    if !dangling.is_empty() {
        return dangling;
    }
    let text = first_token(rope, node);
    let range = TextRange::at(size(node.start_byte()), TextSize::of(text.as_str()));
    vec![error(range, format!("unexpected `{text}`"))]
}

/// The node's text up to the first whitespace, at most 16 characters, for messages.
fn first_token(rope: &Rope, node: &Node<'_>) -> String {
    let end = node.end_byte().min(rope.len_bytes());
    let start = node.start_byte().min(end);
    rope.byte_slice(start..end)
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ',')
        .take(16)
        .collect()
}

fn error(range: TextRange, message: String) -> Diagnostic {
    Diagnostic {
        range,
        severity: Severity::Error,
        code: "syntax",
        message,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "#{",
            "#(",
            "\"",
            " ",
            "\n",
            "x",
            "1",
            ";c\n",
            "'",
            "(f [a] {:k a})",
            "#_",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        // The pruned scan is an optimisation only: whenever `syntax_diagnostics` prunes, the
        // full scan finds the same diagnostics.
        #[test]
        fn pruned_scan_finds_what_the_full_scan_finds(text in text()) {
            let rope = Rope::from_str(&text);
            let tree = parse_str(&text);
            prop_assert_eq!(
                syntax_diagnostics(&tree, &rope),
                scanned_diagnostics(&tree, &rope, text.len(), false),
                "{:?}", text
            );
        }
    }

    #[test]
    fn an_open_form_is_missing_its_closer_at_the_end_only() {
        let text = "(def a 1)\n(defn f [x]\n(def b [1 2])\n(g {:k 2})\n";
        let tree = parse_str(text);
        assert!(tree.root_node().has_error());
        assert!(
            only_missing_before(&tree, &Rope::from_str(text), 0, text.len()),
            "{}",
            tree.root_node().to_sexp()
        );
        for damaged in ["(def a 1))\n(g)\n", "(def a \"1)\n", "(a\n(b]\n"] {
            let tree = parse_str(damaged);
            assert!(
                !only_missing_before(&tree, &Rope::from_str(damaged), 0, damaged.len()),
                "{damaged:?}: {}",
                tree.root_node().to_sexp()
            );
        }
    }
}
