//! Findings about source text, located by byte range.

use text_size::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

/// A problem in the source, found by the parser or by lowering (lint rules produce their own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte range in the document's text.
    pub range: TextRange,
    pub severity: Severity,
    /// A stable identifier: `syntax` for parse errors, `unsupported` for Clojure reader syntax yin
    /// does not have, `malformed` for special forms used wrongly.
    pub code: &'static str,
    pub message: String,
}
