//! The top-level driver: a program's forms, evaluated in order on one store.
//!
//! A [`Session`] reads source text into forms, then for each form: lowers it (expanding macros by
//! running the macro function on the machine, with the same limits), compiles it, and runs it. The
//! value of the last form is the program's value. If a form parks, the whole program is
//! suspended: [`Session::resume`] continues that form with a value and then the remaining forms.
//! A session keeps its store between calls to [`Session::load`], so a host can load a file's
//! definitions and then evaluate one more form (inline evaluation) or debug it step by step.
//!
//! A live session (a REPL's, docs/vm.md "Live sessions") uses [`Session::begin`] and
//! [`Session::advance_live`] instead: each evaluation reads a text tagged with the host's
//! [`SourceId`], runs its forms in slices of steps within its own limits, and ends with an
//! [`Evaluated`]: each form's value or failure (with the continuation at the failure as a
//! [`Trace`]) and the globals the forms defined. Whatever way an evaluation ends (a value, an
//! error, a limit, [`Session::interrupt`]), the session is ready for the next one: nothing is
//! pending, the continuation is empty, and the store keeps every definition made so far.

use std::rc::Rc;
use std::time::{Duration, Instant};

use edn::Symbol;
use syntax::form::{Form, FormKind};
use syntax::lower::{MacroExpander, lower};
use syntax::reader::read_str;
use syntax::{Diagnostic, Severity};
use text_size::{TextRange, TextSize};

use crate::compile::compile;
use crate::convert::{form_to_value, value_to_form};
use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::output::Output;
use crate::page::{Page, page};
use crate::prim::Prim;
use crate::printer::pr_str;
use crate::source::{Location, SourceId, SourceMap, shift_forms};
use crate::state::{State, Status};
use crate::store::Store;
use crate::trace::{self, Trace};
use crate::value::Value;

/// How a run ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Every form ran; this is the last one's value.
    Value(Value),
    /// The program parked with nothing left to run (`reason` says at what).
    Parked { reason: String },
    /// An error stopped the program.
    Error(Error),
}

impl Outcome {
    /// What `yin eval` prints on stdout: the value in `pr` form, or `#<parked ...>`. `None` for an
    /// error, which goes to stderr.
    pub fn printed(&self) -> Option<String> {
        match self {
            Outcome::Value(v) => Some(pr_str(v)),
            Outcome::Parked { reason } => Some(format!("#<parked {reason}>")),
            Outcome::Error(_) => None,
        }
    }
}

/// Evaluates a whole program with fresh state: what `yin eval` does.
pub fn eval_source(text: &str, limits: &Limits, out: &mut dyn Output) -> Outcome {
    let mut session = Session::new();
    if let Err(e) = session.load(text) {
        return Outcome::Error(e);
    }
    session.run(limits, out)
}

/// A store with the core library bound.
pub fn core_store() -> Store {
    let mut store = Store::default();
    for &p in Prim::ALL.iter().filter(|p| !p.is_internal()) {
        let id = store.intern_global(&Symbol::new(p.name()));
        store.define(id, Value::Prim(p), false);
        if let Some(alias) = crate::prim::alias_of(p) {
            let id = store.intern_global(&Symbol::new(&alias));
            store.define(id, Value::Prim(p), false);
        }
    }
    store
}

#[derive(Clone, Debug)]
pub struct Session {
    /// The text the pending forms were read from.
    pub source: Rc<str>,
    forms: Vec<Form>,
    /// Index of the next form to start.
    pub next: usize,
    /// The machine state of the current form (or of the last one run).
    pub state: State,
    /// Value of the last form that finished.
    pub last: Value,
    /// Every text read, so that a span says which ([`crate::source`]).
    sources: SourceMap,
    /// The live evaluation in progress.
    live: Option<Box<Live>>,
}

/// How one form of a live evaluation ended.
#[derive(Clone, Debug)]
pub enum Ending {
    Value(Value),
    /// The form parked (`(park)`, a stream read with nothing to read) with nothing to resume
    /// it: a live evaluation does not wait, it goes on with the next form.
    Parked(String),
    Failed(Failure),
}

/// Why a live evaluation stopped, where, and the continuation at that moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    /// The expression that failed (or was running when stopped), when its code has a position.
    pub location: Option<Location>,
    /// Innermost first; empty when the form failed before it ran (reading, macro expansion,
    /// compilation).
    pub trace: Trace,
}

/// One form of a live evaluation.
#[derive(Clone, Debug)]
pub struct FormResult {
    /// The form, in its source.
    pub location: Option<Location>,
    pub ending: Ending,
    /// Globals the form defined, in order of definition.
    pub defined: Vec<Symbol>,
}

/// A finished live evaluation.
#[derive(Clone, Debug)]
pub struct Evaluated {
    /// The forms that ran, in order; an evaluation stops at the first failure.
    pub forms: Vec<FormResult>,
    /// How it ended: the last form's ending, or the failure that stopped it (which may come
    /// before any form ran: a syntax error, an exhausted budget). `nil` for a text without forms.
    pub ending: Ending,
    /// Globals defined by all the forms, in order of their last definition.
    pub defined: Vec<Symbol>,
    /// Machine steps taken (macro expansion included).
    pub steps: u64,
    pub elapsed: Duration,
}

impl Evaluated {
    pub fn failure(&self) -> Option<&Failure> {
        match &self.ending {
            Ending::Failed(f) => Some(f),
            _ => None,
        }
    }
}

/// Steps run between two looks at the clock in [`Session::advance_live`].
const CLOCK_SLICE: u64 = 4096;

/// The evaluation [`Session::begin`] started.
#[derive(Clone, Debug)]
struct Live {
    limits: Limits,
    started: Instant,
    deadline: Instant,
    /// What the thread held at the start: the memory budget counts from here.
    memory_start: isize,
    /// The store's definition clock at the start and at the current form's start.
    defined_mark: u64,
    form_mark: u64,
    forms: Vec<FormResult>,
    /// Whether the state is running one of this evaluation's forms (index `next - 1`).
    in_form: bool,
    /// A failure found before anything ran, reported by the first advance.
    early: Option<Failure>,
}

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

impl Session {
    pub fn new() -> Session {
        let state = State::idle(core_store());
        Session {
            source: Rc::from(""),
            forms: Vec::new(),
            next: 0,
            state,
            last: Value::Nil,
            sources: SourceMap::default(),
            live: None,
        }
    }

    /// Reads `text` as the forms to run next (replacing any not yet run). A syntax error is
    /// reported here, before anything runs. The text is source `SourceId(0)` at offset 0; on a
    /// new session its spans are plain offsets into `text`.
    pub fn load(&mut self, text: &str) -> Result<(), Error> {
        let base = self
            .sources
            .add(SourceId(0), TextSize::from(0), text.len(), true)?;
        let (mut forms, diagnostics) = read_str(text);
        shift_forms(&mut forms, base);
        if let Some(e) = first_error(&diagnostics, base) {
            return Err(e);
        }
        self.source = Rc::from(text);
        self.forms = forms;
        self.next = 0;
        self.last = Value::Nil;
        Ok(())
    }

    /// A session from its parts: the source is read again and the forms before `next` are taken
    /// as already run (used when loading a serialised session).
    pub fn restore(source: &str, next: usize, state: State, last: Value) -> Result<Session, Error> {
        let mut session = Session::new();
        session.load(source)?;
        if next > session.forms.len() {
            return Err(Error::new(
                ErrorKind::Argument,
                "invalid state document: more forms run than the source has",
            ));
        }
        session.next = next;
        session.state = state;
        session.last = last;
        Ok(session)
    }

    /// Whether forms remain to start.
    pub fn has_pending(&self) -> bool {
        self.next < self.forms.len()
    }

    /// Lowers and compiles the next form and makes it the current state, without running it
    /// (a debugger steps it from here). Returns `false` when no form is left.
    pub fn start_next(
        &mut self,
        limits: &Limits,
        deadline: Instant,
        out: &mut dyn Output,
    ) -> Result<bool, Error> {
        let Some(form) = self.forms.get(self.next).cloned() else {
            return Ok(false);
        };
        self.next += 1;
        let steps = self.state.steps;
        let mut store = self.state.store.clone();
        let mut expander = Expander {
            store: &mut store,
            limits,
            deadline,
            steps,
            out,
        };
        let lowered = lower(&form, &mut expander);
        let steps = expander.steps;
        if let Some(e) = first_error(&lowered.diagnostics, 0) {
            return Err(e);
        }
        let proto = compile(&lowered.ast, &mut store)?;
        self.state = State::start(store, proto, steps);
        Ok(true)
    }

    /// Runs every pending form but the last, then starts the last without running it, for a
    /// debugger to step. `Err` carries the outcome if the program ended, parked or failed first.
    pub fn start_last(&mut self, limits: &Limits, out: &mut dyn Output) -> Result<(), Outcome> {
        let deadline = Instant::now() + limits.timeout;
        loop {
            match &self.state.status {
                Status::Running => {
                    self.state.run(limits, deadline, out);
                }
                Status::Done(v) => {
                    self.last = v.clone();
                    let last_one = self.next + 1 == self.forms.len();
                    match self.start_next(limits, deadline, out) {
                        Ok(true) if last_one => return Ok(()),
                        Ok(true) => {}
                        Ok(false) => return Err(Outcome::Value(self.last.clone())),
                        Err(e) => {
                            self.state.status = Status::Failed(e.clone());
                            return Err(Outcome::Error(e));
                        }
                    }
                }
                Status::Parked { reason } => {
                    return Err(Outcome::Parked {
                        reason: reason.clone(),
                    });
                }
                Status::Failed(e) => return Err(Outcome::Error(e.clone())),
            }
        }
    }

    /// Runs the current form and the remaining ones until the program ends, parks or fails.
    pub fn run(&mut self, limits: &Limits, out: &mut dyn Output) -> Outcome {
        let deadline = Instant::now() + limits.timeout;
        loop {
            match &self.state.status {
                Status::Running => {
                    self.state.run(limits, deadline, out);
                }
                Status::Done(v) => {
                    self.last = v.clone();
                    match self.start_next(limits, deadline, out) {
                        Ok(true) => {}
                        Ok(false) => return Outcome::Value(self.last.clone()),
                        Err(e) => {
                            self.state.status = Status::Failed(e.clone());
                            return Outcome::Error(e);
                        }
                    }
                }
                Status::Parked { reason } => {
                    return Outcome::Parked {
                        reason: reason.clone(),
                    };
                }
                Status::Failed(e) => return Outcome::Error(e.clone()),
            }
        }
    }

    /// Takes at most `n` steps, starting the next forms as the current ones finish (for
    /// debuggers and tests). Returns the outcome once the program has ended, parked or failed.
    pub fn advance(&mut self, n: u64, limits: &Limits, out: &mut dyn Output) -> Option<Outcome> {
        let deadline = Instant::now() + limits.timeout;
        let target = self.state.steps.saturating_add(n);
        loop {
            match &self.state.status {
                Status::Running if self.state.steps >= target => return None,
                Status::Running => {
                    self.state.limits = limits.clone();
                    let left = target - self.state.steps;
                    self.state.run_steps(left, out);
                }
                Status::Done(v) => {
                    self.last = v.clone();
                    match self.start_next(limits, deadline, out) {
                        Ok(true) => {}
                        Ok(false) => return Some(Outcome::Value(self.last.clone())),
                        Err(e) => {
                            self.state.status = Status::Failed(e.clone());
                            return Some(Outcome::Error(e));
                        }
                    }
                }
                Status::Parked { reason } => {
                    return Some(Outcome::Parked {
                        reason: reason.clone(),
                    });
                }
                Status::Failed(e) => return Some(Outcome::Error(e.clone())),
            }
        }
    }

    /// Starts a live evaluation of `text`, the text of source `source` from offset `origin` (so
    /// that locations are offsets in the source: pass the form's start for one form of a file).
    /// An evaluation still in progress is abandoned first (as by [`Session::interrupt`], without
    /// its report). Nothing runs until [`Session::advance_live`]; a text that does not read is
    /// reported by the first call.
    pub fn begin(&mut self, source: SourceId, origin: TextSize, text: &str, limits: &Limits) {
        self.live = None;
        self.settle();
        let started = Instant::now();
        let mark = self.state.store.definitions;
        let mut live = Live {
            limits: limits.clone(),
            started,
            // A month is as good as no deadline, and cannot overflow the clock.
            deadline: started + limits.timeout.min(Duration::from_secs(30 * 86_400)),
            memory_start: crate::memory::live_bytes(),
            defined_mark: mark,
            form_mark: mark,
            forms: Vec::new(),
            in_form: false,
            early: None,
        };
        match self.sources.add(source, origin, text.len(), false) {
            Err(e) => live.early = Some(self.failure_before_run(&e)),
            Ok(base) => {
                let (mut forms, diagnostics) = read_str(text);
                shift_forms(&mut forms, base);
                match first_error(&diagnostics, base) {
                    Some(e) => live.early = Some(self.failure_before_run(&e)),
                    None => {
                        self.source = Rc::from(text);
                        self.forms = forms;
                    }
                }
            }
        }
        self.live = Some(Box::new(live));
    }

    /// Whether a live evaluation is in progress.
    pub fn is_evaluating(&self) -> bool {
        self.live.is_some()
    }

    /// Runs the live evaluation for at most about `steps` more machine steps (lowering a form,
    /// macros included, counts its own steps on top). Returns `None` while it goes on, so the
    /// host can check for cancellation between calls, and the evaluation once it ended; then
    /// the session is ready for the next. Without an evaluation in progress it returns an empty
    /// one (`nil`).
    pub fn advance_live(&mut self, steps: u64, out: &mut dyn Output) -> Option<Evaluated> {
        let Some(live) = self.live.as_mut() else {
            return Some(Evaluated {
                forms: Vec::new(),
                ending: Ending::Value(Value::Nil),
                defined: Vec::new(),
                steps: 0,
                elapsed: Duration::ZERO,
            });
        };
        if let Some(failure) = live.early.take() {
            return Some(self.finish(Ending::Failed(failure)));
        }
        let target = self.state.steps.saturating_add(steps);
        loop {
            let live = self.live.as_mut()?;
            match &self.state.status {
                Status::Running if !live.in_form => {
                    // Only a form this evaluation started runs here; anything else is stale.
                    self.state = State::idle(std::mem::take(&mut self.state.store));
                }
                Status::Running => {
                    if self.state.steps >= target {
                        return None;
                    }
                    if Instant::now() >= live.deadline {
                        let e = Error::new(
                            ErrorKind::Limit,
                            format!(
                                "timeout: the program ran longer than {} ms",
                                live.limits.timeout.as_millis()
                            ),
                        );
                        return Some(self.stop_running(&e));
                    }
                    let slice = (target - self.state.steps).min(CLOCK_SLICE);
                    self.state.run_steps(slice, out);
                }
                Status::Done(v) => {
                    let v = v.clone();
                    if live.in_form {
                        self.record(Ending::Value(v.clone()));
                        self.last = v;
                    }
                    if let Some(done) = self.start_live_form(out) {
                        return Some(done);
                    }
                }
                Status::Parked { reason } => {
                    let reason = reason.clone();
                    if live.in_form {
                        self.record(Ending::Parked(reason));
                    }
                    if let Some(done) = self.start_live_form(out) {
                        return Some(done);
                    }
                }
                Status::Failed(e) => {
                    let e = e.clone();
                    return Some(self.stop_running(&e));
                }
            }
        }
    }

    /// Stops the live evaluation in progress: its report says "evaluation interrupted", with
    /// the continuation where it stopped. `None` if none is in progress. The session is ready
    /// for the next evaluation, with every definition made so far.
    pub fn interrupt(&mut self) -> Option<Evaluated> {
        let live = self.live.as_mut()?;
        let e = Error::new(ErrorKind::Interrupted, "evaluation interrupted");
        if let Some(early) = live.early.take() {
            return Some(self.finish(Ending::Failed(early)));
        }
        if live.in_form && self.state.is_running() {
            return Some(self.stop_running(&e));
        }
        let failure = self.failure_before_run(&e);
        Some(self.finish(Ending::Failed(failure)))
    }

    /// Where `span` (of code, an error or a frame) is, in the host's terms.
    pub fn locate(&self, span: TextRange) -> Option<Location> {
        self.sources.locate(span)
    }

    /// The page of `v` from `offset` ([`crate::page`]); an atom is read in this session's store.
    pub fn page(&self, v: &Value, offset: usize, count: usize) -> Page {
        page(v, &self.state.store, offset, count)
    }

    /// Ends the running form with `e` (an error, a limit, an interrupt) and the evaluation
    /// with it, the trace taken from the state as it stands.
    fn stop_running(&mut self, e: &Error) -> Evaluated {
        let site = e.span().or(match &self.state.control {
            crate::control::Control::Eval(code) => Some(code.span),
            crate::control::Control::Return(_) => None,
        });
        let failure = Failure {
            kind: e.kind(),
            message: e.message().to_owned(),
            location: site.and_then(|s| self.sources.locate(s)),
            trace: trace::capture(&self.state, site, &self.sources),
        };
        self.record(Ending::Failed(failure.clone()));
        self.finish(Ending::Failed(failure))
    }

    /// A failure where no form is running: no trace.
    fn failure_before_run(&self, e: &Error) -> Failure {
        Failure {
            kind: e.kind(),
            message: e.message().to_owned(),
            location: e.span().and_then(|s| self.sources.locate(s)),
            trace: Trace::default(),
        }
    }

    /// The location of the form started last.
    fn current_form(&self) -> Option<Location> {
        self.next
            .checked_sub(1)
            .and_then(|i| self.forms.get(i))
            .and_then(|f| self.sources.locate(f.span))
    }

    /// Records how the current form ended.
    fn record(&mut self, ending: Ending) {
        let location = self.current_form();
        let defined = self
            .live
            .as_ref()
            .map(|live| self.state.store.defined_since(live.form_mark))
            .unwrap_or_default();
        let Some(live) = self.live.as_mut() else {
            return;
        };
        if !live.in_form {
            return;
        }
        live.in_form = false;
        live.forms.push(FormResult {
            location,
            ending,
            defined,
        });
    }

    /// Starts the next form of the live evaluation, or ends the evaluation when none is left or
    /// the form cannot start (it does not lower or compile, or the budget is spent).
    fn start_live_form(&mut self, out: &mut dyn Output) -> Option<Evaluated> {
        let live = self.live.as_mut()?;
        if self.next >= self.forms.len() {
            let last = live
                .forms
                .last()
                .map_or(Ending::Value(Value::Nil), |f| f.ending.clone());
            return Some(self.finish(last));
        }
        // One budget for the whole evaluation: what its earlier forms still hold counts against
        // the next one (`crate::memory` counts per thread; this counts from the evaluation's
        // start, so what earlier evaluations keep in the store does not).
        let used = crate::memory::live_bytes().saturating_sub(live.memory_start);
        let budget = isize::try_from(live.limits.max_memory).unwrap_or(isize::MAX);
        let left = budget.saturating_sub(used.max(0));
        if left <= 0 {
            let e = Error::new(
                ErrorKind::Limit,
                format!(
                    "memory limit reached: the program held more than {} MB",
                    live.limits.max_memory >> 20
                ),
            );
            let failure = self.failure_before_run(&e);
            return Some(self.finish(Ending::Failed(failure)));
        }
        let mut limits = live.limits.clone();
        limits.max_memory = usize::try_from(left).unwrap_or(usize::MAX);
        let deadline = live.deadline;
        live.form_mark = self.state.store.definitions;
        match self.start_next(&limits, deadline, out) {
            Ok(_) => {
                self.state.limits = limits;
                if let Some(live) = self.live.as_mut() {
                    live.in_form = true;
                }
                None
            }
            Err(e) => {
                let failure = self.failure_before_run(&e);
                let location = self.current_form();
                if let Some(live) = self.live.as_mut() {
                    live.forms.push(FormResult {
                        location,
                        ending: Ending::Failed(failure.clone()),
                        defined: Vec::new(),
                    });
                }
                Some(self.finish(Ending::Failed(failure)))
            }
        }
    }

    /// Ends the live evaluation: nothing pending, an empty continuation, the store kept.
    fn finish(&mut self, ending: Ending) -> Evaluated {
        let steps = self.state.steps;
        let live = self.live.take();
        self.settle();
        let (forms, mark, elapsed) = match live {
            Some(live) => (live.forms, live.defined_mark, live.started.elapsed()),
            None => (Vec::new(), self.state.store.definitions, Duration::ZERO),
        };
        Evaluated {
            forms,
            ending,
            defined: self.state.store.defined_since(mark),
            steps,
            elapsed,
        }
    }

    /// No pending forms and an idle state on the current store with no steps taken (the
    /// continuation of a stopped run is dropped here, so what it held is freed).
    fn settle(&mut self) {
        self.forms.clear();
        self.next = 0;
        if matches!(self.state.status, Status::Done(_)) && self.state.kont.is_empty() {
            self.state.steps = 0;
        } else {
            self.state = State::idle(std::mem::take(&mut self.state.store));
        }
    }

    /// Continues a parked program with `v` as the value of the expression that parked.
    pub fn resume(&mut self, v: Value, limits: &Limits, out: &mut dyn Output) -> Outcome {
        self.state.resume(v);
        self.run(limits, out)
    }
}

/// The first error among `diagnostics`, its range moved by `base`.
fn first_error(diagnostics: &[Diagnostic], base: u32) -> Option<Error> {
    diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .map(|d| {
            Error::new(ErrorKind::Syntax, d.message.clone()).at(d.range + TextSize::from(base))
        })
}

/// Runs macros on the machine while lowering.
struct Expander<'a> {
    store: &'a mut Store,
    limits: &'a Limits,
    deadline: Instant,
    steps: u64,
    out: &'a mut dyn Output,
}

impl MacroExpander for Expander<'_> {
    fn is_macro(&self, name: &Symbol) -> bool {
        self.store.macro_fn(name).is_some()
    }

    fn expand(&mut self, call: &Form) -> Result<Form, String> {
        let FormKind::List(items) = &call.kind else {
            return Err("a macro call must be a list".to_owned());
        };
        let Some(FormKind::Symbol(name)) = items.first().map(|f| &f.kind) else {
            return Err("a macro call needs a name".to_owned());
        };
        let Some(f) = self.store.macro_fn(name).cloned() else {
            return Err(format!("{name} is not a macro"));
        };
        let args = items[1..]
            .iter()
            .map(form_to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.message().to_owned())?;
        let mut state = State::call(self.store.clone(), f, args, call.span, self.steps);
        state.run(self.limits, self.deadline, self.out);
        self.steps = state.steps;
        match state.status {
            Status::Done(v) => {
                *self.store = state.store;
                value_to_form(&v, call.span).map_err(|e| e.message().to_owned())
            }
            Status::Failed(e) => Err(format!("macro {name} failed: {}", e.message())),
            Status::Parked { .. } => Err(format!("macro {name} parked; macros cannot park")),
            Status::Running => Err(format!("macro {name} did not finish")),
        }
    }
}
