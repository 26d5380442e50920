//! Nesting depth is the user's to choose: every feature walks the tree without recursion, so a
//! deeply nested file costs time, never the native stack.

use analysis::{
    SourceFile, TextSize, document_symbols, folding_ranges, format, highlight, selection_ranges,
};

#[test]
fn every_feature_survives_deep_nesting() {
    let depth = 50_000;
    // The body indented: a line that begins with a form at column 0 starts a new top-level chunk.
    let text = format!(
        "(defn f []\n  {}x{})\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let file = SourceFile::from_text(&text);
    // `defn` and `f`; `x`, past highlighting's depth bound, is left unhighlighted.
    assert_eq!(highlight(&file, None).len(), 2);
    assert_eq!(document_symbols(&file).len(), 1);
    assert_eq!(folding_ranges(&file).len(), 1);
    let inside = TextSize::try_from(text.find('x').unwrap_or_default()).unwrap_or_default();
    // The symbol, then each vector (its inside equals the next one's whole), the defn's inside,
    // the defn, the file.
    assert_eq!(selection_ranges(&file, inside).len(), depth + 4);
    assert!(format(&file).is_some());
}
