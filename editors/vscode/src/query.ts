/**
 * Run Datalog query: the query comes from the active `.edn` editor (its selection, else the
 * whole file) or an input box, runs with `yin/query` over the open documents (or, on request,
 * the machine state of the session being debugged), and the rows show as a table in a webview.
 */
import * as vscode from "vscode";
import * as lc from "vscode-languageclient/node";
import * as ext from "./lsp_ext";
import { errorMessage } from "./inline_results";

const EXAMPLE = "[:find ?name :where [?d :yin/name ?name]]";
let lastQuery = EXAMPLE;
let panel: vscode.WebviewPanel | undefined;

export async function runQuery(
  client: () => lc.LanguageClient | undefined,
  session: number | undefined,
): Promise<void> {
  const query = await askQuery();
  if (query === undefined) {
    return;
  }
  let target: number | undefined;
  if (session !== undefined) {
    const source = "The open documents' datoms";
    const machine = "The debugged machine's state";
    const choice = await vscode.window.showQuickPick([source, machine], { title: "Yin: query over" });
    if (choice === undefined) {
      return;
    }
    target = choice === machine ? session : undefined;
  }
  const c = client();
  if (c === undefined) {
    void vscode.window.showErrorMessage("Yin: the language server is not running.");
    return;
  }
  let result: ext.QueryResult;
  const started = Date.now();
  try {
    result = await c.sendRequest(ext.queryRequest, { query, session: target ?? null });
  } catch (e) {
    void vscode.window.showErrorMessage(`Yin: the query failed: ${errorMessage(e)}`);
    return;
  }
  show(query, result, Date.now() - started, target);
}

async function askQuery(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor !== undefined && editor.document.fileName.endsWith(".edn")) {
    const text = editor.selection.isEmpty
      ? editor.document.getText()
      : editor.document.getText(editor.selection);
    if (text.trim() !== "") {
      return text;
    }
  }
  const typed = await vscode.window.showInputBox({
    title: "Yin: Datalog query",
    prompt: "A query in Datomic's EDN syntax, over the AST datoms of the open .yin files (docs/datoms.md)",
    value: lastQuery,
    ignoreFocusOut: true,
  });
  if (typed !== undefined && typed.trim() !== "") {
    lastQuery = typed;
    return typed;
  }
  return undefined;
}

function show(query: string, result: ext.QueryResult, ms: number, session: number | undefined): void {
  if (panel === undefined) {
    panel = vscode.window.createWebviewPanel("yin.queryResults", "Yin Query", vscode.ViewColumn.Beside, {
      enableScripts: false,
    });
    panel.onDidDispose(() => (panel = undefined));
  } else {
    panel.reveal(vscode.ViewColumn.Beside, true);
  }
  panel.webview.html = table(query, result, ms, session);
}

function table(query: string, result: ext.QueryResult, ms: number, session: number | undefined): string {
  const over = session === undefined ? "the open documents" : `debugging session ${session}`;
  const head = result.columns.map((c) => `<th>${escape(c)}</th>`).join("");
  const rows = result.rows
    .map((row) => `<tr>${row.map((v) => `<td>${escape(edn(v))}</td>`).join("")}</tr>`)
    .join("\n");
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  pre, td { font-family: var(--vscode-editor-font-family); }
  table { border-collapse: collapse; }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: left; vertical-align: top; }
  th { background: var(--vscode-editor-inactiveSelectionBackground); }
</style></head>
<body>
<pre>${escape(query)}</pre>
<p>${result.rows.length} ${result.rows.length === 1 ? "row" : "rows"} over ${over}, ${ms} ms</p>
<table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>
</body></html>`;
}

/** A value as `yin query --format json` writes it (server/yin/src/json.rs), back in EDN. */
export function edn(v: unknown): string {
  if (v === null) {
    return "nil";
  }
  if (typeof v === "string") {
    return JSON.stringify(v);
  }
  if (typeof v === "number" || typeof v === "boolean") {
    return String(v);
  }
  if (Array.isArray(v)) {
    return `[${v.map(edn).join(" ")}]`;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.keyword === "string") {
    return `:${o.keyword}`;
  }
  if (typeof o.symbol === "string") {
    return o.symbol;
  }
  if (typeof o.char === "string") {
    return `\\${o.char}`;
  }
  if (typeof o.float === "string") {
    return o.float;
  }
  if (Array.isArray(o.list)) {
    return `(${o.list.map(edn).join(" ")})`;
  }
  if (Array.isArray(o.set)) {
    return `#{${o.set.map(edn).join(" ")}}`;
  }
  if (Array.isArray(o.map)) {
    return `{${(o.map as unknown[][]).map(([k, val]) => `${edn(k)} ${edn(val)}`).join(", ")}}`;
  }
  if (typeof o.tag === "string") {
    if (o.tag === "yin/ratio" && Array.isArray(o.value)) {
      return o.value.map(edn).join("/");
    }
    return `#${o.tag} ${edn(o.value)}`;
  }
  return JSON.stringify(v);
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
