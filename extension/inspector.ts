// The sidebar model inspector: the models in the kernel (expanding into layers and parameters),
// the training jobs, and a panel with a selected parameter's heatmap and histogram. Refreshed after
// each cell and while a job reports progress; nothing is polled.

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
import type { ParameterInbound, ParameterOutbound } from '../webview/messages';
import { Commands, PARAMETER_VIEW_TYPE } from './constants';
import { childrenOf, jobDescription, jobLabel, lookOf, modelNode, type InspectorNode } from './inspectorModel';
import type { KernelClient } from './kernelClient';
import { SinglePanel } from './webviewPanel';

/** How often, at most, the models are re-read while a job trains. */
const TRAINING_REFRESH_MS = 2000;

export class ModelsProvider implements vscode.TreeDataProvider<InspectorNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<InspectorNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Summaries read during the current refresh, so expanding layers does not ask again. */
  private summaries = new Map<string, Promise<ModuleSummary>>();
  private trainingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly kernel: KernelClient) {}

  refresh(): void {
    this.summaries.clear();
    this.changed.fire(undefined);
  }

  /** During training: at most one refresh per TRAINING_REFRESH_MS. */
  refreshSoon(): void {
    this.trainingTimer ??= setTimeout(() => {
      this.trainingTimer = undefined;
      this.refresh();
    }, TRAINING_REFRESH_MS);
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
    if (!this.kernel.isRunning) return [];
    try {
      if (!node) {
        const models = await this.kernel.request<ModelListItem[]>(ListModelsRequest);
        return models.map(modelNode);
      }
      if (node.kind === 'parameter') return [];
      const summary = await this.summary(node.model);
      return childrenOf(node.model, summary, node.kind === 'layer' ? node.path : '');
    } catch (error) {
      console.warn('[rnn-lab] inspector could not read the models:', error);
      return [];
    }
  }

  private summary(model: string): Promise<ModuleSummary> {
    let summary = this.summaries.get(model);
    if (!summary) {
      const params: InspectModelParams = { name: model };
      summary = this.kernel.request<ModuleSummary>(InspectModelRequest, params);
      summary.catch(() => this.summaries.delete(model));
      this.summaries.set(model, summary);
    }
    return summary;
  }

  dispose(): void {
    if (this.trainingTimer) clearTimeout(this.trainingTimer);
    this.changed.dispose();
  }
}

export class JobsProvider implements vscode.TreeDataProvider<JobSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobSummary | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly kernel: KernelClient) {}

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
    return job ? [] : [...this.kernel.jobList].reverse();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const PARAMETER_BODY = `<header><strong id="title">Parameter</strong><span id="stats" class="muted"></span></header>
<div id="message" class="muted">Loading…</div>
<main class="grid"><section><div class="plot-box" id="heatmap-plot"></div></section><section><div class="plot-box" id="histogram-plot"></div></section></main>`;

/** One panel showing the parameter last selected in the tree: heatmap (2-D and up) and histogram. */
export class ParameterPanel implements vscode.Disposable {
  private readonly panel: SinglePanel<ParameterInbound, ParameterOutbound>;
  /** Counts show() calls: only the latest one's values are drawn, whichever answer comes last. */
  private requested = 0;

  constructor(
    extensionUri: vscode.Uri,
    private readonly kernel: KernelClient,
  ) {
    this.panel = new SinglePanel(extensionUri, { viewType: PARAMETER_VIEW_TYPE, script: 'inspector.js', body: PARAMETER_BODY });
  }

  async show(model: string, parameter: ParameterSummary): Promise<void> {
    const request = ++this.requested;
    this.panel.show(`${model}.${parameter.name}`, true);
    try {
      const params: ParameterValuesParams = { model, parameter: parameter.name };
      const values = await this.kernel.request<ParameterValues>(ParameterValuesRequest, params);
      if (request === this.requested) this.panel.post({ type: 'parameter', data: { model, parameter, shape: values.shape, values: values.values } });
    } catch (error) {
      if (request === this.requested) this.panel.post({ type: 'error', message: `Could not read ${model}.${parameter.name}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}

/** Creates the two tree views and keeps them fresh. */
export class Inspector implements vscode.Disposable {
  readonly models: ModelsProvider;
  readonly jobs: JobsProvider;
  readonly parameterPanel: ParameterPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private jobsTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(extensionUri: vscode.Uri, kernel: KernelClient, onDidFinishCell: vscode.Event<unknown>) {
    this.models = new ModelsProvider(kernel);
    this.jobs = new JobsProvider(kernel);
    this.parameterPanel = new ParameterPanel(extensionUri, kernel);
    this.disposables.push(
      this.models,
      this.jobs,
      this.parameterPanel,
      vscode.window.createTreeView('rnnLab.models', { treeDataProvider: this.models, showCollapseAll: true }),
      vscode.window.createTreeView('rnnLab.jobs', { treeDataProvider: this.jobs }),
      onDidFinishCell(() => this.models.refresh()),
      kernel.onDidStartSession(() => {
        this.models.refresh();
        this.jobs.refresh();
      }),
      kernel.onDidEndSession(() => {
        this.models.refresh();
        this.jobs.refresh();
      }),
      kernel.onDidChangeState((state) => {
        if (state === 'dead' || state === 'stopped') this.models.refresh();
      }),
      kernel.onJob((e) => {
        this.jobsSoon();
        if (e.job.status === 'running') this.models.refreshSoon();
        else this.models.refresh(); // final weights
      }),
    );
  }

  private jobsSoon(): void {
    this.jobsTimer ??= setTimeout(() => {
      this.jobsTimer = undefined;
      this.jobs.refresh();
    }, 300);
  }

  dispose(): void {
    if (this.jobsTimer) clearTimeout(this.jobsTimer);
    for (const d of this.disposables) d.dispose();
  }
}
