//! The analysis calls the language server's handlers make, on arbitrary text at arbitrary
//! offsets (character boundaries within the text, as position conversion gives, and offsets
//! past its end, as a stale client's request gives). The server binary's message loop is not a
//! library, so this is the layer below it.
//!
//! Asserts: every answer's ranges lie within the text on character boundaries; selection ranges
//! grow outwards, each containing the last; the formatter's edits give `format_text`'s result,
//! change whitespace only, and formatting twice changes nothing.
#![no_main]

use analysis::{
    InlineResults, SourceFile, TextRange, TextSize, check_text, code_actions, completions,
    document_highlights, document_symbols, folding_ranges, format, format_text, goto_definition,
    highlight, hover, inlay_hints, prepare_rename, references, selection_ranges, signature_help,
};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use yin_fuzz::assert_range_in;

#[derive(Arbitrary, Debug)]
struct Input {
    offsets: Vec<u16>,
    source: Vec<u8>,
}

fn offset(text: &str, raw: u16) -> TextSize {
    let mut at = usize::from(raw) % (text.len() + 8);
    if at <= text.len() {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
    }
    TextSize::from(at as u32)
}

fn no_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fuzz_target!(|input: Input| {
    let file = SourceFile::from_bytes(&input.source);
    let text = file.text();
    let within = |range: TextRange, what: &str| assert_range_in(&text, range, what);
    let results = InlineResults::default();

    for raw in input.offsets.iter().take(8) {
        let at = offset(&text, *raw);
        if let Some(h) = hover(&file, at, &results) {
            within(h.range, "hover");
        }
        if let Some(c) = completions(&file, at) {
            within(c.replace, "completion");
        }
        if let Some(r) = goto_definition(&file, at) {
            within(r, "definition");
        }
        for r in references(&file, at, true) {
            within(r, "reference");
        }
        let selections = selection_ranges(&file, at);
        for r in &selections {
            within(*r, "selection");
        }
        assert!(
            selections.windows(2).all(|w| w[1].contains_range(w[0])),
            "selections do not grow: {selections:?}"
        );
        for h in document_highlights(&file, at) {
            within(h.range, "highlight");
        }
        let _ = signature_help(&file, at);
        if let Some(r) = prepare_rename(&file, at) {
            within(r, "rename");
        }
    }

    for h in highlight(&file, None) {
        within(h.range, "semantic token");
    }
    for f in folding_ranges(&file) {
        within(f.range, "fold");
    }
    for s in document_symbols(&file) {
        within(s.range, "symbol");
        within(s.focus_range, "symbol name");
    }
    let _ = inlay_hints(&file, &results);
    let findings = check_text(&file);
    let whole = TextRange::up_to(TextSize::of(text.as_str()));
    for action in code_actions(&file, &findings, whole) {
        for edit in &action.edits {
            within(edit.range, "code action edit");
        }
    }

    if let Some(edits) = format(&file) {
        for edit in &edits {
            within(edit.range, "format edit");
        }
        let formatted = analysis::apply_edits(&text, &edits);
        assert_eq!(Some(&formatted), format_text(&text).as_ref());
        assert_eq!(no_whitespace(&formatted), no_whitespace(&text));
        assert_eq!(
            format_text(&formatted).as_ref(),
            Some(&formatted),
            "not idempotent"
        );
    }
});
