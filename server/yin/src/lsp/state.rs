//! The server's state: the negotiated position encoding, the open documents, the last semantic
//! tokens sent, and the one ordered path every text change takes.
//!
//! Ordering (docs/lsp.md has the long form). tower-lsp-server runs handlers as concurrent futures
//! (its `buffer_unordered`), but creates and first polls them in arrival order. Every change is
//! therefore applied synchronously, under one lock, before its handler's first `.await`: changes
//! apply in arrival order, and a request arriving later sees them. As a second line of defence a
//! change whose version skips ahead of the document's is held back until the versions between
//! arrive, or until a short grace period passes or any request reads the document (clients may
//! legitimately skip versions: Neovim numbers changes by `changedtick`). A change older than the
//! document is dropped and logged. Diagnostics computed for a version are published only if that
//! version is still current, in version order, by one publishing task.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use analysis::lints::{RuleSet, workspace_root};
use analysis::{IndexedSymbol, InlineResults, PositionEncoding, SourceFile, TextEdit};
use tokio::sync::mpsc;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{Diagnostic, SemanticToken, Uri};

use super::lint_sessions::{Findings, LintSessions};

/// One content change of a `didChange`.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    Edit(TextEdit),
    Replace(String),
}

/// An open document as one request sees it: cheap to clone, unaffected by later edits.
#[derive(Clone)]
pub(crate) struct Snapshot {
    pub(crate) uri: Uri,
    pub(crate) version: i32,
    /// Which opening of the document this is: a reopened document may reuse version numbers.
    pub(crate) opening: u64,
    pub(crate) file: SourceFile,
    pub(crate) encoding: PositionEncoding,
}

/// What became of a `didChange`.
pub(crate) enum Applied {
    /// Applied (with any held-back changes it unblocked): the document as it now is.
    Current(Snapshot),
    /// Held back until the versions before it arrive.
    Held,
    /// Older than the document: dropped.
    Stale { current: i32 },
    /// Not an open document.
    Unknown,
    /// An edit was refused or panicked; the message says which. Edits before it stay applied.
    Failed(String),
}

/// One indexed file: what the latest reading of the disk found.
struct Indexed {
    uri: Uri,
    reading: u64,
    symbols: Option<Vec<IndexedSymbol>>,
}

struct Open {
    file: SourceFile,
    version: i32,
    opening: u64,
    held: BTreeMap<i32, Vec<Change>>,
}

/// Diagnostics to publish, queued in the order they must reach the client.
#[derive(Debug)]
pub(crate) struct Publish {
    pub(crate) uri: Uri,
    pub(crate) version: Option<i32>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

pub(crate) struct State {
    encoding: OnceLock<PositionEncoding>,
    /// Keyed by the URI's text: `Uri` caches parts of itself in cells, so it makes a poor key.
    documents: Mutex<HashMap<String, Open>>,
    /// The folders to index for `workspace/symbol`, from `initialize`.
    roots: Mutex<Vec<PathBuf>>,
    /// Whether the client accepts server-initiated `$/progress`.
    work_done_progress: AtomicBool,
    /// Whether the client accepts `workspace/inlayHint/refresh`.
    inlay_hint_refresh: AtomicBool,
    /// The definitions of the `.yin` files under the roots as they are on disk, by URI.
    indexed: Mutex<BTreeMap<String, Indexed>>,
    /// Orders readings of the disk for the index: a reading started later wins.
    next_reading: AtomicU64,
    /// The document each debugging session started in.
    debug_sessions: Mutex<HashMap<u64, Uri>>,
    /// The last inline evaluation result of each form, per document.
    results: Mutex<HashMap<String, InlineResults>>,
    /// The last full token list sent per document, under its result id, for deltas.
    tokens: Mutex<HashMap<String, (String, Vec<SemanticToken>)>>,
    /// Each workspace root's rules, loaded on first use and dropped when a rule file changes.
    /// The empty path holds the built-in rules, for documents outside any workspace.
    rules: Mutex<HashMap<PathBuf, Arc<RuleSet>>>,
    /// Counts reloads of the rules: diagnostics computed with rules older than the latest are
    /// not published (the reload republishes every open document).
    rules_generation: AtomicU64,
    /// Each open document's lint session, advanced in version order by its diagnostics.
    lints: LintSessions,
    /// Whether the client accepts a dynamic registration of `didChangeWatchedFiles`.
    watch_registration: AtomicBool,
    next_result_id: AtomicU64,
    next_opening: AtomicU64,
    /// One past the latest opening whose document is in `documents` (or was, until closed).
    opened: AtomicU64,
    publish: mpsc::UnboundedSender<Publish>,
    shut_down: AtomicBool,
}

impl State {
    /// `publish` is where diagnostics go, in order: the server forwards them to the client.
    pub(crate) fn new(publish: mpsc::UnboundedSender<Publish>) -> Arc<State> {
        Arc::new(State {
            encoding: OnceLock::new(),
            documents: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            results: Mutex::new(HashMap::new()),
            debug_sessions: Mutex::new(HashMap::new()),
            roots: Mutex::new(Vec::new()),
            work_done_progress: AtomicBool::new(false),
            inlay_hint_refresh: AtomicBool::new(false),
            indexed: Mutex::new(BTreeMap::new()),
            next_reading: AtomicU64::new(0),
            rules: Mutex::new(HashMap::new()),
            rules_generation: AtomicU64::new(0),
            lints: LintSessions::new(),
            watch_registration: AtomicBool::new(false),
            next_result_id: AtomicU64::new(1),
            next_opening: AtomicU64::new(0),
            opened: AtomicU64::new(0),
            publish,
            shut_down: AtomicBool::new(false),
        })
    }

    /// Records the encoding agreed in `initialize`; a second `initialize` cannot change it.
    pub(crate) fn set_encoding(&self, encoding: PositionEncoding) -> PositionEncoding {
        *self.encoding.get_or_init(|| encoding)
    }

    pub(crate) fn encoding(&self) -> PositionEncoding {
        self.encoding
            .get()
            .copied()
            .unwrap_or(PositionEncoding::Utf16)
    }

    pub(crate) fn shut_down(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
    }

    pub(crate) fn was_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    fn documents(&self) -> MutexGuard<'_, HashMap<String, Open>> {
        // A panic while holding the lock is caught where it happens and the document dropped,
        // so the map itself is consistent.
        self.documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A number for the opening of a document about to be opened.
    pub(crate) fn new_opening(&self) -> u64 {
        self.next_opening.fetch_add(1, Ordering::SeqCst)
    }

    /// Opens a document as its opening `opening` (from [`State::new_opening`]): parses and
    /// lowers it, synchronously.
    pub(crate) fn open(&self, uri: Uri, opening: u64, version: i32, text: &str) -> Snapshot {
        let open = Open {
            file: SourceFile::from_text(text),
            version,
            opening,
            held: BTreeMap::new(),
        };
        let snapshot = self.snapshot_of(&uri, &open);
        self.documents().insert(uri.as_str().to_owned(), open);
        self.opened.fetch_max(opening + 1, Ordering::SeqCst);
        snapshot
    }

    /// Records what evaluating the form with text `form` showed, for hover and inlay hints.
    pub(crate) fn record_result(&self, uri: &Uri, form: String, shown: String) {
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(uri.as_str().to_owned())
            .or_default()
            .record(form, shown);
    }

    /// Records the workspace folders and whether the client shows server progress.
    pub(crate) fn set_workspace(&self, roots: Vec<PathBuf>, work_done_progress: bool) {
        *self.roots.lock().unwrap_or_else(PoisonError::into_inner) = roots;
        self.work_done_progress
            .store(work_done_progress, Ordering::SeqCst);
    }

    pub(crate) fn workspace_roots(&self) -> Vec<PathBuf> {
        self.roots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The rules for the document at `path`: those of the nearest folder above it holding
    /// `.yin/`, else of the workspace folder containing it, else the built-in ones. The second
    /// value says whether they were loaded just now (their problems not yet reported).
    /// Loading reads the disk: call this off the async threads.
    pub(crate) fn rules_for(&self, path: Option<&Path>) -> (Arc<RuleSet>, bool) {
        let root = self.rules_root(path);
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(set) = rules.get(&root) {
            return (set.clone(), false);
        }
        let set = Arc::new(if root.as_os_str().is_empty() {
            RuleSet::builtin()
        } else {
            RuleSet::for_workspace(&root, None)
        });
        rules.insert(root, set.clone());
        (set, true)
    }

    /// The folder whose rules apply to the document at `path`; empty for the built-in rules.
    fn rules_root(&self, path: Option<&Path>) -> PathBuf {
        path.and_then(|path| {
            workspace_root(path).or_else(|| {
                self.workspace_roots()
                    .into_iter()
                    .find(|root| path.starts_with(root))
            })
        })
        .unwrap_or_default()
    }

    /// The rules for the document at `path` if they are loaded already (see
    /// [`State::rules_for`]). Looks for `.yin` folders on disk: call this off the async threads.
    fn loaded_rules_for(&self, path: Option<&Path>) -> Option<Arc<RuleSet>> {
        let root = self.rules_root(path);
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&root)
            .cloned()
    }

    /// Forgets every loaded rule set: the next diagnostics read the rule files again.
    pub(crate) fn forget_rules(&self) {
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        rules.clear();
        self.rules_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The findings of `snapshot` (syntax, lowering and lint problems, in source order), from
    /// the document's lint session. Runs the lints: call this off the async threads.
    pub(crate) fn findings(&self, snapshot: &Snapshot, rules: &Arc<RuleSet>) -> Findings {
        self.lints.findings(snapshot, rules, || {
            self.is_opening(snapshot.uri.as_str(), snapshot.opening)
        })
    }

    /// Starts the lint session of a document being opened, from its text, while the async
    /// thread parses it. Only with rules already loaded: the first load reports the rules'
    /// problems, which is the diagnostics' job. Call this off the async threads.
    pub(crate) fn start_lints(&self, uri: &Uri, opening: u64, version: i32, text: &str) {
        let path = uri.to_file_path().map(|p| p.into_owned());
        let Some(rules) = self.loaded_rules_for(path.as_deref()) else {
            return;
        };
        self.lints
            .start(uri.as_str(), (opening, version), rules, text, || {
                self.is_opening(uri.as_str(), opening)
            });
    }

    /// Whether the document at `uri` is open in its opening `opening`, or is being opened
    /// (documents are opened one at a time, in the order of their openings).
    fn is_opening(&self, uri: &str, opening: u64) -> bool {
        if self.opened.load(Ordering::SeqCst) <= opening {
            return true;
        }
        self.documents()
            .get(uri)
            .is_some_and(|open| open.opening == opening)
    }

    pub(crate) fn rules_generation(&self) -> u64 {
        self.rules_generation.load(Ordering::SeqCst)
    }

    pub(crate) fn set_watch_registration(&self, supported: bool) {
        self.watch_registration.store(supported, Ordering::SeqCst);
    }

    pub(crate) fn registers_watchers(&self) -> bool {
        self.watch_registration.load(Ordering::SeqCst)
    }

    /// Whether `uri` is an open document.
    pub(crate) fn is_open(&self, uri: &str) -> bool {
        self.documents().contains_key(uri)
    }

    pub(crate) fn set_inlay_hint_refresh(&self, supported: bool) {
        self.inlay_hint_refresh.store(supported, Ordering::SeqCst);
    }

    pub(crate) fn refreshes_inlay_hints(&self) -> bool {
        self.inlay_hint_refresh.load(Ordering::SeqCst)
    }

    pub(crate) fn shows_progress(&self) -> bool {
        self.work_done_progress.load(Ordering::SeqCst)
    }

    /// A number for a reading of the disk about to start: readings record their results only
    /// over older ones, so a slow reading (the initial indexing) cannot undo a newer one.
    pub(crate) fn start_reading(&self) -> u64 {
        self.next_reading.fetch_add(1, Ordering::SeqCst)
    }

    /// Records what reading `reading` found in the file at `uri`: its definitions, or `None`
    /// when it is gone (or no longer readable or indexable).
    pub(crate) fn record_indexed(
        &self,
        reading: u64,
        uri: Uri,
        symbols: Option<Vec<IndexedSymbol>>,
    ) {
        let mut indexed = self.indexed.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = indexed
            .entry(uri.as_str().to_owned())
            .or_insert_with(|| Indexed {
                uri,
                reading,
                symbols: None,
            });
        if entry.reading <= reading {
            entry.reading = reading;
            entry.symbols = symbols;
        }
    }

    /// The indexed definitions matching `query`, in URI order, of the files not open (an open
    /// document's text is newer than the disk's).
    pub(crate) fn indexed_matching(&self, query: &str) -> Vec<(Uri, IndexedSymbol)> {
        let open: std::collections::HashSet<String> = self.documents().keys().cloned().collect();
        let indexed = self.indexed.lock().unwrap_or_else(PoisonError::into_inner);
        indexed
            .iter()
            .filter(|(key, _)| !open.contains(*key))
            .flat_map(|(_, file)| {
                file.symbols
                    .iter()
                    .flatten()
                    .filter(|symbol| analysis::symbol_matches(query, &symbol.name))
                    .map(|symbol| (file.uri.clone(), symbol.clone()))
            })
            .collect()
    }

    pub(crate) fn remember_debug_session(&self, session: u64, uri: Uri) {
        self.debug_sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(session, uri);
    }

    pub(crate) fn debug_session(&self, session: u64) -> Option<Uri> {
        self.debug_sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&session)
            .cloned()
    }

    pub(crate) fn forget_debug_session(&self, session: u64) {
        self.debug_sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&session);
    }

    /// The document's recorded inline results (a copy, for a request to read off the lock).
    pub(crate) fn inline_results(&self, uri: &Uri) -> InlineResults {
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(uri.as_str())
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn close(&self, uri: &Uri) {
        let document = self.documents().remove(uri.as_str());
        let lints = self.lints.forget(uri.as_str());
        // Freeing a large document's trees, lowering and database takes milliseconds: not on
        // the async thread, which the next message is waiting for.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn_blocking(move || drop((document, lints)));
        }
        self.tokens().remove(uri.as_str());
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(uri.as_str());
        // Clears the client's diagnostics for the closed file; queued after any earlier publish.
        let _ = self.publish.send(Publish {
            uri: uri.clone(),
            version: None,
            diagnostics: Vec::new(),
        });
    }

    /// Applies (or holds back) one `didChange`, synchronously.
    pub(crate) fn change(&self, uri: &Uri, version: i32, changes: Vec<Change>) -> Applied {
        let encoding = self.encoding();
        let mut documents = self.documents();
        let Some(open) = documents.get_mut(uri.as_str()) else {
            return Applied::Unknown;
        };
        if version <= open.version || open.held.contains_key(&version) {
            return Applied::Stale {
                current: open.version,
            };
        }
        open.held.insert(version, changes);
        let result = drain(open, encoding, false);
        self.settle(&mut documents, uri, result)
    }

    /// Applies every held-back change of `uri` in version order, gaps or not.
    fn flush(&self, uri: &Uri) -> Applied {
        let encoding = self.encoding();
        let mut documents = self.documents();
        let Some(open) = documents.get_mut(uri.as_str()) else {
            return Applied::Unknown;
        };
        let result = drain(open, encoding, true);
        self.settle(&mut documents, uri, result)
    }

    fn settle(
        &self,
        documents: &mut HashMap<String, Open>,
        uri: &Uri,
        result: std::thread::Result<Result<bool, String>>,
    ) -> Applied {
        match result {
            Ok(Ok(true)) => match documents.get(uri.as_str()) {
                Some(open) => Applied::Current(self.snapshot_of(uri, open)),
                None => Applied::Unknown,
            },
            Ok(Ok(false)) => Applied::Held,
            Ok(Err(message)) => Applied::Failed(message),
            Err(_) => {
                // The document may be half-edited: forget it rather than serve a wrong text.
                documents.remove(uri.as_str());
                Applied::Failed(format!(
                    "applying a change to {} panicked; the document is closed on the server",
                    uri.as_str()
                ))
            }
        }
    }

    /// The document as it is now, held-back changes applied. `None` if it is not open.
    pub(crate) fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        match self.flush(uri) {
            Applied::Current(snapshot) => Some(snapshot),
            _ => {
                let documents = self.documents();
                let open = documents.get(uri.as_str())?;
                Some(self.snapshot_of(uri, open))
            }
        }
    }

    /// Every open document, in URI order (for queries over the workspace).
    pub(crate) fn snapshots(&self) -> Vec<Snapshot> {
        let mut uris: Vec<String> = self.documents().keys().cloned().collect();
        uris.sort();
        uris.iter()
            .filter_map(|uri| uri.parse::<Uri>().ok())
            .filter_map(|uri| self.snapshot(&uri))
            .collect()
    }

    fn snapshot_of(&self, uri: &Uri, open: &Open) -> Snapshot {
        Snapshot {
            uri: uri.clone(),
            version: open.version,
            opening: open.opening,
            file: open.file.clone(),
            encoding: self.encoding(),
        }
    }

    /// Whether `snapshot` is still the document as it is, with nothing held back.
    pub(crate) fn is_current(&self, snapshot: &Snapshot) -> bool {
        let documents = self.documents();
        is_current(&documents, snapshot)
    }

    /// Queues diagnostics computed for `snapshot` if it is still current. The check and the
    /// queueing happen under the documents lock, so the queue sees versions in order.
    pub(crate) fn publish_if_current(&self, snapshot: &Snapshot, diagnostics: Vec<Diagnostic>) {
        let documents = self.documents();
        if is_current(&documents, snapshot) {
            let _ = self.publish.send(Publish {
                uri: snapshot.uri.clone(),
                version: Some(snapshot.version),
                diagnostics,
            });
        }
    }

    fn tokens(&self) -> MutexGuard<'_, HashMap<String, (String, Vec<SemanticToken>)>> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers `tokens` as the latest sent for `uri`; returns their new result id.
    pub(crate) fn remember_tokens(&self, uri: &Uri, tokens: Vec<SemanticToken>) -> String {
        let id = self
            .next_result_id
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        self.tokens()
            .insert(uri.as_str().to_owned(), (id.clone(), tokens));
        id
    }

    /// The tokens last sent for `uri` under `result_id`, if that is still the latest.
    pub(crate) fn tokens_sent(&self, uri: &Uri, result_id: &str) -> Option<Vec<SemanticToken>> {
        self.tokens()
            .get(uri.as_str())
            .filter(|(id, _)| id == result_id)
            .map(|(_, tokens)| tokens.clone())
    }
}

fn is_current(documents: &HashMap<String, Open>, snapshot: &Snapshot) -> bool {
    documents.get(snapshot.uri.as_str()).is_some_and(|open| {
        open.opening == snapshot.opening && open.version == snapshot.version && open.held.is_empty()
    })
}

/// Applies held changes in version order: only consecutive versions unless `all`. Returns
/// whether anything was applied, or the refused edit's message; a panic is caught.
fn drain(
    open: &mut Open,
    encoding: PositionEncoding,
    all: bool,
) -> std::thread::Result<Result<bool, String>> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut applied = false;
        while let Some(entry) = open.held.first_entry() {
            let version = *entry.key();
            if !all && version != open.version.saturating_add(1) {
                break;
            }
            let changes = entry.remove();
            open.version = version;
            applied = true;
            apply(&mut open.file, encoding, changes)
                .map_err(|err| format!("version {version}: {err}"))?;
        }
        Ok(applied)
    }))
}

fn apply(
    file: &mut SourceFile,
    encoding: PositionEncoding,
    changes: Vec<Change>,
) -> Result<(), String> {
    let mut edits: Vec<TextEdit> = Vec::new();
    for change in changes {
        match change {
            Change::Edit(edit) => edits.push(edit),
            Change::Replace(text) => {
                flush_edits(file, encoding, &mut edits)?;
                file.replace_text(&text);
            }
        }
    }
    flush_edits(file, encoding, &mut edits)
}

/// Applies consecutive ranged edits in one go, so the tree is reparsed once for them.
fn flush_edits(
    file: &mut SourceFile,
    encoding: PositionEncoding,
    edits: &mut Vec<TextEdit>,
) -> Result<(), String> {
    if edits.is_empty() {
        return Ok(());
    }
    let result = file
        .apply_edits(edits, encoding)
        .map_err(|err| err.to_string());
    edits.clear();
    result
}

#[cfg(test)]
mod tests {
    use analysis::{Position, Range};

    use super::*;

    fn uri() -> Uri {
        "file:///t.yin".parse().expect("a valid URI")
    }

    fn insert(line: u32, character: u32, text: &str) -> Vec<Change> {
        let at = Position::new(line, character);
        vec![Change::Edit(TextEdit::new(Range::new(at, at), text))]
    }

    fn state_with(text: &str) -> (Arc<State>, mpsc::UnboundedReceiver<Publish>) {
        let (publish, queue) = mpsc::unbounded_channel();
        let state = State::new(publish);
        state.open(uri(), state.new_opening(), 1, text);
        (state, queue)
    }

    fn text(state: &State) -> String {
        state
            .snapshot(&uri())
            .map(|s| s.file.text())
            .unwrap_or_default()
    }

    #[test]
    fn consecutive_versions_apply_at_once() {
        let (state, _queue) = state_with("()");
        assert!(
            matches!(state.change(&uri(), 2, insert(0, 1, "a")), Applied::Current(s) if s.version == 2)
        );
        assert!(matches!(
            state.change(&uri(), 3, insert(0, 2, "b")),
            Applied::Current(_)
        ));
        assert_eq!(text(&state), "(ab)");
    }

    #[test]
    fn a_skipped_version_waits_for_its_predecessor() {
        let (state, _queue) = state_with("()");
        // Version 3 was written against the text version 2 leaves.
        assert!(matches!(
            state.change(&uri(), 3, insert(0, 2, "b")),
            Applied::Held
        ));
        match state.change(&uri(), 2, insert(0, 1, "a")) {
            Applied::Current(snapshot) => assert_eq!(snapshot.version, 3),
            _ => panic!("versions 2 and 3 both apply"),
        }
        assert_eq!(text(&state), "(ab)");
    }

    #[test]
    fn a_read_applies_held_changes_and_older_versions_are_dropped() {
        let (state, _queue) = state_with("()");
        assert!(matches!(
            state.change(&uri(), 5, insert(0, 1, "x")),
            Applied::Held
        ));
        assert_eq!(text(&state), "(x)");
        assert!(matches!(
            state.change(&uri(), 4, insert(0, 0, "!")),
            Applied::Stale { current: 5 }
        ));
        assert_eq!(text(&state), "(x)");
        let unknown: Uri = "file:///other.yin".parse().expect("a valid URI");
        assert!(matches!(
            state.change(&unknown, 2, Vec::new()),
            Applied::Unknown
        ));
    }

    #[test]
    fn outdated_diagnostics_are_not_queued() {
        let (state, mut queue) = state_with("()");
        let first = state.snapshot(&uri()).expect("open");
        state.change(&uri(), 2, insert(0, 1, "a"));
        state.publish_if_current(&first, Vec::new());
        assert!(queue.try_recv().is_err(), "version 1 is outdated");
        let second = state.snapshot(&uri()).expect("open");
        state.publish_if_current(&second, Vec::new());
        assert_eq!(queue.try_recv().ok().and_then(|p| p.version), Some(2));
        // Reopening restarts versions: a snapshot of the earlier opening is still outdated.
        state.open(uri(), state.new_opening(), 2, "()");
        state.publish_if_current(&second, Vec::new());
        assert!(queue.try_recv().is_err(), "from the previous opening");
    }

    #[test]
    fn a_refused_edit_is_reported() {
        let (state, _queue) = state_with("()");
        let backwards = Range::new(Position::new(0, 2), Position::new(0, 1));
        let change = vec![Change::Edit(TextEdit::new(backwards, "x"))];
        assert!(
            matches!(state.change(&uri(), 2, change), Applied::Failed(message) if message.starts_with("version 2:"))
        );
        assert_eq!(text(&state), "()");
    }
}
