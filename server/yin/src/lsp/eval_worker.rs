//! The evaluation thread. Machine states are `Rc`-shared (docs/vm.md), so every evaluation and
//! every debugging session lives on this one `std::thread`, never on the async runtime: requests
//! send it a job over a channel and await a oneshot reply, so typing never waits for a program.
//! A request cancelled by the client (`$/cancelRequest`) drops its reply's receiver; the worker
//! sees the closed channel between slices of steps and stops the run, and drops a queued job
//! whose request was cancelled without running it, so a cancelled request costs at most one
//! slice. The queue is bounded ([`MAX_IN_FLIGHT`] jobs queued or running): a job past it is
//! refused at once, so a client cannot pile up work, or requests waiting on it.
//!
//! Live sessions (docs/lsp.md, "Live evaluation") live here too, one per workspace root, with
//! their inspector handles. `yin/session/interrupt` cannot wait in the queue behind the run it
//! stops: it bumps the root's interrupt epoch in [`Interrupts`], shared with the thread, which
//! compares it with the epoch its job was queued at between slices of steps; a queued job of an
//! older epoch is answered "evaluation interrupted" without running.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;

use analysis::eval::Limits;
use analysis::live::inspect::{Page, UnknownHandle};
use analysis::live::session::{LiveJob, LiveOutcome, LiveSessions, SessionInfo, Stop};
use analysis::{DebugSession, DebugView as View, EvalRequest};
use tokio::sync::oneshot;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};

/// Jobs queued or running at once.
pub(crate) const MAX_IN_FLIGHT: usize = 64;

/// Steps a single `yin/debug/step` may take: stepping is for looking, running is `yin/eval`.
const MAX_STEPS_PER_REQUEST: u64 = 1_000_000;
/// The worker's stack: as large as the main thread's is on Linux and more, since the CLI runs
/// programs on its main thread and the bounds on nesting (docs/vm.md) were measured there.
const STACK_BYTES: usize = 64 << 20;

/// A run's progress: forms done, forms in all, what runs next.
pub(crate) type Progress = (usize, usize, String);

pub(crate) enum Job {
    /// A live evaluation in the session of `root`.
    Live {
        root: String,
        job: LiveJob,
        ticket: Ticket,
        progress: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
        reply: oneshot::Sender<LiveOutcome>,
    },
    /// Forgets the session of a root, or every session.
    Reset {
        root: Option<String>,
        reply: oneshot::Sender<()>,
    },
    Info {
        root: String,
        reply: oneshot::Sender<SessionInfo>,
    },
    Inspect {
        handle: u64,
        offset: usize,
        count: usize,
        reply: oneshot::Sender<Result<Page, UnknownHandle>>,
    },
    InspectText {
        handle: u64,
        reply: oneshot::Sender<Result<(String, bool), UnknownHandle>>,
    },
    DebugStart {
        request: EvalRequest,
        reply: oneshot::Sender<(u64, View, String)>,
    },
    DebugStep {
        session: u64,
        count: u64,
        back: bool,
        reply: oneshot::Sender<Option<(View, String)>>,
    },
    DebugStop {
        session: u64,
        reply: oneshot::Sender<bool>,
    },
    /// The datoms of a session's current state, for `yin/query`.
    DebugDatoms {
        session: u64,
        reply: oneshot::Sender<Option<Vec<edn::Datom>>>,
    },
}

impl Job {
    /// Whether the request waiting for this job was cancelled, so running it is wasted work.
    /// Stopping a session changes state the client relies on, so it always runs.
    fn is_cancelled(&self) -> bool {
        match self {
            Job::Live { reply, .. } => reply.is_closed(),
            Job::Info { reply, .. } => reply.is_closed(),
            Job::Inspect { reply, .. } => reply.is_closed(),
            Job::InspectText { reply, .. } => reply.is_closed(),
            Job::Reset { .. } => false,
            Job::DebugStart { reply, .. } => reply.is_closed(),
            Job::DebugStep { reply, .. } => reply.is_closed(),
            Job::DebugDatoms { reply, .. } => reply.is_closed(),
            Job::DebugStop { .. } => false,
        }
    }
}

/// Why a job was not queued.
#[derive(Debug)]
pub(crate) enum Refused {
    /// [`MAX_IN_FLIGHT`] jobs are queued or running.
    Full,
    /// The worker thread is not running.
    Stopped,
}

impl Refused {
    /// The answer to a request refused because the queue is full: LSP's `RequestFailed`.
    pub(crate) fn full_error() -> Error {
        Error {
            code: ErrorCode::ServerError(-32803),
            message: format!(
                "{MAX_IN_FLIGHT} evaluations are queued or running: wait for one or cancel it"
            )
            .into(),
            data: None,
        }
    }
}

/// A job and its place in the queue, given back when the job is done or dropped.
struct Queued {
    job: Job,
    _slot: Slot,
}

struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Interrupt epochs, per root and for everything, and the live evaluations each root has
/// queued or running (what an interrupt reports stopping).
#[derive(Default)]
pub(crate) struct Interrupts {
    roots: Mutex<HashMap<String, RootState>>,
    everything: AtomicU64,
}

#[derive(Default)]
struct RootState {
    epoch: u64,
    live: u64,
}

impl Interrupts {
    fn roots(&self) -> MutexGuard<'_, HashMap<String, RootState>> {
        // The map stays consistent whatever panicked while it was held: each change is one
        // field's update.
        self.roots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A ticket for a live evaluation of `root` about to be queued.
    pub(crate) fn ticket(self: &Arc<Self>, root: &str) -> Ticket {
        let mut roots = self.roots();
        let state = roots.entry(root.to_owned()).or_default();
        state.live += 1;
        Ticket {
            interrupts: self.clone(),
            root: root.to_owned(),
            epoch: state.epoch,
            everything: self.everything.load(Ordering::Acquire),
        }
    }

    /// Interrupts the live evaluations of `root` (of every root when `None`), running and
    /// queued; returns how many there were.
    pub(crate) fn interrupt(&self, root: Option<&str>) -> u64 {
        let mut roots = self.roots();
        match root {
            Some(root) => roots.get_mut(root).map_or(0, |state| {
                state.epoch += 1;
                state.live
            }),
            None => {
                self.everything.fetch_add(1, Ordering::AcqRel);
                roots.values().map(|state| state.live).sum()
            }
        }
    }
}

/// A live evaluation's place among its root's: whether it was interrupted since it was queued.
pub(crate) struct Ticket {
    interrupts: Arc<Interrupts>,
    root: String,
    epoch: u64,
    everything: u64,
}

impl Ticket {
    fn interrupted(&self) -> bool {
        self.interrupts.everything.load(Ordering::Acquire) != self.everything
            || self
                .interrupts
                .roots()
                .get(&self.root)
                .is_some_and(|state| state.epoch != self.epoch)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(state) = self.interrupts.roots().get_mut(&self.root) {
            state.live = state.live.saturating_sub(1);
        }
    }
}

/// The handle requests use; the thread ends when the handle is dropped.
pub(crate) struct EvalWorker {
    jobs: mpsc::Sender<Queued>,
    in_flight: Arc<AtomicUsize>,
    pub(crate) interrupts: Arc<Interrupts>,
    /// The root of each live evaluation reporting progress, by its `workDoneToken`, for
    /// `window/workDoneProgress/cancel`.
    progress_tokens: Mutex<HashMap<String, String>>,
    /// File summaries for the dependency plan, shared by the requests that make plans.
    pub(crate) summaries: Arc<Mutex<analysis::SummaryCache>>,
}

impl EvalWorker {
    pub(crate) fn spawn() -> std::io::Result<EvalWorker> {
        let (jobs, queue) = mpsc::channel();
        thread::Builder::new()
            .name("yin-eval".to_owned())
            .stack_size(STACK_BYTES)
            .spawn(move || run(&queue))?;
        Ok(EvalWorker {
            jobs,
            in_flight: Arc::new(AtomicUsize::new(0)),
            interrupts: Arc::new(Interrupts::default()),
            progress_tokens: Mutex::new(HashMap::new()),
            summaries: Arc::new(Mutex::new(analysis::SummaryCache::default())),
        })
    }

    /// The roots of live evaluations reporting progress, by token.
    pub(crate) fn progress_tokens(&self) -> MutexGuard<'_, HashMap<String, String>> {
        // Each change is one insert or remove: consistent whatever panicked.
        self.progress_tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a job, unless [`MAX_IN_FLIGHT`] are queued or running or the worker is gone.
    pub(crate) fn send(&self, job: Job) -> Result<(), Refused> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_IN_FLIGHT).then_some(n + 1)
            })
            .map_err(|_| Refused::Full)?;
        let queued = Queued {
            job,
            _slot: Slot(self.in_flight.clone()),
        };
        self.jobs.send(queued).map_err(|_| Refused::Stopped)
    }
}

fn run(queue: &mpsc::Receiver<Queued>) {
    let mut sessions: HashMap<u64, DebugSession> = HashMap::new();
    let mut live = LiveSessions::default();
    let mut next_session = 1;
    while let Ok(Queued { job, _slot }) = queue.recv() {
        if job.is_cancelled() {
            continue;
        }
        // A panic in the machine is a bug, but must not end the thread: the job's reply sender
        // is dropped while unwinding, so its request fails with an internal error, and the
        // next job runs. A session that panicked mid-step is dropped.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            handle(job, &mut sessions, &mut live, &mut next_session)
        }));
        if let Err(panic) = outcome {
            // stderr is the server log for LSP clients.
            crate::cli::report_error(&format!(
                "evaluation panicked: {}",
                super::panics::message(&*panic)
            ));
        }
    }
}

fn handle(
    job: Job,
    sessions: &mut HashMap<u64, DebugSession>,
    live: &mut LiveSessions,
    next_session: &mut u64,
) {
    match job {
        Job::Live {
            root,
            job,
            ticket,
            progress,
            reply,
        } => {
            let stop = || {
                if reply.is_closed() {
                    Some(Stop::Cancelled)
                } else if ticket.interrupted() {
                    Some(Stop::Interrupted)
                } else {
                    None
                }
            };
            let mut report = |done: usize, total: usize, label: &str| {
                if let Some(progress) = &progress {
                    let _ = progress.send((done, total, label.to_owned()));
                }
            };
            let outcome = live.run(&root, &job, &stop, &mut report);
            let _ = reply.send(outcome);
        }
        Job::Reset { root, reply } => {
            live.reset(root.as_deref());
            let _ = reply.send(());
        }
        Job::Info { root, reply } => {
            let _ = reply.send(live.info(&root));
        }
        Job::Inspect {
            handle,
            offset,
            count,
            reply,
        } => {
            let _ = reply.send(live.page(handle, offset, count));
        }
        Job::InspectText { handle, reply } => {
            let _ = reply.send(
                live.whole_text(handle)
                    .map(|printed| (printed.text, printed.truncated)),
            );
        }
        Job::DebugStart { request, reply } => {
            let session = DebugSession::start(&request, Limits::inline());
            let id = *next_session;
            *next_session += 1;
            let _ = reply.send((id, session.view(), session.output().to_owned()));
            sessions.insert(id, session);
        }
        Job::DebugStep {
            session,
            count,
            back,
            reply,
        } => {
            // Taken out while it steps, and put back only if stepping returned.
            let Some(mut debug) = sessions.remove(&session) else {
                let _ = reply.send(None);
                return;
            };
            let count = count.min(MAX_STEPS_PER_REQUEST);
            if back {
                debug.back(count);
            } else {
                debug.step(count, &|| reply.is_closed());
            }
            let _ = reply.send(Some((debug.view(), debug.output().to_owned())));
            sessions.insert(session, debug);
        }
        Job::DebugStop { session, reply } => {
            let _ = reply.send(sessions.remove(&session).is_some());
        }
        Job::DebugDatoms { session, reply } => {
            let _ = reply.send(sessions.get(&session).map(DebugSession::datoms));
        }
    }
}
