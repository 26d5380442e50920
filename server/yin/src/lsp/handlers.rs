//! One thin function per request or notification: convert the params, call `analysis`, convert
//! the result back. Analysis runs on tokio's blocking pool through [`analyze`], which turns a panic
//! into an internal error so the server keeps serving.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;

use analysis::host::{FileFindings, is_rule_file};
use analysis::{IndexedSymbol, PositionEncoding, SourceFile};
use serde::Deserialize;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, UriExt};

use super::eval_worker::{EvalWorker, Job, Refused};
use super::semantic_tokens::Tokens;
use super::state::{Changed, Init, Snapshot, State};
use super::{capabilities, convert, ext, live, panics, semantic_tokens};

pub(crate) fn initialize(state: &State, params: InitializeParams) -> InitializeResult {
    let progress = params
        .capabilities
        .window
        .as_ref()
        .and_then(|window| window.work_done_progress)
        .unwrap_or(false);
    let refresh = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.inlay_hint.as_ref())
        .and_then(|hints| hints.refresh_support)
        .unwrap_or(false);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false);
    let agreed = state.initialize(Init {
        encoding: capabilities::negotiate_encoding(&params.capabilities),
        roots: convert::workspace_roots(&params),
        work_done_progress: progress,
        inlay_hint_refresh: refresh,
        watch_registration: watch,
    });
    let encoding = agreed.encoding;
    InitializeResult {
        capabilities: capabilities::server_capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "yin".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    }
}

/// Indexes the workspace folders' `.yin` files in the background for `workspace/symbol`,
/// reporting `$/progress` when the client accepts it.
pub(crate) fn initialized(state: &Arc<State>, client: &Client) {
    if state.registers_watchers() {
        let client = client.clone();
        tokio::spawn(async move {
            let _ = client
                .register_capability(vec![capabilities::file_watchers()])
                .await;
        });
    }
    let roots = state.workspace_roots();
    if roots.is_empty() {
        return;
    }
    let state = state.clone();
    let client = client.clone();
    tokio::spawn(async move {
        let token = NumberOrString::String("yin/index".to_owned());
        let created = state.shows_progress()
            && client
                .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                })
                .await
                .is_ok();
        let progress = if created {
            Some(
                client
                    .progress(token, "Indexing yin files")
                    .with_percentage(0)
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let reading = state.start_reading();
        let encoding = state.encoding();
        let indexed = analyze(move || index(&roots, encoding))
            .await
            .unwrap_or_default();
        let count = indexed.len();
        for (uri, symbols) in indexed {
            state.record_indexed(reading, &uri, symbols);
        }
        if let Some(progress) = progress {
            progress.finish_with_message(format!("{count} files")).await;
        }
    });
}

/// The definitions of every `.yin` file under `roots`, read and parsed on a few threads (an
/// indexed file is only parsed, not lowered).
fn index(roots: &[PathBuf], encoding: PositionEncoding) -> Vec<(Uri, Option<Vec<IndexedSymbol>>)> {
    let paths: Vec<PathBuf> = roots
        .iter()
        .flat_map(|root| analysis::yin_files(root))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let chunk = paths.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(chunk)
            .map(|paths| {
                scope.spawn(move || {
                    paths
                        .iter()
                        .filter_map(|path| {
                            let uri = Uri::from_file_path(path)?;
                            Some((uri, analysis::index_file(path, encoding)))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(found) => found,
                // Re-raised here so that `analyze` reports it like any analysis panic.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The open documents' matching definitions, then the indexed files' (those not open).
pub(crate) async fn workspace_symbol(
    state: &State,
    params: WorkspaceSymbolParams,
) -> Result<Option<OneOf<Vec<SymbolInformation>, Vec<WorkspaceSymbol>>>> {
    let files: Vec<(Uri, analysis::SourceFile)> = state
        .snapshots()
        .into_iter()
        .map(|s| (s.uri, s.file))
        .collect();
    let encoding = state.encoding();
    let indexed = state.indexed_matching(&params.query);
    let symbols = analyze(move || {
        let sources: Vec<&analysis::SourceFile> = files.iter().map(|(_, f)| f).collect();
        let found = analysis::workspace_symbols(&sources, &params.query);
        let mut symbols = convert::workspace_symbols(&files, encoding, found);
        symbols.extend(
            indexed
                .into_iter()
                .map(|(uri, symbol)| convert::indexed_symbol(uri, symbol)),
        );
        symbols
    })
    .await?;
    Ok(Some(OneOf::Right(symbols)))
}

pub(crate) fn did_open(state: &Arc<State>, client: &Client, params: DidOpenTextDocumentParams) {
    let document = params.text_document;
    // Documents closed just before are freed first: freed while this one is parsed, they would
    // compete with it for the cores and the allocator's locks (a client often closes one large
    // file and opens another).
    state.settle();
    // Parsed and lowered here, off the host's lock; the lint session starts from this lowering.
    let file = SourceFile::from_text(&document.text);
    if let Some(snapshot) = state.open(document.uri, document.version, file) {
        publish_diagnostics(state, client, snapshot);
    }
}

pub(crate) async fn did_change(
    state: &Arc<State>,
    client: &Client,
    params: DidChangeTextDocumentParams,
) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    // Synchronous, before any `.await`: this is what keeps changes in arrival order.
    let changed = state.change(&uri, version, convert::changes(params.content_changes));
    match changed {
        Changed::Current(snapshot) => publish_diagnostics(state, client, *snapshot),
        Changed::Stale { current } => {
            let message = format!(
                "dropped change to {} at version {version}: the document is at version {current}",
                uri.as_str()
            );
            client.log_message(MessageType::WARNING, message).await;
        }
        Changed::Unknown => {
            let message = format!("change to {}, which is not open", uri.as_str());
            client.log_message(MessageType::WARNING, message).await;
        }
        Changed::Failed(message) => client.log_message(MessageType::ERROR, message).await,
    }
}

pub(crate) fn did_close(state: &State, params: DidCloseTextDocumentParams) {
    state.close(&params.text_document.uri);
}

/// Computes the diagnostics of the document off the async threads and publishes them if the
/// version they were computed for is still current when they are ready. Nothing is started for
/// a version already outdated: in a burst of typing, the newest version's task does the work of
/// all (the host's lint session takes every delta since its last run at once).
///
/// The task keeps the document's version, not its snapshot: a snapshot held while the rules run
/// would make every edit meanwhile copy the lowering.
fn publish_diagnostics(state: &Arc<State>, client: &Client, snapshot: Snapshot) {
    let Snapshot {
        uri,
        version,
        opening,
        ..
    } = snapshot;
    let state = state.clone();
    let client = client.clone();
    tokio::spawn(async move {
        if !state.is_version(&uri, opening, version) {
            return;
        }
        let computing = state.clone();
        let found = analyze(move || {
            let computed = diagnostics(&computing, &uri);
            (computed, uri)
        })
        .await;
        if let Ok((Some((found, diagnostics, problems)), uri)) = found {
            let published = found.snapshot.opening;
            // Only the version and opening are needed to publish.
            let version = found.snapshot.version;
            drop(found.snapshot);
            state.publish_if_current(
                &uri,
                (published, version),
                found.rules_generation,
                diagnostics,
            );
            log_problems(&client, problems).await;
        }
    });
}

/// Problems of rule files that are not open (an open one shows them as its diagnostics).
async fn log_problems(client: &Client, problems: Vec<String>) {
    for problem in problems {
        client.log_message(MessageType::ERROR, problem).await;
    }
}

/// The document's findings from the host (syntax, lowering and lint findings; for an open rule
/// or configuration file, the problems its workspace's rule set found in it) as diagnostics.
/// Also returns, when the rule set was loaded just now, its problems in files that are not open,
/// to be logged.
fn diagnostics(state: &State, uri: &Uri) -> Option<(FileFindings, Vec<Diagnostic>, Vec<String>)> {
    let found = state.findings(uri)?;
    let unopened = found
        .unopened_problems
        .iter()
        .filter(|p| !state.is_open_path(&p.file))
        .map(|p| {
            format!(
                "{}:{}:{}: {}",
                p.file.display(),
                p.start.line,
                p.start.column,
                p.finding.message
            )
        })
        .collect();
    let diagnostics = convert::diagnostics(
        &found.snapshot.file,
        state.encoding(),
        found.findings.to_vec(),
    );
    Some((found, diagnostics, unopened))
}

/// Quick fixes of the findings in the range, then the refactorings that apply there. The
/// findings are the document's lint session's for this version: usually those its diagnostics
/// were made of, else the session is brought up to this version.
pub(crate) async fn code_action(
    state: &Arc<State>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let Some(s) = state.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    let host = state.clone();
    let (range, only) = (params.range, params.context.only);
    on_snapshot(state, s, move |s| {
        // The findings of the document as it is now; if that is not `s`, the answer is dropped.
        let found = host
            .findings(&s.uri)
            .map(|f| f.findings)
            .unwrap_or_default();
        let within = convert::text_range(&s.file, s.encoding, range);
        let actions = analysis::code_actions(&s.file, &found, within)
            .into_iter()
            .map(|action| convert::code_action(s, action))
            .filter(|action| {
                only.as_ref().is_none_or(|only| {
                    only.iter().any(|kind| {
                        action.kind.as_ref().is_some_and(|k| {
                            k.as_str() == kind.as_str()
                                || k.as_str().starts_with(&format!("{}.", kind.as_str()))
                        })
                    })
                })
            })
            .map(CodeActionOrCommand::CodeAction)
            .collect();
        Some(actions)
    })
    .await
}

/// The range of the renamable symbol at the cursor; `null` where a rename does not apply.
pub(crate) async fn prepare_rename(
    state: &State,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some(s) = state.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, params.position);
        analysis::prepare_rename(&s.file, offset).map(|range| {
            PrepareRenameResponse::Range(convert::lsp_range(&s.file, s.encoding, range))
        })
    })
    .await
}

/// A refused rename is an error (`RequestFailed`) carrying the refactoring's reason, which
/// clients show to the user.
pub(crate) async fn rename(state: &State, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let at = params.text_document_position;
    let Some(s) = state.snapshot(&at.text_document.uri) else {
        return Ok(None);
    };
    let new_name = params.new_name;
    let renamed = on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, at.position);
        analysis::refactor::rename_in(&s.file, offset, &new_name)
            .map(|edits| convert::workspace_edit(s, edits))
    })
    .await?;
    match renamed {
        Ok(edit) => Ok(Some(edit)),
        Err(refused) => Err(Error {
            code: ErrorCode::ServerError(REQUEST_FAILED),
            message: refused.to_string().into(),
            data: None,
        }),
    }
}

/// LSP's `RequestFailed`: the request was valid but could not be carried out.
const REQUEST_FAILED: i64 = -32803;

/// A rule file was saved or changed on disk: every workspace's rules are read again and the
/// open documents' diagnostics republished with them.
fn reload_rules(state: &Arc<State>, client: &Client) {
    state.forget_rules();
    for snapshot in state.snapshots() {
        publish_diagnostics(state, client, snapshot);
    }
}

pub(crate) fn did_save(state: &Arc<State>, client: &Client, params: DidSaveTextDocumentParams) {
    let path = params.text_document.uri.to_file_path();
    if path.is_some_and(|path| is_rule_file(&path)) {
        reload_rules(state, client);
    }
}

/// Rule files reload the rules; `.yin` files under a workspace folder are read again for the
/// index (a deleted one leaves it). Every change is handled by reading the disk as it is now,
/// so the kind of change does not matter and the latest reading wins.
pub(crate) fn did_change_watched_files(
    state: &Arc<State>,
    client: &Client,
    params: DidChangeWatchedFilesParams,
) {
    let paths: Vec<(Uri, PathBuf)> = params
        .changes
        .into_iter()
        .filter_map(|change| {
            let path = change.uri.to_file_path()?.into_owned();
            Some((change.uri, path))
        })
        .collect();
    if paths.iter().any(|(_, path)| is_rule_file(path)) {
        reload_rules(state, client);
    }
    let roots = state.workspace_roots();
    let sources: Vec<(Uri, PathBuf)> = paths
        .into_iter()
        .filter(|(_, path)| {
            roots
                .iter()
                .any(|root| analysis::is_indexed_path(root, path))
        })
        .collect();
    if sources.is_empty() {
        return;
    }
    let reading = state.start_reading();
    let encoding = state.encoding();
    let state = state.clone();
    tokio::spawn(async move {
        let read = analyze(move || {
            sources
                .into_iter()
                .map(|(uri, path)| (uri, analysis::index_file(&path, encoding)))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for (uri, symbols) in read {
            state.record_indexed(reading, &uri, symbols);
        }
    });
}

pub(crate) async fn diagnostic(
    state: &Arc<State>,
    client: &Client,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let computing = state.clone();
    let uri = params.text_document.uri;
    let items = match analyze(move || diagnostics(&computing, &uri)).await? {
        Some((_, items, problems)) => {
            log_problems(client, problems).await;
            items
        }
        None => Vec::new(),
    };
    Ok(DocumentDiagnosticReportResult::Report(
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: None,
                items,
            },
        }),
    ))
}

pub(crate) async fn document_symbol(
    state: &State,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let Some(s) = state.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    let symbols = on_snapshot(state, s, |s| {
        convert::document_symbols(&s.file, s.encoding, analysis::document_symbols(&s.file))
    })
    .await?;
    Ok(Some(DocumentSymbolResponse::Nested(symbols)))
}

pub(crate) async fn folding_range(
    state: &State,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let Some(s) = state.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, |s| {
        convert::folding_ranges(&s.file, s.encoding, analysis::folding_ranges(&s.file))
    })
    .await
    .map(Some)
}

pub(crate) async fn selection_range(
    state: &State,
    params: SelectionRangeParams,
) -> Result<Option<Vec<SelectionRange>>> {
    let Some(s) = state.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    let positions = params.positions;
    on_snapshot(state, s, move |s| {
        positions
            .into_iter()
            .map(|position| {
                let offset = convert::offset(&s.file, s.encoding, position);
                let ranges = analysis::selection_ranges(&s.file, offset);
                convert::selection_range(&s.file, s.encoding, ranges)
            })
            .collect()
    })
    .await
    .map(Some)
}

pub(crate) async fn semantic_tokens_full(
    state: &State,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let uri = params.text_document.uri;
    let Some(s) = state.snapshot(&uri) else {
        return Ok(None);
    };
    let tokens = current_tokens(state, s).await?;
    let data = tokens.data();
    let result_id = state.remember_tokens(&uri, tokens);
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: Some(result_id),
        data,
    })))
}

pub(crate) async fn semantic_tokens_full_delta(
    state: &State,
    params: SemanticTokensDeltaParams,
) -> Result<Option<SemanticTokensFullDeltaResult>> {
    let uri = params.text_document.uri;
    let Some(s) = state.snapshot(&uri) else {
        return Ok(None);
    };
    let tokens = current_tokens(state, s).await?;
    let edits = state
        .tokens_sent(&uri, &params.previous_result_id)
        .map(|previous| semantic_tokens::delta(&previous, &tokens));
    let result_id = Some(state.remember_tokens(&uri, tokens.clone()));
    Ok(Some(match edits {
        Some(edits) => {
            SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta { result_id, edits })
        }
        None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
            result_id,
            data: tokens.data(),
        }),
    }))
}

/// The document's tokens as `s` has it, from the document's token cache (given back even when
/// the answer is outdated: what it holds is keyed by text, not by version).
async fn current_tokens(state: &State, s: Snapshot) -> Result<Arc<Tokens>> {
    let uri = s.uri.clone();
    let mut cache = state.take_token_cache(&uri, s.encoding);
    let (tokens, s, cache) = analyze(move || {
        let tokens = semantic_tokens::tokens(&s.file, s.encoding, &mut cache);
        (tokens, s, cache)
    })
    .await?;
    state.put_token_cache(&uri, cache);
    if state.is_current(&s) {
        Ok(Arc::new(tokens))
    } else {
        Err(Error::new(ErrorCode::ContentModified))
    }
}

pub(crate) async fn semantic_tokens_range(
    state: &State,
    params: SemanticTokensRangeParams,
) -> Result<Option<SemanticTokensRangeResult>> {
    let Some(s) = state.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    let range = params.range;
    let data = on_snapshot(state, s, move |s| {
        let within = convert::text_range(&s.file, s.encoding, range);
        semantic_tokens::encode(
            &s.file,
            s.encoding,
            &analysis::highlight(&s.file, Some(within)),
        )
    })
    .await?;
    Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    })))
}

/// Formats the whole document; a file with syntax errors gets no edits (`null`).
pub(crate) async fn formatting(
    state: &State,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    let Some(s) = state.snapshot(&params.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, |s| {
        analysis::format(&s.file).map(|changes| convert::text_edits(&s.file, s.encoding, changes))
    })
    .await
}

pub(crate) async fn goto_definition(
    state: &State,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let at = params.text_document_position_params;
    let Some(s) = state.snapshot(&at.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, at.position);
        analysis::goto_definition(&s.file, offset)
            .map(|range| GotoDefinitionResponse::Scalar(convert::location(s, range)))
    })
    .await
}

pub(crate) async fn references(
    state: &State,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>> {
    let at = params.text_document_position;
    let include_declaration = params.context.include_declaration;
    let Some(s) = state.snapshot(&at.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, at.position);
        let ranges = analysis::references(&s.file, offset, include_declaration);
        Some(
            ranges
                .into_iter()
                .map(|r| convert::location(s, r))
                .collect(),
        )
    })
    .await
}

pub(crate) async fn document_highlight(
    state: &State,
    params: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    let at = params.text_document_position_params;
    let Some(s) = state.snapshot(&at.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, at.position);
        let highlights = analysis::document_highlights(&s.file, offset);
        Some(convert::document_highlights(
            &s.file, s.encoding, highlights,
        ))
    })
    .await
}

pub(crate) async fn hover(state: &State, params: HoverParams) -> Result<Option<Hover>> {
    let at = params.text_document_position_params;
    let results = state.inline_results(&at.text_document.uri);
    let Some(s) = state.snapshot(&at.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, at.position);
        analysis::hover(&s.file, offset, &results).map(|hover| convert::hover(s, hover))
    })
    .await
}

/// Inline results after their forms; the client's range is ignored (there is one hint per
/// evaluated form at most).
pub(crate) async fn inlay_hint(
    state: &State,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    let uri = params.text_document.uri;
    let results = state.inline_results(&uri);
    let Some(s) = state.snapshot(&uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        Some(convert::inlay_hints(
            s,
            analysis::inlay_hints(&s.file, &results),
        ))
    })
    .await
}

pub(crate) async fn completion(
    state: &State,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let at = params.text_document_position;
    let Some(s) = state.snapshot(&at.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, at.position);
        analysis::completions(&s.file, offset)
            .map(|c| CompletionResponse::List(convert::completions(s, c)))
    })
    .await
}

pub(crate) async fn signature_help(
    state: &State,
    params: SignatureHelpParams,
) -> Result<Option<SignatureHelp>> {
    let at = params.text_document_position_params;
    let Some(s) = state.snapshot(&at.text_document.uri) else {
        return Ok(None);
    };
    on_snapshot(state, s, move |s| {
        let offset = convert::offset(&s.file, s.encoding, at.position);
        analysis::signature_help(&s.file, offset).map(convert::signature_help)
    })
    .await
}

/// `yin/eval`: the forms the scope names, run in the live session of the document's root after
/// the definitions they need (docs/lsp.md, "Live evaluation"). The plan is made from snapshots
/// on the blocking pool, the run happens on the evaluation thread, and each result is recorded
/// for hover and inlay hints.
pub(crate) async fn eval(
    state: &Arc<State>,
    client: &Client,
    worker: Option<&EvalWorker>,
    params: ext::EvalParams,
) -> Result<ext::EvalResult> {
    let worker = worker.ok_or_else(worker_stopped)?;
    let limits = live::limits(params.limits.unwrap_or_default())?;
    let print = live::print_options(params.print.unwrap_or_default())?;
    let uri = params.text_document.uri;
    let snapshot = state.snapshot(&uri).ok_or_else(|| not_open(&uri))?;
    let scope = live::scope(params.scope);
    let (root, root_path, others) = live::session_of(state, &uri);
    let planning = {
        let state = state.clone();
        let summaries = worker.summaries.clone();
        let snapshot = snapshot.clone();
        let (position, range) = (params.position, params.range);
        analyze(move || {
            live::plan(
                &state, &summaries, &snapshot, others, root_path, scope, position, range,
            )
        })
    };
    let (request, files) = planning.await??;
    let ticket = worker.interrupts.ticket(&root);
    let token = params.work_done_token;
    let (progress, reporting) = match &token {
        Some(token) => {
            worker
                .progress_tokens()
                .insert(live::token_key(token), root.clone());
            let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
            let title = live::progress_title(&uri, scope, &request);
            let reporting = tokio::spawn(live::report_progress(
                client.clone(),
                token.clone(),
                title,
                receiver,
            ));
            (Some(sender), Some(reporting))
        }
        None => (None, None),
    };
    let job = analysis::live::session::LiveJob {
        loads: request.loads,
        forms: request.job_forms,
        keep_going: request.keep_going,
        limits,
        print,
    };
    let forms: Vec<(analysis::TextRange, String)> = job
        .forms
        .iter()
        .map(|f| (f.range, f.text.clone()))
        .collect();
    let outcome = on_worker(Some(worker), |reply| Job::Live {
        root,
        job,
        ticket,
        progress,
        reply,
    })
    .await;
    if let Some(token) = &token {
        worker.progress_tokens().remove(&live::token_key(token));
    }
    if let Some(reporting) = reporting {
        // The sender is gone with the job: the task ends the progress and returns.
        let _ = reporting.await;
    }
    let outcome = outcome?;
    for (range, text) in &forms {
        let shown = outcome
            .results
            .iter()
            .find(|r| r.range == *range)
            .map(live::shown);
        if let Some(shown) = shown {
            state.record_result(&uri, text.clone(), shown);
        }
    }
    if state.refreshes_inlay_hints() {
        // Not awaited here: the reply must not wait for the client's answer.
        let client = client.clone();
        tokio::spawn(async move {
            let _ = client.inlay_hint_refresh().await;
        });
    }
    Ok(convert::live_result(
        &snapshot,
        &files,
        request.range,
        outcome,
        forms.len() > 1,
    ))
}

/// `yin/session/interrupt`: stops the running and queued live evaluations of the document's
/// session, or of every session. Answered at once; each stopped request answers on its own.
pub(crate) fn session_interrupt(
    state: &State,
    worker: Option<&EvalWorker>,
    params: ext::SessionParams,
) -> Result<ext::InterruptResult> {
    let worker = worker.ok_or_else(worker_stopped)?;
    let root = params
        .text_document
        .map(|document| live::session_root(state, &document.uri).0);
    Ok(ext::InterruptResult {
        interrupted: worker.interrupts.interrupt(root.as_deref()),
    })
}

/// `window/workDoneProgress/cancel` of a live evaluation's token interrupts its session.
pub(crate) fn progress_cancel(worker: Option<&EvalWorker>, params: WorkDoneProgressCancelParams) {
    if let Some(worker) = worker {
        let root = worker
            .progress_tokens()
            .get(&live::token_key(&params.token))
            .cloned();
        if let Some(root) = root {
            worker.interrupts.interrupt(Some(&root));
        }
    }
}

/// `yin/session/reset`: forgets the document's session, or every session.
pub(crate) async fn session_reset(
    state: &State,
    worker: Option<&EvalWorker>,
    params: ext::SessionParams,
) -> Result<()> {
    let root = params
        .text_document
        .map(|document| live::session_root(state, &document.uri).0);
    on_worker(worker, |reply| Job::Reset { root, reply }).await
}

/// `yin/session/info`: what the document's session has loaded.
pub(crate) async fn session_info(
    state: &State,
    worker: Option<&EvalWorker>,
    params: ext::SessionInfoParams,
) -> Result<ext::SessionInfo> {
    let (root, root_path) = live::session_root(state, &params.text_document.uri);
    let key = root.clone();
    let info = on_worker(worker, |reply| Job::Info { root: key, reply }).await?;
    let snapshots = state.snapshots();
    let encoding = state.encoding();
    analyze(move || convert::session_info(root_path, info, &snapshots, encoding)).await
}

/// `yin/inspect`: a page of the value behind a handle.
pub(crate) async fn inspect(
    worker: Option<&EvalWorker>,
    params: ext::InspectParams,
) -> Result<ext::InspectPage> {
    let count = match &params.count {
        None => 100,
        Some(value) => live::integer(Some(value), "count", 1, 1_000, 100)?,
    };
    let (handle, offset) = (params.handle, params.offset.unwrap_or(0));
    let page = on_worker(worker, |reply| Job::Inspect {
        handle,
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
        count: usize::try_from(count).unwrap_or(100),
        reply,
    })
    .await?
    .map_err(|e| Error::invalid_params(e.to_string()))?;
    Ok(convert::inspect_page(page))
}

/// `yin/inspect/text`: the whole value behind a handle, for copying.
pub(crate) async fn inspect_text(
    worker: Option<&EvalWorker>,
    params: ext::InspectTextParams,
) -> Result<ext::InspectText> {
    let handle = params.handle;
    let (text, truncated) = on_worker(worker, |reply| Job::InspectText { handle, reply })
        .await?
        .map_err(|e| Error::invalid_params(e.to_string()))?;
    Ok(ext::InspectText { text, truncated })
}

/// Sends a job to the evaluation thread and awaits its reply. Dropping this future (the client
/// cancelled) closes the reply channel, which the worker checks between slices of steps.
fn worker_stopped() -> Error {
    let mut error = Error::internal_error();
    error.message =
        "internal error: the evaluation failed (a bug) or its thread is not running".into();
    error
}

async fn on_worker<T>(
    worker: Option<&EvalWorker>,
    job: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> Job,
) -> Result<T> {
    let stopped = worker_stopped;
    let worker = worker.ok_or_else(stopped)?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    match worker.send(job(reply)) {
        Ok(()) => {}
        Err(Refused::Full) => return Err(Refused::full_error()),
        Err(Refused::Stopped) => return Err(stopped()),
    }
    answer.await.map_err(|_| stopped())
}

fn not_open(uri: &Uri) -> Error {
    Error::invalid_params(format!("{} is not open", uri.as_str()))
}

/// `yin/query`: over a debugging session's state, or every open document, or the one named.
/// Query errors are JSON-RPC errors (`-32602`) with the engine's message.
pub(crate) async fn query(
    state: &State,
    worker: Option<&EvalWorker>,
    params: ext::QueryParams,
) -> Result<ext::QueryResult> {
    let text = params.query;
    let answer = if let Some(session) = params.session {
        let datoms = on_worker(worker, |reply| Job::DebugDatoms { session, reply })
            .await?
            .ok_or_else(|| Error::invalid_params(format!("no debug session {session}")))?;
        analyze(move || analysis::query::run(&analysis::query::state_database(datoms), &text, None))
            .await?
    } else {
        let snapshots = match &params.text_document {
            Some(document) => vec![
                state
                    .snapshot(&document.uri)
                    .ok_or_else(|| not_open(&document.uri))?,
            ],
            None => state.snapshots(),
        };
        analyze(move || {
            let files: Vec<&analysis::SourceFile> = snapshots.iter().map(|s| &s.file).collect();
            analysis::query::run(&analysis::query::database(&files), &text, None)
        })
        .await?
    };
    match answer {
        Ok(result) => Ok(convert::query_result(&result)),
        Err(analysis::query::Failure::Query(e) | analysis::query::Failure::Rules(e)) => {
            Err(Error::invalid_params(e.to_string()))
        }
    }
}

/// `yin/debug/start`: the top-level form at the position, after the definitions it needs (the
/// live session's dependency plan, loaded into the debugging session's own store).
pub(crate) async fn debug_start(
    state: &Arc<State>,
    worker: Option<&EvalWorker>,
    params: ext::DebugStartParams,
) -> Result<ext::DebugStartResult> {
    let live_worker = worker.ok_or_else(worker_stopped)?;
    let uri = params.text_document.uri;
    let snapshot = state.snapshot(&uri).ok_or_else(|| not_open(&uri))?;
    let (_, root_path, others) = live::session_of(state, &uri);
    let planning = {
        let state = state.clone();
        let summaries = live_worker.summaries.clone();
        let snapshot = snapshot.clone();
        let position = Some(params.position);
        analyze(move || {
            live::plan(
                &state,
                &summaries,
                &snapshot,
                others,
                root_path,
                analysis::Scope::TopLevel,
                position,
                None,
            )
        })
    };
    let (request, mut files) = planning.await??;
    let form = request
        .job_forms
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid_params("no form at the position"))?;
    let loads = request.loads;
    // Kept as long as the session: only the texts it runs code from, not every open document
    // the plan looked at.
    files.retain(|key, _| *key == form.key || loads.iter().any(|load| load.key == *key));
    let (session, view, output) =
        on_worker(worker, |reply| Job::DebugStart { loads, form, reply }).await?;
    let converted = debug_state(state, &files, view, output);
    state.remember_debug_session(session, files);
    Ok(ext::DebugStartResult {
        session,
        state: converted,
    })
}

/// A debugging state with each range converted with its file's text: the open document as it
/// is now, else the text the session's plan read (a file on disk, or a document closed since).
/// The session's offsets refer to the texts it started from, which are the documents' as long
/// as they were not edited above them.
fn debug_state(
    state: &State,
    plan_files: &live::PlanFiles,
    view: analysis::DebugView,
    output: String,
) -> ext::DebugState {
    let keys = std::iter::once(&view.control.at)
        .chain(view.continuation.iter().map(|f| &f.at))
        .flatten()
        .map(|at| &at.key);
    let mut files = live::PlanFiles::new();
    for key in keys {
        if files.contains_key(&**key) {
            continue;
        }
        let open = key
            .parse::<Uri>()
            .ok()
            .and_then(|uri| state.snapshot(&uri))
            .map(|snapshot| snapshot.file);
        if let Some(file) = open.or_else(|| plan_files.get(&**key).cloned()) {
            files.insert(key.to_string(), file);
        }
    }
    convert::debug_state(&files, state.encoding(), view, output)
}

pub(crate) async fn debug_step(
    state: &State,
    worker: Option<&EvalWorker>,
    params: ext::DebugStepParams,
) -> Result<ext::DebugStepResult> {
    let unknown = || Error::invalid_params(format!("no debug session {}", params.session));
    let files = state.debug_session(params.session).ok_or_else(unknown)?;
    let (session, count, back) = (
        params.session,
        params.count.unwrap_or(1),
        params.back.unwrap_or(false),
    );
    let answer = on_worker(worker, |reply| Job::DebugStep {
        session,
        count,
        back,
        reply,
    })
    .await?;
    let (view, output) = answer.ok_or_else(unknown)?;
    Ok(ext::DebugStepResult {
        state: debug_state(state, &files, view, output),
    })
}

pub(crate) async fn debug_stop(
    state: &State,
    worker: Option<&EvalWorker>,
    params: ext::DebugStopParams,
) -> Result<()> {
    let session = params.session;
    state.forget_debug_session(session);
    let known = on_worker(worker, |reply| Job::DebugStop { session, reply }).await?;
    if known {
        Ok(())
    } else {
        Err(Error::invalid_params(format!("no debug session {session}")))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ViewFileTextParams {
    text_document: TextDocumentIdentifier,
}

pub(crate) fn view_file_text(state: &State, params: ViewFileTextParams) -> Result<String> {
    let uri = params.text_document.uri;
    match state.snapshot(&uri) {
        Some(snapshot) => Ok(snapshot.file.text()),
        None => Err(Error::invalid_params(format!(
            "{} is not open",
            uri.as_str()
        ))),
    }
}

/// Runs `f` on `snapshot` through [`analyze`]. If the document changed meanwhile the result is
/// dropped with LSP's `ContentModified` error, which tells the client to ask again: formatting
/// edits or tokens for an older text would be applied to the newer one.
async fn on_snapshot<T: Send + 'static>(
    state: &State,
    snapshot: Snapshot,
    f: impl FnOnce(&Snapshot) -> T + Send + 'static,
) -> Result<T> {
    let (result, snapshot) = analyze(move || (f(&snapshot), snapshot)).await?;
    if state.is_current(&snapshot) {
        Ok(result)
    } else {
        Err(Error::new(ErrorCode::ContentModified))
    }
}

/// Runs `f` on the blocking pool; a panic becomes an internal error for this request only.
async fn analyze<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let outcome = tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(f))).await;
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => {
            let mut error = Error::internal_error();
            error.message = format!(
                "internal error: analysis panicked: {}",
                panics::message(&*panic)
            )
            .into();
            Err(error)
        }
        Err(join) => {
            let mut error = Error::internal_error();
            error.message = format!("internal error: {join}").into();
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_in_analysis_is_an_internal_error() {
        let error = analyze(|| -> u32 { panic!("boom") })
            .await
            .expect_err("the panic is caught");
        assert_eq!(
            error.code,
            tower_lsp_server::jsonrpc::ErrorCode::InternalError
        );
        assert_eq!(error.message, "internal error: analysis panicked: boom");
        assert_eq!(analyze(|| 7).await.ok(), Some(7));
    }

    #[tokio::test]
    async fn a_result_for_an_outdated_snapshot_is_content_modified() {
        let (publish, _queue) = tokio::sync::mpsc::unbounded_channel();
        let state = State::new(publish);
        let uri: Uri = "file:///t.yin".parse().expect("a valid URI");
        let snapshot = state
            .open(uri.clone(), 1, SourceFile::from_text("(a)"))
            .expect("opened");
        let at = Position::new(0, 2);
        let change = convert::changes(vec![TextDocumentContentChangeEvent {
            range: Some(Range::new(at, at)),
            range_length: None,
            text: " b".to_owned(),
        }]);
        state.change(&uri, 2, change);
        let outdated = on_snapshot(&state, snapshot, |s| s.file.text()).await;
        assert_eq!(
            outdated.map_err(|error| error.code),
            Err(ErrorCode::ContentModified)
        );
        let current = state.snapshot(&uri).expect("open");
        let answer = on_snapshot(&state, current, |s| s.file.text()).await;
        assert_eq!(answer.ok().as_deref(), Some("(a b)"));
    }
}
