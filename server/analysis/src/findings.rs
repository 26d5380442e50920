//! Findings: what `yin check` prints and the server publishes as diagnostics.

use syntax::{Severity, TextRange};

use crate::edit::Edit;
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
