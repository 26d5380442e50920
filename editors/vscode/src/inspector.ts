/**
 * The "Yin Inspector" tree view: browses a value the server keeps behind a handle, page by page
 * through `yin/inspect`, so that a million-element result costs what the user unfolds. The root
 * is the last result (or the one asked for); each collection's children are fetched when it is
 * expanded, a "Load more" item fetches the next page, and "Copy Value" asks for the whole value
 * (`yin/inspect/text`).
 */
import * as vscode from "vscode";
import * as lc from "vscode-languageclient/node";
import * as ext from "./lsp_ext";
import { cut, oneLine } from "./present";
import { errorMessage } from "./inline_results";

/** Elements fetched per page (the server allows 1..=1,000). */
const PAGE = 100;
/** Characters of a value shown in a row's label; the tooltip shows the page's own text. */
const LABEL_CHARS = 200;

interface ValueNode {
  kind: "value";
  /** The printed value, cut by the server. */
  value: string;
  truncated: boolean;
  handle?: number;
  /** A map entry's key, or an element's index. */
  key?: string;
  index?: number;
  /** The children fetched so far, and where the next page starts. */
  loaded?: { kind: ext.InspectPage["kind"]; count: number; next: number; children: Node[] };
  failed?: string;
}

interface MoreNode {
  kind: "more";
  parent: ValueNode;
}

interface TextNode {
  kind: "text";
  text: string;
}

type Node = ValueNode | MoreNode | TextNode;

/** A row of the view, as its commands receive it. */
export type InspectorNode = Node;

export class Inspector implements vscode.Disposable, vscode.TreeDataProvider<Node> {
  private root: ValueNode | undefined;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly client: () => lc.LanguageClient | undefined) {
    this.view = vscode.window.createTreeView("yin.inspector", {
      treeDataProvider: this,
      showCollapseAll: true,
    });
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }

  /** Makes the value behind `handle` the root, without revealing the view. */
  setRoot(handle: number, value: string, truncated: boolean): void {
    this.root = { kind: "value", value, truncated, handle };
    this.view.message = undefined;
    this.changed.fire(undefined);
  }

  /** Shows the value behind `handle` in the view. */
  async inspect(handle: number, value: string, truncated: boolean): Promise<void> {
    this.setRoot(handle, value, truncated);
    await vscode.commands.executeCommand("yin.inspector.focus");
  }

  /** Empties the view: its handles died with the session. */
  clear(): void {
    this.root = undefined;
    this.view.message = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case "more": {
        const loaded = node.parent.loaded;
        const shown = loaded === undefined ? 0 : loaded.next;
        const total = loaded?.count ?? 0;
        const item = new vscode.TreeItem(
          `Load more (${shown.toLocaleString("en")}/${total.toLocaleString("en")})`,
        );
        item.command = { command: "yin.inspectorLoadMore", title: "Load More", arguments: [node] };
        item.iconPath = new vscode.ThemeIcon("ellipsis");
        return item;
      }
      case "text": {
        const item = new vscode.TreeItem(cut(oneLine(node.text), LABEL_CHARS));
        item.tooltip = cut(node.text, 10 * LABEL_CHARS);
        item.contextValue = "yinText";
        return item;
      }
      case "value": {
        const label = node.key ?? cut(oneLine(node.value), LABEL_CHARS);
        const item = new vscode.TreeItem(
          label,
          node.handle === undefined
            ? vscode.TreeItemCollapsibleState.None
            : node === this.root
              ? vscode.TreeItemCollapsibleState.Expanded
              : vscode.TreeItemCollapsibleState.Collapsed,
        );
        if (node.key !== undefined) {
          item.description = cut(oneLine(node.value), LABEL_CHARS);
        } else if (node.index !== undefined) {
          item.description = `#${node.index}`;
        }
        item.tooltip = cut(node.value, 10 * LABEL_CHARS);
        item.contextValue = "yinValue";
        return item;
      }
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node === undefined) {
      return this.root === undefined ? [] : [this.root];
    }
    if (node.kind !== "value" || node.handle === undefined) {
      return [];
    }
    if (node.loaded === undefined && node.failed === undefined) {
      await this.fetch(node);
    }
    if (node.failed !== undefined) {
      return [{ kind: "text", text: node.failed }];
    }
    const loaded = node.loaded;
    if (loaded === undefined) {
      return [];
    }
    return loaded.next < loaded.count
      ? [...loaded.children, { kind: "more", parent: node }]
      : loaded.children;
  }

  /** The "Load more" item's command: the next page of its collection. */
  async loadMore(node: Node): Promise<void> {
    if (node.kind !== "more") {
      return;
    }
    await this.fetch(node.parent);
    this.changed.fire(node.parent);
  }

  /** "Copy Value": the whole value for a collection, string, atom or function; else the row's text. */
  async copy(node: Node): Promise<void> {
    let text: string;
    let truncated = false;
    if (node.kind === "value" && node.handle !== undefined) {
      const client = this.client();
      if (client === undefined) {
        void vscode.window.showErrorMessage("Yin: the language server is not running.");
        return;
      }
      try {
        ({ text, truncated } = await client.sendRequest(ext.inspectTextRequest, { handle: node.handle }));
      } catch (e) {
        this.showFailure(errorMessage(e));
        return;
      }
    } else if (node.kind === "value") {
      text = node.value;
    } else if (node.kind === "text") {
      text = node.text;
    } else {
      return;
    }
    await vscode.env.clipboard.writeText(text);
    const note = truncated ? " (cut at 8 MiB)" : "";
    vscode.window.setStatusBarMessage(
      `Yin: copied ${text.length.toLocaleString("en")} characters${note}`,
      5_000,
    );
  }

  /** Fetches `node`'s next page; a failure (an expired handle, say) becomes its only child. */
  private async fetch(node: ValueNode): Promise<void> {
    const client = this.client();
    if (client === undefined || node.handle === undefined) {
      node.failed = "The language server is not running.";
      return;
    }
    const offset = node.loaded?.next ?? 0;
    let page: ext.InspectPage;
    try {
      page = await client.sendRequest(ext.inspectRequest, { handle: node.handle, offset, count: PAGE });
    } catch (e) {
      node.failed = errorMessage(e);
      this.showFailure(node.failed);
      return;
    }
    const children = node.loaded?.children ?? [];
    const sequential = page.kind === "list" || page.kind === "vector" || page.kind === "set";
    page.items.forEach((item, i) => {
      children.push({
        kind: "value",
        value: item.value,
        truncated: item.truncated,
        handle: item.handle,
        key: item.key,
        index: sequential ? page.offset + i : undefined,
      });
    });
    let next = page.offset + page.items.length;
    if (page.text !== undefined) {
      children.push({ kind: "text", text: page.text });
      // A string pages by characters; a function's or other value's text is all of it.
      next = page.kind === "string" ? page.offset + page.text.length : page.count;
    }
    // A page that brings nothing would offer "Load more" forever.
    if (next <= offset) {
      next = page.count;
    }
    node.loaded = { kind: page.kind, count: page.count, next, children };
  }

  private showFailure(message: string): void {
    this.view.message = `Yin: ${message}`;
    void vscode.window.showWarningMessage(`Yin Inspector: ${message}`);
  }
}
