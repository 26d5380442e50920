//! The LSP test client (`test_support::lsp::Client`) started on the `yin` binary under test:
//! the client's methods are reached through `Deref`, and those that end the session are
//! forwarded here because they take the client by value.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use serde_json::Value;
use test_support::lsp;

pub(crate) struct Client(lsp::Client);

impl Client {
    /// Starts `yin lsp` and initializes it, offering `position_encodings` (none: the LSP default).
    pub(crate) fn start(position_encodings: &[&str]) -> (Client, Value) {
        Client::start_with(lsp::initialize_params(position_encodings))
    }

    /// Starts `yin lsp` and initializes it with these `initialize` params.
    pub(crate) fn start_with(initialize: Value) -> (Client, Value) {
        Client::start_in_env(initialize, &[])
    }

    /// Starts `yin lsp` with these environment variables set and initializes it.
    pub(crate) fn start_in_env(initialize: Value, env: &[(&str, &str)]) -> (Client, Value) {
        let (client, reply) = lsp::Client::start(env!("CARGO_BIN_EXE_yin"), initialize, env);
        (Client(client), reply)
    }

    /// Vanishes as a crashed editor does (`lsp::Client::vanish`).
    pub(crate) fn vanish(self) -> (Option<i32>, Duration) {
        self.0.vanish()
    }

    /// Waits for the server to end on its own (`lsp::Client::wait_for_exit`).
    pub(crate) fn wait_for_exit(self) -> (Option<i32>, Duration) {
        self.0.wait_for_exit()
    }

    /// `shutdown` (if asked) then `exit`; returns the exit code.
    pub(crate) fn exit(self, shutdown: bool) -> (Option<Value>, i32) {
        self.0.exit(shutdown)
    }
}

impl Deref for Client {
    type Target = lsp::Client;

    fn deref(&self) -> &lsp::Client {
        &self.0
    }
}

impl DerefMut for Client {
    fn deref_mut(&mut self) -> &mut lsp::Client {
        &mut self.0
    }
}
