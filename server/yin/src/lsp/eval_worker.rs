//! The evaluation thread. Machine states are `Rc`-shared (docs/vm.md), so every evaluation and
//! every debugging session lives on this one `std::thread`, never on the async runtime: requests
//! send it a job over a channel and await a oneshot reply, so typing never waits for a program.
//! A request cancelled by the client (`$/cancelRequest`) drops its reply's receiver; the worker
//! sees the closed channel between slices of steps and stops the run.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread;

use analysis::eval::Limits;
use analysis::{DebugSession, DebugView as View, EvalRequest, Evaluation};
use tokio::sync::oneshot;

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

/// The handle requests use; the thread ends when the handle is dropped.
pub(crate) struct EvalWorker {
    jobs: mpsc::Sender<Job>,
}

impl EvalWorker {
    pub(crate) fn spawn() -> std::io::Result<EvalWorker> {
        let (jobs, queue) = mpsc::channel();
        thread::Builder::new()
            .name("yin-eval".to_owned())
            .stack_size(STACK_BYTES)
            .spawn(move || run(&queue))?;
        Ok(EvalWorker { jobs })
    }

    /// Queues a job; `false` if the worker is gone.
    pub(crate) fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }
}

fn run(queue: &mpsc::Receiver<Job>) {
    let mut sessions: HashMap<u64, DebugSession> = HashMap::new();
    let mut next_session = 1;
    while let Ok(job) = queue.recv() {
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
