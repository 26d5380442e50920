//! The model the incremental-editing checks share (`server/syntax/tests/incremental.rs`,
//! `incremental_datoms.rs` and the fuzz targets): text fragments that stress positions and
//! parsing, a naive position model written independently of the crate's rope-based one, the tree
//! as a list of nodes, and datoms compared up to entity renaming, and the pieces edit sessions type. It uses only the `syntax` and
//! `edn` crates' public APIs.

use std::collections::BTreeSet;

use edn::Value;
use syntax::datoms::{NODE_BITS, is_ref};
use syntax::file::FileLowering;
use syntax::{Document, Position, PositionEncoding};

/// Pieces that stress positions and parsing alike (line breaks, astral characters, prefixes).
pub const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "#{",
    " ",
    "\n",
    "\r\n",
    "\r",
    "😀",
    "漢",
    "e\u{301}",
    "\"",
    "abc",
    "12",
    ";c",
    ":k",
    "'",
    "𝕏",
    "(defn f [x] (+ x 1))",
    "\"s😀\"",
    "#(",
    "#_",
    "^",
    "@",
    "#'",
    "~@",
    "\\a",
    "#?",
    "%",
    "nil",
    "(def x 1)",
    "(let [a 1] a)",
    "x",
    "\\",
];

/// Mostly well-formed pieces, so that edit sessions move in and out of syntax errors on a real
/// program: the errors then sit next to subtrees an incremental reparse can reuse.
pub const PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "\"",
    "x",
    " ",
    "\n",
    "(let [a 1] a)",
    "(defn f [x] x)",
    "(def y 2)",
    "(f x)",
    "[1 2]",
    "{:a 1}",
    "; c\n",
    "\"s𝕏\"",
    "#_ (g)",
    "'q",
    "1",
    "(when x (g))",
    "#_",
    "#(",
    "\\a",
    "@",
];

/// Byte offsets where LSP lines start: after `\n`, `\r\n` and a lone `\r`.
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &byte) in bytes.iter().enumerate() {
        let lone_cr = byte == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if byte == b'\n' || lone_cr {
            starts.push(i + 1);
        }
    }
    starts
}

/// How many code units of `encoding` the character `c` takes.
pub fn units(c: char, encoding: PositionEncoding) -> usize {
    match encoding {
        PositionEncoding::Utf8 => c.len_utf8(),
        PositionEncoding::Utf16 => c.len_utf16(),
        PositionEncoding::Utf32 => 1,
    }
}

/// The meaning of an LSP position, written independently of the crate's rope-based one: clamped
/// to the line's text and floored to a character start (as `server/syntax/tests/incremental.rs`).
pub fn model_offset(text: &str, position: Position, encoding: PositionEncoding) -> usize {
    let starts = line_starts(text);
    let Some(&start) = starts.get(position.line as usize) else {
        return text.len();
    };
    let next = starts
        .get(position.line as usize + 1)
        .copied()
        .unwrap_or(text.len());
    let line = text[start..next]
        .trim_end_matches('\n')
        .trim_end_matches('\r');
    let mut counted = 0;
    for (byte, c) in line.char_indices() {
        counted += units(c, encoding);
        if counted > position.character as usize {
            return start + byte;
        }
    }
    start + line.len()
}

/// Every node of every chunk's tree with its kind, flags, byte range and points (relative to
/// the chunk), in pre-order, each chunk after its extent.
pub fn nodes(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in doc.chunks() {
        out.push(format!("chunk {}..{}", chunk.start(), chunk.end()));
        chunk_nodes(&chunk, &mut out);
    }
    out
}

fn chunk_nodes(chunk: &syntax::Chunk, out: &mut Vec<String>) {
    let mut cursor = chunk.tree().walk();
    loop {
        let node = cursor.node();
        out.push(format!(
            "{} {} missing={} error={} {:?} {:?}-{:?}",
            node.kind(),
            node.child_count(),
            node.is_missing(),
            node.is_error(),
            node.byte_range(),
            node.start_position(),
            node.end_position(),
        ));
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// A lowering's datoms with each entity renamed to (form position, node index): incremental
/// lowering keeps unchanged forms' slots, a fresh one numbers them in order, and docs/datoms.md
/// promises equality only up to that renaming (`server/syntax/tests/incremental_datoms.rs`).
pub fn canonical_datoms(file: &FileLowering) -> BTreeSet<(u64, String, String)> {
    let slots: Vec<u64> = file.forms().iter().map(|f| u64::from(f.slot)).collect();
    let rename = |e: u64| {
        let slot = e >> NODE_BITS;
        if slot == 0 {
            return e;
        }
        match slots.iter().position(|&s| s == slot) {
            Some(position) => ((position as u64 + 1) << NODE_BITS) | (e & ((1 << NODE_BITS) - 1)),
            None => panic!("entity {e} of a slot no form holds"),
        }
    };
    let datoms = file.datoms();
    let set: BTreeSet<_> = datoms
        .iter()
        .map(|d| {
            let v = match (&d.v, is_ref(&d.a)) {
                (Value::Int(i), true) => rename(*i as u64).to_string(),
                (v, _) => v.to_string(),
            };
            (rename(d.e), d.a.to_string(), v)
        })
        .collect();
    assert_eq!(set.len(), datoms.len(), "duplicate datoms");
    set
}
