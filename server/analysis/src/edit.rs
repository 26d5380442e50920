//! Text edits: what fixes, refactors and the formatter return, in byte ranges of the file's text.

use syntax::TextRange;

/// Replace `range` (bytes of the file's text) with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub text: String,
}

/// Applies edits to `text`; edits are non-overlapping and in any order.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.range.start());
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        let (start, end) = (
            usize::from(edit.range.start()),
            usize::from(edit.range.end()),
        );
        out.push_str(text.get(at..start).unwrap_or_default());
        out.push_str(&edit.text);
        at = end.max(at);
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}
