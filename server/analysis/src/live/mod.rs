//! The live session (docs/lsp.md, "Live evaluation"): one machine store per workspace root that
//! persists between evaluations, the dependency plan that says which definitions a form needs
//! loaded first (Datalog over the workspace's datoms, [`plan`]), the sessions themselves and what
//! they loaded ([`session`]), and the printed results and inspector handles ([`inspect`]).
//!
//! Split by thread: [`plan`] runs on a snapshot, anywhere; [`session`] and [`inspect`] hold
//! machine values and run on the host's one evaluation thread.

pub mod inspect;
pub mod plan;
pub mod session;
