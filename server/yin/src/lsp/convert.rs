//! Every conversion between LSP types and the analysis facade's types. Positions are converted
//! with the file they refer to and the negotiated encoding; nothing else here knows a document.

use analysis::{
    DocumentHighlight as AnalysisHighlight, DocumentSymbol as AnalysisSymbol, Edit, Finding, Fold,
    FoldKind, PositionEncoding, Severity, SourceFile, SymbolKind as AnalysisSymbolKind, TextRange,
    TextSize,
};
use tower_lsp_server::lsp_types::{
    self as lsp, DiagnosticSeverity, DocumentHighlight, DocumentHighlightKind, DocumentSymbol,
    FoldingRange, FoldingRangeKind, NumberOrString, SelectionRange, SymbolKind,
    TextDocumentContentChangeEvent,
};

use super::ext;
use super::state::Snapshot;

pub(crate) fn position(position: lsp::Position) -> analysis::Position {
    analysis::Position::new(position.line, position.character)
}

pub(crate) fn range(range: lsp::Range) -> analysis::Range {
    analysis::Range::new(position(range.start), position(range.end))
}

pub(crate) fn offset(
    file: &SourceFile,
    encoding: PositionEncoding,
    position: lsp::Position,
) -> TextSize {
    file.document()
        .position_to_offset(self::position(position), encoding)
}

pub(crate) fn text_range(
    file: &SourceFile,
    encoding: PositionEncoding,
    range: lsp::Range,
) -> TextRange {
    file.document()
        .range_to_text_range(self::range(range), encoding)
}

pub(crate) fn lsp_range(
    file: &SourceFile,
    encoding: PositionEncoding,
    range: TextRange,
) -> lsp::Range {
    let range = file.document().text_range_to_range(range, encoding);
    lsp::Range::new(
        lsp::Position::new(range.start.line, range.start.character),
        lsp::Position::new(range.end.line, range.end.character),
    )
}

/// A `didChange`'s content changes, in order.
pub(crate) fn changes(events: Vec<TextDocumentContentChangeEvent>) -> Vec<analysis::ContentChange> {
    events
        .into_iter()
        .map(|event| match event.range {
            Some(range) => analysis::ContentChange::Edit(analysis::TextEdit::new(
                self::range(range),
                event.text,
            )),
            None => analysis::ContentChange::Replace(event.text),
        })
        .collect()
}

pub(crate) fn diagnostics(
    file: &SourceFile,
    encoding: PositionEncoding,
    findings: Vec<Finding>,
) -> Vec<lsp::Diagnostic> {
    findings
        .into_iter()
        .map(|finding| lsp::Diagnostic {
            range: lsp_range(file, encoding, finding.range),
            severity: Some(severity(finding.severity)),
            code: Some(NumberOrString::String(finding.rule)),
            source: Some("yin".to_owned()),
            message: finding.message,
            ..lsp::Diagnostic::default()
        })
        .collect()
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub(crate) fn document_symbols(
    file: &SourceFile,
    encoding: PositionEncoding,
    symbols: Vec<AnalysisSymbol>,
) -> Vec<DocumentSymbol> {
    symbols
        .into_iter()
        .map(|symbol| {
            #[allow(
                deprecated,
                reason = "`deprecated` is a required field of lsp-types' struct"
            )]
            DocumentSymbol {
                name: symbol.name,
                detail: match symbol.kind {
                    AnalysisSymbolKind::Macro => Some(
                        symbol
                            .detail
                            .map_or_else(|| "macro".to_owned(), |params| format!("macro {params}")),
                    ),
                    _ => symbol.detail,
                },
                kind: match symbol.kind {
                    AnalysisSymbolKind::Function | AnalysisSymbolKind::Macro => {
                        SymbolKind::FUNCTION
                    }
                    AnalysisSymbolKind::Value => SymbolKind::VARIABLE,
                },
                tags: None,
                deprecated: None,
                range: lsp_range(file, encoding, symbol.range),
                selection_range: lsp_range(file, encoding, symbol.focus_range),
                children: None,
            }
        })
        .collect()
}

pub(crate) fn folding_ranges(
    file: &SourceFile,
    encoding: PositionEncoding,
    folds: Vec<Fold>,
) -> Vec<FoldingRange> {
    folds
        .into_iter()
        .map(|fold| {
            let range = lsp_range(file, encoding, fold.range);
            FoldingRange {
                start_line: range.start.line,
                start_character: None,
                end_line: range.end.line,
                end_character: None,
                kind: match fold.kind {
                    FoldKind::Comment => Some(FoldingRangeKind::Comment),
                    FoldKind::Form => None,
                },
                collapsed_text: None,
            }
        })
        .collect()
}

/// Ranges innermost first, as the analysis gives them, into LSP's chain of parents.
pub(crate) fn selection_range(
    file: &SourceFile,
    encoding: PositionEncoding,
    ranges: Vec<TextRange>,
) -> SelectionRange {
    let mut chain: Option<SelectionRange> = None;
    for range in ranges.into_iter().rev() {
        chain = Some(SelectionRange {
            range: lsp_range(file, encoding, range),
            parent: chain.map(Box::new),
        });
    }
    chain.unwrap_or_else(|| SelectionRange {
        range: lsp::Range::default(),
        parent: None,
    })
}

pub(crate) fn text_edits(
    file: &SourceFile,
    encoding: PositionEncoding,
    changes: Vec<Edit>,
) -> Vec<lsp::TextEdit> {
    changes
        .into_iter()
        .map(|change| lsp::TextEdit::new(lsp_range(file, encoding, change.range), change.text))
        .collect()
}

/// A range of the snapshot's document as a location.
pub(crate) fn location(snapshot: &Snapshot, range: TextRange) -> lsp::Location {
    lsp::Location::new(
        snapshot.uri.clone(),
        lsp_range(&snapshot.file, snapshot.encoding, range),
    )
}

pub(crate) fn document_highlights(
    file: &SourceFile,
    encoding: PositionEncoding,
    highlights: Vec<AnalysisHighlight>,
) -> Vec<DocumentHighlight> {
    highlights
        .into_iter()
        .map(|h| DocumentHighlight {
            range: lsp_range(file, encoding, h.range),
            kind: Some(if h.write {
                DocumentHighlightKind::WRITE
            } else {
                DocumentHighlightKind::READ
            }),
        })
        .collect()
}

pub(crate) fn hover(snapshot: &Snapshot, hover: analysis::Hover) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: hover.markdown,
        }),
        range: Some(lsp_range(&snapshot.file, snapshot.encoding, hover.range)),
    }
}

pub(crate) fn inlay_hints(
    snapshot: &Snapshot,
    hints: Vec<analysis::InlayHint>,
) -> Vec<lsp::InlayHint> {
    hints
        .into_iter()
        .map(|hint| {
            let at = TextRange::empty(hint.offset);
            lsp::InlayHint {
                position: lsp_range(&snapshot.file, snapshot.encoding, at).start,
                label: lsp::InlayHintLabel::String(hint.label),
                kind: None,
                text_edits: None,
                tooltip: hint.tooltip.map(|markdown| {
                    lsp::InlayHintTooltip::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: markdown,
                    })
                }),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            }
        })
        .collect()
}

/// An incomplete list (a file's names left out) is marked so: the editor asks again as more is
/// typed instead of filtering this one.
pub(crate) fn completions(
    snapshot: &Snapshot,
    completions: analysis::Completions,
) -> lsp::CompletionList {
    let replace = lsp_range(&snapshot.file, snapshot.encoding, completions.replace);
    let items = completions
        .items
        .into_iter()
        .map(|item| lsp::CompletionItem {
            kind: Some(match item.kind {
                analysis::CompletionKind::Local => lsp::CompletionItemKind::VARIABLE,
                analysis::CompletionKind::Function | analysis::CompletionKind::CoreFunction => {
                    lsp::CompletionItemKind::FUNCTION
                }
                analysis::CompletionKind::Global => lsp::CompletionItemKind::CONSTANT,
                analysis::CompletionKind::Macro | analysis::CompletionKind::SpecialForm => {
                    lsp::CompletionItemKind::KEYWORD
                }
                analysis::CompletionKind::Keyword => lsp::CompletionItemKind::ENUM_MEMBER,
            }),
            detail: item.detail,
            documentation: item.documentation.map(|doc| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: doc,
                })
            }),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                replace,
                item.label.clone(),
            ))),
            label: item.label,
            ..lsp::CompletionItem::default()
        })
        .collect();
    lsp::CompletionList {
        is_incomplete: completions.incomplete,
        items,
    }
}

/// Parameter ranges become UTF-16 offsets into the label, as LSP counts them.
pub(crate) fn signature_help(help: analysis::SignatureHelp) -> lsp::SignatureHelp {
    let utf16 = |label: &str, at: TextSize| {
        let n = label
            .get(..usize::from(at))
            .map_or(0, |head| head.encode_utf16().count());
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    lsp::SignatureHelp {
        signatures: help
            .signatures
            .into_iter()
            .map(|s| lsp::SignatureInformation {
                parameters: Some(
                    s.parameters
                        .iter()
                        .map(|r| lsp::ParameterInformation {
                            label: lsp::ParameterLabel::LabelOffsets([
                                utf16(&s.label, r.start()),
                                utf16(&s.label, r.end()),
                            ]),
                            documentation: None,
                        })
                        .collect(),
                ),
                documentation: s.documentation.map(lsp::Documentation::String),
                active_parameter: None,
                label: s.label,
            })
            .collect(),
        active_signature: u32::try_from(help.active_signature).ok(),
        active_parameter: help.active_parameter.and_then(|p| u32::try_from(p).ok()),
    }
}

/// A place in one of the files a live evaluation read, as a URI and an LSP range.
fn place(
    files: &super::live::PlanFiles,
    encoding: PositionEncoding,
    at: &analysis::live::session::Place,
) -> Option<(lsp::Uri, lsp::Range)> {
    let file = files.get(&at.key)?;
    let uri = at.key.parse::<lsp::Uri>().ok()?;
    Some((uri, lsp_range(file, encoding, at.range)))
}

fn loaded_definition(
    files: &super::live::PlanFiles,
    encoding: PositionEncoding,
    loaded: &analysis::live::session::Loaded,
) -> Option<ext::LoadedDefinition> {
    let (uri, range) = place(files, encoding, &loaded.at)?;
    Some(ext::LoadedDefinition {
        name: loaded.name.clone(),
        uri,
        range,
    })
}

fn live_error(
    files: &super::live::PlanFiles,
    encoding: PositionEncoding,
    error: analysis::live::session::LiveError,
) -> ext::EvalError {
    let at = error.at.as_ref().and_then(|at| place(files, encoding, at));
    ext::EvalError {
        message: error.message,
        uri: at.as_ref().map(|(uri, _)| uri.clone()),
        range: at.map(|(_, range)| range),
        loading: error
            .loading
            .as_ref()
            .and_then(|loaded| loaded_definition(files, encoding, loaded)),
        trace: error
            .trace
            .into_iter()
            .map(|frame| {
                let at = frame.at.as_ref().and_then(|at| place(files, encoding, at));
                ext::TraceFrame {
                    description: frame.description,
                    uri: at.as_ref().map(|(uri, _)| uri.clone()),
                    range: at.map(|(_, range)| range),
                }
            })
            .collect(),
    }
}

/// A live evaluation's reply; `results` only when several forms ran.
pub(crate) fn live_result(
    snapshot: &Snapshot,
    files: &super::live::PlanFiles,
    range: TextRange,
    outcome: analysis::live::session::LiveOutcome,
    several: bool,
) -> ext::EvalResult {
    let encoding = snapshot.encoding;
    let interrupted = outcome.error.as_ref().is_some_and(|e| e.interrupted);
    let (value, truncated, handle) = match outcome.value {
        Some(printed) => (Some(printed.text), printed.truncated, printed.handle),
        None => (None, false, None),
    };
    ext::EvalResult {
        range: lsp_range(&snapshot.file, encoding, range),
        value,
        truncated,
        handle,
        output: outcome.output,
        steps: outcome.steps,
        elapsed_ms: u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX),
        loaded: outcome
            .loaded
            .iter()
            .filter_map(|loaded| loaded_definition(files, encoding, loaded))
            .collect(),
        results: several.then(|| {
            outcome
                .results
                .into_iter()
                .map(|result| {
                    let (value, truncated, handle) = match result.value {
                        Some(printed) => (Some(printed.text), printed.truncated, printed.handle),
                        None => (None, false, None),
                    };
                    ext::FormResult {
                        range: lsp_range(&snapshot.file, encoding, result.range),
                        value,
                        truncated,
                        handle,
                        error: result.error.map(|e| live_error(files, encoding, e)),
                    }
                })
                .collect()
        }),
        error: outcome.error.map(|e| live_error(files, encoding, e)),
        interrupted: interrupted.then_some(true),
    }
}

/// A session's loaded definitions; ranges are converted with the open document when the key is
/// one (they were loaded from some version of it), else with the file as it is on disk.
pub(crate) fn session_info(
    root: Option<std::path::PathBuf>,
    info: analysis::live::session::SessionInfo,
    snapshots: &[Snapshot],
    encoding: PositionEncoding,
) -> ext::SessionInfo {
    let mut disk: std::collections::HashMap<String, Option<SourceFile>> =
        std::collections::HashMap::new();
    let loaded = info
        .loaded
        .into_iter()
        .filter_map(|(name, def)| {
            let uri = def.at.key.parse::<lsp::Uri>().ok()?;
            let open = snapshots.iter().find(|s| s.uri == uri).map(|s| &s.file);
            let file = match open {
                Some(file) => file,
                None => disk
                    .entry(def.at.key.clone())
                    .or_insert_with(|| {
                        use tower_lsp_server::UriExt;
                        let path = uri.to_file_path()?;
                        let bytes =
                            analysis::disk::read_regular(&path, analysis::disk::MAX_SOURCE_BYTES)
                                .ok()?;
                        Some(SourceFile::from_bytes(&bytes))
                    })
                    .as_ref()?,
            };
            Some(ext::SessionDefinition {
                name,
                range: lsp_range(file, encoding, def.at.range),
                uri,
                version: def.version,
            })
        })
        .collect();
    ext::SessionInfo {
        root: root.map(|root| root.display().to_string()),
        loaded,
        evaluations: info.evaluations,
        handles: info.handles as u64,
    }
}

pub(crate) fn inspect_page(page: analysis::live::inspect::Page) -> ext::InspectPage {
    ext::InspectPage {
        kind: page.kind.to_owned(),
        count: page.count as u64,
        offset: page.offset as u64,
        items: page
            .items
            .into_iter()
            .map(|item| ext::InspectItem {
                key: item.key,
                value: item.value.text,
                truncated: item.value.truncated,
                handle: item.value.handle,
            })
            .collect(),
        text: page.text,
    }
}

pub(crate) fn query_result(result: &analysis::query::QueryResult) -> ext::QueryResult {
    ext::QueryResult {
        columns: result.columns.clone(),
        rows: result
            .rows
            .iter()
            .map(|row| row.iter().map(crate::json::from_edn).collect())
            .collect(),
    }
}

/// A machine state for `yin/debug/*`. A state still running between steps is `paused`. Each
/// range is converted with the text of its own file, from `files` (by key); a location in a
/// file `files` lacks, or whose key is no URI, is left out whole (never a range without its
/// `uri`).
pub(crate) fn debug_state(
    files: &super::live::PlanFiles,
    encoding: PositionEncoding,
    view: analysis::DebugView,
    output: String,
) -> ext::DebugState {
    let place = |at: Option<analysis::DebugLocation>| -> (Option<lsp::Uri>, Option<lsp::Range>) {
        let placed = at.and_then(|at| {
            let file = files.get(&*at.key)?;
            let uri = at.key.parse::<lsp::Uri>().ok()?;
            Some((uri, lsp_range(file, encoding, at.range)))
        });
        match placed {
            Some((uri, range)) => (Some(uri), Some(range)),
            None => (None, None),
        }
    };
    let (control_uri, control_range) = place(view.control.at);
    let named = |b: analysis::DebugBinding| ext::NamedValue {
        name: b.name,
        value: b.value,
    };
    ext::DebugState {
        step: view.step,
        status: match view.status {
            "running" => "paused",
            other => other,
        }
        .to_owned(),
        control: ext::DebugControl {
            uri: control_uri,
            range: control_range,
            kind: view.control.kind.to_owned(),
            value: view.control.value,
        },
        value: view.value,
        error: view.error,
        environment: view.environment.into_iter().map(named).collect(),
        continuation: view
            .continuation
            .into_iter()
            .map(|f| {
                let (uri, range) = place(f.at);
                ext::DebugFrame {
                    kind: f.kind.to_owned(),
                    uri,
                    range,
                    description: f.description,
                }
            })
            .collect(),
        store: view.store.into_iter().map(named).collect(),
        output,
    }
}

/// The folders to index: the workspace folders, else the deprecated root URI.
pub(crate) fn workspace_roots(params: &lsp::InitializeParams) -> Vec<std::path::PathBuf> {
    use tower_lsp_server::UriExt;
    #[allow(deprecated, reason = "older clients send only rootUri")]
    let root = params.root_uri.as_ref();
    match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect(),
        _ => root
            .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()))
            .into_iter()
            .collect(),
    }
}

pub(crate) fn workspace_symbols(
    files: &[(lsp::Uri, SourceFile)],
    encoding: PositionEncoding,
    found: Vec<analysis::WorkspaceSymbol>,
) -> Vec<lsp::WorkspaceSymbol> {
    found
        .into_iter()
        .filter_map(|found| {
            let (uri, file) = files.get(found.file)?;
            let symbol = found.symbol;
            Some(lsp::WorkspaceSymbol {
                name: symbol.name,
                kind: symbol_kind(symbol.kind),
                tags: None,
                container_name: None,
                location: lsp::OneOf::Left(lsp::Location::new(
                    uri.clone(),
                    lsp_range(file, encoding, symbol.focus_range),
                )),
                data: None,
            })
        })
        .collect()
}

/// A definition from the workspace index: its range is already in the negotiated encoding.
pub(crate) fn indexed_symbol(
    uri: lsp::Uri,
    symbol: analysis::IndexedSymbol,
) -> lsp::WorkspaceSymbol {
    let range = symbol.focus_range;
    lsp::WorkspaceSymbol {
        name: symbol.name,
        kind: symbol_kind(symbol.kind),
        tags: None,
        container_name: None,
        location: lsp::OneOf::Left(lsp::Location::new(
            uri,
            lsp::Range::new(
                lsp::Position::new(range.start.line, range.start.character),
                lsp::Position::new(range.end.line, range.end.character),
            ),
        )),
        data: None,
    }
}

fn symbol_kind(kind: AnalysisSymbolKind) -> SymbolKind {
    match kind {
        AnalysisSymbolKind::Function | AnalysisSymbolKind::Macro => SymbolKind::FUNCTION,
        AnalysisSymbolKind::Value => SymbolKind::VARIABLE,
    }
}

/// Edits to the snapshot's document as a workspace edit naming its version, so a client applies
/// them only to the text they were computed for.
pub(crate) fn workspace_edit(snapshot: &Snapshot, edits: Vec<Edit>) -> lsp::WorkspaceEdit {
    let edits = text_edits(&snapshot.file, snapshot.encoding, edits)
        .into_iter()
        .map(lsp::OneOf::Left)
        .collect();
    lsp::WorkspaceEdit {
        document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                uri: snapshot.uri.clone(),
                version: Some(snapshot.version),
            },
            edits,
        }])),
        ..lsp::WorkspaceEdit::default()
    }
}

pub(crate) fn code_action(snapshot: &Snapshot, action: analysis::CodeAction) -> lsp::CodeAction {
    let (kind, diagnostics) = match action.kind {
        analysis::ActionKind::QuickFix(finding) => (
            lsp::CodeActionKind::QUICKFIX,
            Some(diagnostics(
                &snapshot.file,
                snapshot.encoding,
                vec![finding],
            )),
        ),
        analysis::ActionKind::Extract => (lsp::CodeActionKind::REFACTOR_EXTRACT, None),
        analysis::ActionKind::Inline => (lsp::CodeActionKind::REFACTOR_INLINE, None),
        analysis::ActionKind::Rewrite => (lsp::CodeActionKind::REFACTOR_REWRITE, None),
    };
    lsp::CodeAction {
        title: action.title,
        kind: Some(kind),
        diagnostics,
        edit: Some(workspace_edit(snapshot, action.edits)),
        ..lsp::CodeAction::default()
    }
}
