//! Command-line subcommands: each reads files, calls the analysis facade and prints.

pub(crate) mod check;
pub(crate) mod datoms;
pub(crate) mod eval;
mod paths;
pub(crate) mod query;

use std::process::ExitCode;

/// Exit status for usage and I/O errors (README.md, "Command line").
const EXIT_USAGE: u8 = 2;

/// Reports a usage error.
pub(crate) fn usage(message: &str) -> ExitCode {
    report_error(message);
    ExitCode::from(EXIT_USAGE)
}

#[allow(clippy::print_stderr, reason = "the binary reports errors on stderr")]
pub(crate) fn report_error(message: &str) {
    eprintln!("error: {message}");
}

#[allow(clippy::print_stderr, reason = "the binary reports warnings on stderr")]
fn report_warning(message: &str) {
    eprintln!("warning: {message}");
}
