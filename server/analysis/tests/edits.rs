//! A file edited by an editor must report what the same text opened afresh reports: the
//! incremental reparse and re-lowering behind `SourceFile::apply_edits` are invisible.
//! That holds for texts with syntax errors too: while a text has errors the syntax layer parses
//! it afresh (see `syntax::document`), because tree-sitter's incremental error recovery can build
//! a different tree, and once made an edited file's diagnostics differ from a fresh one's.

use analysis::{Position, PositionEncoding, Range, SourceFile, TextEdit, check_text};
use proptest::prelude::*;
use test_support::model::PIECES;

proptest! {
    #[test]
    fn edited_file_matches_a_fresh_one(
        edits in prop::collection::vec((0usize..400, 0usize..3, 0usize..PIECES.len()), 1..30)
    ) {
        let mut text = "(defn add [a b]\n  (+ a b))\n(def x (add 1 2))\n".to_owned();
        let mut file = SourceFile::from_text(&text);
        for (at, len, piece) in edits {
            let boundaries: Vec<usize> =
                text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let start = boundaries[at % boundaries.len()];
            let end = boundaries
                .iter()
                .copied()
                .filter(|&i| i >= start)
                .nth(len)
                .unwrap_or(text.len());
            let to_position = |offset: usize| {
                let line = text[..offset].matches('\n').count();
                let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
                Position::new(line as u32, (offset - line_start) as u32)
            };
            let range = Range::new(to_position(start), to_position(end));
            let edit = TextEdit::new(range, PIECES[piece]);
            file.apply_edits(&[edit], PositionEncoding::Utf8).expect("start <= end");
            text.replace_range(start..end, PIECES[piece]);
            prop_assert_eq!(file.text(), text.clone());
            let fresh = SourceFile::from_text(&text);
            prop_assert_eq!(
                check_text(&file),
                check_text(&fresh),
                "text: {:?}",
                text
            );
        }
    }
}
