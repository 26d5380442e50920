/**
 * Live evaluation in the workspace's session (docs/lsp.md, "Live evaluation"): the commands that
 * send `yin/eval` with a scope (current form, top-level form, selection, up to the cursor, whole
 * file), their results shown inline, logged in the "Yin REPL" channel and, for errors, marked as
 * "yin eval" diagnostics; evaluating to a comment and replacing a form with its value; interrupt,
 * reset and what the session has loaded. Evaluations are asynchronous: a status bar item shows
 * while any runs, and clicking it interrupts.
 */
import * as vscode from "vscode";
import * as lc from "vscode-languageclient/node";
import * as ext from "./lsp_ext";
import { readEvalConfig, type EvalConfig } from "./eval_config";
import { errorMessage, inlineText, InlineResults, yinEditor, type Outcome } from "./inline_results";
import { Inspector } from "./inspector";
import { cut, firstLine, indentOf, isResultComment, LOG_CHARS, oneLine, resultComment } from "./present";

/** What to evaluate, as `yin/eval` takes it. */
interface Target {
  scope: ext.EvalScope;
  position?: vscode.Position;
  range?: vscode.Range;
}

/** Characters of a form's first line, and of each per-form value, in the log. */
const FORM_CHARS = 120;
const ENTRY_CHARS = 200;

export class Repl implements vscode.Disposable {
  private running = 0;
  private progressTokens = 0;
  private readonly status = vscode.window.createStatusBarItem(
    "yin.evaluating",
    vscode.StatusBarAlignment.Left,
    100,
  );
  private readonly diagnostics = vscode.languages.createDiagnosticCollection("yin eval");
  /** The files each document's last evaluation marked, to clear at its next one. */
  private readonly marked = new Map<string, vscode.Uri[]>();
  private last: { handle: number; value: string; truncated: boolean } | undefined;

  constructor(
    private readonly client: () => lc.LanguageClient | undefined,
    private readonly log: vscode.OutputChannel,
    private readonly results: InlineResults,
    private readonly inspector: Inspector,
  ) {
    this.status.name = "Yin Evaluation";
    this.status.text = "$(sync~spin) yin: evaluating (click to interrupt)";
    this.status.tooltip = "Yin: an evaluation is running. Click to interrupt it (the session survives).";
    this.status.command = "yin.interrupt";
  }

  dispose(): void {
    this.status.dispose();
    this.diagnostics.dispose();
  }

  /** The innermost form at the cursor (Calva's current form), or the selection when there is one. */
  async evalCurrentForm(): Promise<void> {
    const editor = yinEditor();
    if (editor !== undefined) {
      await this.evaluate(editor.document, currentFormTarget(editor));
    }
  }

  async evalTopLevelForm(): Promise<void> {
    const editor = yinEditor();
    if (editor !== undefined) {
      await this.evaluate(editor.document, { scope: "topLevel", position: editor.selection.active });
    }
  }

  /** Every top-level form that starts before the cursor, in order. */
  async evalToCursor(): Promise<void> {
    const editor = yinEditor();
    if (editor !== undefined) {
      await this.evaluate(editor.document, { scope: "toCursor", position: editor.selection.active });
    }
  }

  /** Every top-level form of the file, with a cancellable progress notification. */
  async loadFile(): Promise<void> {
    const editor = yinEditor();
    const client = this.client();
    if (editor === undefined || client === undefined) {
      if (client === undefined) {
        notRunning();
      }
      return;
    }
    const doc = editor.document;
    const token = `yin-load-${++this.progressTokens}`;
    const title = `Yin: loading ${vscode.workspace.asRelativePath(doc.uri)}`;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, cancel) => {
        let done = 0;
        const reports = client.onProgress(lc.WorkDoneProgress.type, token, (p) => {
          if (p.kind === "begin" || p.kind === "report") {
            const percentage = p.percentage ?? done;
            progress.report({ message: p.message, increment: Math.max(0, percentage - done) });
            done = Math.max(done, percentage);
          }
        });
        // The server answers a cancelled progress as an interrupt: the forms run so far count.
        const cancelled = cancel.onCancellationRequested(() => {
          void client.sendNotification(lc.WorkDoneProgressCancelNotification.type, { token });
        });
        try {
          await this.evaluate(doc, { scope: "file" }, token);
        } finally {
          reports.dispose();
          cancelled.dispose();
        }
      },
    );
  }

  /** Evaluates the current (or top-level) form and writes `;; => value` below it. */
  async evalToComment(topLevel: boolean): Promise<void> {
    const editor = yinEditor();
    if (editor === undefined) {
      return;
    }
    const doc = editor.document;
    const version = doc.version;
    const target: Target = topLevel
      ? { scope: "topLevel", position: editor.selection.active }
      : currentFormTarget(editor);
    const evaluated = await this.evaluate(doc, target);
    if (evaluated === undefined) {
      return;
    }
    const { result, range } = evaluated;
    if (refused(result, "written as a comment") || doc.version !== version) {
      if (doc.version !== version) {
        void vscode.window.showWarningMessage(
          "Yin: not written as a comment: the file changed during the evaluation.",
        );
      }
      return;
    }
    const indent = indentOf(doc.lineAt(range.start.line).text);
    const comment = resultComment(indent, result.value ?? "nil");
    const edit = new vscode.WorkspaceEdit();
    const below = range.end.line + 1;
    if (below < doc.lineCount && isResultComment(doc.lineAt(below).text)) {
      edit.replace(doc.uri, doc.lineAt(below).range, comment);
    } else {
      edit.insert(doc.uri, doc.lineAt(range.end.line).range.end, `${eol(doc)}${comment}`);
    }
    await vscode.workspace.applyEdit(edit);
  }

  /** Replaces the current form (or the selection) with its value, when the value is whole. */
  async replaceWithValue(): Promise<void> {
    const editor = yinEditor();
    if (editor === undefined) {
      return;
    }
    const doc = editor.document;
    const version = doc.version;
    const evaluated = await this.evaluate(doc, currentFormTarget(editor));
    if (evaluated === undefined) {
      return;
    }
    const { result, range } = evaluated;
    if (refused(result, "replaced")) {
      return;
    }
    if (result.truncated) {
      void vscode.window.showWarningMessage(
        "Yin: not replaced: the value was cut to print it (`...` marks where). " +
          "Raise `yin.eval.inlineMaxLength` or `yin.eval.maxDepth` to print it whole.",
      );
      return;
    }
    if (doc.version !== version) {
      void vscode.window.showWarningMessage("Yin: not replaced: the file changed during the evaluation.");
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, range, result.value ?? "nil");
    await vscode.workspace.applyEdit(edit);
  }

  /** Stops the running evaluation and the queued ones, in every session. */
  async interrupt(): Promise<void> {
    const client = this.client();
    if (client === undefined) {
      notRunning();
      return;
    }
    try {
      const { interrupted } = await client.sendRequest(ext.sessionInterruptRequest, {});
      vscode.window.setStatusBarMessage(
        interrupted === 0
          ? "Yin: no evaluation to interrupt"
          : `Yin: interrupted ${interrupted} evaluation(s)`,
        5_000,
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`Yin: interrupt failed: ${errorMessage(e)}`);
    }
  }

  /** Forgets the active document's session (every session without one). */
  async resetSession(): Promise<void> {
    const client = this.client();
    if (client === undefined) {
      notRunning();
      return;
    }
    const doc = activeYinDocument();
    try {
      await client.sendRequest(
        ext.sessionResetRequest,
        doc === undefined ? {} : { textDocument: identify(client, doc) },
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`Yin: reset failed: ${errorMessage(e)}`);
      return;
    }
    this.last = undefined;
    this.inspector.clear();
    this.results.clear(doc);
    this.log.appendLine(
      doc === undefined ? "; every session reset" : `; session of ${relative(doc.uri)} reset`,
    );
    void vscode.window.showInformationMessage(
      doc === undefined ? "Yin: every session was reset." : "Yin: the session was reset.",
    );
  }

  /** Lists what the session has loaded, from which file and version; picking one opens it. */
  async sessionInfo(): Promise<void> {
    const client = this.client();
    const editor = yinEditor();
    if (client === undefined || editor === undefined) {
      if (client === undefined) {
        notRunning();
      }
      return;
    }
    let info: ext.SessionInfo;
    try {
      info = await client.sendRequest(ext.sessionInfoRequest, {
        textDocument: identify(client, editor.document),
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`Yin: session info failed: ${errorMessage(e)}`);
      return;
    }
    const root = info.root === null ? "no workspace folder" : rootName(info.root);
    const summary =
      `session of ${root}: ${info.loaded.length} definitions loaded, ` +
      `${info.evaluations} evaluations, ${info.handles} values kept for the inspector`;
    this.log.appendLine(`; ${summary}`);
    for (const d of info.loaded) {
      this.log.appendLine(`;   ${d.name} ${location(client, d.uri, d.range)} ${fromWhere(d.version)}`);
    }
    if (info.loaded.length === 0) {
      void vscode.window.showInformationMessage(`Yin: ${summary}.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(
      info.loaded.map((d) => ({
        label: d.name,
        description: location(client, d.uri, d.range),
        detail: fromWhere(d.version),
        definition: d,
      })),
      { title: `Yin: ${summary}`, placeHolder: "A definition to open", matchOnDescription: true },
    );
    if (picked !== undefined) {
      const uri = client.protocol2CodeConverter.asUri(picked.definition.uri);
      const range = client.protocol2CodeConverter.asRange(picked.definition.range);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(range.start, range.start) });
    }
  }

  /** Opens the inspector on `handle` (the hover's link), the result under the cursor, or the last. */
  async inspect(handle?: number, value?: string): Promise<void> {
    if (typeof handle === "number") {
      await this.inspector.inspect(handle, value ?? `value #${handle}`, false);
      return;
    }
    const editor = vscode.window.activeTextEditor;
    const under =
      editor === undefined ? undefined : this.results.outcomeAt(editor.document, editor.selection.active);
    const chosen =
      under?.handle !== undefined
        ? { handle: under.handle, value: under.value ?? "", truncated: under.truncated }
        : this.last;
    if (chosen === undefined) {
      void vscode.window.showInformationMessage(
        "Yin: no value to inspect: evaluate a form whose value is a collection, a string, an atom or a function.",
      );
      return;
    }
    await this.inspector.inspect(chosen.handle, chosen.value, chosen.truncated);
  }

  /**
   * Sends one `yin/eval` and shows its outcome. Returns the result and its range in the editor,
   * or nothing when there is none to show (bad settings, no server, a request error).
   */
  private async evaluate(
    doc: vscode.TextDocument,
    target: Target,
    workDoneToken?: string,
  ): Promise<{ result: ext.EvalResult; range: vscode.Range } | undefined> {
    const client = this.client();
    if (client === undefined) {
      notRunning();
      return undefined;
    }
    const config = readEvalConfig(doc.uri);
    if (typeof config === "string") {
      void settingsError(config);
      return undefined;
    }
    this.clearMarks(doc);
    const c2p = client.code2ProtocolConverter;
    const params: ext.EvalParams = {
      textDocument: identify(client, doc),
      scope: target.scope,
      limits: config.limits,
      print: config.print,
    };
    if (target.position !== undefined) {
      params.position = c2p.asPosition(target.position);
    }
    if (target.range !== undefined) {
      params.range = c2p.asRange(target.range);
    }
    if (workDoneToken !== undefined) {
      params.workDoneToken = workDoneToken;
    }
    this.started();
    let result: ext.EvalResult;
    try {
      result = withDefaults(await client.sendRequest(ext.evalRequest, params));
    } catch (e) {
      if (!(e instanceof lc.ResponseError && e.code === lc.LSPErrorCodes.RequestCancelled)) {
        this.log.appendLine(`; ${relative(doc.uri)}: ${errorMessage(e)}`);
        void vscode.window.showErrorMessage(`Yin: ${errorMessage(e)}`);
      }
      return undefined;
    } finally {
      this.finished();
    }
    const range = client.protocol2CodeConverter.asRange(result.range);
    this.show(client, doc, target.scope, result, range, config);
    return { result, range };
  }

  private show(
    client: lc.LanguageClient,
    doc: vscode.TextDocument,
    scope: ext.EvalScope,
    result: ext.EvalResult,
    range: vscode.Range,
    config: EvalConfig,
  ): void {
    const p2c = client.protocol2CodeConverter;
    const whole: Outcome = { ...result };
    const entries = (result.results ?? []).map((r): { range: vscode.Range; outcome: Outcome } => ({
      range: p2c.asRange(r.range),
      outcome: r,
    }));

    // Inline: each form of a selection; of a file or a run to the cursor, the failures and the
    // last form (Calva's load shows the last value only); else the one form.
    if (entries.length > 0) {
      const last = entries.length - 1;
      entries.forEach((e, i) => {
        if (scope === "selection" || i === last || e.outcome.error !== undefined) {
          const outcome: Outcome =
            i === last
              ? {
                  ...e.outcome,
                  output: result.output,
                  steps: result.steps,
                  elapsedMs: result.elapsedMs,
                  interrupted: result.interrupted,
                }
              : e.outcome;
          this.results.show(doc, e.range, outcome, config.inlineMaxLength);
        }
      });
    } else {
      this.results.show(doc, range, whole, config.inlineMaxLength);
    }

    this.write(client, doc, scope, result, range, entries);

    const failures = entries.filter((e) => e.outcome.error !== undefined);
    if (failures.length === 0 && result.error !== undefined) {
      failures.push({ range, outcome: whole });
    }
    if (result.interrupted !== true) {
      this.mark(client, doc, failures);
    }

    if (result.handle !== undefined && result.value !== null) {
      this.last = { handle: result.handle, value: result.value, truncated: result.truncated };
      this.inspector.setRoot(result.handle, result.value, result.truncated);
    }
  }

  /** The evaluation in the "Yin REPL" log: the form, what was loaded, the output, the outcome. */
  private write(
    client: lc.LanguageClient,
    doc: vscode.TextDocument,
    scope: ext.EvalScope,
    result: ext.EvalResult,
    range: vscode.Range,
    entries: { range: vscode.Range; outcome: Outcome }[],
  ): void {
    const log = this.log;
    log.appendLine(
      `; ${relative(doc.uri)}:${range.start.line + 1}:${range.start.character + 1} (${scopeName(scope)})`,
    );
    if (scope !== "file" && scope !== "toCursor") {
      log.appendLine(firstLine(doc.getText(range), FORM_CHARS));
    }
    if (result.loaded.length > 0) {
      const names = result.loaded.map((d) => `${d.name} (${location(client, d.uri, d.range)})`);
      log.appendLine(`; loaded first: ${names.join(", ")}`);
    }
    if (result.output !== "") {
      log.append(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
      if (vscode.workspace.getConfiguration("yin").get<boolean>("eval.showOutput", true)) {
        log.show(true);
      }
    }
    if (entries.length > 1) {
      for (const e of entries) {
        const at = `${e.range.start.line + 1}:${e.range.start.character + 1}`;
        log.appendLine(`; ${at} ${cut(oneLine(inlineText(e.outcome)), ENTRY_CHARS)}`);
        if (e.outcome.error !== undefined) {
          this.writeTrace(client, doc, e.outcome.error);
        }
      }
    }
    if (result.error !== undefined) {
      const where =
        result.error.range === undefined
          ? ""
          : ` (${location(client, result.error.uri ?? client.code2ProtocolConverter.asUri(doc.uri), result.error.range)})`;
      log.appendLine(`; error: ${result.error.message}${where}`);
      this.writeTrace(client, doc, result.error);
    } else if (result.interrupted === true) {
      log.appendLine("; evaluation interrupted");
    } else {
      log.appendLine(`=> ${cut(result.value ?? "nil", LOG_CHARS)}`);
    }
    log.appendLine(
      `; ${result.steps.toLocaleString("en")} steps, ${result.elapsedMs.toLocaleString("en")} ms${result.truncated ? ", value cut" : ""}`,
    );
  }

  private writeTrace(client: lc.LanguageClient, doc: vscode.TextDocument, error: ext.EvalError): void {
    const base = client.code2ProtocolConverter.asUri(doc.uri);
    for (const t of error.trace) {
      const where = t.range === undefined ? "" : ` ${location(client, t.uri ?? error.uri ?? base, t.range)}`;
      this.log.appendLine(`;   at ${cut(oneLine(t.description), ENTRY_CHARS)}${where}`);
    }
  }

  /** Each failure's range as a "yin eval" diagnostic, its trace as related information. */
  private mark(
    client: lc.LanguageClient,
    doc: vscode.TextDocument,
    failures: { range: vscode.Range; outcome: Outcome }[],
  ): void {
    const p2c = client.protocol2CodeConverter;
    const byFile = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    for (const { range, outcome } of failures) {
      const error = outcome.error;
      if (error === undefined) {
        continue;
      }
      const uri = error.uri === undefined ? doc.uri : p2c.asUri(error.uri);
      const at = error.range === undefined ? range : p2c.asRange(error.range);
      const diagnostic = new vscode.Diagnostic(at, error.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = "yin eval";
      const related: vscode.DiagnosticRelatedInformation[] = [];
      if (error.loading !== undefined) {
        const l = error.loading;
        related.push(
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(p2c.asUri(l.uri), p2c.asRange(l.range)),
            `while loading \`${l.name}\``,
          ),
        );
      }
      for (const t of error.trace) {
        if (t.range !== undefined) {
          const file = t.uri === undefined ? uri : p2c.asUri(t.uri);
          related.push(
            new vscode.DiagnosticRelatedInformation(
              new vscode.Location(file, p2c.asRange(t.range)),
              t.description,
            ),
          );
        }
      }
      diagnostic.relatedInformation = related;
      const key = uri.toString();
      const entry = byFile.get(key) ?? { uri, diagnostics: [] };
      entry.diagnostics.push(diagnostic);
      byFile.set(key, entry);
    }
    for (const { uri, diagnostics } of byFile.values()) {
      this.diagnostics.set(uri, [...(this.diagnostics.get(uri) ?? []), ...diagnostics]);
    }
    this.marked.set(
      doc.uri.toString(),
      [...byFile.values()].map((f) => f.uri),
    );
  }

  private clearMarks(doc: vscode.TextDocument): void {
    for (const uri of this.marked.get(doc.uri.toString()) ?? []) {
      this.diagnostics.delete(uri);
    }
    this.marked.delete(doc.uri.toString());
  }

  private started(): void {
    this.running += 1;
    this.status.show();
    void vscode.commands.executeCommand("setContext", "yin.evaluating", true);
  }

  private finished(): void {
    this.running -= 1;
    if (this.running === 0) {
      this.status.hide();
      void vscode.commands.executeCommand("setContext", "yin.evaluating", false);
    }
  }
}

/**
 * The result with the fields an older server leaves out (it answers `yin/eval` without the live
 * session's `loaded`, `elapsedMs`, `truncated` or traces) read as empty, so that a `yin` binary
 * older than the extension still shows values instead of failing on them.
 */
function withDefaults(r: ext.EvalResult): ext.EvalResult {
  const error = (e: ext.EvalError | undefined): ext.EvalError | undefined =>
    e === undefined ? undefined : { ...e, trace: Array.isArray(e.trace) ? e.trace : [] };
  return {
    ...r,
    truncated: r.truncated === true,
    output: typeof r.output === "string" ? r.output : "",
    steps: typeof r.steps === "number" ? r.steps : 0,
    elapsedMs: typeof r.elapsedMs === "number" ? r.elapsedMs : 0,
    loaded: Array.isArray(r.loaded) ? r.loaded : [],
    error: error(r.error),
    results: r.results?.map((f) => ({ ...f, truncated: f.truncated === true, error: error(f.error) })),
  };
}

/** The selection when there is one, else the innermost form at the cursor. */
function currentFormTarget(editor: vscode.TextEditor): Target {
  const selection = editor.selection;
  return selection.isEmpty
    ? { scope: "form", position: selection.active }
    : { scope: "selection", range: new vscode.Range(selection.start, selection.end) };
}

/** Whether a result cannot be written back (an error or an interrupt), said to the user. */
function refused(result: ext.EvalResult, what: string): boolean {
  if (result.interrupted === true) {
    void vscode.window.showWarningMessage(`Yin: not ${what}: the evaluation was interrupted.`);
    return true;
  }
  if (result.error !== undefined || result.value === null) {
    void vscode.window.showWarningMessage(
      `Yin: not ${what}: the evaluation failed: ${cut(oneLine(result.error?.message ?? "no value"), 300)}`,
    );
    return true;
  }
  return false;
}

async function settingsError(message: string): Promise<void> {
  const open = "Open Settings";
  const choice = await vscode.window.showErrorMessage(`Yin: ${message}.`, open);
  if (choice === open) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "yin.eval");
  }
}

function notRunning(): void {
  void vscode.window.showErrorMessage("Yin: the language server is not running.");
}

function activeYinDocument(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === "yin" ? doc : undefined;
}

function identify(client: lc.LanguageClient, doc: vscode.TextDocument): lc.TextDocumentIdentifier {
  return { uri: client.code2ProtocolConverter.asUri(doc.uri) };
}

function relative(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri);
}

/** A session's root (a path, or a URI for a root outside the file system) for the user. */
function rootName(root: string): string {
  try {
    const uri = root.startsWith("/") ? vscode.Uri.file(root) : vscode.Uri.parse(root, true);
    return uri.scheme === "file" ? uri.fsPath : uri.toString();
  } catch {
    return root;
  }
}

/** `file:line:col` of a protocol location, the file relative to the workspace. */
function location(client: lc.LanguageClient, uri: string, range: lc.Range): string {
  const file = relative(client.protocol2CodeConverter.asUri(uri));
  return `${file}:${range.start.line + 1}:${range.start.character + 1}`;
}

function fromWhere(version: number | null): string {
  return version === null ? "read from disk" : `from the open document, version ${version}`;
}

function scopeName(scope: ext.EvalScope): string {
  switch (scope) {
    case "form":
      return "current form";
    case "topLevel":
      return "top-level form";
    case "selection":
      return "selection";
    case "toCursor":
      return "start of file to cursor";
    case "file":
      return "load file";
  }
}

function eol(doc: vscode.TextDocument): string {
  return doc.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n";
}
