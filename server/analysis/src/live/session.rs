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
use vm::{Ending, ErrorKind, Limits, Location, Output, Session, SourceId, Value};

use super::inspect::{HandleTable, Page, Printed, UnknownHandle, page, print, whole_text};
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
    /// The machine's source id of each file key, and back.
    sources: Sources,
}

#[derive(Default)]
struct Sources {
    ids: HashMap<String, SourceId>,
    keys: Vec<String>,
}

impl Sources {
    fn id(&mut self, key: &str) -> SourceId {
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        let id = SourceId(u32::try_from(self.keys.len()).unwrap_or(u32::MAX));
        self.keys.push(key.to_owned());
        self.ids.insert(key.to_owned(), id);
        id
    }

    fn place(&self, location: &Location) -> Option<Place> {
        Some(Place {
            key: self.keys.get(location.source.0 as usize)?.clone(),
            range: location.range,
        })
    }
}

impl LiveSession {
    fn new() -> LiveSession {
        LiveSession {
            machine: Session::new(),
            loaded: BTreeMap::new(),
            evaluations: 0,
            sources: Sources::default(),
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

fn failure(sources: &Sources, f: &vm::Failure) -> LiveError {
    let mut trace: Vec<TraceFrame> = f
        .trace
        .frames
        .iter()
        .map(|frame| TraceFrame {
            description: frame.description.clone(),
            at: frame.location.as_ref().and_then(|l| sources.place(l)),
        })
        .collect();
    if f.trace.more > 0 {
        trace.push(TraceFrame {
            description: format!("... {} more frames", f.trace.more),
            at: None,
        });
    }
    LiveError {
        message: f.message.clone(),
        at: f.location.as_ref().and_then(|l| sources.place(l)),
        loading: None,
        trace,
        interrupted: f.kind == ErrorKind::Interrupted,
    }
}

fn limit_error(message: String) -> LiveError {
    LiveError {
        message,
        at: None,
        loading: None,
        trace: Vec::new(),
        interrupted: false,
    }
}

/// The request's budget and clock, shared by its loads and forms.
struct Budget<'a> {
    limits: &'a LiveLimits,
    started: Instant,
    stop: &'a dyn Fn() -> Option<Stop>,
    /// Steps taken so far by the request.
    steps: u64,
}

enum RunEnd {
    Value(Value),
    /// Parked with nothing to resume it: shown as `#<parked reason>`, as `yin eval` does.
    Parked(String),
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
        let mut budget = Budget {
            limits: &job.limits,
            started,
            stop,
            steps: 0,
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
            match run_text(session, &load.text, &place, &mut budget, &mut out) {
                RunEnd::Value(_) | RunEnd::Parked(_) => {
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
                    let label = match &form.defines {
                        Some(name) => name.clone(),
                        None => excerpt(&form.text),
                    };
                    progress(done, total, &label);
                }
                done += 1;
                let place = Place {
                    key: form.key.clone(),
                    range: form.range,
                };
                let end = run_text(session, &form.text, &place, &mut budget, &mut out);
                let result = match end {
                    RunEnd::Parked(reason) => FormResult {
                        range: form.range,
                        value: Some(Printed {
                            text: format!("#<parked {reason}>"),
                            truncated: false,
                            handle: None,
                        }),
                        error: None,
                    },
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
        outcome.steps = budget.steps;
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

    /// The page `[offset, offset + count)` of the value behind `handle`, its parts printed and
    /// kept under handles of their own.
    pub fn page(
        &mut self,
        handle: u64,
        offset: usize,
        count: usize,
    ) -> Result<Page, UnknownHandle> {
        let (root, value) = self.handles.get(handle).ok_or(UnknownHandle(handle))?;
        let (root, value) = (root.to_owned(), value.clone());
        let session = self.sessions.get(&root).ok_or(UnknownHandle(handle))?;
        Ok(page(
            &session.machine,
            &mut self.handles,
            &root,
            &value,
            offset,
            count,
        ))
    }

    /// The whole value behind `handle` in `pr` form, cut at 8 MiB.
    pub fn whole_text(&self, handle: u64) -> Result<Printed, UnknownHandle> {
        let (_, value) = self.handles.get(handle).ok_or(UnknownHandle(handle))?;
        Ok(whole_text(value))
    }
}

/// A form's first line, cut at 40 characters: how progress names a form that defines nothing.
fn excerpt(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &line[..end]),
        None => line.to_owned(),
    }
}

/// Runs `text`, the text of `place`, on the session's store in slices, within what is left of
/// the request's budget.
fn run_text(
    session: &mut LiveSession,
    text: &str,
    place: &Place,
    budget: &mut Budget<'_>,
    out: &mut dyn Output,
) -> RunEnd {
    let steps_left = budget.limits.steps.saturating_sub(budget.steps);
    let time_left = budget.limits.time.saturating_sub(budget.started.elapsed());
    if steps_left == 0 {
        return RunEnd::Failed(limit_error(format!(
            "fuel exhausted: the evaluation ran {} steps (the fuel limit)",
            budget.limits.steps
        )));
    }
    if time_left.is_zero() {
        return RunEnd::Failed(limit_error(format!(
            "timeout: the evaluation ran longer than {} ms",
            budget.limits.time.as_millis()
        )));
    }
    let limits = Limits {
        fuel: steps_left,
        timeout: time_left,
        max_memory: budget.limits.memory_bytes,
        ..Limits::live()
    };
    let source = session.sources.id(&place.key);
    session
        .machine
        .begin(source, place.range.start(), text, &limits);
    let evaluated = loop {
        if (budget.stop)().is_some()
            && let Some(stopped) = session.machine.interrupt()
        {
            break stopped;
        }
        if let Some(done) = session.machine.advance_live(SLICE, out) {
            break done;
        }
    };
    budget.steps = budget.steps.saturating_add(evaluated.steps);
    match &evaluated.ending {
        Ending::Value(v) => RunEnd::Value(v.clone()),
        Ending::Parked(reason) => RunEnd::Parked(reason.clone()),
        Ending::Failed(f) => RunEnd::Failed(failure(&session.sources, f)),
    }
}
