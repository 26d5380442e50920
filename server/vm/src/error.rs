//! Run-time errors: what stops a program, with the source range it stopped at.
//!
//! An [`Error`] is one pointer wide (its data is boxed): errors are rare, and every step of the
//! machine returns a `Result`, which stays small enough to pass in registers.

use std::fmt;

use text_size::TextRange;

/// What went wrong, by family. The message says the specifics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// A symbol with no local binding and no global definition.
    Unresolved,
    /// Applying something that is not a function.
    NotAFunction,
    /// A function called with an argument count none of its arities accepts.
    Arity,
    /// An operation given a value of the wrong type, such as `(+ 1 :a)`.
    Type,
    /// Division (or `quot`, `rem`, `mod`) by zero.
    DivideByZero,
    /// Integer or ratio arithmetic that does not fit in 64 bits.
    Overflow,
    /// An index outside a collection, a bad argument value.
    Argument,
    /// A form the compiler rejects (`recur` outside a tail position, a malformed special form).
    Syntax,
    /// Fuel, time, memory or nesting limit reached.
    Limit,
    /// A macro that failed or returned something that is not a form.
    Macro,
    /// An exception thrown with `throw` that no `try` caught.
    Thrown,
    /// The host stopped the run ([`Session::interrupt`](crate::Session::interrupt)).
    Interrupted,
}

impl ErrorKind {
    /// Whether `catch` can catch it: machine limits and malformed code cannot be caught, so a
    /// program cannot hide a runaway from its host or run code the compiler refused.
    pub fn is_catchable(self) -> bool {
        !matches!(
            self,
            ErrorKind::Limit | ErrorKind::Syntax | ErrorKind::Macro | ErrorKind::Interrupted
        )
    }

    /// The keyword naming it in a caught error's `ex-data` (`{:yin/error :divide-by-zero}`).
    pub fn keyword(self) -> &'static str {
        match self {
            ErrorKind::Unresolved => "unresolved",
            ErrorKind::NotAFunction => "not-a-function",
            ErrorKind::Arity => "arity",
            ErrorKind::Type => "type",
            ErrorKind::DivideByZero => "divide-by-zero",
            ErrorKind::Overflow => "overflow",
            ErrorKind::Argument => "argument",
            ErrorKind::Syntax => "syntax",
            ErrorKind::Limit => "limit",
            ErrorKind::Macro => "macro",
            ErrorKind::Thrown => "thrown",
            ErrorKind::Interrupted => "interrupted",
        }
    }
}

/// An error with its message and, when known, the source range of the expression that raised it.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    span: Option<TextRange>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            span: None,
        }))
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The byte range of the expression that raised the error, when known.
    pub fn span(&self) -> Option<TextRange> {
        self.0.span
    }

    /// Attaches a range unless the error already carries a more precise one.
    pub fn at(mut self, span: TextRange) -> Error {
        if self.0.span.is_none() {
            self.0.span = Some(span);
        }
        self
    }

    pub fn type_error(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Type, message)
    }

    pub fn argument(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Argument, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} error", self.0.kind)?;
        if let Some(span) = self.0.span {
            write!(f, " at {span:?}")?;
        }
        write!(f, ": {}", self.0.message)
    }
}
