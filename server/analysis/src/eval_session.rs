//! Interactive evaluation for editors: the top-level form at a cursor evaluated with the
//! file's earlier forms loaded (inline results), and debugging sessions that step a form
//! forwards and back (docs/vm.md, "Inline evaluation").
//!
//! Machine states are `Rc`-shared and stay on the thread that made them: a host builds an
//! [`EvalRequest`] (plain text, `Send`) from a snapshot, and runs [`evaluate`] and
//! [`DebugSession`] on its one evaluation thread. Runs go in slices of steps so that the host's
//! cancellation is noticed between slices, whatever the program does.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use syntax::Severity;
use syntax::reader::read_str;

use syntax::{TextRange, TextSize};
use vm::inspect::{History, view};
use vm::{Captured, Discard, Limits, Session, Status};

use crate::SourceFile;
use crate::live::plan::{
    FormSummary, Load, PlanError, PlanFile, PlanTarget, plan, summarize, summarize_text,
};
use crate::live::session::RunForm;
use crate::names::{form_at, innermost_form_at, top_level_form_at};

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
