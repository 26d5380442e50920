//! `yin eval FILE | -e SOURCE [--fuel N] [--timeout-ms N]` (design.md section 8): evaluates the
//! top-level forms in order and prints the last value; errors go to stderr with exit status 1.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use analysis::LineCol;
use analysis::eval::{Limits, Outcome, WriteOutput, eval_source};

use super::{EXIT_USAGE, report_error};

/// Where the program comes from.
pub(crate) enum Program<'a> {
    File(&'a Path),
    Expr(&'a str),
}

pub(crate) fn run(program: Program<'_>, fuel: Option<u64>, timeout_ms: Option<u64>) -> ExitCode {
    let (name, text) = match program {
        Program::Expr(text) => ("<-e>".to_owned(), text.to_owned()),
        Program::File(path) => match std::fs::read(path) {
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

    let mut limits = Limits::cli();
    if let Some(fuel) = fuel {
        limits.fuel = fuel;
    }
    if let Some(ms) = timeout_ms {
        limits.timeout = Duration::from_millis(ms);
    }

    let stdout = std::io::stdout();
    let mut out = WriteOutput(stdout.lock());
    let outcome = eval_source(&text, &limits, &mut out);
    let WriteOutput(mut stdout) = out;
    match outcome {
        Outcome::Error(err) => {
            let _ = stdout.flush();
            let location = match err.span() {
                Some(span) => {
                    let LineCol { line, column } = LineCol::of(&text, span.start());
                    format!("{name}:{}:{}: ", line + 1, column + 1)
                }
                None => String::new(),
            };
            report_error(&format!("{location}{}", err.message()));
            ExitCode::from(1)
        }
        outcome => {
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
