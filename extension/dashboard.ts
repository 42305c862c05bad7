// The training dashboard: a webview panel that opens when a training job starts (setting
// rnnLab.dashboard.openOnTrainingStart) and follows it live. It shows the jobs of the notebook in
// view (kernelManager.ts: each notebook has its own kernel and jobs) and switches with it. The
// extension keeps every job's history, per kernel, so a dashboard opened late, reloaded, or
// switched back to a notebook shows the whole run.

import * as vscode from 'vscode';
import { StopJobRequest, type JobEventParams, type StopJobParams } from '../kernel/protocol';
import { JobHistoryStore } from '../webview/jobHistory';
import type { DashboardInbound, DashboardOutbound } from '../webview/messages';
import { DASHBOARD_VIEW_TYPE, Settings } from './constants';
import type { KernelClient } from './kernelClient';
import type { KernelManager } from './kernelManager';
import { SinglePanel } from './webviewPanel';

const TITLE = 'RNN Lab: Training';

/** The panel's title for a notebook's jobs: "RNN Lab: Training · char-rnn". */
const titleFor = (kernel: KernelClient | undefined): string => (kernel ? `${TITLE} · ${kernel.name}` : TITLE);

/** One kernel's jobs as the dashboard knows them. */
interface KernelJobs {
  store: JobHistoryStore;
  /** The job to show when this kernel's jobs are shown. */
  focus: string | undefined;
}

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
  private readonly byKernel = new Map<KernelClient, KernelJobs>();
  /** The kernel whose jobs the page shows (the notebook in view's). */
  private shown: KernelClient | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly kernels: KernelManager,
  ) {
    this.panel = new SinglePanel(extensionUri, {
      viewType: DASHBOARD_VIEW_TYPE,
      script: 'dashboard.js',
      body: BODY,
      iconPath: vscode.Uri.joinPath(extensionUri, 'extension', 'media', 'rnn-lab.svg'),
      onMessage: (message) => this.onMessage(message),
      snapshot: () => [this.resetMessage()],
    });
    this.shown = kernels.followedKernel;
    this.disposables.push(
      this.panel,
      kernels.onJob(({ kernel, event }) => this.onJob(kernel, event)),
      kernels.onDidStartSession((kernel) => {
        this.byKernel.delete(kernel);
        if (kernel === this.shown) this.panel.post(this.resetMessage());
      }),
      kernels.onDidChangeKernels(() => {
        // Kernels whose notebook closed are forgotten.
        const live = new Set(kernels.all);
        for (const kernel of this.byKernel.keys()) if (!live.has(kernel)) this.byKernel.delete(kernel);
        this.follow();
      }),
      kernels.onDidChangeFollowed(() => this.follow()),
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

  /** The notebook whose jobs the dashboard shows, and its title while open (the test API reports them). */
  get showing(): { notebook: string | undefined; title: string | undefined; jobs: string[] } {
    return {
      notebook: this.shown?.notebook.uri.toString(),
      title: this.panel.title,
      jobs: this.jobsOf(this.shown)?.store.all().map((h) => h.job.id) ?? [],
    };
  }

  /** Opens (or reveals) the dashboard on the notebook in view's jobs; `jobId` is the job to show. */
  show(jobId?: string, preserveFocus = false): void {
    this.follow();
    const jobs = this.jobsOf(this.shown);
    if (jobId && jobs) jobs.focus = jobId;
    this.panel.show(titleFor(this.shown), preserveFocus);
    // A page still loading gets the snapshot instead, which has the focus too.
    if (jobId) this.panel.post({ type: 'focus', jobId });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Shows the jobs of the notebook in view, if that is another kernel's. */
  private follow(): void {
    const next = this.kernels.followedKernel;
    if (next === this.shown) return;
    this.shown = next;
    if (!this.panel.isOpen) return;
    this.panel.show(titleFor(next), true);
    this.panel.post(this.resetMessage());
  }

  private jobsOf(kernel: KernelClient | undefined): KernelJobs | undefined {
    return kernel ? this.byKernel.get(kernel) : undefined;
  }

  private resetMessage(): DashboardInbound {
    const jobs = this.jobsOf(this.shown);
    if (!jobs) return { type: 'reset', jobs: [] };
    return { type: 'reset', jobs: jobs.store.all(), focus: jobs.focus ?? jobs.store.latest()?.job.id };
  }

  private onJob(kernel: KernelClient, event: JobEventParams): void {
    let jobs = this.byKernel.get(kernel);
    if (!jobs) {
      jobs = { store: new JobHistoryStore(), focus: undefined };
      this.byKernel.set(kernel, jobs);
    }
    const isNew = !jobs.store.has(event.job.id);
    jobs.store.apply(event);
    if (isNew && event.job.status === 'running') jobs.focus = event.job.id;
    if (kernel !== this.shown) {
      // A job starting in the notebook in view's kernel, whose dashboard was not shown yet.
      if (!(isNew && event.job.status === 'running' && kernel === this.kernels.followedKernel)) return;
      this.follow();
      return this.openOnStart(event);
    }
    this.panel.post({ type: 'event', event });
    if (isNew && event.job.status === 'running') this.openOnStart(event);
  }

  private openOnStart(event: JobEventParams): void {
    const open = vscode.workspace.getConfiguration(Settings.section).get<boolean>(Settings.openDashboardOnTrainingStart, true);
    if (open) this.show(event.job.id, true);
  }

  private onMessage(message: DashboardOutbound): void {
    if (message.type === 'stop') {
      // The page shows one kernel's jobs: the stop is for that kernel's job.
      const kernel = this.shown;
      if (!kernel) return;
      const params: StopJobParams = { id: message.jobId };
      kernel.request(StopJobRequest, params).catch((error: unknown) => {
        void vscode.window.showErrorMessage(`RNN Lab: could not stop the job: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }
}
