/**
 * The extension's entry point: finds the `yin` binary, starts `yin lsp` over stdio and wires the
 * commands to the features in repl.ts (live evaluation, shown by inline_results.ts and
 * inspector.ts), debugger.ts, query.ts and server_text.ts. It knows the protocol only through
 * vscode-languageclient and lsp_ext.ts.
 */
import * as vscode from "vscode";
import * as lc from "vscode-languageclient/node";
import { InlineResults } from "./inline_results";
import { Inspector, type InspectorNode } from "./inspector";
import { Repl } from "./repl";
import { Debugger } from "./debugger";
import { runQuery } from "./query";
import { ServerText } from "./server_text";
import { findServer } from "./server_path";

let client: lc.LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // The REPL's log, Calva's "output window": evaluations, what they printed, the debugger's runs.
  const output = vscode.window.createOutputChannel("Yin REPL");
  const serverLog = vscode.window.createOutputChannel("Yin Language Server", { log: true });
  context.subscriptions.push(output, serverLog);

  // Every feature asks for the client at the moment it runs, so a restart is seen everywhere.
  const current = (): lc.LanguageClient | undefined => client;
  const results = new InlineResults();
  const inspector = new Inspector(current);
  const repl = new Repl(current, output, results, inspector);
  const debug = new Debugger(current, output);
  const serverText = new ServerText(current);
  context.subscriptions.push(results, inspector, repl, debug, serverText);

  const command = (id: string, run: () => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run));
  command("yin.evalCurrentForm", () => repl.evalCurrentForm());
  command("yin.evalTopLevelForm", () => repl.evalTopLevelForm());
  command("yin.evalToCursor", () => repl.evalToCursor());
  command("yin.loadFile", () => repl.loadFile());
  command("yin.evalToComment", () => repl.evalToComment(false));
  command("yin.evalTopLevelToComment", () => repl.evalToComment(true));
  command("yin.replaceWithValue", () => repl.replaceWithValue());
  command("yin.interrupt", () => repl.interrupt());
  command("yin.resetSession", () => repl.resetSession());
  command("yin.sessionInfo", () => repl.sessionInfo());
  command("yin.showLog", () => output.show(true));
  // The hover's "Inspect" link passes the handle and the value; the palette passes nothing.
  context.subscriptions.push(
    vscode.commands.registerCommand("yin.inspect", (handle?: unknown, value?: unknown) =>
      repl.inspect(
        typeof handle === "number" ? handle : undefined,
        typeof value === "string" ? value : undefined,
      ),
    ),
    vscode.commands.registerCommand("yin.inspectorLoadMore", (node: InspectorNode) =>
      inspector.loadMore(node),
    ),
    vscode.commands.registerCommand("yin.inspectorCopy", (node: InspectorNode) => inspector.copy(node)),
  );
  command("yin.clearResults", () => results.clear(vscode.window.activeTextEditor?.document));
  command("yin.debugFormAtCursor", () => debug.start());
  command("yin.debugStep", () => debug.step(false));
  command("yin.debugStepBack", () => debug.step(true));
  command("yin.debugContinue", () => debug.continue());
  command("yin.debugStop", () => debug.stop());
  command("yin.runQuery", () => runQuery(current, debug.session()));
  command("yin.showServerText", () => serverText.show());
  command("yin.restartServer", async () => {
    await debug.stop();
    await stopClient();
    await startClient(serverLog);
  });

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("yin.serverPath")) {
        await vscode.commands.executeCommand("yin.restartServer");
      }
    }),
  );

  await startClient(serverLog);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(serverLog: vscode.LogOutputChannel): Promise<void> {
  const setting = vscode.workspace.getConfiguration("yin").get<string>("serverPath", "yin");
  const command = findServer(setting);
  if (command === undefined) {
    const open = "Open Settings";
    const choice = await vscode.window.showErrorMessage(
      `Yin: the language server \`${setting}\` was not found. ` +
        "Install it by running `scripts/setup` in a clone of the yin repository " +
        "(it puts `yin` into ~/.cargo/bin), or set `yin.serverPath` to the `yin` binary.",
      open,
    );
    if (choice === open) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "yin.serverPath");
    }
    return;
  }

  // No `transport`: with TransportKind.stdio the client would append `--stdio`, which `yin lsp`
  // refuses; without one it speaks over stdin/stdout all the same.
  const serverOptions: lc.ServerOptions = { command, args: ["lsp"] };
  const clientOptions: lc.LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "yin" },
      { scheme: "untitled", language: "yin" },
      // Rule and configuration files get their own problems as diagnostics (docs/lsp.md).
      { scheme: "file", pattern: "**/.yin/**/*.edn" },
    ],
    outputChannel: serverLog,
    middleware: {
      // The server both pushes diagnostics (after every change, and again for every open
      // document when rule files change) and answers pulls; the client would show each finding
      // twice, once per collection. Push alone is complete, so pulls report nothing.
      provideDiagnostics: () => ({ kind: lc.vsdiag.DocumentDiagnosticReportKind.full, items: [] }),
      // The server's inlay hints repeat the results of `yin/eval`, which this extension already
      // shows as a decoration after the form (with the full value on hover): one display only.
      provideInlayHints: () => [],
    },
  };
  client = new lc.LanguageClient("yin", "Yin Language Server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    client = undefined;
    void vscode.window.showErrorMessage(
      `Yin: the language server \`${command} lsp\` failed to start: ${String(e)}`,
    );
  }
}

async function stopClient(): Promise<void> {
  const stopping = client;
  client = undefined;
  if (stopping !== undefined) {
    // A client that never finished starting (the server exited at once) refuses to stop;
    // there is nothing left to stop then.
    await stopping.stop().catch(() => undefined);
  }
}
