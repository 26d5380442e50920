//! What `yin eval` does, as a function: the test suites share it so they test the CLI's path.

use vm::{Captured, Limits, Outcome, eval_source};

/// Runs `text` with the CLI limits; returns everything `yin eval` would write on stdout (output,
/// then the printed result and a newline) and the outcome.
pub(crate) fn eval_like_cli(text: &str) -> (String, Outcome) {
    let mut out = Captured::default();
    let outcome = eval_source(text, &Limits::cli(), &mut out);
    let mut stdout = out.0;
    if let Some(p) = outcome.printed() {
        stdout.push_str(&p);
        stdout.push('\n');
    }
    (stdout, outcome)
}
