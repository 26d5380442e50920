//! Real yin sources lower without error diagnostics, and their datoms print.
//!
//! Every program in `examples/` (override the folder with `YIN_EXAMPLES`), and every evaluation
//! case under `tests/eval/` whose expected outcome is a value (`.out`) or a parked program
//! (`.parked`). Cases expected to fail (`.err`) must lower without panicking; lowering errors are
//! allowed there.

use std::path::{Path, PathBuf};

use edn::datoms_to_edn as to_edn;
use syntax::file::FileLowering;
use syntax::{Document, Severity};
use test_support::corpus::{root, yin_files};

/// Lowers each file; returns the error diagnostics of those for which `must_be_clean` holds.
fn check(files: &[PathBuf], must_be_clean: impl Fn(&Path) -> bool) -> Vec<String> {
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).expect("a readable UTF-8 file");
        let file = FileLowering::from_text(&text);
        let syntax_errors = Document::new(&text).syntax_diagnostics();
        let datoms = file.datoms();
        assert!(to_edn(&datoms).starts_with('['), "{}", path.display());
        if !must_be_clean(path) {
            continue;
        }
        for d in syntax_errors.into_iter().chain(file.diagnostics()) {
            if d.severity == Severity::Error {
                let line = text[..usize::from(d.range.start())].lines().count().max(1);
                failures.push(format!(
                    "{}:{line}: {} {}",
                    path.display(),
                    d.code,
                    d.message
                ));
            }
        }
    }
    failures
}

#[test]
fn examples_lower_without_errors() {
    let dir = std::env::var_os("YIN_EXAMPLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("examples"));
    let files = yin_files(&dir);
    eprintln!("{} examples in {}", files.len(), dir.display());
    let failures = check(&files, |_| true);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn evaluation_cases_lower() {
    let files = yin_files(&root().join("tests/eval"));
    eprintln!("{} evaluation cases", files.len());
    let failures = check(&files, |path| !path.with_extension("err").exists());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
