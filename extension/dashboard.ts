// The training dashboard: a webview panel that opens when a training job starts (setting
// rnnLab.dashboard.openOnTrainingStart) and follows it live. The extension keeps every job's
// history, so a dashboard opened late, or reloaded, shows the whole run.

import * as vscode from 'vscode';
import { StopJobRequest, type JobEventParams, type StopJobParams } from '../kernel/protocol';
import { JobHistoryStore } from '../webview/jobHistory';
import type { DashboardInbound, DashboardOutbound } from '../webview/messages';
import { DASHBOARD_VIEW_TYPE, Settings } from './constants';
import type { KernelClient } from './kernelClient';
import { SinglePanel } from './webviewPanel';

const TITLE = 'RNN Lab: Training';

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
  private readonly panel: SinglePanel<DashboardInbound, DashboardOutbound>;
  private readonly store = new JobHistoryStore();
  private focus: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly kernel: KernelClient,
  ) {
    this.panel = new SinglePanel(extensionUri, {
      viewType: DASHBOARD_VIEW_TYPE,
      script: 'dashboard.js',
      body: BODY,
      iconPath: vscode.Uri.joinPath(extensionUri, 'extension', 'media', 'rnn-lab.svg'),
      onMessage: (message) => this.onMessage(message),
      snapshot: () => [{ type: 'reset', jobs: this.store.all(), focus: this.focus ?? this.store.latest()?.job.id }],
    });
    this.disposables.push(
      this.panel,
      kernel.onJob((e) => this.onJob(e)),
      kernel.onDidStartSession(() => {
        this.store.clear();
        this.focus = undefined;
        this.panel.post({ type: 'reset', jobs: [] });
      }),
    );
  }

  /** The panel is shown, and its tab is in the editor area. */
  get visible(): boolean {
    return this.panel.visible;
  }

  /** Messages handed to the dashboard's pages so far (the test API reports it). */
  get messagesPosted(): number {
    return this.panel.messagesPosted;
  }

  /** Opens (or reveals) the dashboard; `jobId` is the job to show. */
  show(jobId?: string, preserveFocus = false): void {
    if (jobId) this.focus = jobId;
    this.panel.show(TITLE, preserveFocus);
    // A page still loading gets the snapshot instead, which has the focus too.
    if (jobId) this.panel.post({ type: 'focus', jobId });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private onJob(event: JobEventParams): void {
    const isNew = !this.store.has(event.job.id);
    this.store.apply(event);
    this.panel.post({ type: 'event', event });
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
