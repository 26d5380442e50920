//! Interactive evaluation for editors: the top-level form at a cursor evaluated with the
//! file's earlier forms loaded (inline results), and debugging sessions that step a form
//! forwards and back (docs/vm.md, "Inline evaluation").
//!
//! Machine states are `Rc`-shared and stay on the thread that made them: a host builds an
//! [`EvalRequest`] (plain text, `Send`) from a snapshot, and runs [`evaluate`] and
//! [`DebugSession`] on its one evaluation thread. Runs go in slices of steps so that the host's
//! cancellation is noticed between slices, whatever the program does.

use std::time::Instant;

use syntax::{TextRange, TextSize};
use vm::inspect::{History, view};
use vm::{Captured, Discard, Limits, Outcome, Session, Status, pr_str};

use crate::SourceFile;
use crate::names::form_at;

/// A machine state as an editor shows it, and a named value in it (`vm::inspect`).
pub use vm::inspect::{Binding as DebugBinding, View as DebugView};

/// Steps run between two checks of the cancellation flag and the clock.
const SLICE: u64 = 20_000;
/// States kept for stepping back.
const HISTORY: usize = 10_000;

/// What to evaluate: the text from the start of the file to the end of the form, so that the
/// file's earlier top-level forms run first (docs/vm.md, "Inline evaluation": a program's state,
/// such as a stream an earlier form read from, is what the form sees) and offsets are the
/// document's. Their output is not the form's: it is discarded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalRequest {
    /// The form evaluated.
    pub range: TextRange,
    pub source: String,
}

impl EvalRequest {
    /// The request for the top-level form at `offset` (a form ending there counts).
    pub fn at(file: &SourceFile, offset: TextSize) -> Option<EvalRequest> {
        let range = form_at(file.lowering(), offset)?.range();
        let source = file.text().get(..usize::from(range.end()))?.to_owned();
        Some(EvalRequest { range, source })
    }

    /// The evaluated form's own text, the key of its recorded result.
    pub fn form_text(&self) -> &str {
        self.source
            .get(usize::from(self.range.start())..)
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    /// Where it happened, in document offsets, when known.
    pub range: Option<TextRange>,
}

/// An inline evaluation's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub range: TextRange,
    /// The value in `pr` form (`#<parked ...>` for a parked program); `None` after an error.
    pub value: Option<String>,
    /// What `print`, `println` and `prn` wrote.
    pub output: String,
    pub steps: u64,
    pub error: Option<EvalError>,
}

impl Evaluation {
    /// What an inline result shows: the value, or the error's message.
    pub fn shown(&self) -> String {
        match (&self.value, &self.error) {
            (Some(value), _) => value.clone(),
            (None, Some(error)) => format!("error: {}", error.message),
            (None, None) => String::new(),
        }
    }
}

/// Runs `request` within `limits`; `cancelled` is asked between slices of steps and stops the
/// run with the error "evaluation cancelled".
pub fn evaluate(
    request: &EvalRequest,
    limits: &Limits,
    cancelled: &dyn Fn() -> bool,
) -> Evaluation {
    let mut out = Captured::default();
    let mut session = Session::new();
    let started = Instant::now();
    let outcome = match session.load(&request.source) {
        Err(e) => Outcome::Error(e),
        Ok(()) => loop {
            if cancelled() {
                break failure("evaluation cancelled");
            }
            if started.elapsed() >= limits.timeout {
                break failure(&format!(
                    "timeout: the program ran longer than {} ms",
                    limits.timeout.as_millis()
                ));
            }
            if let Some(outcome) = run_slice(&mut session, limits, started, &mut out) {
                break outcome;
            }
        },
    };
    let (value, error) = match outcome {
        Outcome::Value(v) => (Some(pr_str(&v)), None),
        Outcome::Parked { reason } => (Some(format!("#<parked {reason}>")), None),
        Outcome::Error(e) => (
            None,
            Some(EvalError {
                message: e.message().to_owned(),
                range: e.span(),
            }),
        ),
    };
    Evaluation {
        range: request.range,
        value,
        output: out.0,
        steps: session.state.steps,
        error,
    }
}

/// Runs at most one slice of steps. Earlier forms run with their output discarded, and each is
/// started here, so that no slice runs part of the evaluated form with the wrong output; once
/// the evaluated form has started, [`Session::advance`] runs it to its end.
fn run_slice(
    session: &mut Session,
    limits: &Limits,
    started: Instant,
    out: &mut Captured,
) -> Option<Outcome> {
    if !session.has_pending() {
        return session.advance(SLICE, limits, out);
    }
    match &session.state.status {
        Status::Running => {
            session.state.limits = limits.clone();
            session.state.run_steps(SLICE, &mut Discard);
            None
        }
        Status::Done(v) => {
            session.last = v.clone();
            let deadline = started + limits.timeout;
            match session.start_next(limits, deadline, &mut Discard) {
                Ok(_) => None,
                Err(e) => {
                    session.state.status = Status::Failed(e.clone());
                    Some(Outcome::Error(e))
                }
            }
        }
        Status::Parked { .. } | Status::Failed(_) => session.advance(0, limits, out),
    }
}

fn failure(message: &str) -> Outcome {
    Outcome::Error(vm::Error::new(vm::ErrorKind::Limit, message.to_owned()))
}

/// A form being stepped through, with the states before each step for stepping back.
pub struct DebugSession {
    session: Session,
    history: History,
    out: Captured,
    limits: Limits,
    /// The machine's step count when the form starts: the view counts the form's steps from
    /// there, since the earlier forms' steps are not the user's to step through.
    origin: u64,
}

impl DebugSession {
    /// Loads the request's source, runs the earlier forms within `limits` and stops before the
    /// first step of the evaluated form. If the program ends, parks or fails before (an earlier
    /// form failed, say), the session shows that final state.
    pub fn start(request: &EvalRequest, limits: Limits) -> DebugSession {
        let mut session = Session::new();
        match session.load(&request.source) {
            Ok(()) => {
                // Earlier forms' output is theirs, not the debugged form's. An early end is
                // visible in the state itself (done, parked or error).
                let _ = session.start_last(&limits, &mut Discard);
            }
            Err(e) => session.state.status = Status::Failed(e),
        }
        DebugSession {
            origin: session.state.steps,
            session,
            history: History::new(HISTORY),
            out: Captured::default(),
            limits,
        }
    }

    /// Takes up to `count` steps (fewer if the form ends); `cancelled` is asked every slice.
    pub fn step(&mut self, count: u64, cancelled: &dyn Fn() -> bool) {
        for taken in 0..count {
            if !matches!(self.session.state.status, Status::Running)
                || (taken % SLICE == 0 && taken > 0 && cancelled())
                || self.session.state.steps >= self.limits.fuel
            {
                break;
            }
            self.history.push(self.session.state.clone());
            self.session.state.step(&mut self.out);
        }
    }

    /// Goes back up to `count` steps, as far as the history reaches.
    pub fn back(&mut self, count: u64) {
        for _ in 0..count {
            match self.history.back() {
                Some(state) => self.session.state = state,
                None => break,
            }
        }
    }

    pub fn view(&self) -> DebugView {
        let mut view = view(&self.session.state);
        view.step = view.step.saturating_sub(self.origin);
        view
    }

    /// The current state as datoms (`:cfg/*`, `:k/*`, `:bind/*` ...; docs/vm.md).
    pub fn datoms(&self) -> Vec<edn::Datom> {
        vm::inspect::datoms(&self.session.state)
    }

    /// What the program printed so far (stepping back does not unprint).
    pub fn output(&self) -> &str {
        &self.out.0
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::cursor;

    fn check(fixture: &str, limits: Limits, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        let actual = match EvalRequest::at(&file, offset) {
            None => "nothing to evaluate".to_owned(),
            Some(request) => format!("{:?}", evaluate(&request, &limits, &|| false)),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn the_form_at_the_cursor_with_earlier_definitions() {
        check(
            "(defn sq [x] (println \"sq\" x) (* x x))\n(println \"é\")\n(sq $03)\n(sq 4)",
            Limits::inline(),
            expect![[
                r#"Evaluation { range: 54..60, value: Some("9"), output: "sq 3\n", steps: 6, error: None }"#
            ]],
        );
    }

    #[test]
    fn earlier_forms_run_with_their_output_discarded() {
        check(
            "(defmacro defconst [n v] (list 'def n v))\n(defconst k 7)\n(println \"no\")\n(inc k)$0",
            Limits::inline(),
            expect![[
                r#"Evaluation { range: 72..79, value: Some("8"), output: "", steps: 5, error: None }"#
            ]],
        );
    }

    #[test]
    fn errors_have_a_message_and_a_range() {
        check(
            "(def m {:a 1})\n(+ 1 (:a m) :b$0)",
            Limits::inline(),
            expect![[
                r#"Evaluation { range: 15..30, value: None, output: "", steps: 3, error: Some(EvalError { message: "+: expected a number, got keyword :b", range: Some(15..30) }) }"#
            ]],
        );
        check(
            "(+ 1$0",
            Limits::inline(),
            expect![[
                r#"Evaluation { range: 0..4, value: None, output: "", steps: 0, error: Some(EvalError { message: "unclosed `(`", range: Some(0..1) }) }"#
            ]],
        );
        check("   $0", Limits::inline(), expect!["nothing to evaluate"]);
    }

    #[test]
    fn runaway_loops_stop_on_fuel_time_or_cancellation() {
        let spin = "(loop [i 0] (recur (inc i)))$0";
        check(
            spin,
            Limits {
                fuel: 50_000,
                ..Limits::inline()
            },
            expect![[
                r#"Evaluation { range: 0..28, value: None, output: "", steps: 50000, error: Some(EvalError { message: "fuel exhausted: the program ran 50000 steps (the fuel limit)", range: None }) }"#
            ]],
        );
        let (text, offset) = cursor(spin);
        let request = EvalRequest::at(&SourceFile::from_text(&text), offset).expect("a form");
        let limits = Limits {
            timeout: Duration::from_millis(50),
            ..Limits::inline()
        };
        let timed_out = evaluate(&request, &limits, &|| false);
        expect![[r#"Some(EvalError { message: "timeout: the program ran longer than 50 ms", range: None })"#]].assert_eq(&format!("{:?}", timed_out.error));
        let stopped = evaluate(&request, &Limits::inline(), &|| true);
        expect![[r#"Some(EvalError { message: "evaluation cancelled", range: None })"#]]
            .assert_eq(&format!("{:?}", stopped.error));
    }

    #[test]
    fn debugging_steps_forwards_and_back() {
        let (text, offset) = cursor("(defn sq [x] (* x x))\n(+ (sq 2) (sq 3))$0");
        let request = EvalRequest::at(&SourceFile::from_text(&text), offset).expect("a form");
        let mut debug = DebugSession::start(&request, Limits::inline());
        let mut trace = Vec::new();
        let show = |v: &DebugView| {
            format!(
                "{} {} {} {:?} value {:?} kont {} store {:?}",
                v.step,
                v.status,
                v.control.kind,
                v.control.range,
                v.value,
                v.continuation.len(),
                v.store.iter().map(|b| b.name.as_str()).collect::<Vec<_>>()
            )
        };
        trace.push(show(&debug.view()));
        debug.step(1, &|| false);
        trace.push(show(&debug.view()));
        debug.step(100, &|| false);
        trace.push(show(&debug.view()));
        debug.back(2);
        trace.push(show(&debug.view()));
        let db = crate::query::state_database(debug.datoms());
        let frames = crate::query::run(
            &db,
            "[:find ?depth ?tag :where [?f :k/tag ?tag] [?f :k/depth ?depth]]",
            None,
        )
        .map(|r| r.to_edn())
        .unwrap_or_else(|_| "query failed".to_owned());
        trace.push(frames);
        expect![[r#"
            0 running call Some(22..39) value None kont 0 store ["sq"]
            1 running call Some(25..31) value None kont 1 store ["sq"]
            6 done value None value Some("13") kont 0 store ["sq"]
            4 running call Some(13..20) value None kont 1 store ["sq"]
            {:columns ["?depth" "?tag"]
             :rows [[1 :args]]}"#]]
        .assert_eq(&trace.join("\n"));
    }
}
