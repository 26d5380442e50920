/**
 * The stepping debugger over `yin/debug/*`: one session at a time, shown in the Yin side bar
 * (the Continuation, Environment and Store tree views) with the control range highlighted in
 * the editor. The machine lives in the server; this holds only the last state it sent.
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
    continuation.message = state === undefined ? undefined : summary(state);
    continuation.description = state?.status;
    environment.message =
      state !== undefined && state.environment.length === 0 ? "Nothing bound." : undefined;
    store.message = state !== undefined && state.store.length === 0 ? "The store is empty." : undefined;
    this.highlight();
    this.revealControl();
  }

  private controlRange(): vscode.Range | undefined {
    const session = this.current;
    const range = session?.state.control.range;
    return session === undefined || range === null || range === undefined
      ? undefined
      : session.client.protocol2CodeConverter.asRange(range);
  }

  private highlight(): void {
    const range = this.controlRange();
    for (const editor of vscode.window.visibleTextEditors) {
      const mine = range !== undefined && editor.document.uri.toString() === this.current?.uri.toString();
      editor.setDecorations(this.controlHighlight, mine ? [range] : []);
    }
  }

  private revealControl(): void {
    const range = this.controlRange();
    const editor = vscode.window.visibleTextEditors.find(
      (e) => e.document.uri.toString() === this.current?.uri.toString(),
    );
    if (range !== undefined && editor !== undefined) {
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  private frameItem(frame: ext.DebugFrame): vscode.TreeItem {
    const item = new vscode.TreeItem(oneLine(frame.description));
    item.description = frame.kind;
    item.tooltip = `${frame.kind}: ${frame.description}`;
    const session = this.current;
    if (frame.range !== undefined && session !== undefined) {
      const selection = session.client.protocol2CodeConverter.asRange(frame.range);
      item.command = {
        title: "Show the frame's code",
        command: "vscode.open",
        arguments: [session.uri, { selection, preserveFocus: true }],
      };
    }
    return item;
  }
}

function summary(state: ext.DebugState): string {
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
      return `Step ${state.step}, ${what}; ${state.continuation.length} frames`;
    }
  }
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
