//! The analysis host: the one owner of analysis state (ARCHITECTURE.md, "The analysis host").
//!
//! [`AnalysisHost`] holds the open documents, each with its [`SourceFile`], the lowering deltas
//! not yet given to its lint session, and its lint state; the rule sets per workspace root; the
//! workspace roots; and the symbol index of the files on disk. It changes only through
//! [`AnalysisHost::apply`], one [`Change`] at a time, and hands out [`DocumentSnapshot`]s, which
//! share the rope, tree and lowering with the host instead of copying them.
//!
//! Lints run in [`findings`], not when a change is applied: it takes the document's lint state,
//! then the host briefly (for the queued deltas and a snapshot of the current version), and runs
//! the stale rules once for all the deltas. The lock order is always lint state, then host, and
//! [`AnalysisHost::apply`] needs the host alone, so an edit never waits for a rule run.
//!
//! Keys are opaque strings (the server uses URIs, `yin check` paths): this module knows nothing of
//! LSP. It reads the disk only to load rule sets, through the read functions of [`crate::lints`].

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use syntax::file::Delta;
use syntax::{PositionEncoding, TextEdit};

use crate::findings::{Finding, check_text};
use crate::lints::{LintSession, RuleProblem, RuleSet, workspace_root};
use crate::source::SourceFile;
use crate::workspace_symbols::{IndexedSymbol, symbol_matches};

/// One change to the host's state.
#[derive(Debug)]
pub enum Change {
    /// A document opened (or reopened) at `version`, already parsed (parse it before taking the
    /// host's lock). `path` is where it lives on disk, if anywhere: it decides its rules.
    Open {
        key: String,
        path: Option<PathBuf>,
        version: i32,
        file: SourceFile,
    },
    /// A document's content changes, applied in order, reaching `version`.
    Edit {
        key: String,
        version: i32,
        changes: Vec<ContentChange>,
    },
    Close {
        key: String,
    },
    /// What reading `reading` (see [`AnalysisHost::start_reading`]) of a file on disk found: its
    /// definitions, or `None` when it is gone or cannot be indexed.
    DiskFile {
        key: String,
        reading: u64,
        symbols: Option<Vec<IndexedSymbol>>,
    },
    /// A rule or configuration source changed: every rule set is loaded again on next use.
    RulesChanged,
    /// The workspace roots, whose rules apply to files under them without a `.yin` folder of
    /// their own.
    Roots(Vec<PathBuf>),
    /// The encoding of ranged edits' positions from now on (agreed with an editor).
    Encoding(PositionEncoding),
}

/// One content change of an edit.
#[derive(Clone, Debug)]
pub enum ContentChange {
    /// A ranged edit, in the host's position encoding.
    Edit(TextEdit),
    /// The whole new text.
    Replace(String),
}

/// What became of a change.
#[derive(Debug)]
pub enum Applied {
    /// The document as it now is (after `Open` or `Edit`).
    Current(DocumentSnapshot),
    /// An edit whose version is not newer than the document's: dropped.
    Stale { current: i32 },
    /// An edit or close of a document that is not open.
    Unknown,
    /// An edit was refused or panicked; the message says which. Content changes before it stay
    /// applied (after a panic the document is closed instead: its state may be half-updated).
    Failed(String),
    /// A change that concerns no document.
    Done,
    /// The document was closed: its state, for the caller to drop where the time that takes
    /// delays nobody (a large file's trees, lowering and lint database take tens of
    /// milliseconds to free, and the host is locked while a change is applied).
    Closed(Closed),
}

/// A closed document's state, handed back by [`Change::Close`] so that it is not freed under the
/// host's lock.
pub struct Closed(
    #[expect(
        dead_code,
        reason = "never read: held only so that the caller chooses where it is dropped"
    )]
    Box<Doc>,
);

impl std::fmt::Debug for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Closed")
    }
}

/// A document as one request sees it: unaffected by later changes, cheap to make (the rope and
/// tree share their nodes, the lowering is shared until the next edit).
#[derive(Clone, Debug)]
pub struct DocumentSnapshot {
    pub key: String,
    pub path: Option<PathBuf>,
    pub version: i32,
    /// Which opening of the document this is: a reopened document may reuse version numbers.
    pub opening: u64,
    pub file: SourceFile,
}

/// A document's findings, for one version.
#[derive(Clone, Debug)]
pub struct FileFindings {
    /// The document as the findings saw it.
    pub snapshot: DocumentSnapshot,
    /// Which loading of the rules they were found with (see [`AnalysisHost::rules_generation`]).
    pub rules_generation: u64,
    /// Syntax, reader, lowering and lint findings, suppression applied, sorted by start, end and
    /// rule; for a rule or configuration file, the problems its rule set found in it.
    pub findings: Arc<Vec<Finding>>,
    /// When this call loaded the document's rule set: its problems in files that are not open
    /// documents (an open one shows them as its findings), to be reported once.
    pub unopened_problems: Vec<RuleProblem>,
}

/// Settings fixed for the host's life.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// The encoding of ranged edits' positions.
    pub encoding: PositionEncoding,
    /// A folder of rules added to every rule set (`yin check --rules DIR`).
    pub extra_rules: Option<PathBuf>,
}

/// The owner of analysis state. Put it behind one `Mutex` to share it: [`findings`] takes that.
#[derive(Debug)]
pub struct AnalysisHost {
    config: HostConfig,
    documents: HashMap<String, Doc>,
    /// Each workspace root's rules, loaded on first use; the empty path holds the rules of
    /// documents outside every root.
    rules: HashMap<PathBuf, Arc<RuleSet>>,
    roots: Vec<PathBuf>,
    /// The definitions of files on disk, by key.
    index: BTreeMap<String, Indexed>,
    next_reading: u64,
    next_opening: u64,
    /// Counts reloads of the rules.
    rules_generation: u64,
}

#[derive(Debug)]
struct Doc {
    path: Option<PathBuf>,
    version: i32,
    opening: u64,
    file: SourceFile,
    /// Deltas of the edits since the lint state last took them, in order.
    pending: Vec<Delta>,
    /// Whether the whole text was replaced since then (the lint session starts again).
    replaced: bool,
    lints: Arc<Mutex<LintState>>,
}

#[derive(Debug)]
struct Indexed {
    reading: u64,
    symbols: Option<Vec<IndexedSymbol>>,
}

/// A document's lint session and its last findings.
#[derive(Default)]
struct LintState {
    session: Option<(Arc<RuleSet>, LintSession)>,
    /// The findings of this version, for requests asking again.
    last: Option<(i32, Arc<Vec<Finding>>)>,
}

impl std::fmt::Debug for LintState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LintState")
            .field("version", &self.last.as_ref().map(|(v, _)| v))
            .finish_non_exhaustive()
    }
}

impl AnalysisHost {
    pub fn new(config: HostConfig) -> AnalysisHost {
        AnalysisHost {
            config,
            documents: HashMap::new(),
            rules: HashMap::new(),
            roots: Vec::new(),
            index: BTreeMap::new(),
            next_reading: 0,
            next_opening: 0,
            rules_generation: 0,
        }
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.config.encoding
    }

    /// Applies one change.
    pub fn apply(&mut self, change: Change) -> Applied {
        match change {
            Change::Open {
                key,
                path,
                version,
                file,
            } => {
                let opening = self.next_opening;
                self.next_opening += 1;
                let doc = Doc {
                    path,
                    version,
                    opening,
                    file,
                    pending: Vec::new(),
                    replaced: false,
                    lints: Arc::default(),
                };
                let snapshot = doc.snapshot(&key);
                self.documents.insert(key, doc);
                Applied::Current(snapshot)
            }
            Change::Edit {
                key,
                version,
                changes,
            } => self.edit(key, version, changes),
            Change::Close { key } => match self.documents.remove(&key) {
                Some(doc) => Applied::Closed(Closed(Box::new(doc))),
                None => Applied::Unknown,
            },
            Change::DiskFile {
                key,
                reading,
                symbols,
            } => {
                let entry = self.index.entry(key).or_insert(Indexed {
                    reading,
                    symbols: None,
                });
                if entry.reading <= reading {
                    entry.reading = reading;
                    entry.symbols = symbols;
                }
                Applied::Done
            }
            Change::RulesChanged => {
                self.forget_rules();
                Applied::Done
            }
            Change::Roots(roots) => {
                self.roots = roots;
                self.forget_rules();
                Applied::Done
            }
            Change::Encoding(encoding) => {
                self.config.encoding = encoding;
                Applied::Done
            }
        }
    }

    fn edit(&mut self, key: String, version: i32, changes: Vec<ContentChange>) -> Applied {
        let encoding = self.config.encoding;
        let Some(doc) = self.documents.get_mut(&key) else {
            return Applied::Unknown;
        };
        if version <= doc.version {
            return Applied::Stale {
                current: doc.version,
            };
        }
        doc.version = version;
        match catch_unwind(AssertUnwindSafe(|| doc.apply(encoding, changes))) {
            Ok(Ok(())) => Applied::Current(doc.snapshot(&key)),
            Ok(Err(message)) => Applied::Failed(format!("version {version}: {message}")),
            Err(_) => {
                self.documents.remove(&key);
                Applied::Failed(format!(
                    "applying a change to {key} panicked; the document is closed"
                ))
            }
        }
    }

    fn forget_rules(&mut self) {
        self.rules.clear();
        self.rules_generation += 1;
    }

    /// Counts reloads of the rules: findings of an older generation are outdated (whoever
    /// changed the rules computes them again).
    pub fn rules_generation(&self) -> u64 {
        self.rules_generation
    }

    /// The workspace roots.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The document as it is now; `None` if it is not open.
    pub fn snapshot(&self, key: &str) -> Option<DocumentSnapshot> {
        self.documents.get(key).map(|doc| doc.snapshot(key))
    }

    /// Every open document, in key order.
    pub fn snapshots(&self) -> Vec<DocumentSnapshot> {
        let mut all: Vec<DocumentSnapshot> = self
            .documents
            .iter()
            .map(|(key, doc)| doc.snapshot(key))
            .collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        all
    }

    pub fn is_open(&self, key: &str) -> bool {
        self.documents.contains_key(key)
    }

    /// Whether `snapshot` is still the document as it is.
    pub fn is_current(&self, snapshot: &DocumentSnapshot) -> bool {
        self.is_version(&snapshot.key, snapshot.opening, snapshot.version)
    }

    /// Whether the document `key` is open in its opening `opening` at `version`.
    pub fn is_version(&self, key: &str, opening: u64, version: i32) -> bool {
        self.documents
            .get(key)
            .is_some_and(|doc| doc.opening == opening && doc.version == version)
    }

    /// A number for a reading of the disk about to start: readings record their results only
    /// over older ones, so a slow reading (the initial indexing) cannot undo a newer one.
    pub fn start_reading(&mut self) -> u64 {
        let reading = self.next_reading;
        self.next_reading += 1;
        reading
    }

    /// The indexed definitions matching `query`, in key order, of the files that are not open
    /// (an open document's text is newer than the disk's).
    pub fn indexed_matching(&self, query: &str) -> Vec<(String, IndexedSymbol)> {
        self.index
            .iter()
            .filter(|(key, _)| !self.documents.contains_key(*key))
            .flat_map(|(key, file)| {
                file.symbols
                    .iter()
                    .flatten()
                    .filter(|symbol| symbol_matches(query, &symbol.name))
                    .map(|symbol| (key.clone(), symbol.clone()))
            })
            .collect()
    }

    /// The rules for a file at `path` (see [`AnalysisHost::rules_root`]), if they are loaded.
    fn loaded_rules(&self, path: Option<&Path>) -> Option<Arc<RuleSet>> {
        self.rules.get(&self.rules_root(path)).cloned()
    }

    /// The folder whose rules apply to a file at `path`: the nearest at or above it holding
    /// `.yin/`, else the workspace root containing it; empty for the built-in rules.
    pub fn rules_root(&self, path: Option<&Path>) -> PathBuf {
        path.and_then(|path| {
            workspace_root(path).or_else(|| {
                self.roots
                    .iter()
                    .find(|root| path.starts_with(root))
                    .cloned()
            })
        })
        .unwrap_or_default()
    }
}

impl Doc {
    fn snapshot(&self, key: &str) -> DocumentSnapshot {
        DocumentSnapshot {
            key: key.to_owned(),
            path: self.path.clone(),
            version: self.version,
            opening: self.opening,
            file: self.file.clone(),
        }
    }

    /// Applies content changes in order; consecutive ranged edits in one go, so the tree is
    /// reparsed and the file relowered once for them.
    fn apply(
        &mut self,
        encoding: PositionEncoding,
        changes: Vec<ContentChange>,
    ) -> Result<(), String> {
        let mut edits: Vec<TextEdit> = Vec::new();
        for change in changes {
            match change {
                ContentChange::Edit(edit) => edits.push(edit),
                ContentChange::Replace(text) => {
                    self.flush(encoding, &mut edits)?;
                    self.file.replace_text(&text);
                    self.pending.clear();
                    self.replaced = true;
                }
            }
        }
        self.flush(encoding, &mut edits)
    }

    fn flush(
        &mut self,
        encoding: PositionEncoding,
        edits: &mut Vec<TextEdit>,
    ) -> Result<(), String> {
        if edits.is_empty() {
            return Ok(());
        }
        let result = self.file.apply_edits(edits, encoding);
        edits.clear();
        let delta = result.map_err(|err| err.to_string())?;
        if !self.replaced {
            self.pending.push(delta);
        }
        Ok(())
    }
}

/// A rule or configuration file: an `.edn` file somewhere under a `.yin` folder.
pub fn is_rule_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "edn")
        && path
            .ancestors()
            .any(|dir| dir.file_name().is_some_and(|n| n == ".yin"))
}

/// The findings of the document `key` as it is now (`None` if it is not open). Brings the
/// document's lint session forward by every delta since its last run, running only the stale
/// rules once; a version already computed is answered from the cache. Runs lints: call it off
/// any thread that must stay responsive.
///
/// The host's lock is held only to take the deltas and prepare the rules' inputs, and to render
/// the findings; the rules run without it and without a snapshot of the document, so edits
/// arriving meanwhile neither wait nor copy the lowering. If the document changed while the
/// rules ran, their answer is not rendered: the session takes the newer deltas and runs again.
pub fn findings(host: &Mutex<AnalysisHost>, key: &str) -> Option<FileFindings> {
    let lints = lock(host).documents.get(key)?.lints.clone();
    let mut state = lints.lock().unwrap_or_else(|poisoned| {
        // A panic during a run may have left the session half-updated: start again.
        let mut state = poisoned.into_inner();
        *state = LintState::default();
        state
    });
    lints.clear_poison();
    let mut unopened: Vec<RuleProblem> = Vec::new();
    loop {
        let path = lock(host).documents.get(key)?.path.clone();
        let loaded = load_rules(host, path.as_deref());
        let (version, generation, restart) = {
            let mut host = lock(host);
            let generation = host.rules_generation;
            let path = host.documents.get(key)?.path.clone();
            let Some(rules) = host.loaded_rules(path.as_deref()) else {
                // Forgotten (or the document moved) since they were loaded: load them again.
                continue;
            };
            if loaded {
                unopened.extend(
                    rules
                        .problems()
                        .iter()
                        .filter(|p| {
                            !host
                                .documents
                                .values()
                                .any(|d| d.path.as_deref() == Some(&*p.file))
                        })
                        .cloned(),
                );
            }
            let doc = host.documents.get_mut(key)?;
            if !Arc::ptr_eq(&doc.lints, &lints) {
                // Reopened meanwhile: this opening's state is not the document's.
                return None;
            }
            let snapshot = |doc: &Doc| doc.snapshot(key);
            if let Some(path) = path.as_deref().filter(|p| is_rule_file(p)) {
                let mut found: Vec<Finding> = rules
                    .problems()
                    .iter()
                    .filter(|p| p.file == path)
                    .map(|p| p.finding.clone())
                    .collect();
                sort(&mut found);
                return Some(FileFindings {
                    snapshot: snapshot(doc),
                    rules_generation: generation,
                    findings: Arc::new(found),
                    unopened_problems: unopened,
                });
            }
            let deltas = std::mem::take(&mut doc.pending);
            let restart = std::mem::take(&mut doc.replaced)
                || !state
                    .session
                    .as_ref()
                    .is_some_and(|(set, _)| Arc::ptr_eq(set, &rules));
            if let Some((version, found)) = &state.last
                && deltas.is_empty()
                && !restart
                && *version == doc.version
            {
                return Some(FileFindings {
                    snapshot: snapshot(doc),
                    rules_generation: generation,
                    findings: found.clone(),
                    unopened_problems: unopened,
                });
            }
            let restart = match &mut state.session {
                Some((_, session)) if !restart => {
                    for delta in &deltas {
                        session.apply(delta);
                    }
                    session.prepare(doc.file.lowering());
                    None
                }
                _ => Some((snapshot(doc), rules)),
            };
            (doc.version, generation, restart)
        };
        match restart {
            // Opened, replaced or new rules: the session starts from the text (its snapshot is
            // dropped before the findings are rendered).
            Some((document, rules)) => {
                let session = LintSession::new((*rules).clone(), &document.file);
                state.session = Some((rules, session));
            }
            None => {
                if let Some((_, session)) = &mut state.session {
                    session.run();
                }
            }
        }
        let host = lock(host);
        let doc = host.documents.get(key)?;
        if !Arc::ptr_eq(&doc.lints, &lints) {
            return None;
        }
        let current = doc.version == version
            && doc.pending.is_empty()
            && !doc.replaced
            && host.rules_generation == generation;
        if let (true, Some((_, session))) = (current, &state.session) {
            let mut found = check_text(&doc.file);
            found.extend(session.render(&doc.file).findings);
            sort(&mut found);
            let found = Arc::new(found);
            state.last = Some((version, found.clone()));
            return Some(FileFindings {
                snapshot: doc.snapshot(key),
                rules_generation: generation,
                findings: found,
                unopened_problems: unopened,
            });
        }
    }
}

/// Loads the rules for a file at `path` unless the host has them; returns whether this call
/// installed them. The rule files are read and parsed with the host unlocked (prepare, then
/// apply), so a slow read never holds back edits.
fn load_rules(host: &Mutex<AnalysisHost>, path: Option<&Path>) -> bool {
    let Some(to_read) = lock(host).rules_to_read(path) else {
        return false;
    };
    let read = to_read.read();
    lock(host).install_rules(read)
}

/// A rule set to read: what [`AnalysisHost::rules_to_read`] took under the host's lock.
#[derive(Debug)]
struct RulesToRead {
    root: PathBuf,
    extra: Option<PathBuf>,
    generation: u64,
}

/// A rule set read, for [`AnalysisHost::install_rules`].
struct ReadRules {
    root: PathBuf,
    set: RuleSet,
    generation: u64,
}

impl RulesToRead {
    /// Reads and parses the rules of the workspace root (the built-in ones for the empty
    /// path), with the extra folder's added. Needs no host.
    fn read(self) -> ReadRules {
        let set = if self.root.as_os_str().is_empty() {
            let mut set = RuleSet::builtin();
            if let Some(extra) = &self.extra {
                set.add_dir(extra, extra, true);
            }
            set
        } else {
            RuleSet::for_workspace(&self.root, self.extra.as_deref())
        };
        ReadRules {
            root: self.root,
            set,
            generation: self.generation,
        }
    }
}

impl AnalysisHost {
    /// What to read for the rules of a file at `path`; `None` if they are loaded.
    fn rules_to_read(&self, path: Option<&Path>) -> Option<RulesToRead> {
        let root = self.rules_root(path);
        (!self.rules.contains_key(&root)).then(|| RulesToRead {
            root,
            extra: self.config.extra_rules.clone(),
            generation: self.rules_generation,
        })
    }

    /// Installs rules read off the lock; returns whether they were. A set read while the rules
    /// were forgotten (a rule file changed) is outdated and dropped: the caller reads again.
    fn install_rules(&mut self, read: ReadRules) -> bool {
        if read.generation != self.rules_generation || self.rules.contains_key(&read.root) {
            return false;
        }
        self.rules.insert(read.root, Arc::new(read.set));
        true
    }
}

/// Source order: start, end, then rule id, so that every front end lists findings alike.
fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.range.start(), a.range.end(), &a.rule).cmp(&(b.range.start(), b.range.end(), &b.rule))
    });
}

/// Locks the host. A panic while holding it is caught where it happens (and the document it
/// concerned dropped), so the state is consistent.
pub fn lock(host: &Mutex<AnalysisHost>) -> MutexGuard<'_, AnalysisHost> {
    host.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> AnalysisHost {
        AnalysisHost::new(HostConfig {
            encoding: PositionEncoding::Utf16,
            extra_rules: None,
        })
    }

    #[test]
    fn rules_are_read_off_the_lock_and_installed_only_if_still_wanted() {
        let mut host = host();
        let to_read = host.rules_to_read(None).expect("nothing loaded yet");
        // Between taking what to read and installing it, the host is free to change: here the
        // rules are forgotten, so the set read before is outdated.
        host.apply(Change::RulesChanged);
        assert!(!host.install_rules(to_read.read()));
        assert!(host.loaded_rules(None).is_none());
        let to_read = host.rules_to_read(None).expect("still nothing loaded");
        assert!(host.install_rules(to_read.read()));
        assert!(host.loaded_rules(None).is_some());
        assert!(host.rules_to_read(None).is_none(), "loaded once");
    }

    #[test]
    fn a_closed_document_is_handed_back_to_be_dropped_outside_the_lock() {
        let mut host = host();
        host.apply(Change::Open {
            key: "file:///a.yin".to_owned(),
            path: None,
            version: 1,
            file: SourceFile::from_text("(defn f [x] x)"),
        });
        assert!(matches!(
            host.apply(Change::Close {
                key: "file:///a.yin".to_owned()
            }),
            Applied::Closed(_)
        ));
        assert!(host.snapshot("file:///a.yin").is_none());
        assert!(matches!(
            host.apply(Change::Close {
                key: "file:///a.yin".to_owned()
            }),
            Applied::Unknown
        ));
    }
}
