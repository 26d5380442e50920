//! The custom requests (docs/lsp.md), as typed params and results. This file is the one
//! `editors/vscode/src/lsp_ext.ts` mirrors field for field; change both together.

use serde::{Deserialize, Serialize};
use tower_lsp_server::lsp_types::{NumberOrString, Position, Range, TextDocumentIdentifier, Uri};

/// `yin/eval`: evaluate forms in the live session of the document's workspace root, the
/// definitions they need loaded first (docs/lsp.md, "Live evaluation").
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EvalParams {
    pub(crate) text_document: TextDocumentIdentifier,
    pub(crate) position: Option<Position>,
    pub(crate) range: Option<Range>,
    /// `form`, `topLevel` (the default), `selection`, `toCursor` or `file`.
    pub(crate) scope: Option<EvalScope>,
    pub(crate) limits: Option<EvalLimits>,
    pub(crate) print: Option<PrintOptions>,
    pub(crate) work_done_token: Option<NumberOrString>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) enum EvalScope {
    Form,
    TopLevel,
    Selection,
    ToCursor,
    File,
}

/// Bounds of one evaluation, loading included. Numbers are read as JSON values and checked by
/// the handler, so that a wrong one is answered with its field and range.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EvalLimits {
    pub(crate) steps: Option<serde_json::Value>,
    pub(crate) time_ms: Option<serde_json::Value>,
    pub(crate) memory_mb: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrintOptions {
    pub(crate) max_length: Option<serde_json::Value>,
    pub(crate) max_depth: Option<serde_json::Value>,
    pub(crate) max_items: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EvalResult {
    /// What was evaluated (for `toCursor` and `file`: from the first form to the last).
    pub(crate) range: Range,
    /// The last form's value in `pr` form, cut by `print`; `null` after an error.
    pub(crate) value: Option<String>,
    pub(crate) truncated: bool,
    /// For `yin/inspect`, when the value is a collection, a string, an atom or a function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) handle: Option<u64>,
    /// What the evaluated forms and loaded definitions printed, cut to 100,000 characters.
    pub(crate) output: String,
    pub(crate) steps: u64,
    pub(crate) elapsed_ms: u64,
    /// Definitions loaded first, in order.
    pub(crate) loaded: Vec<LoadedDefinition>,
    /// One per top-level form, for `toCursor`, `file` and selections of several forms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) results: Option<Vec<FormResult>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<EvalError>,
    /// Stopped by `yin/session/interrupt` or a progress cancel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) interrupted: Option<bool>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoadedDefinition {
    pub(crate) name: String,
    pub(crate) uri: Uri,
    pub(crate) range: Range,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FormResult {
    pub(crate) range: Range,
    pub(crate) value: Option<String>,
    pub(crate) truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) handle: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<EvalError>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EvalError {
    pub(crate) message: String,
    /// Where it failed, in that file (which may be another than the evaluated document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri: Option<Uri>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) range: Option<Range>,
    /// The definition whose loading failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) loading: Option<LoadedDefinition>,
    /// The continuation at the failure, innermost first.
    pub(crate) trace: Vec<TraceFrame>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TraceFrame {
    pub(crate) description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri: Option<Uri>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) range: Option<Range>,
}

/// `yin/session/interrupt`, `yin/session/reset`: one document's session, or every session.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionParams {
    pub(crate) text_document: Option<TextDocumentIdentifier>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InterruptResult {
    /// Evaluations stopped, running or queued.
    pub(crate) interrupted: u64,
}

/// `yin/session/info`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionInfoParams {
    pub(crate) text_document: TextDocumentIdentifier,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionInfo {
    /// The workspace root's path; `null` for a document outside every root.
    pub(crate) root: Option<String>,
    pub(crate) loaded: Vec<SessionDefinition>,
    pub(crate) evaluations: u64,
    pub(crate) handles: u64,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionDefinition {
    pub(crate) name: String,
    pub(crate) uri: Uri,
    pub(crate) range: Range,
    /// The document version it was loaded from; `null` for a file read from disk.
    pub(crate) version: Option<i32>,
}

/// `yin/inspect`: a page of the value behind a handle.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InspectParams {
    pub(crate) handle: u64,
    pub(crate) offset: Option<u64>,
    pub(crate) count: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InspectPage {
    /// `list`, `vector`, `map`, `set`, `string`, `atom`, `fn` or `other`.
    pub(crate) kind: String,
    /// Elements (entries for a map, characters for a string).
    pub(crate) count: u64,
    pub(crate) offset: u64,
    pub(crate) items: Vec<InspectItem>,
    /// A string's characters `[offset, offset + count * 100)`; the `pr` form of anything else
    /// that has no items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InspectItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) key: Option<String>,
    pub(crate) value: String,
    pub(crate) truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) handle: Option<u64>,
}

/// `yin/inspect/text`: the whole value in `pr` form, for copying.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InspectTextParams {
    pub(crate) handle: u64,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InspectText {
    pub(crate) text: String,
    /// Cut at 8 MiB.
    pub(crate) truncated: bool,
}

/// `yin/query`: Datalog over the open documents' datoms (only `textDocument`'s when given), or
/// over a debugging session's current machine state when `session` is given.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryParams {
    pub(crate) query: String,
    pub(crate) text_document: Option<TextDocumentIdentifier>,
    pub(crate) session: Option<u64>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryResult {
    pub(crate) columns: Vec<String>,
    /// Values as `yin query --format json` writes them.
    pub(crate) rows: Vec<Vec<serde_json::Value>>,
}

/// `yin/debug/start`: start stepping the top-level form at `position`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugStartParams {
    pub(crate) text_document: TextDocumentIdentifier,
    pub(crate) position: Position,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugStartResult {
    pub(crate) session: u64,
    pub(crate) state: DebugState,
}

/// `yin/debug/step`: `count` steps (default 1) forwards, or back when `back` is true.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugStepParams {
    pub(crate) session: u64,
    pub(crate) count: Option<u64>,
    pub(crate) back: Option<bool>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugStepResult {
    pub(crate) state: DebugState,
}

/// `yin/debug/stop`: forget a session. The result is `null`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugStopParams {
    pub(crate) session: u64,
}

/// A paused machine state (docs/vm.md, "Inspection").
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugState {
    pub(crate) step: u64,
    /// `running`, `paused`, `parked`, `done` or `error`.
    pub(crate) status: String,
    pub(crate) control: DebugControl,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<String>,
    /// The error's message, when the status is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    pub(crate) environment: Vec<NamedValue>,
    /// Innermost frame first.
    pub(crate) continuation: Vec<DebugFrame>,
    pub(crate) store: Vec<NamedValue>,
    /// What the program printed so far.
    pub(crate) output: String,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugControl {
    /// The file of the expression about to be evaluated, which may be another file than the
    /// session's (a function defined there); present exactly when `range` is not `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri: Option<Uri>,
    /// The expression about to be evaluated, in `uri`; `null` while a value is being returned.
    pub(crate) range: Option<Range>,
    /// The kind of code (`call`, `if`, ...), or `value`.
    pub(crate) kind: String,
    /// The value being returned, when `kind` is `value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugFrame {
    pub(crate) kind: String,
    /// The file of the frame's code; present exactly when `range` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri: Option<Uri>,
    /// The frame's code, in `uri`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) range: Option<Range>,
    pub(crate) description: String,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NamedValue {
    pub(crate) name: String,
    pub(crate) value: String,
}
