//! Evaluation of whole programs, for `yin eval` and any host that runs a file to its end.
//!
//! The machine itself lives in the `vm` crate; this is the facade's door to it, so front ends
//! need not know the crate layout. Interactive sessions (inline results, debugging) come through
//! here too as they land.

pub use vm::serial::{from_json as session_from_json, to_json as session_to_json};
pub use vm::{
    CountingAlloc, Discard, Limits, Outcome, Output, Session, Value, WriteOutput, eval_source,
};
