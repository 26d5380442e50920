//! Directory-driven golden tests, one test per case: every `tests/eval/<area>/<name>.yin` runs
//! as `yin eval FILE` would, and must match its sibling: `.out` (exact stdout), `.err` (a
//! substring of the error message) or `.parked` (the program parks). Each case is its own test
//! (`datatest-stable`), named after its path, so `cargo test -p yin-vm --test eval_golden
//! callcc/` runs one area.
//!
//! `UPDATE_EXPECT=1` rewrites the sibling of every failing case from what the program does now
//! (stdout into `.out`, the whole error message into `.err`, an empty `.parked`), removing the
//! siblings it replaces; passing cases are left alone, so `.err` substrings stay short.
//! `YIN_EVAL_DIR` points the test at another directory.

mod common;

use std::fmt;
use std::path::{Path, PathBuf};

use vm::Outcome;

/// The companions a case may have; exactly one must exist.
const SIBLINGS: [&str; 3] = ["out", "err", "parked"];

fn root() -> String {
    std::env::var("YIN_EVAL_DIR").unwrap_or_else(|_| "../../tests/eval".to_owned())
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

#[allow(
    clippy::print_stderr,
    reason = "the harness runs without cfg(test); saying what was rewritten is the point"
)]
fn check(path: &Path, source: String) -> datatest_stable::Result<()> {
    let (stdout, outcome) = common::eval_like_cli(&source);
    match compare(path, &stdout, &outcome) {
        Ok(()) => Ok(()),
        Err(mismatch) if updating() => {
            update(path, &stdout, &outcome)?;
            eprintln!("updated {}: {mismatch}", path.display());
            Ok(())
        }
        Err(mismatch) => Err(Box::new(Mismatch(mismatch))),
    }
}

/// How a case failed, shown as written: the harness prints a failure with `{:?}`, which would
/// quote and escape a plain `String`.
struct Mismatch(String);

impl fmt::Debug for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Mismatch {}

fn compare(path: &Path, stdout: &str, outcome: &Outcome) -> Result<(), String> {
    let sibling = |ext: &str| std::fs::read_to_string(path.with_extension(ext)).ok();
    if let Some(want) = sibling("out") {
        if stdout == want {
            return Ok(());
        }
        let err = match outcome {
            Outcome::Error(e) => format!(" (error: {})", e.message()),
            _ => String::new(),
        };
        return Err(format!("stdout {stdout:?}{err}, expected {want:?}"));
    }
    if let Some(want) = sibling("err") {
        let want = want.trim();
        return match outcome {
            Outcome::Error(e) if e.message().contains(want) => Ok(()),
            Outcome::Error(e) => Err(format!("error {:?} does not contain {want:?}", e.message())),
            other => Err(format!(
                "expected an error containing {want:?}, got {other:?}"
            )),
        };
    }
    if sibling("parked").is_some() {
        return match outcome {
            Outcome::Parked { .. } if stdout.contains("#<parked") => Ok(()),
            other => Err(format!("expected the program to park, got {other:?}")),
        };
    }
    Err("no .out, .err or .parked beside it".to_owned())
}

/// Makes the case's one sibling say what the program does now.
fn update(path: &Path, stdout: &str, outcome: &Outcome) -> std::io::Result<()> {
    let (ext, contents) = match outcome {
        Outcome::Error(e) => ("err", format!("{}\n", e.message())),
        Outcome::Parked { .. } => ("parked", String::new()),
        _ => ("out", stdout.to_owned()),
    };
    for other in SIBLINGS.iter().filter(|&&other| other != ext) {
        let stale: PathBuf = path.with_extension(other);
        if stale.exists() {
            std::fs::remove_file(stale)?;
        }
    }
    std::fs::write(path.with_extension(ext), contents)
}

datatest_stable::harness! {
    { test = check, root = root(), pattern = r"\.yin$" },
}
