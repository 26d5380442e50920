//! Handing memory a closed document freed back to the system.
//!
//! glibc keeps freed memory in the heap it came from, and every thread that allocates gets a heap
//! (an arena) of its own: the chunks of a large file parsed and lowered on a second thread, or
//! freed on a blocking thread, leave pages no other thread reuses. A server that opens and closes
//! large files would keep each one's pages resident until exit.

/// Returns the free pages of every glibc heap to the system (`malloc_trim`), after a large
/// document was dropped.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn release_freed() {
    // SAFETY: `malloc_trim` takes no pointer and only walks the allocator's own free lists; it is
    // thread-safe (it takes each arena's lock).
    #[expect(unsafe_code, reason = "glibc's malloc_trim has no safe wrapper")]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Elsewhere the allocator returns memory by its own rules.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_freed() {}
