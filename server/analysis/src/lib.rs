//! The analysis facade: everything an editor or the command line asks about yin code, in editor
//! terms (files, byte offsets, line/column, labels) and as plain data.
//!
//! Architecture invariant: this crate knows nothing of LSP, JSON-RPC or command-line flags. The
//! `yin` binary converts between those and the types here.
//!
//! One module per editor feature, each a function of a [`SourceFile`] (and an offset where the
//! feature needs a cursor) returning plain data: `syntax_highlighting`, `document_symbols`,
//! `folding_ranges`, `selection_ranges`, `format`. They read the tree-sitter tree and the
//! grammar's shared queries, never recurse on nesting depth, and work on broken files (the
//! formatter excepted: it refuses them).

mod document_symbols;
mod edit;
pub mod eval;
mod findings;
#[cfg(test)]
mod fixture;
mod folding_ranges;
mod format;
pub mod lints;
pub mod query;
pub mod refactor;
mod selection_ranges;
mod source;
mod syntax_highlighting;
mod tree;

pub use document_symbols::{DocumentSymbol, SymbolKind, document_symbols};
pub use edit::{Edit, apply_edits};
pub use findings::{Finding, Fix, check_text};
pub use folding_ranges::{Fold, FoldKind, folding_ranges};
pub use format::{format, format_text};
pub use selection_ranges::selection_ranges;
pub use source::{LineCol, SourceFile};
pub use syntax::{
    EditError, Position, PositionEncoding, Range, Severity, TextEdit, TextRange, TextSize,
};
pub use syntax_highlighting::{HlRange, HlTag, highlight};
