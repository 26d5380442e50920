//! Interactive evaluation for editors: which forms a live evaluation runs and what it loads
//! first (`live_request`), and debugging sessions that step a form forwards and back, showing
//! where each state is in whichever file its code came from (docs/lsp.md, "Debugging").
//!
//! Machine states are `Rc`-shared and stay on the thread that made them: a host builds a
//! [`LiveRequest`] (plain text, `Send`) from snapshots, and runs the live session and
//! [`DebugSession`] on its one evaluation thread. Runs go in slices of steps so that the host's
//! cancellation is noticed between slices, whatever the program does. A debugging view is plain
//! data again ([`DebugView`]: each range with the key of its file), for the host to convert.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use syntax::Severity;
use syntax::reader::read_str;

use syntax::{TextRange, TextSize};
use vm::inspect::{ControlView, FrameView, History, view};
use vm::{Captured, Discard, Limits, Session, Status};

use crate::SourceFile;
use crate::live::plan::{
    FormSummary, Load, PlanError, PlanFile, PlanTarget, plan, summarize, summarize_text,
};
use crate::live::session::RunForm;
use crate::names::{innermost_form_at, top_level_form_at};

/// A named value of a machine state (`vm::inspect`).
pub use vm::inspect::Binding as DebugBinding;

/// Where a piece of a debugged program's code is: the document key of the text it was read
/// from (the form's file, or the file a loaded definition came from) and the range in that file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugLocation {
    pub key: Arc<str>,
    pub range: TextRange,
}

/// A machine state as an editor shows it (`vm::inspect::View`), with each range placed in its
/// file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugView {
    /// Steps since the form started.
    pub step: u64,
    /// `running`, `parked`, `done` or `error`.
    pub status: &'static str,
    pub control: DebugControl,
    /// The value, when done.
    pub value: Option<String>,
    /// The message, when failed.
    pub error: Option<String>,
    pub environment: Vec<DebugBinding>,
    /// Innermost frame first.
    pub continuation: Vec<DebugFrame>,
    /// Defined globals (not primitives) and streams.
    pub store: Vec<DebugBinding>,
}

/// What the machine is doing: evaluating code (`kind` names it, `at` says where), or returning
/// a value (`kind` is `value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugControl {
    pub kind: &'static str,
    /// `None` while a value is returned, and for code of no known text.
    pub at: Option<DebugLocation>,
    /// The value being returned.
    pub value: Option<String>,
}

/// A continuation frame: what it waits for, and the code it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugFrame {
    pub kind: &'static str,
    pub at: Option<DebugLocation>,
    pub description: String,
}

/// A text the debugging session read: its interval of the machine's offset space, and where
/// that interval lies in which file.
#[derive(Clone, Debug)]
struct ReadText {
    interval: TextRange,
    key: Arc<str>,
    /// The text's first offset in its file.
    start: TextSize,
}

/// Steps run between two checks of the cancellation flag and the clock.
const SLICE: u64 = 20_000;
/// States kept for stepping back.
const HISTORY: usize = 10_000;

/// A form being stepped through, with the states before each step for stepping back.
pub struct DebugSession {
    session: Session,
    history: History,
    out: Captured,
    limits: Limits,
    /// The machine's step count when the form starts: the view counts the form's steps from
    /// there, since the earlier forms' steps are not the user's to step through.
    origin: u64,
    /// Every text read (the loaded definitions, then the form), in offset order.
    texts: Vec<ReadText>,
}

impl DebugSession {
    /// Loads `loads` (the definitions the form needs, from the dependency plan, in order; their
    /// output and failures are not the form's), then starts `form` and stops before its first
    /// step. Each text is placed in its own file, so stepping into a definition loaded from
    /// another file shows where it is there.
    /// If it cannot start (it does not read, a macro fails), the session shows that error.
    pub fn start(loads: &[Load], form: &RunForm, limits: Limits) -> DebugSession {
        let mut session = Session::new();
        // Each text read takes the next interval of the machine's one offset space, one past
        // its end free (docs/vm.md, "Live sessions"): a span says by itself which text, so which
        // file, it is in.
        let mut next_base: u32 = 0;
        let mut texts: Vec<ReadText> = Vec::with_capacity(loads.len() + 1);
        for load in loads {
            let len = TextSize::try_from(load.text.len()).unwrap_or_default();
            texts.push(ReadText {
                interval: TextRange::at(TextSize::from(next_base), len),
                key: Arc::from(load.key.as_str()),
                start: load.range.start(),
            });
            next_base = next_base.saturating_add(u32::from(len)).saturating_add(1);
            if session.load(&load.text).is_ok() {
                let _ = session.run(&limits, &mut Discard);
            }
        }
        session.state.status = Status::Done(vm::Value::Nil);
        match session.load(&form.text) {
            Ok(()) => {
                // A form that cannot start shows its error in the state itself.
                let _ = session.start_last(&limits, &mut Discard);
            }
            Err(e) => session.state.status = Status::Failed(e),
        }
        // Checked against the machine: the form's root, the first thing it evaluates, must lie
        // where the count says the form was read; otherwise no range is shown rather than a
        // wrong one (the count mirrors how the machine lays texts out).
        let form_base = view(&session.state).control.range.and_then(|raw| {
            let located = session.locate(raw)?;
            u32::from(raw.start()).checked_sub(u32::from(located.range.start()))
        });
        if form_base == Some(next_base) {
            texts.push(ReadText {
                interval: TextRange::at(TextSize::from(next_base), form.range.len()),
                key: Arc::from(form.key.as_str()),
                start: form.range.start(),
            });
        } else {
            texts.clear();
        }
        DebugSession {
            origin: session.state.steps,
            session,
            history: History::new(HISTORY),
            out: Captured::default(),
            limits,
            texts,
        }
    }

    /// A range of the machine's offset space as a range of the file its text came from.
    fn locate(&self, raw: Option<TextRange>) -> Option<DebugLocation> {
        let raw = raw?;
        // Intervals are in offset order and disjoint: the last starting at or before `raw`.
        let i = self
            .texts
            .partition_point(|t| t.interval.start() <= raw.start());
        let text = self.texts.get(i.checked_sub(1)?)?;
        text.interval.contains_range(raw).then(|| DebugLocation {
            key: text.key.clone(),
            range: raw - text.interval.start() + text.start,
        })
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

    /// The current state, each range in its file.
    pub fn view(&self) -> DebugView {
        let view = view(&self.session.state);
        let ControlView {
            kind, range, value, ..
        } = view.control;
        DebugView {
            step: view.step.saturating_sub(self.origin),
            status: view.status,
            control: DebugControl {
                kind,
                at: self.locate(range),
                value,
            },
            value: view.value,
            error: view.error,
            environment: view.environment,
            continuation: view
                .continuation
                .into_iter()
                .map(
                    |FrameView {
                         kind,
                         range,
                         description,
                     }| DebugFrame {
                        kind,
                        at: self.locate(range),
                        description,
                    },
                )
                .collect(),
            store: view.store,
        }
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

/// Which forms a live evaluation runs (docs/lsp.md, "Live evaluation").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The innermost form at the cursor (the selection, when one is given).
    Form,
    /// The top-level form at the cursor; inside a rich `(comment ...)`, the comment's child.
    TopLevel,
    /// The selected text, read as forms.
    Selection,
    /// Every top-level form starting before the cursor.
    ToCursor,
    /// Every top-level form of the file.
    File,
}

/// Why there is nothing to evaluate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("no form at the position")]
    NoForm,
    /// The selection does not read as forms.
    #[error("{message}")]
    Unreadable { message: String, range: TextRange },
}

/// A live evaluation, ready for the evaluation thread.
#[derive(Clone, Debug)]
pub struct LiveRequest {
    pub job_forms: Vec<RunForm>,
    pub loads: Vec<Load>,
    /// What is evaluated: from the first form to the last.
    pub range: TextRange,
    /// Whether each form runs even after an earlier one failed.
    pub keep_going: bool,
}

/// The file the evaluated forms are in, with its summaries (see [`SummaryCache`]).
pub struct LiveFile<'a> {
    pub key: &'a str,
    pub version: Option<i32>,
    pub file: &'a SourceFile,
    pub forms: &'a [FormSummary],
}

/// The forms `scope` names at `offset` (and `selection`), and the definitions they need: `open`
/// are the other open documents of the workspace root, `find(name)` the workspace's files on
/// disk that define `name` (path order).
pub fn live_request(
    target: &LiveFile<'_>,
    open: Vec<PlanFile>,
    scope: Scope,
    offset: TextSize,
    selection: Option<TextRange>,
    find: &mut dyn FnMut(&str) -> Vec<PlanFile>,
) -> Result<Result<LiveRequest, ScopeError>, PlanError> {
    let scope = match (scope, selection) {
        (Scope::Form, Some(range)) if !range.is_empty() => Scope::Selection,
        (scope, _) => scope,
    };
    let targets = match targets(target, scope, offset, selection) {
        Ok(targets) => targets,
        Err(e) => return Ok(Err(e)),
    };
    let (Some(first), Some(last)) = (targets.first(), targets.last()) else {
        return Ok(Err(ScopeError::NoForm));
    };
    let range = first.0.range.cover(last.0.range);
    let anchor = match scope {
        Scope::ToCursor | Scope::File => last.0.range.start(),
        _ => first.0.range.start(),
    };
    let mut files = vec![PlanFile {
        key: target.key.to_owned(),
        version: target.version,
        file: target.file.clone(),
        forms: target.forms.to_vec(),
    }];
    files.extend(open);
    let plan_targets: Vec<PlanTarget> = targets
        .iter()
        .map(|(summary, _)| PlanTarget {
            summary: summary.clone(),
        })
        .collect();
    let loads = plan(files, &plan_targets, anchor, find)?;
    let job_forms = targets
        .into_iter()
        .map(|(summary, text)| RunForm {
            key: target.key.to_owned(),
            version: target.version,
            range: summary.range,
            text,
            defines: summary.defines,
        })
        .collect();
    Ok(Ok(LiveRequest {
        job_forms,
        loads,
        range,
        keep_going: matches!(scope, Scope::ToCursor | Scope::File),
    }))
}

/// The forms to run, each with its summary and text.
fn targets(
    target: &LiveFile<'_>,
    scope: Scope,
    offset: TextSize,
    selection: Option<TextRange>,
) -> Result<Vec<(FormSummary, String)>, ScopeError> {
    let rope = target.file.document().rope();
    let text_of = |range: TextRange| {
        rope.get_byte_slice(usize::from(range.start())..usize::from(range.end()))
            .map(|slice| slice.to_string())
    };
    // A top-level form's summary is the file's (cached); any other text is read by itself.
    let summary_of = |range: TextRange, text: &str| -> Result<FormSummary, ScopeError> {
        match target.forms.iter().find(|f| f.range == range) {
            Some(summary) => Ok(summary.clone()),
            None => summarize_text(text, range).map_err(|e| ScopeError::Unreadable {
                message: e.to_string(),
                range,
            }),
        }
    };
    let one = |range: Option<TextRange>| -> Result<Vec<(FormSummary, String)>, ScopeError> {
        let range = range.ok_or(ScopeError::NoForm)?;
        let text = text_of(range).ok_or(ScopeError::NoForm)?;
        Ok(vec![(summary_of(range, &text)?, text)])
    };
    match scope {
        Scope::Form => one(innermost_form_at(target.file, offset)),
        Scope::TopLevel => one(top_level_form_at(target.file, offset)),
        Scope::Selection => {
            let range = selection.ok_or(ScopeError::NoForm)?;
            let text = text_of(range).ok_or(ScopeError::NoForm)?;
            let (forms, diagnostics) = read_str(&text);
            if let Some(d) = diagnostics.iter().find(|d| d.severity == Severity::Error) {
                return Err(ScopeError::Unreadable {
                    message: d.message.clone(),
                    range: d.range + range.start(),
                });
            }
            forms
                .iter()
                .map(|form| {
                    let at = form.span + range.start();
                    let text = text_of(at).ok_or(ScopeError::NoForm)?;
                    Ok((summary_of(at, &text)?, text))
                })
                .collect()
        }
        Scope::ToCursor | Scope::File => target
            .forms
            .iter()
            .filter(|f| scope == Scope::File || f.range.start() < offset)
            .map(|f| Ok((f.clone(), text_of(f.range).ok_or(ScopeError::NoForm)?)))
            .collect(),
    }
}

/// The summaries of files, by key, for the version or disk state they were made from: an
/// evaluation in an unchanged workspace reads no datoms.
#[derive(Default)]
pub struct SummaryCache {
    entries: HashMap<String, (Stamp, Arc<Vec<FormSummary>>)>,
}

/// What a cached summary was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// An open document: which opening, which version.
    Open { opening: u64, version: i32 },
    /// A file on disk: its modification time and length.
    Disk(std::time::SystemTime, u64),
}

/// Files the cache keeps summaries of; past it, it starts again.
const CACHED_FILES: usize = 1024;

impl SummaryCache {
    /// The summaries of `file` as `stamp` says it is, made if the cache has none for that stamp.
    pub fn get(
        &mut self,
        key: &str,
        stamp: Stamp,
        file: &SourceFile,
    ) -> Result<Arc<Vec<FormSummary>>, PlanError> {
        if let Some((had, summaries)) = self.entries.get(key)
            && *had == stamp
        {
            return Ok(summaries.clone());
        }
        let summaries = Arc::new(summarize(file)?);
        if self.entries.len() >= CACHED_FILES {
            self.entries.clear();
        }
        self.entries
            .insert(key.to_owned(), (stamp, summaries.clone()));
        Ok(summaries)
    }

    /// A workspace file from disk, summarised: read (through [`crate::disk`]) and lowered only
    /// when it changed since it was last read. `None` when it cannot be read.
    pub fn disk_file(&mut self, root: &Path, path: &Path, key: &str) -> Option<PlanFile> {
        let (modified, len) = crate::disk::stamp(path)?;
        let stamp = Stamp::Disk(modified, len);
        let bytes =
            crate::disk::read_in_workspace(root, path, crate::disk::MAX_SOURCE_BYTES).ok()?;
        let file = SourceFile::from_bytes(&bytes);
        let forms = self.get(key, stamp, &file).ok()?;
        Some(PlanFile {
            key: key.to_owned(),
            version: None,
            file,
            forms: forms.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::fixture::cursor;

    #[test]
    fn debugging_steps_forwards_and_back() {
        let (text, offset) = cursor("(/ 1 0)\n(defn sq [x] (* x x))\n(+ (sq 2) (sq 3))$0");
        let file = SourceFile::from_text(&text);
        let forms = summarize(&file).expect("summaries");
        let target = LiveFile {
            key: "a.yin",
            version: Some(1),
            file: &file,
            forms: &forms,
        };
        let request = live_request(
            &target,
            Vec::new(),
            Scope::TopLevel,
            offset,
            None,
            &mut |_| Vec::new(),
        )
        .expect("a plan")
        .expect("a form");
        let mut debug =
            DebugSession::start(&request.loads, &request.job_forms[0], Limits::inline());
        let mut trace = Vec::new();
        let show = |v: &DebugView| {
            format!(
                "{} {} {} {:?} value {:?} kont {} store {:?}",
                v.step,
                v.status,
                v.control.kind,
                v.control.at.as_ref().map(|at| at.range),
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
            0 running call Some(30..47) value None kont 0 store ["sq"]
            1 running call Some(33..39) value None kont 1 store ["sq"]
            6 done value None value Some("13") kont 0 store ["sq"]
            4 running call Some(21..28) value None kont 1 store ["sq"]
            {:columns ["?depth" "?tag"]
             :rows [[1 :args]]}"#]]
        .assert_eq(&trace.join("\n"));
    }

    #[test]
    fn stepping_into_a_definition_of_another_file_shows_where_it_is_there() {
        let helpers =
            "; helpers\n(defn add-two [x]\n  (+ x 2))\n(defn twice [n]\n  (* 2 (add-two n)))\n";
        let (main, offset) = cursor("(def base 1)\n(inc (twice base))$0\n");
        let helpers_file = SourceFile::from_text(helpers);
        let main_file = SourceFile::from_text(&main);
        let main_forms = summarize(&main_file).expect("summaries");
        let target = LiveFile {
            key: "main.yin",
            version: Some(1),
            file: &main_file,
            forms: &main_forms,
        };
        let open = vec![PlanFile {
            key: "helpers.yin".to_owned(),
            version: Some(3),
            forms: summarize(&helpers_file).expect("summaries"),
            file: helpers_file,
        }];
        let request = live_request(&target, open, Scope::TopLevel, offset, None, &mut |_| {
            Vec::new()
        })
        .expect("a plan")
        .expect("a form");
        let mut debug =
            DebugSession::start(&request.loads, &request.job_forms[0], Limits::inline());
        let texts: HashMap<&str, &str> = [("main.yin", main.as_str()), ("helpers.yin", helpers)]
            .into_iter()
            .collect();
        // Each location as `file <its text>`, read from that file at the range given.
        let place = |at: &Option<DebugLocation>| match at {
            Some(at) => {
                let text = texts
                    .get(&*at.key)
                    .and_then(|text| {
                        text.get(usize::from(at.range.start())..usize::from(at.range.end()))
                    })
                    .unwrap_or("?");
                format!("{} <{}>", at.key, text.replace('\n', " "))
            }
            None => "-".to_owned(),
        };
        let mut trace = Vec::new();
        for _ in 0..8 {
            let view = debug.view();
            let frames: Vec<String> = view
                .continuation
                .iter()
                .map(|f| format!("{} {}", f.kind, place(&f.at)))
                .collect();
            trace.push(format!(
                "{} {} {} | {}",
                view.step,
                view.control.kind,
                place(&view.control.at),
                if frames.is_empty() {
                    "no frames".to_owned()
                } else {
                    frames.join(", ")
                }
            ));
            debug.step(1, &|| false);
        }
        expect![[r#"
            0 call main.yin <(inc (twice base))> | no frames
            1 call main.yin <(twice base)> | args main.yin <(inc (twice base))>
            2 call helpers.yin <(* 2 (add-two n))> | args main.yin <(inc (twice base))>
            3 call helpers.yin <(add-two n)> | args helpers.yin <(* 2 (add-two n))>, args main.yin <(inc (twice base))>
            4 call helpers.yin <(+ x 2)> | args helpers.yin <(* 2 (add-two n))>, args main.yin <(inc (twice base))>
            5 value - | args main.yin <(inc (twice base))>
            6 value - | no frames
            7 value - | no frames"#]].assert_eq(&trace.join("\n"));
    }

    /// A loaded text that does not read still takes its interval of the offset space, so the
    /// texts after it are placed where they are.
    #[test]
    fn a_load_that_does_not_read_leaves_the_later_texts_placed() {
        let load = |key: &str, at: u32, text: &str| Load {
            key: key.to_owned(),
            version: None,
            name: "f".to_owned(),
            range: TextRange::at(TextSize::from(at), TextSize::of(text)),
            text: text.to_owned(),
            hash: 0,
            label: String::new(),
        };
        let loads = [
            load("broken.yin", 7, "(defn f [x] (+ x"),
            load("lib.yin", 40, "(defn g [y] (* y 3))"),
        ];
        let form = RunForm {
            key: "main.yin".to_owned(),
            version: Some(2),
            range: TextRange::at(TextSize::from(100), TextSize::of("(g 2)")),
            text: "(g 2)".to_owned(),
            defines: None,
        };
        let mut debug = DebugSession::start(&loads, &form, Limits::inline());
        let mut places = Vec::new();
        for _ in 0..2 {
            let at = debug.view().control.at;
            places.push(at.map(|at| format!("{} {:?}", at.key, at.range)));
            debug.step(1, &|| false);
        }
        expect![[r#"[Some("main.yin 100..105"), Some("lib.yin 52..59")]"#]]
            .assert_eq(&format!("{places:?}"));
    }

    const SNIPPETS: [&str; 8] = [
        "(defn f [x] (+ x 1))",
        "(defn g [y] (f (* y 2)))",
        "(def a 3)",
        "(defn h [z] (if (< z 1) 0 (h (dec z))))",
        "(defn f [x] (+ x",
        ")",
        "",
        "(defmacro m [x] (list 'inc x))",
    ];
    const FORMS: [&str; 5] = ["(g 2)", "(h 3)", "(f a)", "(inc (g (h 2)))", "(m (f 1))"];
    const KEYS: [&str; 3] = ["a.yin", "b.yin", "c.yin"];

    proptest::proptest! {
        /// Whatever was loaded (texts that do not read included), every place a state shows is
        /// inside a text the session read from that file.
        #[test]
        fn every_place_lies_in_a_text_read_from_its_file(
            loads in proptest::collection::vec((0..KEYS.len(), 0u32..500, 0..SNIPPETS.len()), 0..6),
            form in 0..FORMS.len(),
            form_at in 0u32..500,
        ) {
            let loads: Vec<Load> = loads
                .into_iter()
                .map(|(key, at, snippet)| Load {
                    key: KEYS[key].to_owned(),
                    version: None,
                    name: "x".to_owned(),
                    range: TextRange::at(TextSize::from(at), TextSize::of(SNIPPETS[snippet])),
                    text: SNIPPETS[snippet].to_owned(),
                    hash: 0,
                    label: String::new(),
                })
                .collect();
            let form = RunForm {
                key: KEYS[0].to_owned(),
                version: Some(1),
                range: TextRange::at(TextSize::from(form_at), TextSize::of(FORMS[form])),
                text: FORMS[form].to_owned(),
                defines: None,
            };
            let mut debug = DebugSession::start(&loads, &form, Limits::inline());
            for _ in 0..40 {
                let view = debug.view();
                let places = std::iter::once(&view.control.at)
                    .chain(view.continuation.iter().map(|f| &f.at))
                    .flatten();
                for at in places {
                    let read = std::iter::once((&form.key, form.range))
                        .chain(loads.iter().map(|l| (&l.key, l.range)))
                        .any(|(key, range)| **key == *at.key && range.contains_range(at.range));
                    proptest::prop_assert!(read, "{at:?} is in no text read from its file");
                }
                debug.step(1, &|| false);
            }
        }
    }
}
