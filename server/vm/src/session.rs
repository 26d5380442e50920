//! The top-level driver: a program's forms, evaluated in order on one store.
//!
//! A [`Session`] reads source text into forms, then for each form: lowers it (expanding macros by
//! running the macro function on the machine, with the same limits), compiles it, and runs it. The
//! value of the last form is the program's value. If a form parks, the whole program is
//! suspended: [`Session::resume`] continues that form with a value and then the remaining forms.
//! A session keeps its store between calls to [`Session::load`], so a host can load a file's
//! definitions and then evaluate one more form (inline evaluation) or debug it step by step.

use std::rc::Rc;
use std::time::Instant;

use edn::Symbol;
use syntax::form::{Form, FormKind};
use syntax::lower::{MacroExpander, lower};
use syntax::reader::read_str;
use syntax::{Diagnostic, Severity};

use crate::compile::compile;
use crate::convert::{form_to_value, value_to_form};
use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::output::Output;
use crate::prim::Prim;
use crate::printer::pr_str;
use crate::state::{State, Status};
use crate::store::Store;
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
        }
    }

    /// Reads `text` as the forms to run next (replacing any not yet run). A syntax error is
    /// reported here, before anything runs.
    pub fn load(&mut self, text: &str) -> Result<(), Error> {
        let (forms, diagnostics) = read_str(text);
        if let Some(e) = first_error(&diagnostics) {
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
        if let Some(e) = first_error(&lowered.diagnostics) {
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

    /// Continues a parked program with `v` as the value of the expression that parked.
    pub fn resume(&mut self, v: Value, limits: &Limits, out: &mut dyn Output) -> Outcome {
        self.state.resume(v);
        self.run(limits, out)
    }
}

fn first_error(diagnostics: &[Diagnostic]) -> Option<Error> {
    diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .map(|d| Error::new(ErrorKind::Syntax, d.message.clone()).at(d.range))
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
