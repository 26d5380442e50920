//! Freeing what the server no longer needs without slowing what it does next.
//!
//! A closed document's trees, lowering and lint database take tens of milliseconds to free
//! (10,000 one-line forms: about 25 ms). Freed where the close arrives, that time would delay
//! every message behind it; freed on a thread of the pool, it competed for the two cores and for
//! glibc's heap locks with the open that clients often send right after a close, and slowed it
//! by more than the freeing costs. So the [`Reaper`] frees on a thread of its own, at the lowest
//! priority; other messages never wait for it, and an open waits until what was closed before it
//! is freed ([`Reaper::settle`]), then runs alone.
//!
//! glibc keeps freed memory in the heap it came from, and every thread that allocates gets a heap
//! (an arena) of its own: the chunks of a large file parsed and lowered on a second thread leave
//! pages no other thread reuses. A server that opens and closes large files would keep each one's
//! pages resident until exit, so after freeing, the reaper hands the free pages back to the
//! system (`malloc_trim`).

use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::Duration;

/// Something to free, whatever it is.
type Garbage = Box<dyn Send>;

/// Frees values on a low-priority thread of its own (see the module doc).
pub(crate) struct Reaper {
    /// `None` if the thread could not be started: values are then freed where they are given.
    to_free: Option<mpsc::Sender<Garbage>>,
    /// How many values given are not freed yet, and the signal that the count fell.
    pending: Arc<(Mutex<usize>, Condvar)>,
}

/// The longest [`Reaper::settle`] waits: freeing the largest document takes a fraction of it,
/// and nothing may wait on the reaper forever.
const SETTLE_AT_MOST: Duration = Duration::from_secs(1);

impl Reaper {
    pub(crate) fn start() -> Reaper {
        let (to_free, garbage) = mpsc::channel::<Garbage>();
        let pending = Arc::new((Mutex::new(0_usize), Condvar::new()));
        let count = pending.clone();
        let started = thread::Builder::new()
            .name("yin-reaper".to_owned())
            .spawn(move || {
                lower_priority();
                // Ends when the server drops its reaper.
                while let Ok(value) = garbage.recv() {
                    drop(value);
                    let (left, fell) = &*count;
                    let mut left = left.lock().unwrap_or_else(PoisonError::into_inner);
                    *left = left.saturating_sub(1);
                    let done = *left == 0;
                    drop(left);
                    fell.notify_all();
                    // Once per burst of closes, and after the waiting open was let go: it
                    // costs milliseconds, which the open need not wait for.
                    if done {
                        release_freed();
                    }
                }
            });
        Reaper {
            to_free: started.ok().map(|_| to_free),
            pending,
        }
    }

    /// Frees `value` on the reaper's thread (here if that thread is gone).
    pub(crate) fn free<T: Send + 'static>(&self, value: T) {
        let Some(to_free) = &self.to_free else {
            return;
        };
        let (left, _) = &*self.pending;
        *left.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        if let Err(returned) = to_free.send(Box::new(value)) {
            drop(returned);
            let mut left = left.lock().unwrap_or_else(PoisonError::into_inner);
            *left = left.saturating_sub(1);
        }
    }

    /// Waits until every value given so far is freed, or [`SETTLE_AT_MOST`] passed.
    pub(crate) fn settle(&self) {
        let (left, fell) = &*self.pending;
        let left = left.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = fell.wait_timeout_while(left, SETTLE_AT_MOST, |left| *left > 0);
    }
}

/// Makes the calling thread the last to get a core: on Linux the scheduler's lowest weight
/// (`nice` 19), which still runs it under load, so a heap lock it holds is never held for long.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: `gettid` and `setpriority` take no pointers; on Linux a thread id names one thread,
    // so only this thread's priority changes. A refusal leaves the priority as it was.
    #[expect(unsafe_code, reason = "libc's setpriority has no safe wrapper")]
    unsafe {
        let thread = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, thread as libc::id_t, 19);
    }
}

/// Elsewhere the thread keeps the default priority.
#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Returns the free pages of every glibc heap to the system (`malloc_trim`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_freed() {
    // SAFETY: `malloc_trim` takes no pointer and only walks the allocator's own free lists; it is
    // thread-safe (it takes each arena's lock).
    #[expect(unsafe_code, reason = "glibc's malloc_trim has no safe wrapper")]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Elsewhere the allocator returns memory by its own rules.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_freed() {}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    /// Records, when dropped, which thread dropped it.
    struct Witness {
        dropped_on: Arc<Mutex<Option<String>>>,
        slow: Duration,
    }

    impl Drop for Witness {
        fn drop(&mut self) {
            thread::sleep(self.slow);
            let name = thread::current().name().map(str::to_owned);
            *self
                .dropped_on
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(name.unwrap_or_default());
        }
    }

    fn witness(slow: Duration) -> (Witness, Arc<Mutex<Option<String>>>) {
        let dropped_on = Arc::new(Mutex::new(None));
        let w = Witness {
            dropped_on: dropped_on.clone(),
            slow,
        };
        (w, dropped_on)
    }

    #[test]
    fn a_value_is_freed_on_the_reapers_thread_and_settle_waits_for_it() {
        let reaper = Reaper::start();
        let (value, dropped_on) = witness(Duration::from_millis(50));
        reaper.free(value);
        reaper.settle();
        let dropped_on = dropped_on.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(dropped_on.as_deref(), Some("yin-reaper"));
    }

    #[test]
    fn settle_returns_at_once_when_nothing_is_pending() {
        let reaper = Reaper::start();
        let (value, _) = witness(Duration::ZERO);
        reaper.free(value);
        reaper.settle();
        let started = std::time::Instant::now();
        reaper.settle();
        assert!(started.elapsed() < SETTLE_AT_MOST);
    }

    #[test]
    fn every_value_of_a_burst_is_freed_before_settle_returns() {
        let reaper = Reaper::start();
        let witnesses: Vec<_> = (0..5).map(|_| witness(Duration::from_millis(10))).collect();
        let mut records = Vec::new();
        for (value, dropped_on) in witnesses {
            reaper.free(value);
            records.push(dropped_on);
        }
        reaper.settle();
        for dropped_on in records {
            let dropped_on = dropped_on.lock().unwrap_or_else(PoisonError::into_inner);
            assert!(
                dropped_on.is_some(),
                "settle returned before a value was freed"
            );
        }
    }

    #[test]
    fn a_reaper_without_its_thread_frees_in_place() {
        let reaper = Reaper {
            to_free: None,
            pending: Arc::new((Mutex::new(0), Condvar::new())),
        };
        let freed = Arc::new(AtomicBool::new(false));
        struct Flag(Arc<AtomicBool>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        reaper.free(Flag(freed.clone()));
        assert!(freed.load(Ordering::SeqCst));
        reaper.settle();
    }
}
