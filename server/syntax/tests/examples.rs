//! Every program in `examples/` lowers without an error diagnostic, and its datoms print.
//!
//! `YIN_EXAMPLES` overrides the folder (to check another checkout's examples).

use std::path::PathBuf;

use syntax::Severity;
use syntax::datoms::{to_edn, to_json};
use syntax::file::FileLowering;

#[test]
fn examples_lower_without_errors() {
    let dir = std::env::var_os("YIN_EXAMPLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no examples at {}", dir.display());
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yin") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = FileLowering::from_text(&text);
        for d in file.diagnostics() {
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
        let datoms = file.datoms();
        assert!(!datoms.is_empty(), "{} has no datoms", path.display());
        assert!(to_edn(&datoms).starts_with("[["));
        assert!(to_json(&datoms).starts_with("[["));
        checked += 1;
    }
    eprintln!("checked {checked} examples in {}", dir.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
