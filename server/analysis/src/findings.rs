//! Findings: what `yin check` prints and the server publishes as diagnostics.

use syntax::{Severity, TextRange};

use crate::source::SourceFile;

/// A problem found in a file, from the parser or a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub range: TextRange,
    pub severity: Severity,
    /// The rule id (`syntax` for parse errors).
    pub rule: String,
    pub message: String,
    /// A rewrite that removes the problem, offered as a quick fix.
    pub fix: Option<Fix>,
}

/// A named set of edits to one file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    /// Non-overlapping edits, in source order.
    pub edits: Vec<Edit>,
}

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

/// Everything the reader and lowering found wrong with one file's text, in source order.
pub fn check_text(file: &SourceFile) -> Vec<Finding> {
    file.diagnostics()
        .into_iter()
        .map(|d| Finding {
            range: d.range,
            severity: d.severity,
            rule: d.code.to_owned(),
            message: d.message,
            fix: None,
        })
        .collect()
}
