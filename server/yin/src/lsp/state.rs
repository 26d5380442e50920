//! The server's state: what `initialize` agreed, the analysis host (every open document, its
//! lints, the rules and the workspace index: `analysis::host`) behind one lock, and what only the
//! protocol needs (the last semantic tokens sent, inline results, the files each debugging session read)
//! behind another.
//!
//! Ordering (docs/lsp.md has the long form). tower-lsp-server runs handlers as concurrent futures
//! (its `buffer_unordered`), but creates and first polls them in arrival order. Every change is
//! therefore applied to the host synchronously, under its lock, before its handler's first
//! `.await`: changes apply in arrival order, and a request arriving later sees them. A change with
//! any newer version applies at once (clients may skip versions: Neovim numbers changes by
//! `changedtick`); an older one is dropped and logged. Diagnostics computed for a version are
//! queued for publication only if that version is still current, under the host's lock, so the
//! one publishing task sees versions in order.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use analysis::host::{self, AnalysisHost, Applied, Change, FileFindings, HostConfig};
use analysis::{ContentChange, DocumentSnapshot, InlineResults, PositionEncoding, SourceFile};
use tokio::sync::mpsc;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{Diagnostic, Uri};

use super::live::PlanFiles;
use super::memory::Reaper;
use super::semantic_tokens::{TokenCache, Tokens};

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
pub(crate) enum Changed {
    /// Applied: the document as it now is (boxed: a snapshot is far larger than the other
    /// outcomes).
    Current(Box<Snapshot>),
    /// Not newer than the document: dropped.
    Stale { current: i32 },
    /// Not an open document.
    Unknown,
    /// An edit was refused or panicked; the message says which. Edits before it stay applied.
    Failed(String),
}

/// Diagnostics to publish, queued in the order they must reach the client.
#[derive(Debug)]
pub(crate) struct Publish {
    pub(crate) uri: Uri,
    pub(crate) version: Option<i32>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// What `initialize` agreed with the client.
#[derive(Clone, Debug)]
pub(crate) struct Init {
    pub(crate) encoding: PositionEncoding,
    /// The folders to index for `workspace/symbol`.
    pub(crate) roots: Vec<PathBuf>,
    /// Whether the client accepts server-initiated `$/progress`.
    pub(crate) work_done_progress: bool,
    /// Whether the client accepts `workspace/inlayHint/refresh`.
    pub(crate) inlay_hint_refresh: bool,
    /// Whether the client accepts a dynamic registration of `didChangeWatchedFiles`.
    pub(crate) watch_registration: bool,
}

/// What only the protocol keeps, per document.
#[derive(Default)]
struct Editor {
    /// The last tokens sent per document, under their result id, for deltas.
    tokens: HashMap<String, (String, Arc<Tokens>)>,
    /// Per document, what its highlighting units encoded to (`semantic_tokens`).
    token_caches: HashMap<String, TokenCache>,
    next_result_id: u64,
    /// The last inline evaluation result of each form, per document.
    results: HashMap<String, InlineResults>,
    /// The files each debugging session's plan read, by key, for converting its ranges.
    debug_sessions: HashMap<u64, Arc<PlanFiles>>,
}

pub(crate) struct State {
    init: OnceLock<Init>,
    /// Keyed by the URI's text: `Uri` caches parts of itself in cells, so it makes a poor key.
    host: Mutex<AnalysisHost>,
    editor: Mutex<Editor>,
    publish: mpsc::UnboundedSender<Publish>,
    shut_down: AtomicBool,
    reaper: Reaper,
}

impl State {
    /// `publish` is where diagnostics go, in order: the server forwards them to the client.
    pub(crate) fn new(publish: mpsc::UnboundedSender<Publish>) -> Arc<State> {
        Arc::new(State {
            init: OnceLock::new(),
            host: Mutex::new(AnalysisHost::new(HostConfig {
                encoding: PositionEncoding::Utf16,
                extra_rules: None,
            })),
            editor: Mutex::new(Editor::default()),
            publish,
            shut_down: AtomicBool::new(false),
            reaper: Reaper::start(),
        })
    }

    /// Records what `initialize` agreed; a second `initialize` cannot change it.
    pub(crate) fn initialize(&self, init: Init) -> &Init {
        let mut first = false;
        let agreed = self.init.get_or_init(|| {
            first = true;
            init
        });
        if first {
            let mut host = self.host();
            host.apply(Change::Encoding(agreed.encoding));
            host.apply(Change::Roots(agreed.roots.clone()));
        }
        agreed
    }

    fn init(&self) -> Option<&Init> {
        self.init.get()
    }

    pub(crate) fn encoding(&self) -> PositionEncoding {
        self.init()
            .map_or(PositionEncoding::Utf16, |init| init.encoding)
    }

    pub(crate) fn workspace_roots(&self) -> Vec<PathBuf> {
        self.init()
            .map(|init| init.roots.clone())
            .unwrap_or_default()
    }

    pub(crate) fn shows_progress(&self) -> bool {
        self.init().is_some_and(|init| init.work_done_progress)
    }

    pub(crate) fn refreshes_inlay_hints(&self) -> bool {
        self.init().is_some_and(|init| init.inlay_hint_refresh)
    }

    pub(crate) fn registers_watchers(&self) -> bool {
        self.init().is_some_and(|init| init.watch_registration)
    }

    pub(crate) fn shut_down(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
    }

    pub(crate) fn was_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    fn host(&self) -> MutexGuard<'_, AnalysisHost> {
        host::lock(&self.host)
    }

    fn editor(&self) -> MutexGuard<'_, Editor> {
        // Nothing in the editor state can be left half-updated by a panic.
        self.editor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn snapshot_of(&self, uri: Uri, document: DocumentSnapshot) -> Snapshot {
        Snapshot {
            uri,
            version: document.version,
            opening: document.opening,
            file: document.file,
            encoding: self.encoding(),
        }
    }

    /// Opens (or reopens) a document; `file` is its text, parsed and lowered off the lock.
    pub(crate) fn open(&self, uri: Uri, version: i32, file: SourceFile) -> Option<Snapshot> {
        let path = uri.to_file_path().map(|p| p.into_owned());
        let applied = self.host().apply(Change::Open {
            key: uri.as_str().to_owned(),
            path,
            version,
            file,
        });
        match applied {
            Applied::Current(document) => Some(self.snapshot_of(uri, document)),
            _ => None,
        }
    }

    /// Applies one `didChange`, synchronously.
    pub(crate) fn change(&self, uri: &Uri, version: i32, changes: Vec<ContentChange>) -> Changed {
        let applied = self.host().apply(Change::Edit {
            key: uri.as_str().to_owned(),
            version,
            changes,
        });
        match applied {
            Applied::Current(document) => {
                Changed::Current(Box::new(self.snapshot_of(uri.clone(), document)))
            }
            Applied::Stale { current } => Changed::Stale { current },
            Applied::Failed(message) => Changed::Failed(message),
            Applied::Unknown | Applied::Done | Applied::Closed(_) => Changed::Unknown,
        }
    }

    /// Waits until the documents closed so far are freed.
    pub(crate) fn settle(&self) {
        self.reaper.settle();
    }

    pub(crate) fn close(&self, uri: &Uri) {
        let closed = {
            let mut host = self.host();
            let applied = host.apply(Change::Close {
                key: uri.as_str().to_owned(),
            });
            // Clears the client's diagnostics for the closed file, queued under the host's lock
            // after any earlier publication.
            let _ = self.publish.send(Publish {
                uri: uri.clone(),
                version: None,
                diagnostics: Vec::new(),
            });
            applied
        };
        // Freeing a large document takes milliseconds: not under the host's lock, nor on the
        // async thread the next message waits for, nor in competition with the next open.
        self.reaper.free(closed);
        let mut editor = self.editor();
        editor.tokens.remove(uri.as_str());
        editor.token_caches.remove(uri.as_str());
        editor.results.remove(uri.as_str());
    }

    /// The document as it is now. `None` if it is not open.
    pub(crate) fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let document = self.host().snapshot(uri.as_str())?;
        Some(self.snapshot_of(uri.clone(), document))
    }

    /// Every open document, in URI order (for queries over the workspace).
    pub(crate) fn snapshots(&self) -> Vec<Snapshot> {
        let documents = self.host().snapshots();
        documents
            .into_iter()
            .filter_map(|d| {
                let uri = d.key.parse::<Uri>().ok()?;
                Some(self.snapshot_of(uri, d))
            })
            .collect()
    }

    /// Whether `snapshot` is still the document as it is.
    pub(crate) fn is_current(&self, snapshot: &Snapshot) -> bool {
        self.host()
            .is_version(snapshot.uri.as_str(), snapshot.opening, snapshot.version)
    }

    /// The findings of the document as it is now, from its lint session. Runs the lints: call
    /// this off the async threads.
    pub(crate) fn findings(&self, uri: &Uri) -> Option<FileFindings> {
        host::findings(&self.host, uri.as_str())
    }

    /// Whether `path` is an open document.
    pub(crate) fn is_open_path(&self, path: &std::path::Path) -> bool {
        Uri::from_file_path(path).is_some_and(|uri| self.host().is_open(uri.as_str()))
    }

    /// Whether the document at `uri` is open in its opening `opening` at `version`.
    pub(crate) fn is_version(&self, uri: &Uri, opening: u64, version: i32) -> bool {
        self.host().is_version(uri.as_str(), opening, version)
    }

    /// Queues diagnostics computed for `(opening, version)` with the rules of `generation` if
    /// that version is still current and those rules the latest. The check and the queueing
    /// happen under the host's lock, so the queue sees versions in order.
    pub(crate) fn publish_if_current(
        &self,
        uri: &Uri,
        (opening, version): (u64, i32),
        generation: u64,
        diagnostics: Vec<Diagnostic>,
    ) {
        let host = self.host();
        if host.is_version(uri.as_str(), opening, version) && host.rules_generation() == generation
        {
            let _ = self.publish.send(Publish {
                uri: uri.clone(),
                version: Some(version),
                diagnostics,
            });
        }
    }

    /// A rule or configuration source changed: the rules are read again on next use.
    pub(crate) fn forget_rules(&self) {
        self.host().apply(Change::RulesChanged);
    }

    /// A number for a reading of the disk about to start (see `AnalysisHost::start_reading`).
    pub(crate) fn start_reading(&self) -> u64 {
        self.host().start_reading()
    }

    /// Records what reading `reading` found in the file at `uri`.
    pub(crate) fn record_indexed(
        &self,
        reading: u64,
        uri: &Uri,
        symbols: Option<Vec<analysis::IndexedSymbol>>,
    ) {
        self.host().apply(Change::DiskFile {
            key: uri.as_str().to_owned(),
            reading,
            symbols,
        });
    }

    /// The indexed definitions matching `query`, in URI order, of the files not open.
    pub(crate) fn indexed_matching(&self, query: &str) -> Vec<(Uri, analysis::IndexedSymbol)> {
        self.host()
            .indexed_matching(query)
            .into_iter()
            .filter_map(|(key, symbol)| Some((key.parse::<Uri>().ok()?, symbol)))
            .collect()
    }

    /// Records what evaluating the form with text `form` showed, for hover and inlay hints.
    pub(crate) fn record_result(&self, uri: &Uri, form: String, shown: String) {
        self.editor()
            .results
            .entry(uri.as_str().to_owned())
            .or_default()
            .record(form, shown);
    }

    /// The document's recorded inline results (a copy, for a request to read off the lock).
    pub(crate) fn inline_results(&self, uri: &Uri) -> InlineResults {
        self.editor()
            .results
            .get(uri.as_str())
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn remember_debug_session(&self, session: u64, files: PlanFiles) {
        self.editor()
            .debug_sessions
            .insert(session, Arc::new(files));
    }

    /// The files a debugging session's plan read; `None` for an unknown session.
    pub(crate) fn debug_session(&self, session: u64) -> Option<Arc<PlanFiles>> {
        self.editor().debug_sessions.get(&session).cloned()
    }

    pub(crate) fn forget_debug_session(&self, session: u64) {
        self.editor().debug_sessions.remove(&session);
    }

    /// The document's token cache, taken out for one request to fill (a request running at
    /// the same time starts from an empty one).
    pub(crate) fn take_token_cache(&self, uri: &Uri, encoding: PositionEncoding) -> TokenCache {
        self.editor()
            .token_caches
            .remove(uri.as_str())
            .unwrap_or_else(|| TokenCache::new(encoding))
    }

    /// Gives back a document's token cache, unless the document was closed meanwhile.
    pub(crate) fn put_token_cache(&self, uri: &Uri, cache: TokenCache) {
        if self.host().is_open(uri.as_str()) {
            self.editor()
                .token_caches
                .insert(uri.as_str().to_owned(), cache);
        }
    }

    /// Remembers `tokens` as the latest sent for `uri`; returns their new result id.
    pub(crate) fn remember_tokens(&self, uri: &Uri, tokens: Arc<Tokens>) -> String {
        let mut editor = self.editor();
        editor.next_result_id += 1;
        let id = editor.next_result_id.to_string();
        editor
            .tokens
            .insert(uri.as_str().to_owned(), (id.clone(), tokens));
        id
    }

    /// The tokens last sent for `uri` under `result_id`, if that is still the latest.
    pub(crate) fn tokens_sent(&self, uri: &Uri, result_id: &str) -> Option<Arc<Tokens>> {
        self.editor()
            .tokens
            .get(uri.as_str())
            .filter(|(id, _)| id == result_id)
            .map(|(_, tokens)| tokens.clone())
    }
}

#[cfg(test)]
mod tests {
    use analysis::{Position, Range, TextEdit};

    use super::*;

    fn uri() -> Uri {
        "file:///t.yin".parse().expect("a valid URI")
    }

    fn insert(line: u32, character: u32, text: &str) -> Vec<ContentChange> {
        let at = Position::new(line, character);
        vec![ContentChange::Edit(TextEdit::new(Range::new(at, at), text))]
    }

    fn state_with(text: &str) -> (Arc<State>, mpsc::UnboundedReceiver<Publish>) {
        let (publish, queue) = mpsc::unbounded_channel();
        let state = State::new(publish);
        state.open(uri(), 1, SourceFile::from_text(text));
        (state, queue)
    }

    fn text(state: &State) -> String {
        state
            .snapshot(&uri())
            .map(|s| s.file.text())
            .unwrap_or_default()
    }

    #[test]
    fn any_newer_version_applies_at_once_and_older_ones_are_dropped() {
        let (state, _queue) = state_with("()");
        assert!(
            matches!(state.change(&uri(), 2, insert(0, 1, "a")), Changed::Current(s) if s.version == 2)
        );
        // Neovim numbers changes by changedtick: versions may skip.
        assert!(
            matches!(state.change(&uri(), 5, insert(0, 2, "b")), Changed::Current(s) if s.version == 5)
        );
        assert_eq!(text(&state), "(ab)");
        assert!(matches!(
            state.change(&uri(), 4, insert(0, 0, "!")),
            Changed::Stale { current: 5 }
        ));
        assert_eq!(text(&state), "(ab)");
        let unknown: Uri = "file:///other.yin".parse().expect("a valid URI");
        assert!(matches!(
            state.change(&unknown, 2, Vec::new()),
            Changed::Unknown
        ));
    }

    #[test]
    fn outdated_diagnostics_are_not_queued() {
        let (state, mut queue) = state_with("()");
        let publish = |found: &FileFindings| {
            let at = (found.snapshot.opening, found.snapshot.version);
            state.publish_if_current(&uri(), at, found.rules_generation, Vec::new());
        };
        let first = state.findings(&uri()).expect("open");
        state.change(&uri(), 2, insert(0, 1, "a"));
        publish(&first);
        assert!(queue.try_recv().is_err(), "version 1 is outdated");
        let second = state.findings(&uri()).expect("open");
        publish(&second);
        assert_eq!(queue.try_recv().ok().and_then(|p| p.version), Some(2));
        // Reopening restarts versions: findings of the earlier opening are still outdated.
        state.open(uri(), 2, SourceFile::from_text("()"));
        publish(&second);
        assert!(queue.try_recv().is_err(), "from the previous opening");
        // Findings made with rules since reloaded are outdated too.
        let third = state.findings(&uri()).expect("open");
        state.forget_rules();
        publish(&third);
        assert!(queue.try_recv().is_err(), "from older rules");
    }

    #[test]
    fn a_refused_edit_is_reported() {
        let (state, _queue) = state_with("()");
        let backwards = Range::new(Position::new(0, 2), Position::new(0, 1));
        let change = vec![ContentChange::Edit(TextEdit::new(backwards, "x"))];
        assert!(
            matches!(state.change(&uri(), 2, change), Changed::Failed(message) if message.starts_with("version 2:"))
        );
        assert_eq!(text(&state), "()");
    }
}
