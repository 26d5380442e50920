/**
 * The stepping debugger over `yin/debug/*`: one session at a time, shown in the Yin side bar
 * (the Continuation, Environment and Store tree views) with the control range highlighted in
 * the editor of whichever file the control is in: stepping into a function another file
 * defines opens that file beside, as a debugger does. The machine lives in the server; this
 * holds only the last state it sent.
 */
import * as vscode from "vscode";
import * as lc from "vscode-languageclient/node";
import * as ext from "./lsp_ext";
import { errorMessage, previousNonBlank } from "./inline_results";

interface Session {
  id: number;
  uri: vscode.Uri;
  client: lc.LanguageClient;
  state: ext.DebugState;
}

/** A range in a file, as the server placed a control or a frame. */
interface Place {
  uri: vscode.Uri;
  range: vscode.Range;
}

export class Debugger implements vscode.Disposable {
  private current: Session | undefined;
  private busy = false;
  private readonly frames = new ListProvider<ext.DebugFrame>((f) => this.frameItem(f));
  private readonly environment = new ListProvider<ext.NamedValue>(valueItem);
  private readonly store = new ListProvider<ext.NamedValue>(valueItem);
  private readonly views: vscode.TreeView<unknown>[];
  private readonly controlHighlight = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor("editor.stackFrameHighlightBackground"),
    borderColor: new vscode.ThemeColor("debugIcon.breakpointCurrentStackframeForeground"),
    borderStyle: "solid",
    borderWidth: "1px",
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The file being opened for the control, so that quick steps open it once. */
  private opening: string | undefined;

  constructor(
    private readonly client: () => lc.LanguageClient | undefined,
    private readonly output: vscode.OutputChannel,
  ) {
    this.views = [
      vscode.window.createTreeView("yin.continuation", { treeDataProvider: this.frames }),
      vscode.window.createTreeView("yin.environment", { treeDataProvider: this.environment }),
      vscode.window.createTreeView("yin.store", { treeDataProvider: this.store }),
    ];
    this.subscriptions.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.highlight()),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.current?.uri.toString() === d.uri.toString()) {
          void this.stop();
        }
      }),
    );
  }

  dispose(): void {
    void this.stop();
    this.views.forEach((v) => {
      v.dispose();
    });
    this.controlHighlight.dispose();
    this.subscriptions.forEach((s) => {
      s.dispose();
    });
  }

  /** The session's id, for queries over the machine state. */
  session(): number | undefined {
    return this.current?.id;
  }

  /** Starts stepping the top-level form at the cursor (or the one just before it). */
  async start(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const client = this.client();
    if (editor === undefined || editor.document.languageId !== "yin") {
      void vscode.window.showInformationMessage("Yin: open a .yin file to debug a form in it.");
      return;
    }
    if (client === undefined) {
      void vscode.window.showErrorMessage("Yin: the language server is not running.");
      return;
    }
    await this.stop();
    const doc = editor.document;
    const start = (position: vscode.Position) =>
      client.sendRequest(ext.debugStartRequest, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
        position: client.code2ProtocolConverter.asPosition(position),
      });
    let started: ext.DebugStartResult;
    try {
      started = await start(editor.selection.active).catch(async (e: unknown) => {
        const before = previousNonBlank(doc, editor.selection.active);
        if (e instanceof lc.ResponseError && e.code === lc.ErrorCodes.InvalidParams && before !== undefined) {
          return start(before);
        }
        throw e;
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`Yin: cannot debug here: ${errorMessage(e)}`);
      return;
    }
    this.current = { id: started.session, uri: doc.uri, client, state: started.state };
    await vscode.commands.executeCommand("setContext", "yin.debugging", true);
    await vscode.commands.executeCommand("workbench.view.extension.yin");
    this.output.appendLine(
      `; debugging ${vscode.workspace.asRelativePath(doc.uri)} (session ${started.session})`,
    );
    this.show();
  }

  /** One step forwards, or back through the server's bounded history. */
  async step(back: boolean): Promise<void> {
    await this.advance({ count: 1, back });
  }

  /** Steps until the form is done, fails or parks, at most `yin.debug.continueLimit` steps. */
  async continue(): Promise<void> {
    const limit = vscode.workspace.getConfiguration("yin").get<number>("debug.continueLimit", 100000);
    const count = Math.max(1, Math.min(1_000_000, Math.floor(limit)));
    const before = this.current?.state.step;
    await this.advance({ count, back: false });
    const state = this.current?.state;
    if (state !== undefined && state.status === "paused" && before !== undefined) {
      void vscode.window.showInformationMessage(
        `Yin: still running after ${state.step - before} steps (yin.debug.continueLimit); Continue again to go on.`,
      );
    }
  }

  async stop(): Promise<void> {
    const ending = this.current;
    this.current = undefined;
    this.show();
    await vscode.commands.executeCommand("setContext", "yin.debugging", false);
    if (ending !== undefined) {
      // The server may already have forgotten it (a restart): nothing is left to clean up then.
      await ending.client.sendRequest(ext.debugStopRequest, { session: ending.id }).catch(() => null);
    }
  }

  private async advance(params: { count: number; back: boolean }): Promise<void> {
    const session = this.current;
    if (session === undefined) {
      void vscode.window.showInformationMessage(
        "Yin: no form is being debugged (Yin: Debug Form at Cursor).",
      );
      return;
    }
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      const { state } = await session.client.sendRequest(ext.debugStepRequest, {
        session: session.id,
        count: params.count,
        back: params.back,
      });
      if (this.current !== session) {
        return;
      }
      const was = session.state.status;
      session.state = state;
      if (state.status !== was && state.status !== "paused") {
        this.report(state);
      }
      this.show();
    } catch (e) {
      void vscode.window.showErrorMessage(`Yin: step failed: ${errorMessage(e)}`);
    } finally {
      this.busy = false;
    }
  }

  private report(state: ext.DebugState): void {
    if (state.output !== "") {
      this.output.append(state.output.endsWith("\n") ? state.output : `${state.output}\n`);
    }
    const outcome =
      state.status === "error" ? `error: ${state.error ?? ""}` : `${state.status} => ${state.value ?? "nil"}`;
    this.output.appendLine(`; after ${state.step} steps: ${outcome}`);
  }

  private show(): void {
    const state = this.current?.state;
    this.frames.set(state?.continuation ?? []);
    this.environment.set(state?.environment ?? []);
    this.store.set(state?.store ?? []);
    const [continuation, environment, store] = this.views;
    const control = this.controlPlace();
    const session = this.current;
    const elsewhere =
      control !== undefined && session !== undefined && !sameUri(control.uri, session.uri)
        ? where(control)
        : undefined;
    continuation.message = state === undefined ? undefined : summary(state, elsewhere);
    continuation.description = state?.status;
    environment.message =
      state !== undefined && state.environment.length === 0 ? "Nothing bound." : undefined;
    store.message = state !== undefined && state.store.length === 0 ? "The store is empty." : undefined;
    this.highlight();
    this.revealControl();
  }

  /**
   * Where a control or a frame is. The server sends `uri` with every range; a range without
   * one would be in an unknown file, and is not shown rather than shown in the wrong editor.
   */
  private place(at: { uri?: string; range?: lc.Range | null }): Place | undefined {
    const session = this.current;
    if (session === undefined || at.uri === undefined || at.range === undefined || at.range === null) {
      return undefined;
    }
    const convert = session.client.protocol2CodeConverter;
    return { uri: convert.asUri(at.uri), range: convert.asRange(at.range) };
  }

  private controlPlace(): Place | undefined {
    const control = this.current?.state.control;
    return control === undefined ? undefined : this.place(control);
  }

  private highlight(): void {
    const control = this.controlPlace();
    for (const editor of vscode.window.visibleTextEditors) {
      const mine = control !== undefined && sameUri(editor.document.uri, control.uri);
      editor.setDecorations(this.controlHighlight, mine && control !== undefined ? [control.range] : []);
    }
  }

  /**
   * Scrolls the control's editor to it. When the control went into another file that no editor
   * shows, that file opens beside the session's (keeping the focus where it is), and the
   * highlight follows once it is visible.
   */
  private revealControl(): void {
    const control = this.controlPlace();
    const session = this.current;
    if (control === undefined || session === undefined) {
      return;
    }
    const editor = vscode.window.visibleTextEditors.find((e) => sameUri(e.document.uri, control.uri));
    if (editor !== undefined) {
      editor.revealRange(control.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
    const key = control.uri.toString();
    if (sameUri(control.uri, session.uri) || this.opening === key) {
      return;
    }
    this.opening = key;
    void vscode.window
      .showTextDocument(control.uri, {
        viewColumn: vscode.ViewColumn.Beside,
        preserveFocus: true,
        preview: true,
        selection: new vscode.Range(control.range.start, control.range.start),
      })
      .then(
        () => {
          this.highlight();
          // Steps taken while it opened may have moved the control within it.
          const now = this.controlPlace();
          const shown = vscode.window.visibleTextEditors.find(
            (e) => now !== undefined && sameUri(e.document.uri, now.uri),
          );
          if (now !== undefined && shown !== undefined) {
            shown.revealRange(now.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
          }
        },
        (e: unknown) => {
          this.output.appendLine(`; cannot open ${control.uri.toString()}: ${errorMessage(e)}`);
        },
      )
      .then(() => {
        this.opening = undefined;
      });
  }

  private frameItem(frame: ext.DebugFrame): vscode.TreeItem {
    const session = this.current;
    const at = this.place(frame);
    // Frames in the session's own file show the line and column; others name their file too.
    // The place leads the label: a narrow side bar cuts the description first.
    const place =
      at === undefined || session === undefined
        ? undefined
        : sameUri(at.uri, session.uri)
          ? `${at.range.start.line + 1}:${at.range.start.character + 1}`
          : where(at);
    const text = oneLine(frame.description);
    const item = new vscode.TreeItem(place === undefined ? text : `${place}  ${text}`);
    item.description = frame.kind;
    item.tooltip = `${frame.kind}: ${frame.description}${place === undefined ? "" : ` (${place})`}`;
    if (at !== undefined) {
      item.command = {
        title: "Show the frame's code",
        command: "vscode.open",
        arguments: [at.uri, { selection: at.range, preserveFocus: true }],
      };
    }
    return item;
  }
}

/** `at`: where the control is, when that is another file than the session's. */
function summary(state: ext.DebugState, at: string | undefined): string {
  switch (state.status) {
    case "done":
      return `Done after ${state.step} steps: ${state.value ?? "nil"}`;
    case "error":
      return `Error after ${state.step} steps: ${state.error ?? ""}`;
    case "parked":
      return `Parked after ${state.step} steps${state.value === undefined ? "" : `: ${state.value}`}`;
    default: {
      const control = state.control;
      const what =
        control.kind === "value" ? `returning ${control.value ?? ""}` : `evaluating ${control.kind}`;
      const where = at === undefined ? "" : ` in ${at}`;
      return `Step ${state.step}, ${what}${where}; ${state.continuation.length} frames`;
    }
  }
}

/** `file.yin:L:C`, 1-based as editors show positions. */
function where(at: Place): string {
  const name = at.uri.path.split("/").pop() ?? at.uri.path;
  return `${name}:${at.range.start.line + 1}:${at.range.start.character + 1}`;
}

function sameUri(a: vscode.Uri, b: vscode.Uri): boolean {
  return a.toString() === b.toString();
}

function valueItem(v: ext.NamedValue): vscode.TreeItem {
  const item = new vscode.TreeItem(v.name);
  item.description = oneLine(v.value);
  item.tooltip = `${v.name} = ${v.value}`;
  return item;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}

/** A flat tree view over a list the debugger replaces at each step. */
class ListProvider<T> implements vscode.TreeDataProvider<T> {
  private items: T[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly toItem: (t: T) => vscode.TreeItem) {}

  set(items: T[]): void {
    this.items = items;
    this.changed.fire();
  }

  getTreeItem(t: T): vscode.TreeItem {
    return this.toItem(t);
  }

  getChildren(parent?: T): T[] {
    return parent === undefined ? this.items : [];
  }
}
