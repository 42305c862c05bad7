// What activate() returns: a small window into the extension for the extension-host tests
// (test/vscode/; the promised ids and API are written out in suite/contract.ts). Read-only, but
// for answerRestartPrompts: a modal question cannot be clicked by a test, so a test answers it here.

import type * as vscode from 'vscode';
import type { Dashboard } from './dashboard';
import type { Inspector } from './inspector';
import type { KernelClientState } from './kernelClient';
import type { KernelManager } from './kernelManager';
import type { LiveOutputs } from './liveOutputs';
import { recentMessages, showModalMessages, type ShownMessage } from './notify';
import type { ModalRestartPrompter, RestartAnswer } from './restartPrompt';
import type { KernelStatusBar } from './statusBar';

export interface TreeItemInfo {
  label: string;
  description?: string;
}

export interface ModelTreeItemInfo extends TreeItemInfo {
  children: TreeItemInfo[];
}

/** One notebook's kernel. */
export interface KernelInfo {
  /** The notebook's URI (toString()). */
  notebook: string;
  name: string;
  state: KernelClientState;
  /** The kernel process's id, while a session has one. */
  pid: number | undefined;
}

/** What the parameter panel was last given to draw. */
export interface ParameterViewInfo {
  /** Its tab's title and column, while it is open. */
  title: string | undefined;
  viewColumn: number | undefined;
  model: string | undefined;
  parameter: string | undefined;
  shape: number[] | undefined;
  /** Of the values drawn. */
  min: number | undefined;
  max: number | undefined;
  /** Why nothing is drawn, when the last read failed. */
  error: string | undefined;
  /** Reads that reached the page: each refresh adds one. */
  reads: number;
}

export interface RnnLabTestApi {
  /** The state of the notebook's kernel; without one, of the notebook in view's ('stopped' when it has none). */
  kernelState(notebook?: vscode.Uri): KernelClientState;
  /** The kernels of the window, one per notebook that ran a cell and is still open. */
  kernels(): KernelInfo[];
  /** The notebook the inspector, the dashboard and the status bar follow (its URI), if any. */
  followedNotebook(): string | undefined;
  /** The kernel status bar item. */
  statusBar(): { text: string; visible: boolean };
  /** The rnnLab.models tree, each model with its children resolved. */
  modelsTreeItems(): Promise<ModelTreeItemInfo[]>;
  jobsTreeItems(): Promise<TreeItemInfo[]>;
  dashboardVisible(): boolean;
  /** Messages handed to the dashboard webview (held ones count once its script is ready). */
  dashboardMessagesPosted(): number;
  /** Whose jobs the dashboard shows (the notebook's URI), its title while open, and the job ids. */
  dashboardShowing(): { notebook: string | undefined; title: string | undefined; jobs: string[] };
  /** The parameter panel's last values. */
  parameterView(): ParameterViewInfo;
  /** Notifications the commands showed (the last 20, oldest first): errors reach the person so. */
  recentMessages(): ShownMessage[];
  /** The questions Restart Kernel asked (the last 20, oldest first). */
  restartQuestions(): { message: string; detail: string }[];
  /** From now on, Restart Kernel's question is answered so, without a modal (undefined: a modal again). */
  answerRestartQuestions(answer: RestartAnswer | undefined): void;
  /** Per display id: the live updates of finished cells the renderer reported drawing. */
  liveOutputDraws(): Record<string, number>;
  /** Whether modal messages show; off, they are only recorded in recentMessages (a test cannot close a modal). */
  showModalMessages(shown: boolean): void;
}

function labelOf(label: string | { label: string } | undefined): string {
  return typeof label === 'string' ? label : (label?.label ?? '');
}

function descriptionOf(description: string | boolean | undefined): string | undefined {
  return typeof description === 'string' ? description : undefined;
}

export interface TestApiParts {
  kernels: KernelManager;
  inspector: Inspector;
  dashboard: Dashboard;
  statusBar: KernelStatusBar;
  prompter: ModalRestartPrompter;
  live: LiveOutputs;
}

export function createTestApi({ kernels, inspector, dashboard, statusBar, prompter, live }: TestApiParts): RnnLabTestApi {
  return {
    kernelState(notebook) {
      const kernel = notebook ? kernels.all.find((k) => k.notebook.uri.toString() === notebook.toString()) : kernels.followedKernel;
      return kernel?.state ?? 'stopped';
    },
    kernels: () => kernels.all.map((k) => ({ notebook: k.notebook.uri.toString(), name: k.name, state: k.state, pid: k.pid })),
    followedNotebook: () => kernels.followedNotebook?.uri.toString(),
    statusBar: () => ({ text: statusBar.text, visible: statusBar.visible }),
    async modelsTreeItems() {
      const models = await inspector.models.getChildren();
      return Promise.all(
        models.map(async (model) => {
          const item = inspector.models.getTreeItem(model);
          const children = await inspector.models.getChildren(model);
          return {
            label: labelOf(item.label),
            description: descriptionOf(item.description),
            children: children.map((child) => {
              const c = inspector.models.getTreeItem(child);
              return { label: labelOf(c.label), description: descriptionOf(c.description) };
            }),
          };
        }),
      );
    },
    async jobsTreeItems() {
      return inspector.jobs.getChildren().map((job) => {
        const item = inspector.jobs.getTreeItem(job);
        return { label: labelOf(item.label), description: descriptionOf(item.description) };
      });
    },
    dashboardVisible: () => dashboard.visible,
    dashboardMessagesPosted: () => dashboard.messagesPosted,
    dashboardShowing: () => dashboard.showing,
    parameterView() {
      const { data, error, reads, title, viewColumn } = inspector.parameterPanel.current;
      let min: number | undefined;
      let max: number | undefined;
      for (const v of data?.values ?? []) {
        min = min === undefined || v < min ? v : min;
        max = max === undefined || v > max ? v : max;
      }
      return { title, viewColumn, model: data?.model, parameter: data?.parameter.name, shape: data?.shape, min, max, error, reads };
    },
    recentMessages,
    restartQuestions: () => prompter.asked.map((q) => ({ ...q })),
    answerRestartQuestions(answer) {
      prompter.answer = answer;
    },
    liveOutputDraws: () => live.drawCounts,
    showModalMessages,
  };
}
