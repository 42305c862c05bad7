// The training dashboard: a WebviewPanel that opens when a training job starts (setting
// rnnLab.dashboard.openOnTrainingStart) and follows it live. The extension keeps every job's
// history, so a dashboard opened late, or reloaded, shows the whole run.

import * as vscode from 'vscode';
import { StopJobRequest, type JobEventParams, type StopJobParams } from '../kernel/protocol';
import { JobHistoryStore } from '../webview/jobHistory';
import type { DashboardInbound, DashboardOutbound } from '../webview/messages';
import { DASHBOARD_VIEW_TYPE, Settings } from './constants';
import type { KernelClient } from './kernelClient';
import { BASE_CSS, makeNonce, webviewDocument } from './webviewHtml';
import { WebviewChannel } from './webviewChannel';

const BODY = `
<header>
  <strong>Training</strong>
  <select id="job" hidden aria-label="Training job"></select>
  <span id="status" class="status"></span>
  <progress id="progress" max="1" value="0"></progress>
  <span id="progress-text" class="muted"></span>
  <button id="stop" hidden>Stop</button>
</header>
<div id="message"></div>
<div id="empty" class="muted">No training job yet. Call <code>fit()</code> in an RNN Lab notebook cell; the dashboard follows it here.</div>
<main id="charts" class="grid" hidden>
  <section><h2>Loss <label class="control"><input type="checkbox" id="loss-log"> log scale</label></h2><div class="plot-box" id="loss-plot"></div></section>
  <section><h2>Gradient norm per time step</h2><div class="plot-box" id="gradnorm-plot"></div></section>
  <section><h2>Gradient norms over training <select id="grad-layer" hidden aria-label="Layer"></select></h2><div class="plot-box" id="gradevo-plot"></div></section>
  <section><h2>Probe sequence: hidden states <select id="probe-layer" hidden aria-label="Layer"></select></h2><div class="plot-box" id="probe-plot"></div></section>
</main>`;

export class Dashboard implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private channel: WebviewChannel<DashboardInbound, DashboardOutbound> | undefined;
  private readonly store = new JobHistoryStore();
  private focus: string | undefined;
  /** Messages posted to all panels so far (the test API reports it). */
  private postedBefore = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly kernel: KernelClient,
  ) {
    this.disposables.push(
      kernel.onJob((e) => this.onJob(e)),
      kernel.onDidStartSession(() => {
        this.store.clear();
        this.focus = undefined;
        this.channel?.post({ type: 'reset', jobs: [] });
      }),
    );
  }

  /** The panel is shown, and its tab is in the editor area (VS Code reports the two separately). */
  get visible(): boolean {
    if (!this.panel?.visible) return false;
    return vscode.window.tabGroups.all.some((group) =>
      group.tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(DASHBOARD_VIEW_TYPE)),
    );
  }

  get messagesPosted(): number {
    return this.postedBefore + (this.channel?.posted ?? 0);
  }

  /** Opens (or reveals) the dashboard; `jobId` is the job to show. */
  show(jobId?: string, preserveFocus = false): void {
    if (jobId) this.focus = jobId;
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      if (jobId) this.channel?.post({ type: 'focus', jobId });
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE,
      'RNN Lab: Training',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'extension', 'media', 'rnn-lab.svg');
    const channel = new WebviewChannel<DashboardInbound, DashboardOutbound>(
      panel.webview,
      (message) => this.onMessage(message),
      () => [{ type: 'reset', jobs: this.store.all(), focus: this.focus ?? this.store.latest()?.job.id }],
    );
    panel.webview.html = webviewDocument({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'dashboard.js')).toString(),
      title: 'RNN Lab: Training',
      body: BODY,
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

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private onJob(event: JobEventParams): void {
    const isNew = !this.store.has(event.job.id);
    this.store.apply(event);
    this.channel?.post({ type: 'event', event });
    if (isNew && event.job.status === 'running') {
      this.focus = event.job.id;
      const open = vscode.workspace.getConfiguration(Settings.section).get<boolean>(Settings.openDashboardOnTrainingStart, true);
      if (open) this.show(event.job.id, true);
    }
  }

  private onMessage(message: DashboardOutbound): void {
    if (message.type === 'stop') {
      const params: StopJobParams = { id: message.jobId };
      this.kernel.request(StopJobRequest, params).catch((error: unknown) => {
        void vscode.window.showErrorMessage(`RNN Lab: could not stop the job: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }
}
