//! Incremental editing agrees with starting afresh: after any sequence of edits (ranges in any
//! position encoding, text with CRLF, lone CR, astral characters, broken syntax), the document's
//! text equals the expected text, and its tree and syntax diagnostics equal a fresh parse's, node
//! for node (kinds, byte ranges and tree-sitter points), whether or not the text has syntax errors.
//!
//! The expected text is maintained as a `String` with a deliberately naive position model written
//! in `test_support::model`, independent of the crate's rope-based one.

use model::{FRAGMENTS, PIECES, model_offset, nodes};
use proptest::prelude::*;
use syntax::{
    Document, EditError, Position, PositionEncoding, Range, TextEdit, TextRange, TextSize,
};
use test_support::model;

fn fragments(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..max).prop_map(|parts| parts.concat())
}

fn encoding() -> impl Strategy<Value = PositionEncoding> {
    prop::sample::select(vec![
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ])
}

fn position() -> impl Strategy<Value = Position> {
    (0u32..8, 0u32..24).prop_map(|(line, character)| Position::new(line, character))
}

fn edit() -> impl Strategy<Value = TextEdit> {
    (position(), position(), fragments(4))
        .prop_map(|(start, end, text)| TextEdit::new(Range::new(start, end), text))
}

/// A step of an editing session.
#[derive(Clone, Debug)]
enum Step {
    /// One `didChange`: edits applied in order, then one reparse.
    Edits(Vec<TextEdit>, PositionEncoding),
    /// A full-document sync.
    ReplaceAll(String),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (prop::collection::vec(edit(), 1..4), encoding()).prop_map(|(edits, encoding)| Step::Edits(edits, encoding)),
        1 => fragments(30).prop_map(Step::ReplaceAll),
    ]
}

/// Text, tree and diagnostics agree with a fresh parse of `expected`, node for node, with or
/// without syntax errors: the document's state is a function of its text, not of its history.
fn assert_matches_fresh_parse(doc: &Document, expected: &str) {
    assert_eq!(doc.text(), expected);
    let fresh = Document::new(expected);
    assert_eq!(
        doc.syntax_diagnostics(),
        fresh.syntax_diagnostics(),
        "{expected:?}"
    );
    let cuts = |doc: &Document| -> Vec<(usize, usize, String)> {
        doc.chunks()
            .iter()
            .map(|c| (c.start(), c.end(), c.tree().root_node().to_sexp()))
            .collect()
    };
    assert_eq!(cuts(doc), cuts(&fresh), "{expected:?}");
    assert_eq!(nodes(doc), nodes(&fresh), "{expected:?}");
    let len = doc.len();
    let changed = doc.changed_ranges();
    assert!(
        changed.iter().all(|range| range.end() <= len),
        "{changed:?} beyond {len:?}"
    );
    assert!(
        changed
            .windows(2)
            .all(|pair| pair[0].end() < pair[1].start()),
        "{changed:?} not sorted and disjoint"
    );
}

/// The position of byte `offset` of `text` in UTF-8 code units.
fn utf8_position(text: &str, offset: usize) -> Position {
    let line = text[..offset].matches('\n').count();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    Position::new(line as u32, (offset - line_start) as u32)
}

/// 512 cases per test, a moderate default for CI; `PROPTEST_CASES` overrides it for long local runs.
fn config() -> ProptestConfig {
    match std::env::var_os("PROPTEST_CASES") {
        Some(_) => ProptestConfig::default(),
        None => ProptestConfig::with_cases(512),
    }
}

proptest! {
    #![proptest_config(config())]

    // One-edit `didChange`s at random places of a small program, as typing does.
    #[test]
    fn typing_into_a_program_matches_a_fresh_parse(
        edits in prop::collection::vec((0usize..400, 0usize..3, 0usize..PIECES.len()), 1..30)
    ) {
        type_into_program(&edits);
    }

    #[test]
    fn incremental_edits_match_a_fresh_parse(initial in fragments(30), steps in prop::collection::vec(step(), 1..12)) {
        let mut doc = Document::new(&initial);
        let mut expected = initial;
        for step in steps {
            match step {
                Step::ReplaceAll(text) => {
                    doc.replace_all(&text);
                    expected = text;
                }
                Step::Edits(edits, encoding) => {
                    let result = doc.apply_edits(&edits, encoding);
                    match edits.iter().find(|edit| edit.range.start > edit.range.end) {
                        Some(bad) => {
                            let error = EditError::StartAfterEnd { start: bad.range.start, end: bad.range.end };
                            prop_assert_eq!(result, Err(error));
                        }
                        None => {
                            prop_assert_eq!(result, Ok(()));
                            let mut inserted = Vec::new();
                            for edit in &edits {
                                let start = model_offset(&expected, edit.range.start, encoding);
                                let end = model_offset(&expected, edit.range.end, encoding);
                                expected.replace_range(start..end, &edit.text);
                                inserted.push(start..start + edit.text.len());
                            }
                            // The last edit's text is where it was put; earlier ones may have moved.
                            let last = inserted.pop().expect("at least one edit");
                            let last = TextRange::new(TextSize::new(last.start as u32), TextSize::new(last.end as u32));
                            let changed = doc.changed_ranges();
                            prop_assert!(changed.iter().any(|range| range.contains_range(last)), "{:?} misses {:?}", changed, last);
                        }
                    }
                }
            }
            assert_matches_fresh_parse(&doc, &expected);
        }
    }
}

/// Applies `edits` to a small program, one `didChange` each, checking the document against a fresh
/// parse after every one. An edit `(at, len, piece)` replaces `len` characters from the character
/// boundary `at` (modulo their count) with `PIECES[piece]`.
fn type_into_program(edits: &[(usize, usize, usize)]) {
    let mut text = "(defn add [a b]\n  (+ a b))\n(def x (add 1 2))\n".to_owned();
    let mut doc = Document::new(&text);
    for &(at, len, piece) in edits {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let start = boundaries[at % boundaries.len()];
        let end = boundaries
            .iter()
            .copied()
            .filter(|&i| i >= start)
            .nth(len)
            .unwrap_or(text.len());
        let range = Range::new(utf8_position(&text, start), utf8_position(&text, end));
        doc.apply_edit(&TextEdit::new(range, PIECES[piece]), PositionEncoding::Utf8)
            .expect("start <= end");
        text.replace_range(start..end, PIECES[piece]);
        assert_matches_fresh_parse(&doc, &text);
    }
}

/// Found by `typing_into_a_program_matches_a_fresh_parse`: incremental error recovery used to
/// reuse a subtree of the previous tree that a fresh parse splits, and the edited document
/// reported an "unexpected `)`" at 73..74 of
/// `"#_ (g){:(1}defn)d [a b(defn f [x] x)\n  (+ a b))\n(def #_{]:'q'qa 1}(d 1 2))\n"` that a
/// fresh parse of the same text does not.
#[test]
fn diagnostics_after_typing_into_errors_are_those_of_the_text() {
    type_into_program(&[
        (125, 2, 13),
        (106, 2, 0),
        (147, 1, 13),
        (367, 2, 0),
        (0, 0, 16),
        (252, 2, 1),
        (44, 0, 17),
        (68, 2, 0),
        (258, 1, 9),
        (200, 0, 17),
        (127, 1, 20),
        (356, 0, 3),
        (0, 0, 0),
        (0, 0, 0),
        (0, 0, 0),
    ]);
}

#[test]
fn reversed_range_is_refused_and_changes_nothing() {
    let mut doc = Document::new("(a b)");
    let edit = TextEdit::new(Range::new(Position::new(0, 3), Position::new(0, 1)), "x");
    let result = doc.apply_edit(&edit, PositionEncoding::Utf16);
    assert_eq!(
        result,
        Err(EditError::StartAfterEnd {
            start: Position::new(0, 3),
            end: Position::new(0, 1)
        })
    );
    assert_eq!(doc.text(), "(a b)");
}

#[test]
fn typing_inside_a_symbol_reports_the_edit_as_changed() {
    let mut doc = Document::new("(defn f [x]\n  (+ x 1))\n(g)\n");
    let at = Position::new(1, 6);
    doc.apply_edit(
        &TextEdit::new(Range::new(at, at), "y"),
        PositionEncoding::Utf16,
    )
    .unwrap();
    assert_eq!(doc.text(), "(defn f [x]\n  (+ xy 1))\n(g)\n");
    let changed: Vec<_> = doc
        .changed_ranges()
        .iter()
        .map(|range| doc.text()[*range].to_owned())
        .collect();
    assert_eq!(changed, ["y"]);
}

#[test]
fn edits_of_one_change_apply_in_order() {
    // As in one LSP `didChange`: the second range is in the text the first edit left.
    let mut doc = Document::new("(defn f [x]\r\n  x)\r\n");
    let edits = [
        TextEdit::new(Range::new(Position::new(0, 6), Position::new(0, 7)), "g😀"),
        TextEdit::new(
            Range::new(Position::new(1, 2), Position::new(1, 3)),
            "(inc x)",
        ),
        TextEdit::new(Range::new(Position::new(0, 12), Position::new(0, 12)), " y"),
    ];
    doc.apply_edits(&edits, PositionEncoding::Utf16).unwrap();
    assert_eq!(doc.text(), "(defn g😀 [x y]\r\n  (inc x))\r\n");
    assert!(doc.syntax_diagnostics().is_empty());
}

/// Each chunk's extent and whether it has a syntax error.
fn cuts(doc: &Document) -> Vec<(usize, usize, bool)> {
    doc.chunks()
        .iter()
        .map(|chunk| (chunk.start(), chunk.end(), chunk.has_error()))
        .collect()
}

#[test]
fn an_unclosed_form_ends_at_the_next_line_that_begins_a_form() {
    let text = "(def a 1)\n(defn broken [x]\n  (g x)\n(def b 2)\n";
    let doc = Document::new(text);
    assert_eq!(
        cuts(&doc),
        [(0, 10, false), (10, 35, true), (35, 45, false)]
    );
    let messages: Vec<String> = doc
        .syntax_diagnostics()
        .iter()
        .map(|d| format!("{:?} {}", d.range, d.message))
        .collect();
    assert_eq!(messages, ["10..11 unclosed `(`"]);
}

#[test]
fn a_docstring_with_a_line_at_column_0_stays_in_its_form() {
    let doc = Document::new("(defn f\n  \"Example:\n(f 1)\n[2]\"\n  [x] x)\n(g)\n");
    assert_eq!(cuts(&doc), [(0, 40, false), (40, 44, false)]);
}

#[test]
fn a_string_left_open_swallows_a_bounded_number_of_lines() {
    // Every later line holds two quotes, so each begins inside the string the first one opened.
    let text = format!("(def s \"open)\n{}", "(def a \"x\")\n".repeat(20));
    let doc = Document::new(&text);
    let broken: Vec<(usize, usize, bool)> = cuts(&doc).into_iter().filter(|c| c.2).collect();
    // The open line and the eight lines the string may hold; the other twelve forms are clean.
    assert_eq!(broken, [(0, 14 + 8 * 12, true)]);
    assert_eq!(doc.chunks().len(), 1 + 12);
}

#[test]
fn a_keystroke_in_a_broken_file_reparses_only_its_chunks() {
    let mut text: String = (0..200)
        .map(|n| format!("(defn f{n} [x] (+ x {n}))\n"))
        .collect();
    let middle = text.len() / 2 + text[text.len() / 2..].find('\n').unwrap_or_default() + 1;
    text.insert_str(middle, "(defn broken [x]\n\n");
    let mut doc = Document::new(&text);
    let before: Vec<usize> = doc
        .chunks()
        .iter()
        .map(|c| c.tree().root_node().id())
        .collect();
    let blank = text.find("[x]\n\n").map(|at| at + 4).unwrap_or_default();
    let at = doc.offset_to_position(TextSize::try_from(blank).unwrap(), PositionEncoding::Utf8);
    doc.apply_edit(
        &TextEdit::new(Range::new(at, at), "("),
        PositionEncoding::Utf8,
    )
    .unwrap();
    let after: Vec<usize> = doc
        .chunks()
        .iter()
        .map(|c| c.tree().root_node().id())
        .collect();
    let kept = after.iter().filter(|id| before.contains(id)).count();
    // The broken form's chunk is cut in two; every other chunk keeps its tree.
    assert_eq!((before.len(), after.len(), kept), (201, 202, 200));
    let mut expected = text.clone();
    expected.insert(blank, '(');
    assert_matches_fresh_parse(&doc, &expected);
}

#[test]
fn a_chunk_reports_at_most_a_hundred_syntax_errors() {
    let doc = Document::new(&format!("({}\n", "[".repeat(500)));
    let diagnostics = doc.syntax_diagnostics();
    assert_eq!(diagnostics.len(), 100);
    assert_eq!(
        diagnostics.last().map(|d| d.message.as_str()),
        Some("402 more syntax errors in this form")
    );
}
