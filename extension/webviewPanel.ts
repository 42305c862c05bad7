// A webview panel that exists at most once: opened on demand in the side group (panelPlacement.ts:
// the group another RNN Lab panel uses, else one beside the notebook), revealed when it is already
// open, forgotten when the person closes it (the next show opens a new one). Its page is
// webviewHtml.ts's document around the given body and script bundle; messages go through a
// WebviewChannel, held until the page's script is ready. The training dashboard and the parameter
// view are each one of these.

import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE, PARAMETER_VIEW_TYPE } from './constants';
import { panelColumn } from './panelPlacement';
import { BASE_CSS, makeNonce, webviewDocument } from './webviewHtml';
import { WebviewChannel } from './webviewChannel';

export interface SinglePanelOptions<In, Out> {
  viewType: string;
  /** The page's script bundle in dist/, e.g. 'dashboard.js'. */
  script: string;
  /** The page's HTML body (the script fills it in). */
  body: string;
  iconPath?: vscode.Uri;
  /** Messages from the page other than 'ready'. */
  onMessage?: (message: Out) => void;
  /** Messages that bring a freshly loaded page up to date; they replace what was held for it. */
  snapshot?: () => In[];
}

export class SinglePanel<In, Out extends { type: string }> implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private channel: WebviewChannel<In, Out> | undefined;
  /** Messages handed to the panels closed so far. */
  private postedBefore = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly options: SinglePanelOptions<In, Out>,
  ) {}

  /** The panel is shown, and its tab is in the editor area (VS Code reports the two separately). */
  get visible(): boolean {
    if (!this.panel?.visible) return false;
    return vscode.window.tabGroups.all.some((group) =>
      group.tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(this.options.viewType)),
    );
  }

  /** Messages handed to this panel's pages so far, over every time it was opened. */
  get messagesPosted(): number {
    return this.postedBefore + (this.channel?.posted ?? 0);
  }

  /** Opens the panel with this title, or reveals it and gives it the title. */
  show(title: string, preserveFocus: boolean): void {
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const column = sideColumn();
    const panel = vscode.window.createWebviewPanel(
      this.options.viewType,
      title,
      { viewColumn: column === 'beside' ? vscode.ViewColumn.Beside : column, preserveFocus },
      { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
    );
    if (this.options.iconPath) panel.iconPath = this.options.iconPath;
    const channel = new WebviewChannel<In, Out>(panel.webview, this.options.onMessage ?? (() => undefined), this.options.snapshot);
    panel.webview.html = webviewDocument({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, this.options.script)).toString(),
      title,
      body: this.options.body,
      css: BASE_CSS,
    });
    panel.onDidDispose(() => {
      this.postedBefore += channel.posted;
      channel.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.channel = undefined;
      }
    });
    this.panel = panel;
    this.channel = channel;
  }

  /** The panel exists (shown or in a background tab): closed by the person, it does not. */
  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** The page's panel title, while it is open. */
  get title(): string | undefined {
    return this.panel?.title;
  }

  /** The editor column the panel is in, while it is open. */
  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel?.viewColumn;
  }

  /** Sends a message to the open page (held until it is ready); nothing when the panel is closed. */
  post(message: In): void {
    this.channel?.post(message);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

const RNN_LAB_PANELS = [DASHBOARD_VIEW_TYPE, PARAMETER_VIEW_TYPE];

/** The column for a new panel (panelPlacement.ts), from the editor groups and the notebook in view. */
function sideColumn(): number | 'beside' {
  const groups = vscode.window.tabGroups.all.map((group) => ({
    viewColumn: group.viewColumn,
    hasRnnLabPanel: group.tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && RNN_LAB_PANELS.some((t) => (tab.input as vscode.TabInputWebview).viewType.endsWith(t))),
    showsNotebook: group.activeTab?.input instanceof vscode.TabInputNotebook,
  }));
  const notebookColumn = vscode.window.activeNotebookEditor?.viewColumn ?? vscode.window.visibleNotebookEditors[0]?.viewColumn;
  return panelColumn(groups, notebookColumn);
}
