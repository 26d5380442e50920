//! Inputs the fuzzers found (docs/fuzzing.md), kept as ordinary tests.

use analysis::{SourceFile, TextSize, selection_ranges};

/// Found by `lsp`: with the cursor just after the `(` of an unclosed list, the text inside the
/// brackets (`/`) did not contain the `(` selected before it, so the ranges did not grow.
#[test]
fn selection_ranges_grow_in_an_unclosed_list() {
    let text = "\u{1f}\u{1f}\u{1f}\u{1f}\u{1f}\u{1f}\u{1f}\u{1f}( /";
    let file = SourceFile::from_bytes(text.as_bytes());
    for at in 0..=text.len() {
        let ranges = selection_ranges(&file, TextSize::from(at as u32));
        assert!(
            ranges.windows(2).all(|w| w[1].contains_range(w[0])),
            "at {at}: {ranges:?}"
        );
        assert_eq!(
            ranges.last().map(|r| usize::from(r.end())),
            Some(text.len())
        );
    }
}
