//! Directory-driven golden tests: every `tests/eval/<area>/<name>.yin` runs as `yin eval FILE`
//! would, and must match its sibling: `.out` (exact stdout), `.err` (a substring of the error
//! message) or `.parked` (the program parks). `YIN_EVAL_DIR` points the test at another directory.

mod common;

use std::path::{Path, PathBuf};

use vm::Outcome;

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yin") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn check(path: &Path) -> Result<(), String> {
    let name = path.display();
    let source = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let (stdout, outcome) = common::eval_like_cli(&source);
    let sibling = |ext: &str| std::fs::read_to_string(path.with_extension(ext)).ok();
    if let Some(want) = sibling("out") {
        if stdout == want {
            return Ok(());
        }
        let err = match &outcome {
            Outcome::Error(e) => format!(" (error: {})", e.message()),
            _ => String::new(),
        };
        return Err(format!("{name}: stdout {stdout:?}{err}, expected {want:?}"));
    }
    if let Some(want) = sibling("err") {
        let want = want.trim();
        return match &outcome {
            Outcome::Error(e) if e.message().contains(want) => Ok(()),
            Outcome::Error(e) => Err(format!(
                "{name}: error {:?} does not contain {want:?}",
                e.message()
            )),
            other => Err(format!(
                "{name}: expected an error containing {want:?}, got {other:?}"
            )),
        };
    }
    if sibling("parked").is_some() {
        return match &outcome {
            Outcome::Parked { .. } if stdout.contains("#<parked") => Ok(()),
            other => Err(format!(
                "{name}: expected the program to park, got {other:?}"
            )),
        };
    }
    Err(format!("{name}: no .out, .err or .parked beside it"))
}

#[test]
fn golden_eval_cases() {
    let dir = std::env::var_os("YIN_EVAL_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/eval"),
        PathBuf::from,
    );
    let cases = cases(&dir);
    assert!(!cases.is_empty(), "no cases under {}", dir.display());
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
