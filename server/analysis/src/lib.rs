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

mod code_actions;
mod completion;
pub mod disk;
mod document_highlights;
mod document_symbols;
mod edit;
pub mod eval;
mod eval_session;
mod findings;
#[cfg(test)]
mod fixture;
mod folding_ranges;
mod format;
mod goto_definition;
mod half_typed;
pub mod host;
mod hover;
mod inline_results;
pub mod lints;
pub mod live;
mod names;
pub mod query;
pub mod refactor;
mod references;
mod selection_ranges;
mod signature_help;
mod source;
mod syntax_highlighting;
mod tree;
mod workspace_symbols;

pub use code_actions::{ActionKind, CodeAction, code_actions, prepare_rename};
pub use completion::{CompletionItem, CompletionKind, Completions, completions};
pub use document_highlights::{DocumentHighlight, document_highlights};
pub use document_symbols::{DocumentSymbol, SymbolKind, document_symbols};
pub use edit::{Edit, apply_edits, edit_between};
pub use eval_session::{
    DebugBinding, DebugControl, DebugFrame, DebugLocation, DebugSession, DebugView, LiveFile,
    LiveRequest, Scope, ScopeError, Stamp, SummaryCache, live_request,
};
pub use findings::{Finding, Fix, check_text};
pub use folding_ranges::{Fold, FoldKind, folding_ranges};
pub use format::{format, format_text};
pub use goto_definition::goto_definition;
pub use host::{
    AnalysisHost, Applied, Change, ContentChange, DocumentSnapshot, FileFindings, HostConfig,
};
pub use hover::{Hover, hover};
pub use inline_results::{InlayHint, InlineResults, inlay_hints};
pub use references::references;
pub use selection_ranges::selection_ranges;
pub use signature_help::{SignatureHelp, SignatureInfo, signature_help};
pub use source::{LineCol, SourceFile};
pub use syntax::{
    EditError, Position, PositionEncoding, Range, Severity, TextEdit, TextRange, TextSize,
};
pub use syntax_highlighting::{
    GlobalRoles, HlRange, HlTag, HlUnit, UnitHighlights, highlight, highlight_unit, highlight_units,
};
pub use workspace_symbols::{
    IndexedSymbol, WorkspaceSymbol, index_file, is_indexed_path, symbol_matches, workspace_symbols,
    yin_files,
};
