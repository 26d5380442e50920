//! Limits on a run (docs/vm.md, "Limits and defaults"): fuel, wall-clock time, store size,
//! continuation depth, collection size and memory. Every run has all of them, with finite
//! defaults; exceeding one stops the run
//! with an [`ErrorKind::Limit`](crate::ErrorKind::Limit) error naming the limit.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Machine steps.
    pub fuel: u64,
    /// Wall-clock budget, checked every few thousand steps.
    pub timeout: Duration,
    /// Globals, streams, cursors and stream items the store may hold.
    pub max_store: usize,
    /// Frames the continuation may hold (the depth of non-tail recursion).
    pub max_depth: u32,
    /// Elements one collection (or characters one string) may hold.
    pub max_items: usize,
    /// Bytes a run may add to what its thread holds, where the host counts them
    /// ([`CountingAlloc`](crate::CountingAlloc)).
    pub max_memory: usize,
}

impl Limits {
    /// For `yin eval`: generous, but finite.
    pub fn cli() -> Limits {
        Limits {
            fuel: 10_000_000_000,
            timeout: Duration::from_secs(60),
            max_store: 10_000_000,
            // A frame or an element costs a few hundred bytes: these two keep a runaway program
            // under about a gigabyte, so it stops with an error rather than by the OOM killer.
            max_depth: 1_000_000,
            max_items: 10_000_000,
            // Below what a 600 MB address-space limit leaves once the binary and the allocator's
            // own overhead are counted, so a runaway program gets this error, not an abort.
            max_memory: 384 << 20,
        }
    }

    /// For inline evaluation in the editor: the editor never waits long.
    pub fn inline() -> Limits {
        Limits {
            fuel: 10_000_000,
            timeout: Duration::from_secs(2),
            max_store: 100_000,
            max_depth: 100_000,
            max_items: 1_000_000,
            // The server holds every open document too: an inline evaluation gets a fraction.
            max_memory: 256 << 20,
        }
    }
}

impl Limits {
    /// For a live session's evaluation (docs/lsp.md, "Live evaluation"): the defaults the editors
    /// send, with the inline sizes.
    pub fn live() -> Limits {
        Limits {
            fuel: 10_000_000,
            timeout: Duration::from_secs(10),
            max_memory: 256 << 20,
            ..Limits::inline()
        }
    }

    /// These limits with the host's steps, time (ms) and memory (MiB), each when given. The
    /// host validates the numbers it accepts from a client; here they are only kept finite
    /// (memory saturates rather than overflows).
    pub fn with(
        mut self,
        steps: Option<u64>,
        time_ms: Option<u64>,
        memory_mb: Option<u64>,
    ) -> Limits {
        if let Some(steps) = steps {
            self.fuel = steps;
        }
        if let Some(ms) = time_ms {
            self.timeout = Duration::from_millis(ms);
        }
        if let Some(mb) = memory_mb {
            self.max_memory = usize::try_from(mb)
                .ok()
                .and_then(|mb| mb.checked_mul(1 << 20))
                .unwrap_or(usize::MAX);
        }
        self
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::inline()
    }
}
