//! The analysis facade: everything an editor or the command line asks about yin code, in editor
//! terms (files, byte offsets, line/column, labels) and as plain data.
//!
//! Architecture invariant: this crate knows nothing of LSP, JSON-RPC or command-line flags. The
//! `yin` binary converts between those and the types here.

mod document_symbols;
mod findings;
#[cfg(test)]
mod fixture;
mod folding_ranges;
mod format;
mod selection_ranges;
mod source;
mod syntax_highlighting;
mod tree;

pub use document_symbols::{DocumentSymbol, SymbolKind, document_symbols};
pub use findings::{Finding, check_text};
pub use folding_ranges::{Fold, FoldKind, folding_ranges};
pub use format::{TextChange, format, format_text};
pub use selection_ranges::selection_ranges;
pub use source::{LineCol, SourceFile};
pub use syntax::{
    EditError, Position, PositionEncoding, Range, Severity, TextEdit, TextRange, TextSize,
};
pub use syntax_highlighting::{HlRange, HlTag, highlight};
