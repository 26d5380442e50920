//! The evaluation thread. Machine states are `Rc`-shared (docs/vm.md), so every evaluation and
//! every debugging session lives on this one `std::thread`, never on the async runtime: requests
//! send it a job over a channel and await a oneshot reply, so typing never waits for a program.
//! A request cancelled by the client (`$/cancelRequest`) drops its reply's receiver; the worker
//! sees the closed channel between slices of steps and stops the run, and drops a queued job
//! whose request was cancelled without running it, so a cancelled request costs at most one
//! slice. The queue is bounded ([`MAX_IN_FLIGHT`] jobs queued or running): a job past it is
//! refused at once, so a client cannot pile up work, or requests waiting on it.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use analysis::eval::Limits;
use analysis::{DebugSession, DebugView as View, EvalRequest, Evaluation};
use tokio::sync::oneshot;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};

/// Jobs queued or running at once.
pub(crate) const MAX_IN_FLIGHT: usize = 64;

/// Steps a single `yin/debug/step` may take: stepping is for looking, running is `yin/eval`.
const MAX_STEPS_PER_REQUEST: u64 = 1_000_000;
/// The worker's stack: as large as the main thread's is on Linux and more, since the CLI runs
/// programs on its main thread and the bounds on nesting (docs/vm.md) were measured there.
const STACK_BYTES: usize = 64 << 20;

pub(crate) enum Job {
    Eval {
        request: EvalRequest,
        reply: oneshot::Sender<Evaluation>,
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
            Job::Eval { reply, .. } => reply.is_closed(),
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

/// The handle requests use; the thread ends when the handle is dropped.
pub(crate) struct EvalWorker {
    jobs: mpsc::Sender<Queued>,
    in_flight: Arc<AtomicUsize>,
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
        })
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
    let mut next_session = 1;
    while let Ok(Queued { job, _slot }) = queue.recv() {
        if job.is_cancelled() {
            continue;
        }
        // A panic in the machine is a bug, but must not end the thread: the job's reply sender
        // is dropped while unwinding, so its request fails with an internal error, and the
        // next job runs. A session that panicked mid-step is dropped.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            handle(job, &mut sessions, &mut next_session)
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

fn handle(job: Job, sessions: &mut HashMap<u64, DebugSession>, next_session: &mut u64) {
    match job {
        Job::Eval { request, reply } => {
            let evaluation = analysis::evaluate(&request, &Limits::inline(), &|| reply.is_closed());
            let _ = reply.send(evaluation);
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
