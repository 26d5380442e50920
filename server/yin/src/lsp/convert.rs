//! Every conversion between LSP types and the analysis facade's types. Positions are converted
//! with the file they refer to and the negotiated encoding; nothing else here knows a document.

use analysis::{
    DocumentSymbol as AnalysisSymbol, Edit, Finding, Fold, FoldKind, PositionEncoding, Severity,
    SourceFile, SymbolKind as AnalysisSymbolKind, TextRange, TextSize,
};
use tower_lsp_server::lsp_types::{
    self as lsp, DiagnosticSeverity, DocumentSymbol, FoldingRange, FoldingRangeKind,
    NumberOrString, SelectionRange, SymbolKind, TextDocumentContentChangeEvent,
};

use super::state::Change;

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
pub(crate) fn changes(events: Vec<TextDocumentContentChangeEvent>) -> Vec<Change> {
    events
        .into_iter()
        .map(|event| match event.range {
            Some(range) => Change::Edit(analysis::TextEdit::new(self::range(range), event.text)),
            None => Change::Replace(event.text),
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
