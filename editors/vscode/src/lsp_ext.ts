/**
 * The yin server's custom requests (docs/lsp.md), mirroring server/yin/src/lsp/ext.rs field for
 * field (and `ViewFileTextParams` in handlers.rs). Change both together. Optional Rust fields
 * skipped when `None` are optional here; `Option` fields always written are `| null`.
 */
import * as lc from "vscode-languageclient/node";

/**
 * `yin/eval`: evaluate forms in the live session of the document's workspace root, the
 * definitions they need loaded first (docs/lsp.md, "Live evaluation").
 */
export interface EvalParams {
  textDocument: lc.TextDocumentIdentifier;
  position?: lc.Position | null;
  range?: lc.Range | null;
  /** `form`, `topLevel` (the default), `selection`, `toCursor` or `file`. */
  scope?: EvalScope | null;
  limits?: EvalLimits | null;
  print?: PrintOptions | null;
  workDoneToken?: lc.ProgressToken | null;
}

export type EvalScope = "form" | "topLevel" | "selection" | "toCursor" | "file";

/** Bounds of one evaluation, loading included; out of range is error -32602 naming the field. */
export interface EvalLimits {
  /** 1..=10,000,000,000, default 10,000,000. */
  steps?: number | null;
  /** 1..=600,000, default 10,000. */
  timeMs?: number | null;
  /** 16..=4,096, default 256. */
  memoryMb?: number | null;
}

export interface PrintOptions {
  /** 16..=1,000,000 characters, default 10,000. */
  maxLength?: number | null;
  /** 1..=100, default 10. */
  maxDepth?: number | null;
  /** 1..=100,000, default 1,000. */
  maxItems?: number | null;
}

export interface EvalResult {
  /** What was evaluated (for `toCursor` and `file`: from the first form to the last). */
  range: lc.Range;
  /** The last form's value in `pr` form, cut by `print`; `null` after an error. */
  value: string | null;
  truncated: boolean;
  /** For `yin/inspect`, when the value is a collection, a string, an atom or a function. */
  handle?: number;
  /** What the evaluated forms and loaded definitions printed, cut to 100,000 characters. */
  output: string;
  steps: number;
  elapsedMs: number;
  /** Definitions loaded first, in order. */
  loaded: LoadedDefinition[];
  /** One per top-level form, for `toCursor`, `file` and selections of several forms. */
  results?: FormResult[];
  error?: EvalError;
  /** Stopped by `yin/session/interrupt` or a progress cancel. */
  interrupted?: boolean;
}

export interface LoadedDefinition {
  name: string;
  uri: string;
  range: lc.Range;
}

export interface FormResult {
  range: lc.Range;
  value: string | null;
  truncated: boolean;
  handle?: number;
  error?: EvalError;
}

export interface EvalError {
  message: string;
  /** Where it failed, in that file (which may be another than the evaluated document). */
  uri?: string;
  range?: lc.Range;
  /** The definition whose loading failed. */
  loading?: LoadedDefinition;
  /** The continuation at the failure, innermost first. */
  trace: TraceFrame[];
}

export interface TraceFrame {
  description: string;
  uri?: string;
  range?: lc.Range;
}

export const evalRequest = new lc.RequestType<EvalParams, EvalResult, void>("yin/eval");

/** `yin/session/interrupt`, `yin/session/reset`: one document's session, or every session. */
export interface SessionParams {
  textDocument?: lc.TextDocumentIdentifier | null;
}

export interface InterruptResult {
  /** Evaluations stopped, running or queued. */
  interrupted: number;
}

export const sessionInterruptRequest = new lc.RequestType<SessionParams, InterruptResult, void>(
  "yin/session/interrupt",
);

/** Forgets the session: store, loaded definitions, handles. The result is `null`. */
export const sessionResetRequest = new lc.RequestType<SessionParams, null, void>("yin/session/reset");

/** `yin/session/info`. */
export interface SessionInfoParams {
  textDocument: lc.TextDocumentIdentifier;
}

export interface SessionInfo {
  /** The workspace root's path; `null` for a document outside every root. */
  root: string | null;
  loaded: SessionDefinition[];
  evaluations: number;
  handles: number;
}

export interface SessionDefinition {
  name: string;
  uri: string;
  range: lc.Range;
  /** The document version it was loaded from; `null` for a file read from disk. */
  version: number | null;
}

export const sessionInfoRequest = new lc.RequestType<SessionInfoParams, SessionInfo, void>(
  "yin/session/info",
);

/** `yin/inspect`: a page of the value behind a handle. */
export interface InspectParams {
  handle: number;
  /** Default 0. */
  offset?: number | null;
  /** 1..=1,000, default 100. */
  count?: number | null;
}

export interface InspectPage {
  /** `list`, `vector`, `map`, `set`, `string`, `atom`, `fn` or `other`. */
  kind: string;
  /** Elements (entries for a map, characters for a string). */
  count: number;
  offset: number;
  items: InspectItem[];
  /** A string's characters `[offset, offset + count * 100)`; the `pr` form of anything else without items. */
  text?: string;
}

export interface InspectItem {
  key?: string;
  value: string;
  truncated: boolean;
  handle?: number;
}

export const inspectRequest = new lc.RequestType<InspectParams, InspectPage, void>("yin/inspect");

/** `yin/inspect/text`: the whole value in `pr` form, for copying. */
export interface InspectTextParams {
  handle: number;
}

export interface InspectText {
  text: string;
  /** Cut at 8 MiB. */
  truncated: boolean;
}

export const inspectTextRequest = new lc.RequestType<InspectTextParams, InspectText, void>(
  "yin/inspect/text",
);

/**
 * The server also handles the standard "window/workDoneProgress/cancel" notification: cancelling
 * the progress of a `yin/eval` sent with a `workDoneToken` interrupts it.
 */
export const workDoneProgressCancel = lc.WorkDoneProgressCancelNotification.type;

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
export interface DebugStartParams {
  textDocument: lc.TextDocumentIdentifier;
  position: lc.Position;
}

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
  /**
   * The file of the expression about to be evaluated, which may be another file than the
   * session's (a function defined there); present exactly when `range` is not `null`.
   */
  uri?: string;
  /** The expression about to be evaluated, in `uri`; `null` while a value is being returned. */
  range: lc.Range | null;
  /** The kind of code (`call`, `if`, ...), or `value`. */
  kind: string;
  /** The value being returned, when `kind` is `value`. */
  value?: string;
}

export interface DebugFrame {
  kind: string;
  /** The file of the frame's code; present exactly when `range` is. */
  uri?: string;
  /** The frame's code, in `uri`. */
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
