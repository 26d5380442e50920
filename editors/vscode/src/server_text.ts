/**
 * Show Server Text: the server's own copy of the active document (`yin/viewFileText`) in a
 * read-only editor, to check it never drifts from the editor's (rust-analyzer's viewFileText).
 */
import * as vscode from "vscode";
import * as lc from "vscode-languageclient/node";
import * as ext from "./lsp_ext";
import { errorMessage } from "./inline_results";

const SCHEME = "yin-server-text";

export class ServerText implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly client: () => lc.LanguageClient | undefined) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }

  async show(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.uri.scheme === SCHEME) {
      void vscode.window.showInformationMessage("Yin: open a document the server knows first.");
      return;
    }
    const source = editor.document.uri;
    // The viewed document's URI is its own query, so a second look at it asks the server again.
    const uri = vscode.Uri.from({
      scheme: SCHEME,
      path: `${source.path} (server)`,
      query: source.toString(),
    });
    this.changed.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (editor.document.languageId === "yin") {
      // For the grammar's colours only: the client's selector takes `file` documents alone.
      doc = await vscode.languages.setTextDocumentLanguage(doc, "yin");
    }
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const client = this.client();
    if (client === undefined) {
      return "; the yin language server is not running";
    }
    const source = vscode.Uri.parse(uri.query);
    try {
      return await client.sendRequest(ext.viewFileTextRequest, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(source) },
      });
    } catch (e) {
      return `; yin/viewFileText failed: ${errorMessage(e)}`;
    }
  }
}
