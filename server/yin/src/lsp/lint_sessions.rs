//! One `analysis::lints::LintSession` per open document, so that a keystroke's diagnostics cost
//! an incremental update of the document's database and only the rules the edit concerns, not a
//! whole lint run. Each session only moves forwards: a snapshot newer than the session is
//! reached by one `edit` to its text, the findings of the session's version are kept for the
//! requests that need them (code actions, pull diagnostics), and a snapshot older than the
//! session (an outdated request) is linted from scratch without touching it.
//!
//! A session belongs to one opening of a document and one loaded rule set: reopening the
//! document or reloading the rules starts a new session. A panic while editing a session drops
//! it (the next computation starts afresh) instead of leaving it half-updated.
//!
//! Opening a document starts its session on the blocking pool at once ([`LintSessions::start`]),
//! while the async thread parses and lowers the document for the other features: the two take
//! about the same time, so on two cores an open's first diagnostics come in about half the time.
//!
//! `YIN_LSP_LINTS=scratch` in the server's environment turns sessions off: every version is then
//! linted afresh with `analysis::lints::lint`, as before sessions existed. Only the benchmark
//! (`server/yin/benches/lsp_replay.rs`) sets it, to measure what the sessions save in the same
//! run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use analysis::Finding;
use analysis::lints::{LintSession, RuleSet, lint};

use super::state::Snapshot;

/// What a document's diagnostics are made of: syntax and lowering problems, then lint
/// findings, in source order.
pub(crate) type Findings = Arc<Vec<Finding>>;

pub(crate) struct LintSessions {
    /// Keyed by the URI's text. Each document has its own lock, so documents lint in parallel
    /// while the versions of one document take their turns.
    sessions: Mutex<HashMap<String, Slot>>,
    from_scratch: bool,
}

type Slot = Arc<Mutex<Option<Session>>>;

struct Session {
    opening: u64,
    version: i32,
    rules: Arc<RuleSet>,
    /// `None` when sessions are turned off: the findings are then only a cache.
    lints: Option<LintSession>,
    /// The lint findings of `version`.
    lint_findings: Vec<Finding>,
    /// With the syntax and lowering findings, once a snapshot of `version` asked for them.
    findings: Option<Findings>,
}

impl LintSessions {
    pub(crate) fn new() -> LintSessions {
        LintSessions {
            sessions: Mutex::new(HashMap::new()),
            from_scratch: std::env::var("YIN_LSP_LINTS").is_ok_and(|mode| mode == "scratch"),
        }
    }

    fn slot(&self, uri: &str) -> Slot {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(uri.to_owned())
            .or_default()
            .clone()
    }

    /// Starts the session of a document just opened (`opening`, at `version`) from its text,
    /// unless its diagnostics already did. `still_open` says whether that opening is still the
    /// document's, checked once the session is in place: a session of a closed document is
    /// dropped. Runs every rule: call it off the async threads.
    pub(crate) fn start(
        &self,
        uri: &str,
        (opening, version): (u64, i32),
        rules: Arc<RuleSet>,
        text: &str,
        still_open: impl Fn() -> bool,
    ) {
        if self.from_scratch {
            return;
        }
        let slot = self.slot(uri);
        let mut session = lock(&slot);
        if session.as_ref().is_some_and(|s| s.opening >= opening) {
            return;
        }
        let lints = LintSession::new((*rules).clone(), text);
        *session = Some(Session {
            opening,
            version,
            rules,
            lint_findings: lints.report().findings,
            lints: Some(lints),
            findings: None,
        });
        if !still_open() {
            *session = None;
            drop(session);
            self.forget(uri);
        }
    }

    /// The findings of `snapshot` with `rules`, from the document's session: reused when the
    /// session is at this version, else the session is brought forward to it. Runs the lints:
    /// call it off the async threads. `still_open` is as for [`LintSessions::start`].
    pub(crate) fn findings(
        &self,
        snapshot: &Snapshot,
        rules: &Arc<RuleSet>,
        still_open: impl Fn() -> bool,
    ) -> Findings {
        let uri = snapshot.uri.as_str();
        let slot = self.slot(uri);
        let mut session = lock(&slot);
        let continues =
            |s: &&mut Session| s.opening == snapshot.opening && Arc::ptr_eq(&s.rules, rules);
        let findings = match session.as_mut().filter(continues) {
            Some(s) if s.version == snapshot.version => s
                .findings
                .get_or_insert_with(|| combine(snapshot, s.lint_findings.clone()))
                .clone(),
            // An outdated request: the session must not go back.
            Some(s) if s.version > snapshot.version => {
                return combine(snapshot, lint(&snapshot.file, rules).findings);
            }
            Some(s) => {
                s.lint_findings = match &mut s.lints {
                    Some(lints) => {
                        lints.edit(&snapshot.file.text());
                        lints.report().findings
                    }
                    None => lint(&snapshot.file, rules).findings,
                };
                s.version = snapshot.version;
                s.findings
                    .insert(combine(snapshot, s.lint_findings.clone()))
                    .clone()
            }
            None => {
                let (lints, lint_findings) = if self.from_scratch {
                    (None, lint(&snapshot.file, rules).findings)
                } else {
                    let lints = LintSession::new((**rules).clone(), &snapshot.file.text());
                    let found = lints.report().findings;
                    (Some(lints), found)
                };
                let findings = combine(snapshot, lint_findings.clone());
                *session = Some(Session {
                    opening: snapshot.opening,
                    version: snapshot.version,
                    rules: rules.clone(),
                    lints,
                    lint_findings,
                    findings: Some(findings.clone()),
                });
                findings
            }
        };
        if !still_open() {
            *session = None;
            drop(session);
            self.forget(uri);
        }
        findings
    }

    /// Forgets the document's session (it was closed); returns it, for the caller to drop where
    /// it likes.
    pub(crate) fn forget(&self, uri: &str) -> impl Send + use<> {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(uri)
    }
}

/// Locks a document's slot. After a panic while editing, the session may be half-updated: it is
/// dropped.
fn lock(slot: &Slot) -> MutexGuard<'_, Option<Session>> {
    let session = slot.lock().unwrap_or_else(|poisoned| {
        let mut session = poisoned.into_inner();
        *session = None;
        session
    });
    slot.clear_poison();
    session
}

/// The syntax and lowering findings of the snapshot and its lint findings, in source order.
fn combine(snapshot: &Snapshot, lints: Vec<Finding>) -> Findings {
    let mut findings = analysis::check_text(&snapshot.file);
    findings.extend(lints);
    findings.sort_by(|a, b| {
        (a.range.start(), a.range.end(), &a.rule).cmp(&(b.range.start(), b.range.end(), &b.rule))
    });
    Arc::new(findings)
}

#[cfg(test)]
mod tests {
    use analysis::{PositionEncoding, SourceFile};

    use super::*;

    fn snapshot(opening: u64, version: i32, text: &str) -> Snapshot {
        Snapshot {
            uri: "file:///t.yin".parse().expect("a valid URI"),
            version,
            opening,
            file: SourceFile::from_text(text),
            encoding: PositionEncoding::Utf16,
        }
    }

    fn summary(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| format!("{:?} {}", f.range, f.rule))
            .collect()
    }

    /// What linting the snapshot from scratch finds.
    fn fresh(snapshot: &Snapshot, rules: &RuleSet) -> Vec<String> {
        summary(&combine(snapshot, lint(&snapshot.file, rules).findings))
    }

    const TEXTS: [&str; 4] = [
        "(let [x 1] 2)",
        "(let [x 1] x)",
        "(let [x 1 y (do 2)] x",
        "(let [x 1 y (do 2)] x)",
    ];

    #[test]
    fn a_session_moves_forward_and_finds_what_a_fresh_lint_finds() {
        let sessions = LintSessions::new();
        let rules = Arc::new(RuleSet::builtin());
        let mut latest = None;
        for (n, text) in TEXTS.iter().enumerate() {
            let s = snapshot(0, n as i32 + 1, text);
            let found = sessions.findings(&s, &rules, || true);
            assert_eq!(summary(&found), fresh(&s, &rules), "version {}", n + 1);
            latest = Some(found);
        }
        expect_test::expect![[r#"
            [
                "10..11 unused-binding",
                "12..18 redundant-do",
            ]
        "#]]
        .assert_debug_eq(&summary(latest.as_deref().expect("linted")));
        // An outdated request is answered afresh; the session stays at its version, whose
        // findings are then reused as they are.
        let old = snapshot(0, 1, TEXTS[0]);
        assert_eq!(
            summary(&sessions.findings(&old, &rules, || true)),
            fresh(&old, &rules)
        );
        let again = sessions.findings(&snapshot(0, 4, TEXTS[3]), &rules, || true);
        assert!(Arc::ptr_eq(&again, latest.as_ref().expect("linted")));
    }

    #[test]
    fn a_new_opening_or_new_rules_start_a_new_session() {
        let sessions = LintSessions::new();
        let rules = Arc::new(RuleSet::builtin());
        sessions.findings(&snapshot(0, 7, TEXTS[3]), &rules, || true);
        // Reopened: versions start again, and the session must not take version 1 as older.
        let reopened = snapshot(1, 1, TEXTS[1]);
        let found = sessions.findings(&reopened, &rules, || true);
        assert_eq!(summary(&found), fresh(&reopened, &rules));
        let reloaded = Arc::new(RuleSet::builtin());
        let again = sessions.findings(&reopened, &reloaded, || true);
        assert!(
            !Arc::ptr_eq(&found, &again),
            "linted again with the new rules"
        );
        // A session started at opening (from the text alone) serves the first diagnostics.
        let started = snapshot(2, 1, TEXTS[0]);
        sessions.start("file:///t.yin", (2, 1), rules.clone(), TEXTS[0], || true);
        assert_eq!(
            summary(&sessions.findings(&started, &rules, || true)),
            fresh(&started, &rules)
        );
    }

    #[test]
    fn a_closed_document_keeps_no_session() {
        let sessions = LintSessions::new();
        let rules = Arc::new(RuleSet::builtin());
        sessions.findings(&snapshot(0, 1, TEXTS[0]), &rules, || false);
        sessions.start("file:///t.yin", (1, 1), rules, TEXTS[0], || false);
        assert!(
            sessions
                .sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
        );
    }
}
