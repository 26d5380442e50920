/**
 * The yin server's custom requests (docs/lsp.md), mirroring server/yin/src/lsp/ext.rs field for
 * field (and `ViewFileTextParams` in handlers.rs). Change both together. Optional Rust fields
 * skipped when `None` are optional here; `Option` fields always written are `| null`.
 */
import * as lc from "vscode-languageclient/node";

/** `yin/eval`: evaluate the top-level form at `position`, the file's earlier forms loaded. */
export interface EvalParams {
  textDocument: lc.TextDocumentIdentifier;
  position: lc.Position;
}

export interface EvalResult {
  /** The form evaluated. */
  range: lc.Range;
  /** The value in `pr` form; `null` after an error. */
  value: string | null;
  /** What the program printed. */
  output: string;
  steps: number;
  error?: EvalError;
}

export interface EvalError {
  message: string;
  /** Where it happened, when known. */
  range?: lc.Range;
}

export const evalRequest = new lc.RequestType<EvalParams, EvalResult, void>("yin/eval");

/**
 * `yin/query`: Datalog over the open documents' datoms (only `textDocument`'s when given), or
 * over a debugging session's current machine state when `session` is given.
 */
export interface QueryParams {
  query: string;
  textDocument?: lc.TextDocumentIdentifier | null;
  session?: number | null;
}

export interface QueryResult {
  columns: string[];
  /** Values as `yin query --format json` writes them. */
  rows: unknown[][];
}

export const queryRequest = new lc.RequestType<QueryParams, QueryResult, void>("yin/query");

/** `yin/debug/start`: start stepping the top-level form at `position`. */
export type DebugStartParams = EvalParams;

export interface DebugStartResult {
  session: number;
  state: DebugState;
}

export const debugStartRequest = new lc.RequestType<DebugStartParams, DebugStartResult, void>(
  "yin/debug/start",
);

/** `yin/debug/step`: `count` steps (default 1) forwards, or back when `back` is true. */
export interface DebugStepParams {
  session: number;
  count?: number | null;
  back?: boolean | null;
}

export interface DebugStepResult {
  state: DebugState;
}

export const debugStepRequest = new lc.RequestType<DebugStepParams, DebugStepResult, void>("yin/debug/step");

/** `yin/debug/stop`: forget a session. The result is `null`. */
export interface DebugStopParams {
  session: number;
}

export const debugStopRequest = new lc.RequestType<DebugStopParams, null, void>("yin/debug/stop");

/** A paused machine state (docs/vm.md, "Inspection"). */
export interface DebugState {
  step: number;
  /** `running`, `paused`, `parked`, `done` or `error`. */
  status: string;
  control: DebugControl;
  value?: string;
  /** The error's message, when the status is `error`. */
  error?: string;
  environment: NamedValue[];
  /** Innermost frame first. */
  continuation: DebugFrame[];
  store: NamedValue[];
  /** What the program printed so far. */
  output: string;
}

export interface DebugControl {
  /** The expression about to be evaluated; `null` while a value is being returned. */
  range: lc.Range | null;
  /** The kind of code (`call`, `if`, ...), or `value`. */
  kind: string;
  /** The value being returned, when `kind` is `value`. */
  value?: string;
}

export interface DebugFrame {
  kind: string;
  range?: lc.Range;
  description: string;
}

export interface NamedValue {
  name: string;
  value: string;
}

/** `yin/viewFileText`: the server's copy of a document, exactly. */
export interface ViewFileTextParams {
  textDocument: lc.TextDocumentIdentifier;
}

export const viewFileTextRequest = new lc.RequestType<ViewFileTextParams, string, void>("yin/viewFileText");
