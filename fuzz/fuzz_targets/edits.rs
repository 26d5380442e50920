//! Edit scripts (LSP `didChange`s in any position encoding, and full syncs) applied to a document
//! and its lowering incrementally, as `analysis::SourceFile::apply_edits` does.
//!
//! Asserts after every step: the text equals an independent model's; the tree (node for node),
//! the syntax and lowering diagnostics equal a fresh parse's; the datoms equal a fresh lowering's
//! up to entity renaming (docs/datoms.md); a range with start after end is refused, changing
//! nothing.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use syntax::file::FileLowering;
use syntax::{Document, Position, PositionEncoding, Range, TextEdit};
use yin_fuzz::{FRAGMENTS, canonical_datoms, model_offset, nodes};

#[derive(Arbitrary, Debug)]
enum Piece {
    Fragment(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct Text(Vec<Piece>);

impl Text {
    fn build(&self) -> String {
        self.0
            .iter()
            .map(|piece| match piece {
                Piece::Fragment(i) => FRAGMENTS[usize::from(*i) % FRAGMENTS.len()],
                Piece::Raw(s) => s.as_str(),
            })
            .collect()
    }
}

#[derive(Arbitrary, Debug)]
struct Edit {
    start: (u8, u8),
    end: (u8, u8),
    text: Text,
}

#[derive(Arbitrary, Debug)]
enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

#[derive(Arbitrary, Debug)]
enum Step {
    Edits(Vec<Edit>, Encoding),
    ReplaceAll(Text),
}

#[derive(Arbitrary, Debug)]
struct Script {
    initial: Text,
    steps: Vec<Step>,
}

fn position((line, character): (u8, u8)) -> Position {
    // Lines and characters past the end are as likely as ones within: both must be clamped.
    Position::new(u32::from(line % 16), u32::from(character % 64))
}

fn assert_matches_fresh(doc: &Document, lowering: &FileLowering, expected: &str) {
    assert_eq!(doc.text(), expected);
    let fresh = Document::new(expected);
    assert_eq!(
        doc.syntax_diagnostics(),
        fresh.syntax_diagnostics(),
        "{expected:?}"
    );
    assert_eq!(nodes(doc), nodes(&fresh), "{expected:?}");
    let fresh_lowering = FileLowering::new(&fresh);
    assert_eq!(
        lowering.diagnostics(),
        fresh_lowering.diagnostics(),
        "{expected:?}"
    );
    assert_eq!(
        canonical_datoms(lowering),
        canonical_datoms(&fresh_lowering),
        "{expected:?}"
    );
}

fuzz_target!(|script: Script| {
    let mut expected = script.initial.build();
    let mut doc = Document::new(&expected);
    let mut lowering = FileLowering::new(&doc);
    for step in script.steps.iter().take(16) {
        match step {
            Step::ReplaceAll(text) => {
                expected = text.build();
                doc.replace_all(&expected);
                lowering = FileLowering::new(&doc);
            }
            Step::Edits(edits, encoding) => {
                let encoding = match encoding {
                    Encoding::Utf8 => PositionEncoding::Utf8,
                    Encoding::Utf16 => PositionEncoding::Utf16,
                    Encoding::Utf32 => PositionEncoding::Utf32,
                };
                let edits: Vec<TextEdit> = edits
                    .iter()
                    .take(8)
                    .map(|e| {
                        TextEdit::new(
                            Range::new(position(e.start), position(e.end)),
                            e.text.build(),
                        )
                    })
                    .collect();
                let refused = edits.iter().any(|e| e.range.start > e.range.end);
                let result = doc.apply_edits(&edits, encoding);
                assert_eq!(result.is_err(), refused, "{result:?}");
                if !refused {
                    for edit in &edits {
                        let start = model_offset(&expected, edit.range.start, encoding);
                        let end = model_offset(&expected, edit.range.end, encoding);
                        expected.replace_range(start..end, &edit.text);
                    }
                    lowering.update(&doc);
                }
            }
        }
        assert_matches_fresh(&doc, &lowering, &expected);
    }
});
