/**
 * Inline evaluation: `yin/eval` at the cursor (or over the top-level forms of the selections),
 * each result shown after its form as a decoration with the full value on hover, and what the
 * program printed in the "Yin" output channel. Results follow edits until their form is edited.
 */
import * as vscode from "vscode";
import * as lc from "vscode-languageclient/node";
import * as ext from "./lsp_ext";

/** Longest value shown inline; the hover has all of it. */
const INLINE_CHARS = 80;

interface Shown {
  range: vscode.Range;
  result: ext.EvalResult;
}

export class InlineResults implements vscode.Disposable {
  private readonly byDocument = new Map<string, Shown[]>();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: "0 0 0 1.5em", fontStyle: "italic" },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly client: () => lc.LanguageClient | undefined,
    private readonly output: vscode.OutputChannel,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.followEdits(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.byDocument.delete(d.uri.toString())),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.render(e))),
    );
  }

  dispose(): void {
    this.decoration.dispose();
    this.subscriptions.forEach((s) => {
      s.dispose();
    });
  }

  /** The top-level form around the cursor, or the one just before it (after its last bracket). */
  async evalAtCursor(): Promise<void> {
    const editor = yinEditor();
    if (editor === undefined) {
      return;
    }
    const doc = editor.document;
    const cursor = editor.selection.active;
    let result = await this.evaluate(doc, cursor);
    if (result === "outside") {
      const before = previousNonBlank(doc, cursor);
      result = before === undefined ? "outside" : await this.evaluate(doc, before);
    }
    if (result === "outside") {
      void vscode.window.showInformationMessage("Yin: there is no form at the cursor to evaluate.");
    }
  }

  /** Every top-level form the selections touch, in order; a cursor evaluates its own form. */
  async evalSelections(): Promise<void> {
    const editor = yinEditor();
    if (editor === undefined) {
      return;
    }
    const doc = editor.document;
    for (const selection of editor.selections) {
      if (selection.isEmpty) {
        if ((await this.evaluate(doc, selection.active)) === "outside") {
          void vscode.window.showInformationMessage("Yin: the cursor is not in a top-level form.");
        }
        continue;
      }
      const end = doc.offsetAt(selection.end);
      let offset = doc.offsetAt(selection.start);
      while (offset < end) {
        const start = nextFormStart(doc, offset);
        if (start === undefined || start >= end) {
          break;
        }
        const result = await this.evaluate(doc, doc.positionAt(start));
        if (result === "outside" || result === "failed") {
          offset = doc.offsetAt(new vscode.Position(doc.positionAt(start).line + 1, 0));
          if (offset <= start) {
            break;
          }
        } else {
          offset = Math.max(doc.offsetAt(result.range.end), start + 1);
        }
      }
    }
  }

  /** Forgets every result of `document`, or of every document. */
  clear(document?: vscode.TextDocument): void {
    if (document === undefined) {
      this.byDocument.clear();
    } else {
      this.byDocument.delete(document.uri.toString());
    }
    vscode.window.visibleTextEditors.forEach((e) => this.render(e));
  }

  private async evaluate(
    doc: vscode.TextDocument,
    position: vscode.Position,
  ): Promise<Shown | "outside" | "failed"> {
    const client = this.client();
    if (client === undefined) {
      void vscode.window.showErrorMessage("Yin: the language server is not running.");
      return "failed";
    }
    let result: ext.EvalResult;
    try {
      result = await client.sendRequest(ext.evalRequest, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
        position: client.code2ProtocolConverter.asPosition(position),
      });
    } catch (e) {
      if (e instanceof lc.ResponseError && e.code === lc.ErrorCodes.InvalidParams) {
        return "outside";
      }
      void vscode.window.showErrorMessage(`Yin: evaluation failed: ${errorMessage(e)}`);
      return "failed";
    }
    const shown = { range: client.protocol2CodeConverter.asRange(result.range), result };
    this.record(doc, shown);
    return shown;
  }

  private record(doc: vscode.TextDocument, shown: Shown): void {
    const { range, result } = shown;
    const key = doc.uri.toString();
    const kept = (this.byDocument.get(key) ?? []).filter((s) => s.range.intersection(range) === undefined);
    kept.push(shown);
    this.byDocument.set(key, kept);
    vscode.window.visibleTextEditors.filter((e) => e.document === doc).forEach((e) => this.render(e));

    const where = `${vscode.workspace.asRelativePath(doc.uri)}:${range.start.line + 1}`;
    this.output.appendLine(`; ${where} (${result.steps} steps)`);
    if (result.output !== "") {
      this.output.append(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
      if (vscode.workspace.getConfiguration("yin").get<boolean>("eval.showOutput", true)) {
        this.output.show(true);
      }
    }
    this.output.appendLine(
      result.error === undefined ? `=> ${result.value ?? "nil"}` : `error: ${result.error.message}`,
    );
  }

  private render(editor: vscode.TextEditor): void {
    if (editor.document.languageId !== "yin") {
      return;
    }
    const shown = this.byDocument.get(editor.document.uri.toString()) ?? [];
    editor.setDecorations(this.decoration, shown.map(decorate));
  }

  /**
   * Results below an edit move with it; a result whose form the edit touches is dropped, as the
   * server drops its own copy when the form's text changes.
   */
  private followEdits(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    let shown = this.byDocument.get(key);
    if (shown === undefined || e.contentChanges.length === 0) {
      return;
    }
    // Changes are reported against the text before the event, last in the document first.
    for (const change of e.contentChanges) {
      const added = change.text.split("\n").length - 1;
      const delta = added - (change.range.end.line - change.range.start.line);
      shown = shown.flatMap((s): Shown[] => {
        if (s.range.end.isBefore(change.range.start)) {
          return [s];
        }
        if (s.range.start.line > change.range.end.line) {
          const range = new vscode.Range(s.range.start.translate(delta), s.range.end.translate(delta));
          return [{ range, result: s.result }];
        }
        return [];
      });
    }
    this.byDocument.set(key, shown);
    vscode.window.visibleTextEditors
      .filter((ed) => ed.document === e.document)
      .forEach((ed) => this.render(ed));
  }
}

function decorate(s: Shown): vscode.DecorationOptions {
  const { result } = s;
  const failed = result.error !== undefined;
  const text = failed ? `error: ${result.error?.message ?? ""}` : `=> ${result.value ?? "nil"}`;
  const hover = new vscode.MarkdownString();
  hover.appendMarkdown(failed ? "**Yin: error**\n\n" : "**Yin: value**\n\n");
  hover.appendCodeblock(
    failed ? (result.error?.message ?? "") : (result.value ?? "nil"),
    failed ? "text" : "clojure",
  );
  if (result.output !== "") {
    hover.appendMarkdown("Output:\n\n");
    hover.appendCodeblock(result.output, "text");
  }
  hover.appendMarkdown(`${result.steps.toLocaleString("en")} steps`);
  // The decoration sits on the form's last character, so hovering its end shows the value.
  const end = s.range.end;
  const last = end.character > 0 ? new vscode.Range(end.translate(0, -1), end) : new vscode.Range(end, end);
  return {
    range: last,
    hoverMessage: hover,
    renderOptions: {
      after: {
        contentText: truncate(oneLine(text)),
        color: new vscode.ThemeColor(failed ? "errorForeground" : "editorCodeLens.foreground"),
      },
    },
  };
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}

function truncate(s: string): string {
  return s.length <= INLINE_CHARS ? s : `${s.slice(0, INLINE_CHARS - 1)}…`;
}

function yinEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== "yin") {
    void vscode.window.showInformationMessage("Yin: open a .yin file first.");
    return undefined;
  }
  return editor;
}

/**
 * The last character before `position` that is not whitespace or a comma: the end of the form
 * the cursor follows (Lisp editors' "last form"). In a comment the server finds no form there.
 */
export function previousNonBlank(
  doc: vscode.TextDocument,
  position: vscode.Position,
): vscode.Position | undefined {
  const text = doc.getText();
  let offset = doc.offsetAt(position) - 1;
  while (offset >= 0 && /[\s,]/.test(text[offset])) {
    offset -= 1;
  }
  return offset >= 0 ? doc.positionAt(offset) : undefined;
}

/** The offset of the next character at or after `offset` outside whitespace and comments. */
function nextFormStart(doc: vscode.TextDocument, offset: number): number | undefined {
  const text = doc.getText();
  let i = offset;
  while (i < text.length) {
    if (text[i] === ";") {
      const eol = text.indexOf("\n", i);
      i = eol === -1 ? text.length : eol + 1;
    } else if (/[\s,]/.test(text[i])) {
      i += 1;
    } else {
      return i;
    }
  }
  return undefined;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
