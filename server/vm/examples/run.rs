//! Runs a yin file the way `yin eval FILE` does (for benchmarks until the CLI is wired):
//! `cargo run --release -p yin-vm --example run FILE`.

#![allow(
    clippy::print_stderr,
    reason = "a command-line tool reports errors on stderr"
)]

use std::process::ExitCode;

use vm::{Limits, Outcome, WriteOutput, eval_source};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: run FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = WriteOutput(stdout.lock());
    let outcome = eval_source(&text, &Limits::cli(), &mut out);
    drop(out);
    match outcome.printed() {
        Some(p) => {
            println!("{p}");
            ExitCode::SUCCESS
        }
        None => {
            if let Outcome::Error(e) = outcome {
                eprintln!("error: {}", e.message);
            }
            ExitCode::FAILURE
        }
    }
}
