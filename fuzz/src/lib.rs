//! What the fuzz targets share: the properties they assert about ranges, rendered datoms and
//! trees, and an independent model of LSP positions.
//!
//! It knows the server crates' public APIs only; it must not know libFuzzer (each target in
//! `fuzz_targets/` owns its input format).

use std::collections::BTreeSet;

use edn::Value;
use syntax::datoms::{NODE_BITS, is_ref};
use syntax::file::FileLowering;
use syntax::{Document, Position, PositionEncoding, TextRange};

/// `range` lies within `text` and starts and ends on character boundaries, so slicing the text
/// with it (as every LSP conversion does) cannot panic.
pub fn assert_range_in(text: &str, range: TextRange, what: &str) {
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    assert!(
        end <= text.len(),
        "{what} {range:?} ends past the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what} {range:?} splits a character"
    );
}

/// Rendered datoms (`yin datoms`) are EDN that reads back to the same datoms, except where a
/// name is a yin symbol or keyword that EDN's stricter name grammar refuses (`a|b`, a control
/// character): an open finding recorded in docs/fuzzing.md, so only that refusal is tolerated.
pub fn assert_datoms_render(datoms: &[edn::Datom]) {
    let rendered = edn::datoms_to_edn(datoms);
    let read = match edn::read(&rendered) {
        Ok(value) => value,
        Err(edn::ReadError {
            kind: edn::ReadErrorKind::InvalidToken(token) | edn::ReadErrorKind::InvalidNumber(token),
            ..
        }) if datoms.iter().any(|d| names(&d.v, &token)) => return,
        Err(err) => panic!("rendered datoms are not EDN: {err}\n{rendered}"),
    };
    let Value::Vector(rows) = read else {
        panic!("rendered datoms are not a vector: {rendered}");
    };
    assert_eq!(rows.len(), datoms.len(), "{rendered}");
    for (row, datom) in rows.iter().zip(datoms) {
        assert_eq!(row.to_string(), datom.to_string());
    }
}

/// `value` is or holds (a quoted datum) the symbol or keyword printed as `token`.
fn names(value: &Value, token: &str) -> bool {
    match value {
        Value::Symbol(s) => s.as_str() == token,
        Value::Keyword(k) => token.strip_prefix(':') == Some(k.as_str()),
        Value::List(items) | Value::Vector(items) | Value::Set(items) => {
            items.iter().any(|v| names(v, token))
        }
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| names(k, token) || names(v, token)),
        Value::Tagged(tag, v) => tag.as_str() == token || names(v, token),
        _ => false,
    }
}

/// Byte offsets where LSP lines start: after `\n`, `\r\n` and a lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
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

fn units(c: char, encoding: PositionEncoding) -> usize {
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

/// Every node of the tree with its kind, flags, byte range and points, in pre-order.
pub fn nodes(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = doc.tree().walk();
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
                return out;
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
