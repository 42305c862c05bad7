// The sidebar model inspector: the models in the kernel of the notebook in view (expanding into
// layers and parameters), its training jobs, and a panel with a selected parameter's heatmap and
// histogram. The trees follow the notebook last active in the editor (kernelManager.ts); they and
// the parameter panel are re-read after each cell of that notebook and while a job reports
// progress, so an open heatmap shows `weight.data.fill(0)` or a training step as the tree does.
// Nothing is polled.

import * as vscode from 'vscode';
import {
  InspectModelRequest,
  ListModelsRequest,
  ParameterValuesRequest,
  type InspectModelParams,
  type JobSummary,
  type ModelListItem,
  type ModuleSummary,
  type ParameterSummary,
  type ParameterValues,
  type ParameterValuesParams,
} from '../kernel/protocol';
import type { ParameterData, ParameterInbound, ParameterOutbound } from '../webview/messages';
import { Commands, PARAMETER_VIEW_TYPE, Views } from './constants';
import { childrenOf, jobDescription, jobLabel, lookOf, modelNode, type InspectorNode } from './inspectorModel';
import { KernelNotRunningError, notebookName, type KernelClient } from './kernelClient';
import type { KernelManager } from './kernelManager';
import { SinglePanel } from './webviewPanel';

/** How often, at most, the models (and an open parameter) are re-read while a job trains. */
const TRAINING_REFRESH_MS = 2000;

/** Calls `run` at most once per `ms` while `soon()` is called, and at once on `now()`. */
class Throttle implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor(
    private readonly ms: number,
    private readonly run: () => void,
  ) {}
  soon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.ms);
  }
  now(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.run();
  }
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

export class ModelsProvider implements vscode.TreeDataProvider<InspectorNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<InspectorNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Summaries read during the current refresh, so expanding layers does not ask again. */
  private summaries = new Map<string, Promise<ModuleSummary>>();
  private readonly training = new Throttle(TRAINING_REFRESH_MS, () => this.refresh());

  constructor(private readonly kernels: KernelManager) {}

  refresh(): void {
    this.summaries.clear();
    this.changed.fire(undefined);
  }

  /** During training: at most one refresh per TRAINING_REFRESH_MS. */
  refreshSoon(): void {
    this.training.soon();
  }

  getTreeItem(node: InspectorNode): vscode.TreeItem {
    const look = lookOf(node);
    const item = new vscode.TreeItem(look.label, look.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = look.id;
    item.description = look.description;
    item.tooltip = look.tooltip;
    item.contextValue = look.contextValue;
    if (node.kind === 'model') item.iconPath = new vscode.ThemeIcon('symbol-class');
    if (node.kind === 'layer') item.iconPath = new vscode.ThemeIcon('layers');
    if (node.kind === 'parameter') {
      item.iconPath = new vscode.ThemeIcon('symbol-array');
      item.command = { command: Commands.showParameter, title: 'Show Parameter', arguments: [node] };
    }
    return item;
  }

  async getChildren(node?: InspectorNode): Promise<InspectorNode[]> {
    const kernel = this.kernels.followedKernel;
    if (!kernel?.isRunning) return [];
    try {
      if (!node) {
        const models = await kernel.request<ModelListItem[]>(ListModelsRequest);
        return models.map(modelNode);
      }
      if (node.kind === 'parameter') return [];
      const summary = await this.summary(kernel, node.model);
      return childrenOf(node.model, summary, node.kind === 'layer' ? node.path : '');
    } catch (error) {
      console.warn('[rnn-lab] inspector could not read the models:', error);
      return [];
    }
  }

  private summary(kernel: KernelClient, model: string): Promise<ModuleSummary> {
    let summary = this.summaries.get(model);
    if (!summary) {
      const params: InspectModelParams = { name: model };
      summary = kernel.request<ModuleSummary>(InspectModelRequest, params);
      summary.catch(() => this.summaries.delete(model));
      this.summaries.set(model, summary);
    }
    return summary;
  }

  dispose(): void {
    this.training.dispose();
    this.changed.dispose();
  }
}

export class JobsProvider implements vscode.TreeDataProvider<JobSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobSummary | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly kernels: KernelManager) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(job: JobSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(jobLabel(job), vscode.TreeItemCollapsibleState.None);
    item.id = `job/${job.id}`;
    item.description = jobDescription(job);
    item.tooltip = job.message ? `${jobLabel(job)}: ${job.message}` : `${jobLabel(job)} (job ${job.id})`;
    const running = job.status === 'running' || job.status === 'paused';
    item.contextValue = running ? 'rnnLab.job.running' : 'rnnLab.job';
    item.iconPath = new vscode.ThemeIcon(running ? 'sync~spin' : job.status === 'failed' ? 'error' : job.status === 'stopped' ? 'debug-stop' : 'check');
    item.command = { command: Commands.showDashboard, title: 'Show Dashboard', arguments: [job.id] };
    return item;
  }

  getChildren(job?: JobSummary): JobSummary[] {
    return job ? [] : [...(this.kernels.followedKernel?.jobList ?? [])].reverse();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const PARAMETER_BODY = `<header><strong id="title">Parameter</strong><span id="stats" class="muted"></span></header>
<div id="message" class="muted">Loading…</div>
<main class="grid"><section><div class="plot-box" id="heatmap-plot"></div></section><section><div class="plot-box" id="histogram-plot"></div></section></main>`;

/** What the parameter panel shows: a parameter of a model in one notebook's kernel. */
interface ShownParameter {
  kernel: KernelClient;
  model: string;
  parameter: string;
}

/**
 * One panel showing the parameter last selected in the tree: heatmap (2-D and up) and histogram.
 * It stays with the kernel it was selected in, and is re-read when that kernel's models change
 * (refresh, refreshSoon), as the tree is.
 */
export class ParameterPanel implements vscode.Disposable {
  private readonly panel: SinglePanel<ParameterInbound, ParameterOutbound>;
  /** Counts reads: only the latest one's values are drawn, whichever answer comes last. */
  private requested = 0;
  private shown: ShownParameter | undefined;
  /** What the page was last given: values, or why there are none. */
  private last: ParameterInbound | undefined;
  private reads = 0;
  private readonly training = new Throttle(TRAINING_REFRESH_MS, () => void this.refresh());

  constructor(extensionUri: vscode.Uri) {
    this.panel = new SinglePanel(extensionUri, {
      viewType: PARAMETER_VIEW_TYPE,
      script: 'inspector.js',
      body: PARAMETER_BODY,
      // A page that (re)loads gets what is shown now.
      snapshot: () => (this.last ? [this.last] : []),
    });
  }

  /** The kernel whose parameter is shown, while the panel is open. */
  get kernel(): KernelClient | undefined {
    return this.panel.isOpen ? this.shown?.kernel : undefined;
  }

  /** The values the page was last given (undefined after an error), and how many reads were made. */
  get current(): { data: ParameterData | undefined; error: string | undefined; reads: number; title: string | undefined; viewColumn: number | undefined } {
    return {
      data: this.last?.type === 'parameter' ? this.last.data : undefined,
      error: this.last?.type === 'error' ? this.last.message : undefined,
      reads: this.reads,
      title: this.panel.title,
      viewColumn: this.panel.viewColumn,
    };
  }

  async show(kernel: KernelClient, model: string, parameter: ParameterSummary | string): Promise<void> {
    const name = typeof parameter === 'string' ? parameter : parameter.name;
    this.shown = { kernel, model, parameter: name };
    this.last = undefined;
    this.panel.show(`${model}.${name}`, true);
    await this.read(this.shown);
  }

  /** Re-reads the parameter shown (its model changed): at once. */
  async refresh(): Promise<void> {
    if (this.shown && this.panel.isOpen) await this.read(this.shown);
  }

  /** During training: at most one re-read per TRAINING_REFRESH_MS. */
  refreshSoon(): void {
    if (this.shown && this.panel.isOpen) this.training.soon();
  }

  dispose(): void {
    this.training.dispose();
    this.panel.dispose();
  }

  private async read(shown: ShownParameter): Promise<void> {
    const request = ++this.requested;
    const { kernel, model, parameter } = shown;
    const what = `${model}.${parameter}`;
    let message: ParameterInbound;
    try {
      if (!kernel.isRunning) throw new KernelNotRunningError(kernel.lastSessionEnd);
      // The statistics (and the gradient norm) from the summary, the values themselves apart.
      const summary = await kernel.request<ModuleSummary>(InspectModelRequest, { name: model } satisfies InspectModelParams);
      const stats = summary.parameters.find((p) => p.name === parameter);
      if (!stats) throw new Error(`${model} has no parameter '${parameter}' any more`);
      const params: ParameterValuesParams = { model, parameter };
      const values = await kernel.request<ParameterValues>(ParameterValuesRequest, params);
      message = { type: 'parameter', data: { model, parameter: stats, shape: values.shape, values: values.values, ...(values.gates ? { gates: values.gates } : {}) } };
    } catch (error) {
      const reason =
        error instanceof KernelNotRunningError
          ? `the RNN Lab kernel of ${kernel.name} is not running (restarted, stopped or dead), so ${what} is gone. Select a parameter in the RNN Lab view again once a cell has made it.`
          : error instanceof Error
            ? error.message
            : String(error);
      message = { type: 'error', message: `Could not read ${what}: ${reason}` };
    }
    if (request !== this.requested || this.shown !== shown) return;
    this.reads++;
    this.last = message;
    this.panel.post(message);
  }
}

/** Creates the two tree views and the parameter panel, and keeps them fresh. */
export class Inspector implements vscode.Disposable {
  readonly models: ModelsProvider;
  readonly jobs: JobsProvider;
  readonly parameterPanel: ParameterPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly jobsThrottle: Throttle;
  private readonly modelsView: vscode.TreeView<InspectorNode>;
  private readonly jobsView: vscode.TreeView<JobSummary>;

  constructor(
    extensionUri: vscode.Uri,
    private readonly kernels: KernelManager,
    onDidFinishCell: vscode.Event<vscode.NotebookCell>,
  ) {
    this.models = new ModelsProvider(kernels);
    this.jobs = new JobsProvider(kernels);
    this.parameterPanel = new ParameterPanel(extensionUri);
    this.jobsThrottle = new Throttle(300, () => this.jobs.refresh());
    this.modelsView = vscode.window.createTreeView(Views.models, { treeDataProvider: this.models, showCollapseAll: true });
    this.jobsView = vscode.window.createTreeView(Views.jobs, { treeDataProvider: this.jobs });
    const followed = (kernel: KernelClient): boolean => kernel === kernels.followedKernel;
    const panelShows = (kernel: KernelClient): boolean => kernel === this.parameterPanel.kernel;
    this.disposables.push(
      this.models,
      this.jobs,
      this.parameterPanel,
      this.jobsThrottle,
      this.modelsView,
      this.jobsView,
      onDidFinishCell((cell) => {
        const kernel = kernels.get(cell.notebook);
        if (!kernel) return;
        if (followed(kernel)) this.models.refresh();
        if (panelShows(kernel)) void this.parameterPanel.refresh();
      }),
      kernels.onDidChangeFollowed(() => this.showFollowed()),
      kernels.onDidChangeKernels(() => this.showFollowed()),
      kernels.onDidStartSession((kernel) => {
        if (followed(kernel)) this.showFollowed();
        if (panelShows(kernel)) void this.parameterPanel.refresh();
      }),
      kernels.onDidEndSession(({ kernel }) => {
        if (followed(kernel)) this.showFollowed();
        if (panelShows(kernel)) void this.parameterPanel.refresh();
      }),
      kernels.onDidChangeState(({ kernel, state }) => {
        if (followed(kernel) && (state === 'dead' || state === 'stopped')) this.models.refresh();
      }),
      kernels.onJob(({ kernel, event }) => {
        const running = event.job.status === 'running';
        if (followed(kernel)) {
          this.jobsThrottle.soon();
          if (running) this.models.refreshSoon();
          else this.models.refresh(); // final weights
        }
        if (panelShows(kernel)) {
          if (running) this.parameterPanel.refreshSoon();
          else void this.parameterPanel.refresh();
        }
      }),
    );
    this.showFollowed();
  }

  /** Shows the kernel of the notebook in view: both trees re-read, named after the notebook. */
  private showFollowed(): void {
    const notebook = this.kernels.followedNotebook;
    const description = notebook ? notebookName(notebook.uri) : undefined;
    this.modelsView.description = description;
    this.jobsView.description = description;
    this.models.refresh();
    this.jobs.refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
