//! The output capability: the only way a program reaches outside the machine.
//!
//! `print`, `println` and `prn` write here. The host decides where it goes: the CLI passes
//! stdout, the language server captures it. The machine has no other access to files, network,
//! processes or the environment.

use std::io::Write;

pub trait Output {
    fn write(&mut self, text: &str);
}

/// Captures output in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured(pub String);

impl Output for Captured {
    fn write(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// Discards output.
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl Output for Discard {
    fn write(&mut self, _text: &str) {}
}

/// Writes to any `std::io::Write`, such as stdout. Write errors (a closed pipe) are ignored:
/// the program's result does not depend on whether anyone reads its output.
#[derive(Debug)]
pub struct WriteOutput<W: Write>(pub W);

impl<W: Write> Output for WriteOutput<W> {
    fn write(&mut self, text: &str) {
        let _ = self.0.write_all(text.as_bytes());
    }
}
