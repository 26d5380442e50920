//! The custom requests (docs/lsp.md), as typed params and results. This file is the one
//! `editors/vscode/src/lsp_ext.ts` mirrors field for field; change both together.

use serde::{Deserialize, Serialize};
use tower_lsp_server::lsp_types::{Position, Range, TextDocumentIdentifier};

/// `yin/eval`: evaluate the top-level form at `position`, the file's earlier forms loaded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EvalParams {
    pub(crate) text_document: TextDocumentIdentifier,
    pub(crate) position: Position,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EvalResult {
    /// The form evaluated.
    pub(crate) range: Range,
    /// The value in `pr` form; `null` after an error.
    pub(crate) value: Option<String>,
    /// What the program printed.
    pub(crate) output: String,
    pub(crate) steps: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<EvalError>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EvalError {
    pub(crate) message: String,
    /// Where it happened, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) range: Option<Range>,
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
pub(crate) type DebugStartParams = EvalParams;

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
    /// The expression about to be evaluated; `null` while a value is being returned.
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
