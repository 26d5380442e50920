//! Yin's syntax layer: source text in, plain values out.
//!
//! It owns the [`Document`] (a rope plus a tree-sitter tree, edited incrementally in any
//! LSP position encoding), the reader that turns the concrete tree into [`Form`]s (data with spans),
//! lowering of forms to the Universal [`Ast`], static scope resolution, and the AST datoms.
//!
//! Architecture invariants:
//! - Parsing and lowering never fail: they return a value plus [`Diagnostic`]s, whatever the input.
//! - Everything here is a plain value; nothing knows about LSP, JSON-RPC, Datalog or the machine.

pub mod ast;
pub mod core;
pub mod datoms;
mod diagnostic;
mod document;
pub mod file;
pub mod form;
mod intern;
pub mod lower;
mod parse;
mod position;
pub mod reader;
pub mod scope;
pub mod seq;
pub mod threads;

pub use ast::{Ast, Node, NodeId, NodeKind};
pub use diagnostic::{Diagnostic, Severity};
pub use document::{Chunk, Chunks, Document, EditError, Splice, TextEdit};
pub use form::{Form, FormKind};
pub use intern::Interner;
pub use position::{Position, PositionEncoding, Range};
pub use text_size::{TextRange, TextSize};
