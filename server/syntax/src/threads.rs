//! When opening a large file splits its work over two threads: one rule for parsing its chunks,
//! lowering its forms and building its lint database (in `yin-analysis`), so that all three
//! agree on what a large file is.

use std::sync::OnceLock;

/// Texts shorter than this are handled on one thread: starting a thread costs more than they do.
pub const PARALLEL_BYTES: usize = 64 * 1024;

/// Whether a text of `len` bytes is worth a second thread on this machine. Whether the machine
/// has a second core is asked once: on Linux the answer reads the process's affinity and its
/// cgroup's CPU quota, which is not worth doing three times per open.
pub fn worth_a_second_thread(len: usize) -> bool {
    static SPARE_CORE: OnceLock<bool> = OnceLock::new();
    len >= PARALLEL_BYTES
        && *SPARE_CORE
            .get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}
