//! Runs a yin file the way `yin eval FILE` does and counts its steps, for the benchmarks' steps
//! per second (`yin eval` does not report steps): `cargo run --release -p yin-vm --example run
//! FILE [--stats]`. `--stats` adds the step count and steps per second on stderr.

#![allow(
    clippy::print_stderr,
    reason = "a command-line tool reports errors on stderr"
)]

use std::process::ExitCode;
use std::time::Instant;

use vm::{Limits, Outcome, Session, WriteOutput};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stats = args.iter().any(|a| a == "--stats");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: run FILE [--stats]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = WriteOutput(stdout.lock());
    let started = Instant::now();
    let mut session = Session::new();
    let outcome = match session.load(&text) {
        Ok(()) => session.run(&Limits::cli(), &mut out),
        Err(e) => Outcome::Error(e),
    };
    drop(out);
    if stats {
        let secs = started.elapsed().as_secs_f64();
        let steps = session.state.steps;
        eprintln!(
            "steps {steps} in {secs:.3}s: {:.1}M steps/s",
            steps as f64 / secs / 1e6
        );
    }
    match outcome.printed() {
        Some(p) => {
            println!("{p}");
            ExitCode::SUCCESS
        }
        None => {
            if let Outcome::Error(e) = outcome {
                eprintln!("error: {}", e.message());
            }
            ExitCode::FAILURE
        }
    }
}
