//! `yin eval FILE | -e SOURCE [--fuel N] [--timeout-ms N]` (README.md, "Command line"): evaluates the
//! top-level forms in order and prints the last value; errors go to stderr with exit status 1.
//!
//! Two compatible extensions make a parked program mobile: `--save-state FILE` writes a program
//! that parked to FILE as JSON, and `yin resume FILE [--value SOURCE]` continues it, in this or
//! any other process, with SOURCE's value (default nil) as the value of the expression that
//! parked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use analysis::eval::{
    Discard, Limits, Outcome, Session, Value, WriteOutput, eval_source, session_from_json,
    session_to_json,
};
use analysis::{LineCol, disk};

use super::{EXIT_USAGE, report_error};

/// Where the program comes from.
pub(crate) enum Program<'a> {
    File(&'a Path),
    Expr(&'a str),
}

/// Budgets, and where to save a program that parks: the options `eval` and `resume` share.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Maximum number of machine steps.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Wall-clock budget in milliseconds.
    #[arg(long = "timeout-ms", value_name = "N")]
    timeout_ms: Option<u64>,
    /// If the program parks, save its state to FILE for `yin resume`.
    #[arg(long = "save-state", value_name = "FILE")]
    save_state: Option<PathBuf>,
}

impl Options {
    fn limits(&self) -> Limits {
        let mut limits = Limits::cli();
        if let Some(fuel) = self.fuel {
            limits.fuel = fuel;
        }
        if let Some(ms) = self.timeout_ms {
            limits.timeout = Duration::from_millis(ms);
        }
        limits
    }
}

pub(crate) fn run(program: Program<'_>, options: &Options) -> ExitCode {
    let (name, text) = match program {
        Program::Expr(text) => ("<-e>".to_owned(), text.to_owned()),
        Program::File(path) => match disk::read_regular(path, disk::MAX_SOURCE_BYTES) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => (path.display().to_string(), text),
                Err(err) => {
                    let at = err.utf8_error().valid_up_to();
                    report_error(&format!(
                        "{}: invalid UTF-8 at byte {at}: yin source files must be UTF-8 encoded",
                        path.display()
                    ));
                    return ExitCode::from(1);
                }
            },
            Err(err) => {
                report_error(&format!("{}: {err}", path.display()));
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };

    let mut session = Session::new();
    let stdout = std::io::stdout();
    let mut out = WriteOutput(stdout.lock());
    let outcome = match session.load(&text) {
        Ok(()) => session.run(&options.limits(), &mut out),
        Err(err) => Outcome::Error(err),
    };
    drop(out);
    finish(&session, outcome, Some((&name, &text)), options)
}

/// `yin resume STATE [--value SOURCE]`.
pub(crate) fn resume(state: &Path, value: Option<&str>, options: &Options) -> ExitCode {
    let json = match disk::read_regular(state, disk::MAX_STATE_BYTES) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) => {
            report_error(&format!("{}: {err}", state.display()));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut session = match session_from_json(&json) {
        Ok(session) => session,
        Err(err) => {
            report_error(&format!(
                "{}: not a saved yin state: {}",
                state.display(),
                err.message()
            ));
            // Bad data, not bad usage: a damaged or edited state fails like a failing program.
            return ExitCode::from(1);
        }
    };
    let value = match value {
        None => Value::Nil,
        Some(source) => match eval_source(source, &Limits::inline(), &mut Discard) {
            Outcome::Value(v) => v,
            Outcome::Parked { reason } => {
                report_error(&format!("--value: the expression parked ({reason})"));
                return ExitCode::from(EXIT_USAGE);
            }
            Outcome::Error(err) => {
                report_error(&format!("--value: {}", err.message()));
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    let stdout = std::io::stdout();
    let mut out = WriteOutput(stdout.lock());
    let outcome = session.resume(value, &options.limits(), &mut out);
    drop(out);
    finish(&session, outcome, None, options)
}

/// Prints the outcome; `source` (name and text) locates errors when the text is at hand.
fn finish(
    session: &Session,
    outcome: Outcome,
    source: Option<(&str, &str)>,
    options: &Options,
) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match outcome {
        Outcome::Error(err) => {
            let _ = stdout.flush();
            let location = match (err.span(), source) {
                (Some(span), Some((name, text))) => {
                    let LineCol { line, column } = LineCol::of(text, span.start());
                    format!("{name}:{}:{}: ", line + 1, column + 1)
                }
                _ => String::new(),
            };
            report_error(&format!("{location}{}", err.message()));
            ExitCode::from(1)
        }
        outcome => {
            if let (Outcome::Parked { .. }, Some(path)) = (&outcome, &options.save_state)
                && let Err(err) = std::fs::write(path, session_to_json(session))
            {
                report_error(&format!(
                    "cannot save the state to {}: {err}",
                    path.display()
                ));
                return ExitCode::from(EXIT_USAGE);
            }
            let printed = outcome.printed().unwrap_or_default();
            match writeln!(stdout, "{printed}").and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    report_error(&format!("cannot write the result: {err}"));
                    ExitCode::from(EXIT_USAGE)
                }
            }
        }
    }
}
