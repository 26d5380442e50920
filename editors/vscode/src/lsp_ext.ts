/**
 * The yin server's custom requests (docs/lsp.md), mirroring server/yin/src/lsp/ext.rs field for
 * field (and `ViewFileTextParams` in handlers.rs). Change both together. Optional Rust fields
 * skipped when `None` are optional here; `Option` fields always written are `| null`.
 */
import * as lc from "vscode-languageclient/node";

/**
 * `yin/eval`: evaluate in the document's live session (docs/lsp.md, "Live evaluation"): the
 * definitions the form needs are loaded first, nothing else runs implicitly.
 */
export interface EvalParams {
  textDocument: lc.TextDocumentIdentifier;
  position?: lc.Position;
  range?: lc.Range;
  /** `form`, `topLevel` (the default), `selection`, `toCursor` or `file`. */
  scope?: EvalScope;
  limits?: EvalLimits;
  print?: PrintOptions;
  workDoneToken?: lc.ProgressToken;
}

export type EvalScope = "form" | "topLevel" | "selection" | "toCursor" | "file";

/** Bounds of one request, loading included; the server rejects values out of range (-32602). */
export interface EvalLimits {
  /** 1..=10,000,000,000 (default 10,000,000). */
  steps?: number;
  /** 1..=600,000 (default 10,000). */
  timeMs?: number;
  /** 16..=4,096 (default 256). */
  memoryMb?: number;
}

/** How values are printed; longer, deeper or larger values are cut with `...`. */
export interface PrintOptions {
  /** 16..=1,000,000 characters (default 10,000). */
  maxLength?: number;
  /** 1..=100 (default 10). */
  maxDepth?: number;
  /** 1..=100,000 (default 1,000). */
  maxItems?: number;
}

export interface EvalResult {
  /** What was evaluated (for `toCursor` and `file`: from the first form to the last). */
  range: lc.Range;
  /** The last form's value in `pr` form, cut by `print`; `null` after an error. */
  value: string | null;
  truncated: boolean;
  /** For `yin/inspect`, when the value is a collection, a string, an atom or a function. */
  handle?: number;
  /** What the evaluated forms and loaded definitions printed (cut to 100,000 characters). */
  output: string;
  steps: number;
  elapsedMs: number;
  /** Definitions loaded before the form ran, in the order they ran. */
  loaded: LoadedDefinition[];
  /** One per top-level form for `toCursor`, `file` and multi-form selections. */
  results?: FormResult[];
  error?: EvalError;
  /** Stopped by `yin/session/interrupt` or a progress cancel. */
  interrupted?: boolean;
}

export interface FormResult {
  range: lc.Range;
  value: string | null;
  truncated: boolean;
  handle?: number;
  error?: EvalError;
}

export interface LoadedDefinition {
  name: string;
  uri: string;
  range: lc.Range;
}

export interface EvalError {
  message: string;
  /** The file it failed in, which may be another than the evaluated document. */
  uri?: string;
  /** Where it failed, in `uri` (or the evaluated document). */
  range?: lc.Range;
  /** Set when a definition the form needs failed while loading. */
  loading?: LoadedDefinition;
  /** The continuation at the failure, innermost frame first. */
  trace: TraceEntry[];
}

export interface TraceEntry {
  description: string;
  uri?: string;
  range?: lc.Range;
}

export const evalRequest = new lc.RequestType<EvalParams, EvalResult, void>("yin/eval");

/** A session is named by one of its documents; without one a request concerns every session. */
export interface SessionParams {
  textDocument?: lc.TextDocumentIdentifier;
}

/** `yin/session/interrupt`: stops the running evaluation and drops the queued ones. */
export interface InterruptResult {
  interrupted: number;
}

export const interruptRequest = new lc.RequestType<SessionParams, InterruptResult, void>(
  "yin/session/interrupt",
);

/** `yin/session/reset`: forgets the session's store, loaded definitions and handles. */
export const resetRequest = new lc.RequestType<SessionParams, null, void>("yin/session/reset");

export interface SessionInfoParams {
  textDocument: lc.TextDocumentIdentifier;
}

/** `yin/session/info`: what the session has loaded, and from which version of which file. */
export interface SessionInfo {
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

/** `yin/inspect`: one page of the value behind a handle. */
export interface InspectParams {
  handle: number;
  /** Default 0. */
  offset?: number;
  /** Default 100, at most 1,000. */
  count?: number;
}

export interface InspectPage {
  kind: "list" | "vector" | "map" | "set" | "string" | "atom" | "fn" | "other";
  /** Elements (entries of a map, characters of a string). */
  count: number;
  offset: number;
  items: InspectItem[];
  /** A string's characters of this page; a function's or other value's `pr` form. */
  text?: string;
}

export interface InspectItem {
  /** A map entry's key, printed. */
  key?: string;
  value: string;
  truncated: boolean;
  handle?: number;
}

export const inspectRequest = new lc.RequestType<InspectParams, InspectPage, void>("yin/inspect");

/** `yin/inspect/text`: the whole value in `pr` form, cut at 8 MiB. */
export interface InspectTextParams {
  handle: number;
}

export interface InspectTextResult {
  text: string;
  truncated: boolean;
}

export const inspectTextRequest = new lc.RequestType<InspectTextParams, InspectTextResult, void>(
  "yin/inspect/text",
);

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
