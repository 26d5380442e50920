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
    /// A stable identifier: `syntax` for parse errors, `unsupported` for Clojure syntax or forms
    /// yin does not have, `malformed` for special forms and literals used wrongly, `too-deep` for
    /// nesting past the reader's and lowering's depth limit, `macro` for a failed or runaway
    /// macro expansion.
    pub code: &'static str,
    pub message: String,
}
