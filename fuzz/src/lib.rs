//! What the fuzz targets share: the properties they assert about ranges, rendered datoms and
//! trees, and (from `yin-test-support`) an independent model of LSP positions.
//!
//! It knows the server crates' public APIs only; it must not know libFuzzer (each target in
//! `fuzz_targets/` owns its input format).

use edn::Value;
use syntax::TextRange;

pub use test_support::model::{FRAGMENTS, canonical_datoms, model_offset, nodes};

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

/// `value` is or holds (a quoted datum) the symbol or keyword printed as `token`, which the
/// reader's error quotes as an excerpt (`edn::excerpt`: cut short, control characters escaped).
fn names(value: &Value, token: &str) -> bool {
    match value {
        Value::Symbol(s) => edn::excerpt(s.as_str()) == token,
        Value::Keyword(k) => edn::excerpt(&format!(":{}", k.as_str())) == token,
        Value::List(items) | Value::Vector(items) | Value::Set(items) => {
            items.iter().any(|v| names(v, token))
        }
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| names(k, token) || names(v, token)),
        Value::Tagged(tag, v) => edn::excerpt(tag.as_str()) == token || names(v, token),
        _ => false,
    }
}
