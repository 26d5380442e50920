/**
 * Inline results: each evaluated form's value (or error) after the form as a decoration, cut to
 * `yin.eval.inlineMaxLength`, with a hover that shows at most 1,000 characters of it, fenced so
 * that no backtick in the value can break the Markdown. Results follow edits until their form
 * is edited. What to evaluate and the log are repl.ts's.
 */
import * as vscode from "vscode";
import * as ext from "./lsp_ext";
import { cut, fenced, HOVER_CHARS, oneLine } from "./present";

/** One form's outcome as shown: a whole request's, or one entry of its `results`. */
export interface Outcome {
  value: string | null;
  truncated: boolean;
  handle?: number;
  error?: ext.EvalError;
  interrupted?: boolean;
  /** What the request printed, its steps and time: only on the request's own outcome. */
  output?: string;
  steps?: number;
  elapsedMs?: number;
}

interface Shown {
  range: vscode.Range;
  outcome: Outcome;
  inlineMaxLength: number;
}

export class InlineResults implements vscode.Disposable {
  private readonly byDocument = new Map<string, Shown[]>();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: "0 0 0 1.5em", fontStyle: "italic" },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
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

  /** Shows `outcome` after the form at `range`, replacing the results it overlaps. */
  show(doc: vscode.TextDocument, range: vscode.Range, outcome: Outcome, inlineMaxLength: number): void {
    const key = doc.uri.toString();
    const kept = (this.byDocument.get(key) ?? []).filter((s) => s.range.intersection(range) === undefined);
    kept.push({ range, outcome, inlineMaxLength });
    this.byDocument.set(key, kept);
    vscode.window.visibleTextEditors.filter((e) => e.document === doc).forEach((e) => this.render(e));
  }

  /** The innermost result shown around `position`. */
  outcomeAt(doc: vscode.TextDocument, position: vscode.Position): Outcome | undefined {
    const around = (this.byDocument.get(doc.uri.toString()) ?? []).filter((s) => s.range.contains(position));
    around.sort((a, b) => (a.range.contains(b.range) ? 1 : b.range.contains(a.range) ? -1 : 0));
    return around[0]?.outcome;
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
          return [{ ...s, range }];
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

/** The one-line text shown after a form. */
export function inlineText(outcome: Outcome): string {
  if (outcome.interrupted === true) {
    return "interrupted";
  }
  if (outcome.error !== undefined) {
    return `error: ${outcome.error.message}`;
  }
  return `=> ${outcome.value ?? "nil"}`;
}

function decorate(s: Shown): vscode.DecorationOptions {
  const { outcome } = s;
  const failed = outcome.error !== undefined;
  const hover = new vscode.MarkdownString();
  hover.isTrusted = { enabledCommands: ["yin.inspect"] };
  hover.appendMarkdown(failed ? "**Yin: error**\n\n" : "**Yin: value**\n\n");
  const shown = failed ? (outcome.error?.message ?? "") : (outcome.value ?? "nil");
  hover.appendMarkdown(`${fenced(cut(shown, HOVER_CHARS), failed ? "text" : "clojure")}\n\n`);
  if (outcome.handle !== undefined) {
    const args = encodeURIComponent(JSON.stringify([outcome.handle, cut(outcome.value ?? "", 200)]));
    const cutNote = outcome.truncated || shown.length > HOVER_CHARS ? "The value is cut. " : "";
    hover.appendMarkdown(`${cutNote}[Inspect](command:yin.inspect?${args})\n\n`);
  }
  if (outcome.output !== undefined && outcome.output !== "") {
    hover.appendMarkdown(`Output:\n\n${fenced(cut(outcome.output, HOVER_CHARS), "text")}\n\n`);
  }
  if (outcome.steps !== undefined) {
    hover.appendMarkdown(
      `${outcome.steps.toLocaleString("en")} steps, ${(outcome.elapsedMs ?? 0).toLocaleString("en")} ms`,
    );
  }
  // The decoration sits on the form's last character, so hovering its end shows the value.
  const end = s.range.end;
  const last = end.character > 0 ? new vscode.Range(end.translate(0, -1), end) : new vscode.Range(end, end);
  return {
    range: last,
    hoverMessage: hover,
    renderOptions: {
      after: {
        contentText: cut(oneLine(inlineText(outcome)), s.inlineMaxLength),
        color: new vscode.ThemeColor(failed ? "errorForeground" : "editorCodeLens.foreground"),
      },
    },
  };
}

export function yinEditor(): vscode.TextEditor | undefined {
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

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
