//! The live session's protocol side (docs/lsp.md, "Live evaluation"): checking `limits` and
//! `print`, naming a document's session, making the dependency plan from snapshots, and
//! reporting a run's `$/progress`. The session itself is `analysis::live`, run by
//! [`eval_worker`](super::eval_worker).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use analysis::live::plan::{PlanError, PlanFile};
use analysis::live::session::{FormResult, LiveLimits, PrintOptions};
use analysis::{LiveFile, LiveRequest, Scope, ScopeError, SourceFile, Stamp, SummaryCache};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::{NumberOrString, Position, Range, Uri};
use tower_lsp_server::{Client, UriExt};

use super::convert;
use super::ext;
use super::state::{Snapshot, State};

/// An integer parameter within `min..=max`, `default` when absent; anything else is `-32602`
/// naming the field and the range.
pub(crate) fn integer(
    value: Option<&serde_json::Value>,
    field: &str,
    min: u64,
    max: u64,
    default: u64,
) -> Result<u64> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => {
            let got = value.to_string();
            let got: String = if got.chars().count() > 40 {
                got.chars().take(40).chain("...".chars()).collect()
            } else {
                got
            };
            Err(Error::invalid_params(format!(
                "{field} must be an integer from {min} to {max}, got {got}"
            )))
        }
    }
}

pub(crate) fn limits(limits: ext::EvalLimits) -> Result<LiveLimits> {
    let defaults = LiveLimits::default();
    let steps = integer(
        limits.steps.as_ref(),
        "limits.steps",
        1,
        10_000_000_000,
        defaults.steps,
    )?;
    let time_ms = integer(limits.time_ms.as_ref(), "limits.timeMs", 1, 600_000, 10_000)?;
    let memory_mb = integer(limits.memory_mb.as_ref(), "limits.memoryMb", 16, 4_096, 256)?;
    Ok(LiveLimits {
        steps,
        time: Duration::from_millis(time_ms),
        memory_bytes: usize::try_from(memory_mb << 20).unwrap_or(usize::MAX),
    })
}

pub(crate) fn print_options(print: ext::PrintOptions) -> Result<PrintOptions> {
    let defaults = PrintOptions::default();
    let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok(PrintOptions {
        max_length: size(integer(
            print.max_length.as_ref(),
            "print.maxLength",
            16,
            1_000_000,
            defaults.max_length as u64,
        )?),
        max_depth: u32::try_from(integer(
            print.max_depth.as_ref(),
            "print.maxDepth",
            1,
            100,
            u64::from(defaults.max_depth),
        )?)
        .unwrap_or(defaults.max_depth),
        max_items: size(integer(
            print.max_items.as_ref(),
            "print.maxItems",
            1,
            100_000,
            defaults.max_items as u64,
        )?),
    })
}

pub(crate) fn scope(scope: Option<ext::EvalScope>) -> Scope {
    match scope.unwrap_or(ext::EvalScope::TopLevel) {
        ext::EvalScope::Form => Scope::Form,
        ext::EvalScope::TopLevel => Scope::TopLevel,
        ext::EvalScope::Selection => Scope::Selection,
        ext::EvalScope::ToCursor => Scope::ToCursor,
        ext::EvalScope::File => Scope::File,
    }
}

/// The session a document evaluates in: the workspace folder containing it (the deepest one),
/// else its own directory; a document with no path has a session of its own. The key, and the
/// folder when there is one.
pub(crate) fn session_root(state: &State, uri: &Uri) -> (String, Option<PathBuf>) {
    let Some(path) = uri.to_file_path() else {
        return (uri.as_str().to_owned(), None);
    };
    let root = state
        .workspace_roots()
        .into_iter()
        .filter(|root| path.starts_with(root))
        .max_by_key(|root| root.components().count())
        .or_else(|| path.parent().map(std::path::Path::to_path_buf));
    match root {
        Some(root) => (root.display().to_string(), Some(root)),
        None => (uri.as_str().to_owned(), None),
    }
}

/// The session `uri` evaluates in (its root's key and folder), and the other open documents of
/// that root, whose definitions a plan may load.
pub(crate) fn session_of(state: &State, uri: &Uri) -> (String, Option<PathBuf>, Vec<Snapshot>) {
    let (root, root_path) = session_root(state, uri);
    let others = state
        .snapshots()
        .into_iter()
        .filter(|s| &s.uri != uri && session_root(state, &s.uri).0 == root)
        .collect();
    (root, root_path, others)
}

/// Files a plan read, by key, for converting the ranges of its reply.
pub(crate) type PlanFiles = HashMap<String, SourceFile>;

/// The live request for `snapshot`: the forms the scope names, and the definitions they need
/// among `others` (open documents of the same root) and the root's files on disk, which the
/// symbol index names. Runs on the blocking pool.
#[allow(clippy::too_many_arguments)]
pub(crate) fn plan(
    state: &State,
    summaries: &Mutex<SummaryCache>,
    snapshot: &Snapshot,
    others: Vec<Snapshot>,
    root: Option<PathBuf>,
    scope: Scope,
    position: Option<Position>,
    range: Option<Range>,
) -> Result<(LiveRequest, PlanFiles)> {
    let file = &snapshot.file;
    let encoding = snapshot.encoding;
    let needs_position = matches!(scope, Scope::Form | Scope::TopLevel | Scope::ToCursor)
        && !(scope == Scope::Form && range.is_some_and(|r| r.start != r.end));
    let offset = match position {
        Some(position) => convert::offset(file, encoding, position),
        None if needs_position => {
            return Err(Error::invalid_params("position is required for this scope"));
        }
        None => analysis::TextSize::from(0),
    };
    let selection = range.map(|r| convert::text_range(file, encoding, r));
    if scope == Scope::Selection && selection.is_none() {
        return Err(Error::invalid_params(
            "range is required for scope selection",
        ));
    }
    let mut cache = summaries.lock().unwrap_or_else(PoisonError::into_inner);
    let planned = (|| -> std::result::Result<_, PlanError> {
        let key = snapshot.uri.as_str().to_owned();
        let forms = cache.get(
            &key,
            Stamp::Open {
                opening: snapshot.opening,
                version: snapshot.version,
            },
            file,
        )?;
        let mut files: PlanFiles = HashMap::new();
        files.insert(key.clone(), file.clone());
        let mut open = Vec::with_capacity(others.len());
        for other in others {
            let key = other.uri.as_str().to_owned();
            let forms = cache.get(
                &key,
                Stamp::Open {
                    opening: other.opening,
                    version: other.version,
                },
                &other.file,
            )?;
            files.insert(key.clone(), other.file.clone());
            open.push(PlanFile {
                key,
                version: Some(other.version),
                file: other.file,
                forms: forms.to_vec(),
            });
        }
        let target = LiveFile {
            key: &key,
            version: Some(snapshot.version),
            file,
            forms: &forms,
        };
        let mut disk_files: Vec<PlanFile> = Vec::new();
        let mut find = |name: &str| -> Vec<PlanFile> {
            let Some(root) = &root else {
                return Vec::new();
            };
            let mut defining: Vec<(String, PathBuf)> = state
                .indexed_matching(name)
                .into_iter()
                .filter(|(_, symbol)| symbol.name == name)
                .filter_map(|(uri, _)| {
                    let path = uri.to_file_path()?.into_owned();
                    path.starts_with(root)
                        .then(|| (uri.as_str().to_owned(), path))
                })
                .collect();
            defining.sort_by(|a, b| a.1.cmp(&b.1));
            defining.dedup();
            let found: Vec<PlanFile> = defining
                .into_iter()
                .filter_map(|(key, path)| cache.disk_file(root, &path, &key))
                .collect();
            disk_files.extend(found.iter().cloned());
            found
        };
        let request = analysis::live_request(&target, open, scope, offset, selection, &mut find)?;
        for disk in disk_files {
            files.insert(disk.key, disk.file);
        }
        Ok((request, files))
    })();
    drop(cache);
    match planned {
        Ok((Ok(request), files)) => Ok((request, files)),
        Ok((Err(ScopeError::NoForm), _)) => Err(Error::invalid_params("no form at the position")),
        Ok((Err(ScopeError::Unreadable { message, range }), _)) => {
            let at = convert::lsp_range(file, encoding, range);
            Err(Error::invalid_params(format!(
                "the selection does not read as forms: {message} (line {}, character {})",
                at.start.line + 1,
                at.start.character + 1
            )))
        }
        Err(e) => Err(Error::invalid_params(e.to_string())),
    }
}

pub(crate) fn token_key(token: &NumberOrString) -> String {
    match token {
        NumberOrString::Number(n) => format!("n{n}"),
        NumberOrString::String(s) => format!("s{s}"),
    }
}

pub(crate) fn progress_title(uri: &Uri, scope: Scope, request: &LiveRequest) -> String {
    let name = uri.as_str().rsplit('/').next().unwrap_or_default();
    match (scope, request.job_forms.as_slice()) {
        (Scope::File | Scope::ToCursor, _) => format!("yin: evaluating {name}"),
        (_, _) => match request.loads.first() {
            Some(load) => format!("yin: loading {}", load.name),
            None => format!("yin: evaluating {name}"),
        },
    }
}

/// Forwards a run's progress to the client as `$/progress` until the run ends.
pub(crate) async fn report_progress(
    client: Client,
    token: NumberOrString,
    title: String,
    mut reports: tokio::sync::mpsc::UnboundedReceiver<super::eval_worker::Progress>,
) {
    let progress = client
        .progress(token, title)
        .with_percentage(0)
        .with_cancel_button()
        .begin()
        .await;
    while let Some((done, total, label)) = reports.recv().await {
        let percentage = u32::try_from(done.saturating_mul(100) / total.max(1)).unwrap_or(100);
        progress
            .report_with_message(format!("{done}/{total} {label}"), percentage, None)
            .await;
    }
    progress.finish().await;
}

/// What an inline result shows for a form: its value, or its error's message.
pub(crate) fn shown(result: &FormResult) -> String {
    match (&result.value, &result.error) {
        (Some(value), _) => value.text.clone(),
        (None, Some(error)) => format!("error: {}", error.message),
        (None, None) => String::new(),
    }
}
