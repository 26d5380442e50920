//! Live sessions: one machine store per workspace root that persists between evaluations, as a
//! REPL's does, with what it loaded and the values it keeps for the inspector.
//!
//! Everything here runs on the host's one evaluation thread (machine values are `Rc`). A job
//! arrives as plain text ([`LiveJob`]: the definitions to load, from a [`plan`](super::plan),
//! then the forms to run); [`LiveSessions::run`] loads only the definitions the session lacks or
//! whose text changed, then runs the forms, in slices of steps between which the host's `stop`
//! is asked, so an interrupt or a cancellation ends the run within one slice.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use syntax::TextRange;
use vm::{Limits, Output, Session, Status, Value};

use super::inspect::{HandleTable, Printed, print};
use super::plan::{Load, text_hash};

/// Steps run between two checks of `stop` and of the clock.
const SLICE: u64 = 20_000;
/// Characters of output a reply carries.
pub const MAX_OUTPUT: usize = 100_000;

/// The bounds of one request, loading included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveLimits {
    pub steps: u64,
    pub time: Duration,
    pub memory_bytes: usize,
}

impl Default for LiveLimits {
    fn default() -> LiveLimits {
        LiveLimits {
            steps: 10_000_000,
            time: Duration::from_secs(10),
            memory_bytes: 256 << 20,
        }
    }
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    pub max_length: usize,
    pub max_depth: u32,
    pub max_items: usize,
}

impl Default for PrintOptions {
    fn default() -> PrintOptions {
        PrintOptions {
            max_length: 10_000,
            max_depth: 10,
            max_items: 1_000,
        }
    }
}

/// A form to run: where it is, its text, and the global it defines when it is a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunForm {
    pub key: String,
    pub version: Option<i32>,
    pub range: TextRange,
    pub text: String,
    pub defines: Option<String>,
}

/// What the evaluation thread is asked to do.
#[derive(Clone, Debug)]
pub struct LiveJob {
    /// The definitions the forms need, in load order; those loaded and unchanged are skipped.
    pub loads: Vec<Load>,
    pub forms: Vec<RunForm>,
    /// Run every form even after one fails (`toCursor`, `file`); otherwise stop at the first.
    pub keep_going: bool,
    pub limits: LiveLimits,
    pub print: PrintOptions,
}

/// Why a run was stopped from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// `yin/session/interrupt` or a progress cancel: the reply says "evaluation interrupted".
    Interrupted,
    /// The request was cancelled: nobody reads the reply.
    Cancelled,
}

/// A place in a file: the host's key and a byte range in that file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub key: String,
    pub range: TextRange,
}

/// A definition loaded for a form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    pub name: String,
    pub at: Place,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    pub description: String,
    pub at: Option<Place>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveError {
    pub message: String,
    /// Where it failed, when known.
    pub at: Option<Place>,
    /// The definition whose loading failed.
    pub loading: Option<Loaded>,
    /// The continuation at the failure, innermost first.
    pub trace: Vec<TraceFrame>,
    pub interrupted: bool,
}

/// One form's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormResult {
    pub range: TextRange,
    pub value: Option<Printed>,
    pub error: Option<LiveError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveOutcome {
    /// One per form run (fewer when a run stopped early).
    pub results: Vec<FormResult>,
    /// The last form's value, or the error that ended the run.
    pub value: Option<Printed>,
    pub error: Option<LiveError>,
    pub output: String,
    pub steps: u64,
    pub elapsed: Duration,
    pub loaded: Vec<Loaded>,
}

/// A definition a session holds: where its text came from, and that text's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedDef {
    pub at: Place,
    pub version: Option<i32>,
    pub hash: u64,
}

/// What `yin/session/info` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    pub loaded: Vec<(String, LoadedDef)>,
    pub evaluations: u64,
    pub handles: usize,
}

struct LiveSession {
    machine: Session,
    loaded: BTreeMap<String, LoadedDef>,
    evaluations: u64,
}

impl LiveSession {
    fn new() -> LiveSession {
        LiveSession {
            machine: Session::new(),
            loaded: BTreeMap::new(),
            evaluations: 0,
        }
    }
}

/// Every live session of a server, by root, and the values they keep under handles.
#[derive(Default)]
pub struct LiveSessions {
    sessions: HashMap<String, LiveSession>,
    handles: HandleTable,
}

/// Output kept up to [`MAX_OUTPUT`] characters; the rest only counted.
#[derive(Default)]
struct CappedOutput {
    text: String,
    chars: usize,
    dropped: usize,
}

impl Output for CappedOutput {
    fn write(&mut self, text: &str) {
        let room = MAX_OUTPUT.saturating_sub(self.chars);
        let mut taken = 0;
        for (i, c) in text.char_indices() {
            if taken == room {
                self.dropped += text[i..].chars().count();
                break;
            }
            self.text.push(c);
            taken += 1;
        }
        self.chars += taken;
    }
}

impl CappedOutput {
    fn finish(mut self) -> String {
        if self.dropped > 0 {
            self.text
                .push_str(&format!("\n... ({} more characters)", self.dropped));
        }
        self.text
    }
}

/// The machine's error at the form being run, as a [`LiveError`].
fn machine_error(e: &vm::Error, form: &Place) -> LiveError {
    LiveError {
        message: e.message().to_owned(),
        at: Some(Place {
            key: form.key.clone(),
            range: e
                .span()
                .and_then(|span| {
                    let start = form.range.start().checked_add(span.start())?;
                    let end = form.range.start().checked_add(span.end())?;
                    (end <= form.range.end()).then(|| TextRange::new(start, end))
                })
                .unwrap_or(form.range),
        }),
        loading: None,
        trace: Vec::new(),
        interrupted: false,
    }
}

fn limit_error(message: String, interrupted: bool) -> LiveError {
    LiveError {
        message,
        at: None,
        loading: None,
        trace: Vec::new(),
        interrupted,
    }
}

/// The request's budget and clock, shared by its loads and forms.
struct Budget<'a> {
    limits: &'a LiveLimits,
    started: Instant,
    stop: &'a dyn Fn() -> Option<Stop>,
}

enum RunEnd {
    Value(Value),
    Failed(LiveError),
}

impl LiveSessions {
    /// Runs `job` in the session of `root` (made if new). `progress(done, total, label)` is
    /// told before each form of a run of several; `stop` is asked between slices.
    pub fn run(
        &mut self,
        root: &str,
        job: &LiveJob,
        stop: &dyn Fn() -> Option<Stop>,
        progress: &mut dyn FnMut(usize, usize, &str),
    ) -> LiveOutcome {
        let started = Instant::now();
        let session = self
            .sessions
            .entry(root.to_owned())
            .or_insert_with(LiveSession::new);
        session.evaluations += 1;
        session.machine.state.steps = 0;
        let budget = Budget {
            limits: &job.limits,
            started,
            stop,
        };
        let mut out = CappedOutput::default();
        let mut outcome = LiveOutcome {
            results: Vec::new(),
            value: None,
            error: None,
            output: String::new(),
            steps: 0,
            elapsed: Duration::ZERO,
            loaded: Vec::new(),
        };
        let to_load: Vec<&Load> = job
            .loads
            .iter()
            .filter(|load| {
                session
                    .loaded
                    .get(&load.name)
                    .is_none_or(|had| had.hash != load.hash || had.at.key != load.key)
            })
            .collect();
        let total = to_load.len() + job.forms.len();
        let mut done = 0;
        for load in to_load {
            if total > 1 {
                progress(done, total, &format!("loading {}", load.name));
            }
            done += 1;
            let place = Place {
                key: load.key.clone(),
                range: load.range,
            };
            // A definition that fails leaves the session as it was.
            let before = session.machine.state.store.clone();
            match run_text(&mut session.machine, &load.text, &place, &budget, &mut out) {
                RunEnd::Value(_) => {
                    session.loaded.insert(
                        load.name.clone(),
                        LoadedDef {
                            at: place.clone(),
                            version: load.version,
                            hash: load.hash,
                        },
                    );
                    outcome.loaded.push(Loaded {
                        name: load.name.clone(),
                        at: place,
                    });
                }
                RunEnd::Failed(mut error) => {
                    session.machine.state.store = before;
                    if !error.interrupted {
                        error.loading = Some(Loaded {
                            name: load.name.clone(),
                            at: place,
                        });
                        error.message = format!(
                            "while loading `{}` ({}): {}",
                            load.name, load.label, error.message
                        );
                    }
                    outcome.error = Some(error);
                    break;
                }
            }
        }
        if outcome.error.is_none() {
            for form in &job.forms {
                if total > 1 {
                    progress(done, total, form.defines.as_deref().unwrap_or(""));
                }
                done += 1;
                let place = Place {
                    key: form.key.clone(),
                    range: form.range,
                };
                let end = run_text(&mut session.machine, &form.text, &place, &budget, &mut out);
                let result = match end {
                    RunEnd::Value(v) => {
                        if let Some(name) = &form.defines {
                            session.loaded.insert(
                                name.clone(),
                                LoadedDef {
                                    at: place,
                                    version: form.version,
                                    hash: text_hash(&form.text),
                                },
                            );
                        }
                        let printed = print(&v, &job.print, root, &mut self.handles);
                        FormResult {
                            range: form.range,
                            value: Some(printed),
                            error: None,
                        }
                    }
                    RunEnd::Failed(error) => FormResult {
                        range: form.range,
                        value: None,
                        error: Some(error),
                    },
                };
                let stopped = result.error.as_ref().is_some_and(|e| {
                    e.interrupted || (stop)() == Some(Stop::Cancelled) || !job.keep_going
                });
                outcome.results.push(result);
                if stopped {
                    break;
                }
            }
            if let Some(last) = outcome.results.last() {
                outcome.value = last.value.clone();
                outcome.error = last.error.clone();
            }
        }
        outcome.steps = session.machine.state.steps;
        outcome.output = out.finish();
        outcome.elapsed = started.elapsed();
        outcome
    }

    /// Forgets the session of `root`, or every session.
    pub fn reset(&mut self, root: Option<&str>) {
        match root {
            Some(root) => {
                self.sessions.remove(root);
                self.handles.forget_root(root);
            }
            None => {
                self.sessions.clear();
                self.handles = HandleTable::default();
            }
        }
    }

    pub fn info(&self, root: &str) -> SessionInfo {
        match self.sessions.get(root) {
            Some(session) => SessionInfo {
                loaded: session
                    .loaded
                    .iter()
                    .map(|(name, def)| (name.clone(), def.clone()))
                    .collect(),
                evaluations: session.evaluations,
                handles: self.handles.count(root),
            },
            None => SessionInfo {
                loaded: Vec::new(),
                evaluations: 0,
                handles: 0,
            },
        }
    }

    pub fn handles(&mut self) -> (&mut HandleTable, impl Fn(&str, u32) -> Option<Value> + '_) {
        let sessions = &self.sessions;
        (&mut self.handles, move |root: &str, atom: u32| {
            sessions
                .get(root)
                .and_then(|s| s.machine.state.store.atoms.get(atom as usize).cloned())
        })
    }
}

/// Runs `text` (one form or several) on the session's store in slices.
fn run_text(
    machine: &mut Session,
    text: &str,
    place: &Place,
    budget: &Budget<'_>,
    out: &mut dyn Output,
) -> RunEnd {
    // Whatever the last run left (done, failed, stopped mid-way), the next starts clean.
    machine.state.status = Status::Done(Value::Nil);
    if let Err(e) = machine.load(text) {
        return RunEnd::Failed(machine_error(&e, place));
    }
    let limits = Limits {
        fuel: budget.limits.steps,
        timeout: budget.limits.time,
        max_memory: budget.limits.memory_bytes,
        ..Limits::inline()
    };
    loop {
        match (budget.stop)() {
            Some(Stop::Interrupted) | Some(Stop::Cancelled) => {
                return RunEnd::Failed(limit_error("evaluation interrupted".to_owned(), true));
            }
            None => {}
        }
        if budget.started.elapsed() >= budget.limits.time {
            return RunEnd::Failed(limit_error(
                format!(
                    "timeout: the evaluation ran longer than {} ms",
                    budget.limits.time.as_millis()
                ),
                false,
            ));
        }
        match machine.advance(SLICE, &limits, out) {
            None => {}
            Some(vm::Outcome::Value(v)) => return RunEnd::Value(v),
            Some(vm::Outcome::Parked { reason }) => {
                return RunEnd::Failed(LiveError {
                    message: format!("the evaluation parked ({reason}): nothing resumes it here"),
                    ..machine_error(&vm::Error::new(vm::ErrorKind::Limit, ""), place)
                });
            }
            Some(vm::Outcome::Error(e)) => return RunEnd::Failed(machine_error(&e, place)),
        }
    }
}
