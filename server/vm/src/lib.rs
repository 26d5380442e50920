//! The yin CESK machine.
//!
//! A top-level form is lowered (by `syntax`), compiled once ([`compile`]) into code with resolved
//! variable slots, and run by a [`State`]: control, environment, store and continuation, each a
//! persistent value, advanced by one step function with fuel. [`Session`] is the driver a host
//! uses: it reads a program, expands macros by running them on the machine, and evaluates the
//! top-level forms in order, or, for a live session (a REPL), evaluates the texts a host sends
//! one at a time on the same store ([`Session::begin`]), with each span telling which text it is
//! in ([`SourceId`]), a [`trace`] at every failure, printing within limits ([`pr_limited`]) and
//! inspection by pages ([`page`]).
//!
//! Architecture invariants:
//! - The machine never does I/O. The only way out is the [`Output`] capability the host passes;
//!   there is no file, network, process or environment access.
//! - Every run is bounded: fuel, wall-clock time, store size, continuation depth, collection size,
//!   memory (where the host counts it) and nesting depth all have finite limits ([`Limits`]), and reaching one is an error, not a hang.
//! - The hot path never touches names, datoms or Datalog: inspection ([`inspect`]) and
//!   serialisation ([`serial`]) read states; they are not consulted to run them.
//! - A state is a value: cloning it is a snapshot, and nothing in it refers to the host.
//! - A state belongs to one thread: sharing is `Rc`, not `Arc`, because atomic reference counts
//!   cost a third of the run time of call-heavy programs. A host runs the machine on one thread
//!   (it needs a worker thread anyway to stay responsive while a program runs); a state moves
//!   between threads or processes as JSON ([`serial`]).

mod basics;
mod code;
mod collections;
mod compile;
mod compose;
mod control;
mod convert;
mod env;
mod error;
mod hamt;
mod hof;
pub mod inspect;
mod kont;
mod lazy;
mod limits;
mod list;
mod memory;
mod num;
mod output;
pub mod page;
mod prim;
mod printer;
mod reclaim;
mod regex;
pub mod serial;
mod session;
mod source;
mod state;
mod store;
mod strings;
pub mod trace;
mod transduce;
mod value;

pub use code::{Code, CodeRef, Op, Proto};
pub use compile::compile;
pub use control::Control;
pub use convert::{form_to_value, value_to_form};
pub use env::{Env, Frame, Slots};
pub use error::{Error, ErrorKind};
pub use hof::LibOp;
pub use kont::{KFrame, Kont, Native};
pub use limits::Limits;
pub use list::List;
pub use memory::{CountingAlloc, live_bytes};
pub use output::{Captured, Discard, Output, WriteOutput};
pub use prim::Prim;
pub use printer::{PrintLimits, Printed, pr_capped, pr_limited, pr_str, print_str, str_form};
pub use session::{
    Ending, Evaluated, Failure, FormResult, Outcome, Session, core_store, eval_source,
};
pub use source::{Location, SourceId};
pub use state::{State, Status};
pub use store::Store;
pub use value::{Elements, MAX_DEPTH, Value};
