//! Arbitrary bytes through the whole front end: decode, parse, read, lower, datoms, diagnostics.
//!
//! Asserts: the text is the bytes' lossy decoding; every diagnostic's range lies within the text
//! on character boundaries and carries a message; a tree with errors yields at least one error;
//! the rendered datoms read back as the same datoms; a second parse gives the same result.
#![no_main]

use analysis::SourceFile;
use libfuzzer_sys::fuzz_target;
use syntax::Severity;
use yin_fuzz::{assert_datoms_render, assert_range_in};

fuzz_target!(|data: &[u8]| {
    let file = SourceFile::from_bytes(data);
    let text = file.text();
    assert_eq!(text, String::from_utf8_lossy(data));

    let diagnostics = file.diagnostics();
    for d in &diagnostics {
        assert_range_in(&text, d.range, "diagnostic");
        assert!(!d.message.is_empty(), "{d:?} has no message");
    }
    if file.document().has_syntax_error() {
        assert!(
            diagnostics.iter().any(|d| d.severity == Severity::Error),
            "a tree with errors but no error diagnostic: {text:?}"
        );
    }

    let datoms = file.datoms();
    assert_datoms_render(&datoms);

    let again = SourceFile::from_bytes(data);
    let shown = |ds: &[edn::Datom]| ds.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(shown(&again.datoms()), shown(&datoms));
    assert_eq!(again.diagnostics(), diagnostics);
});
