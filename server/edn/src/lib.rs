//! Plain data: EDN values, keywords and symbols, and datoms (`[e a v]` triples), with the EDN
//! reader (text to values, with positions) and printer (`Display`).
//!
//! This crate is the bottom of the data stack. Syntax produces datoms made of these values, the
//! Datalog engine reads queries written in EDN and joins datoms, and the binary prints both.
//!
//! Architecture invariant: values are plain, self-contained data. Reading or printing them needs no
//! global context (no interner, no registry); cloning is cheap because text is reference-counted.
//! This crate knows nothing of yin syntax, of Datalog, or of the machine.

mod reader;
mod value;

pub use reader::{
    MAX_DEPTH, MAX_QUOTED_CHARS, Node, Pos, ReadError, ReadErrorKind, Span, Spanned, excerpt, read,
    read_all, read_all_spanned, read_spanned,
};
pub use value::{Datom, Entity, Keyword, Symbol, Value, datoms_to_edn};
