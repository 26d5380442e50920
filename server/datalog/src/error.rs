//! Typed errors for parsing, planning and evaluating queries.
//!
//! Every error that concerns a clause carries the clause's text and position ([`Origin`]), so a
//! message reads `3:9: unbound variable ?x in predicate [(< ?x 1)]`.

use std::fmt;

use edn::{Pos, ReadError, ReadErrorKind};

use crate::budget::Limit;

/// Where an error happened: the text of the offending form and its start position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub text: String,
    pub pos: Pos,
}

impl Origin {
    pub(crate) fn of(form: &edn::Spanned) -> Origin {
        Origin {
            text: form.to_value().to_string(),
            pos: form.span.start,
        }
    }
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("{0}")]
    Read(ReadErrorKind),
    #[error("{0}")]
    Syntax(String),
    #[error("unbound variable {var} in {place}")]
    Unbound { var: String, place: String },
    #[error(
        "unsafe negation: {var} is not bound by the clauses outside the `not` (use not-join to make it local)"
    )]
    UnsafeNegation { var: String },
    #[error("rules are not stratifiable: {rule} depends on itself through negation")]
    Unstratifiable { rule: String },
    #[error("unknown function `{0}` (see docs/datalog.md for the supported set)")]
    UnknownFunction(String),
    #[error("`{name}` takes {expected} argument(s), got {got}")]
    Arity {
        name: String,
        expected: String,
        got: usize,
    },
    #[error("unknown rule `{0}` (is the rule set passed with %?)")]
    UnknownRule(String),
    #[error("input: {0}")]
    Input(String),
    #[error("aggregate {0}")]
    Aggregate(String),
    #[error("budget exceeded: {0}")]
    Budget(Limit),
    /// The query did not start: the allowance it was given had run out in an earlier query.
    #[error("not run: the shared budget was used up ({0})")]
    NotRun(Limit),
    #[error(
        "rules call each other {depth} levels deep through {rule}, more than the {max} the evaluator allows"
    )]
    TooDeep {
        rule: String,
        depth: usize,
        max: usize,
    },
}

/// A query error: its kind and, when it concerns a form, that form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub origin: Option<Origin>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, origin: Option<&Origin>) -> Error {
        Error {
            kind,
            origin: origin.cloned(),
        }
    }

    pub(crate) fn at(form: &edn::Spanned, kind: ErrorKind) -> Error {
        Error {
            kind,
            origin: Some(Origin::of(form)),
        }
    }

    pub(crate) fn syntax(form: &edn::Spanned, message: impl Into<String>) -> Error {
        Error::at(form, ErrorKind::Syntax(message.into()))
    }

    /// True when the query was stopped by its [`Budget`](crate::Budget), or not started
    /// because the allowance it shares had run out.
    pub fn is_budget(&self) -> bool {
        matches!(self.kind, ErrorKind::Budget(_) | ErrorKind::NotRun(_))
    }
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Error {
        Error {
            kind: ErrorKind::Read(e.kind),
            origin: Some(Origin {
                text: String::new(),
                pos: e.pos,
            }),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            None => write!(f, "{}", self.kind),
            Some(o) if o.text.is_empty() => write!(f, "{}: {}", o.pos, self.kind),
            Some(o) => write!(f, "{}: {} (in {})", o.pos, self.kind, o.text),
        }
    }
}

impl std::error::Error for Error {}
