//! The analysis facade: everything an editor or the command line asks about yin code, in editor
//! terms (files, byte offsets, line/column, labels) and as plain data.
//!
//! Architecture invariant: this crate knows nothing of LSP, JSON-RPC or command-line flags. The
//! `yin` binary converts between those and the types here.

pub mod eval;
mod findings;
pub mod lints;
pub mod query;
pub mod refactor;
mod source;

pub use findings::{Edit, Finding, Fix, apply_edits, check_text};
pub use source::{LineCol, SourceFile};
pub use syntax::Severity;
