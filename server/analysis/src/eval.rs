//! Evaluation of whole programs, for `yin eval` and any host that runs a file to its end.
//!
//! The machine itself lives in the `vm` crate; this is the facade's door to it, so front ends
//! need not know the crate layout. Interactive sessions (inline results, debugging) come through
//! here too as they land.

pub use vm::{Limits, Outcome, Output, WriteOutput, eval_source};
