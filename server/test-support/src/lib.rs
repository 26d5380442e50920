//! What the workspace's tests, benches and fuzz targets share, so that each helper exists once:
//! the corpora they read ([`corpus`]), the generated file the per-file benches measure
//! ([`generated`]), the model the incremental-editing checks compare against ([`model`]), a
//! JSON-RPC client that drives a real `yin lsp` process over stdio ([`lsp`]), and the hostile
//! files of the torture tests ([`torture`]).
//!
//! It is a dev-dependency only (`publish = false`). Helpers here may panic: a failed helper is a
//! failed test.
//!
//! Architecture invariant: it uses only the server crates' public APIs, so a test written with it
//! tests what a caller sees.

pub mod corpus;
pub mod generated;
pub mod lsp;
pub mod model;
pub mod torture;
