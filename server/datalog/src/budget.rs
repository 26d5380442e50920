//! What an evaluation may spend: tuples, bytes of created values and time, for planning and
//! evaluation alike.
//!
//! A [`Budget`] states the limits; an [`Allowance`] is what is left of one, and can be shared
//! by several queries in turn (a linter gives one to all the rules it runs on a file, so twenty
//! slow rules cost one time limit, not twenty). Once a query runs out, the allowance remembers
//! the limit, and every later query on it fails at once with [`ErrorKind::NotRun`].
//!
//! Bytes are counted before the memory is taken: a function that builds a value (`str`,
//! `tuple`, ...) is given the room left and gives no value when the result would not fit, so a
//! rule that doubles a string every round stops at the limit instead of asking the allocator for
//! gigabytes. Time is read between join steps and every [`TICK`] rows inside a step.
//!
//! [`ErrorKind::NotRun`]: crate::ErrorKind::NotRun

use std::fmt;
use std::time::{Duration, Instant};

use edn::Value;

/// Limits on one query (or, through an [`Allowance`], on several), so that a runaway rule (say
/// `[(inc ?x) ?y]` or `[(str ?s ?s) ?t]` feeding a recursive rule) stops with
/// [`ErrorKind::Budget`](crate::ErrorKind::Budget) instead of running forever or exhausting
/// memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Most tuples all join steps together may produce (intermediate ones included), plus one
    /// per rule and call the planner looks at.
    pub max_tuples: Option<u64>,
    /// Most bytes the values created by function calls and kept by the query may take
    /// together (see [`value_bytes`]); no single value larger than what is left is built.
    pub max_bytes: Option<u64>,
    /// Wall-clock limit, checked during planning, after every join step and inside long steps.
    pub timeout: Option<Duration>,
}

impl Default for Budget {
    /// 50 million tuples, 512 MiB of created values and 10 seconds: far above what a lint needs,
    /// far below exhausting memory.
    fn default() -> Budget {
        Budget {
            max_tuples: Some(50_000_000),
            max_bytes: Some(512 << 20),
            timeout: Some(Duration::from_secs(10)),
        }
    }
}

impl Budget {
    pub fn unlimited() -> Budget {
        Budget {
            max_tuples: None,
            max_bytes: None,
            timeout: None,
        }
    }
}

/// The limit a query ran into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Limit {
    Tuples(u64),
    Bytes(u64),
    Time(Duration),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Tuples(n) => write!(f, "more than {n} tuples produced"),
            Limit::Bytes(n) => write!(f, "more than {n} bytes of values created"),
            Limit::Time(d) => write!(f, "time limit of {d:?} passed"),
        }
    }
}

/// How many rows a long step handles between two readings of the clock.
pub(crate) const TICK: u32 = 1024;

/// What is left of a [`Budget`]; the clock starts when the allowance is made.
#[derive(Clone, Debug)]
pub struct Allowance {
    budget: Budget,
    tuples: u64,
    bytes: u64,
    deadline: Option<Instant>,
    ticks: u32,
    /// The limit a query ran into; later queries do not start.
    spent: Option<Limit>,
}

impl Allowance {
    pub fn new(budget: &Budget) -> Allowance {
        Allowance {
            budget: budget.clone(),
            tuples: 0,
            bytes: 0,
            deadline: budget.timeout.map(|t| Instant::now() + t),
            ticks: 0,
            spent: None,
        }
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The limit already reached, if any: the one a query ran into, or the time limit.
    pub fn used_up(&self) -> Option<Limit> {
        if let Some(limit) = &self.spent {
            return Some(limit.clone());
        }
        self.time_out().err()
    }

    fn fail(&mut self, limit: Limit) -> Limit {
        self.spent.get_or_insert(limit).clone()
    }

    pub(crate) fn tuples_left(&self) -> u64 {
        self.budget
            .max_tuples
            .map_or(u64::MAX, |m| m.saturating_sub(self.tuples))
    }

    pub(crate) fn tuple_limit(&mut self) -> Limit {
        self.fail(Limit::Tuples(self.budget.max_tuples.unwrap_or(u64::MAX)))
    }

    /// Counts `n` tuples, failing (without counting) when they do not fit.
    pub(crate) fn charge_tuples(&mut self, n: u64) -> Result<(), Limit> {
        if n > self.tuples_left() {
            return Err(self.tuple_limit());
        }
        self.tuples += n;
        Ok(())
    }

    pub(crate) fn bytes_left(&self) -> u64 {
        self.budget
            .max_bytes
            .map_or(u64::MAX, |m| m.saturating_sub(self.bytes))
    }

    pub(crate) fn byte_limit(&mut self) -> Limit {
        self.fail(Limit::Bytes(self.budget.max_bytes.unwrap_or(u64::MAX)))
    }

    /// Counts `n` bytes of created values, failing when they do not fit.
    pub(crate) fn charge_bytes(&mut self, n: u64) -> Result<(), Limit> {
        if n > self.bytes_left() {
            return Err(self.byte_limit());
        }
        self.bytes += n;
        Ok(())
    }

    fn time_out(&self) -> Result<(), Limit> {
        match (self.deadline, self.budget.timeout) {
            (Some(d), Some(t)) if Instant::now() > d => Err(Limit::Time(t)),
            _ => Ok(()),
        }
    }

    /// Reads the clock.
    pub(crate) fn check_time(&mut self) -> Result<(), Limit> {
        self.time_out().map_err(|l| self.fail(l))
    }

    /// Reads the clock every [`TICK`] calls: for loops over rows.
    pub(crate) fn tick(&mut self) -> Result<(), Limit> {
        self.ticks += 1;
        if self.ticks < TICK {
            return Ok(());
        }
        self.ticks = 0;
        self.check_time()
    }
}

/// What a value takes in memory, counted the same way wherever it is: the `Value` itself plus
/// the text of strings, keywords and symbols, and the elements of collections. Walks the value
/// with an explicit stack, so depth costs no recursion.
pub fn value_bytes(v: &Value) -> u64 {
    let cell = std::mem::size_of::<Value>() as u64;
    let mut total = 0u64;
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        total = total.saturating_add(cell);
        let text = match v {
            Value::Str(s) => s.len(),
            Value::Keyword(k) => k.as_str().len(),
            Value::Symbol(s) => s.as_str().len(),
            Value::List(xs) | Value::Vector(xs) | Value::Set(xs) => {
                todo.extend(xs);
                0
            }
            Value::Map(entries) => {
                for (k, x) in entries {
                    todo.push(k);
                    todo.push(x);
                }
                0
            }
            Value::Tagged(tag, x) => {
                todo.push(x);
                tag.as_str().len()
            }
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Char(_) => 0,
        };
        total = total.saturating_add(text as u64);
    }
    total
}
