//! The memory budget: how many bytes a run may hold.
//!
//! A host that wants the budget enforced installs [`CountingAlloc`] as its global allocator (the
//! `yin` binary does). It counts, per thread, the bytes allocated minus the bytes freed; the
//! machine reads that count before every step and stops with a limit error once the run has
//! grown it by more than [`Limits::max_memory`](crate::Limits::max_memory). Counting per thread
//! costs no atomic operation and measures the one thread a state runs on. A run starts from the
//! count it finds, so what other threads allocate, or memory that moves between threads, never
//! counts against it.
//!
//! The count is checked between steps, so a run can overshoot by what one step allocates, which
//! the per-collection limit ([`Limits::max_items`](crate::Limits::max_items)) bounds. Without the
//! allocator the count stays at zero and only the other limits apply.

#![allow(
    unsafe_code,
    reason = "a global allocator is an unsafe trait; this one only delegates and counts"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

/// The system allocator, counting what each thread holds.
pub struct CountingAlloc;

fn add(delta: isize) {
    // `try_with`: a thread's last frees can come after its locals are gone.
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_add(delta)));
}

// SAFETY: every method delegates to `System` with the same arguments; the counting only touches
// a thread-local `Cell`, which allocates nothing.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Bytes this thread holds (allocated minus freed), as [`CountingAlloc`] counts them; 0 when it
/// is not the global allocator.
pub fn live_bytes() -> isize {
    LIVE.try_with(Cell::get).unwrap_or(0)
}
