// The extension's commands. Each one is small and reports problems to the person instead of
// throwing into VS Code. The kernel commands act on one notebook's kernel: the notebook they were
// invoked for (the notebook toolbar passes it), else the one in view (kernelManager.ts).

import * as vscode from 'vscode';
import { ListJobsRequest, StopJobRequest, type JobSummary, type StopJobParams } from '../kernel/protocol';
import { Commands } from './constants';
import type { Dashboard } from './dashboard';
import { ExportError, exportModel, exportTraining } from './exportModel';
import type { Inspector } from './inspector';
import type { InspectorNode } from './inspectorModel';
import { KernelNotRunningError, UntrustedWorkspaceError, type KernelClient } from './kernelClient';
import type { KernelManager } from './kernelManager';
import { confirmRestart, type RestartPrompter } from './restartPrompt';
import { listSamples, newNotebook, openSample } from './notebooks';
import { notify } from './notify';
import { showUntrustedMessage } from './trust';

export interface CommandDeps {
  extensionUri: vscode.Uri;
  kernels: KernelManager;
  dashboard: Dashboard;
  inspector: Inspector;
  /** Asks before a restart (a modal; the test API can answer instead). */
  prompter: RestartPrompter;
}

/** The kernel of the notebook in view, for commands that need a running one (exports, stop job). */
function followedKernel(kernels: KernelManager): KernelClient {
  const kernel = kernels.followedKernel;
  if (!kernel?.isRunning) throw new KernelNotRunningError(kernel?.lastSessionEnd);
  return kernel;
}

const NO_NOTEBOOK = 'RNN Lab: no RNN Lab notebook is open. Open one (or run a cell) to use its kernel.';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a command body and passes its result on; failures become a message instead (and the
 * command resolves with undefined). Messages are never awaited: the command returns at once.
 */
function guarded<A extends unknown[], R>(name: string, body: (...args: A) => Promise<R> | R) {
  return async (...args: A): Promise<R | undefined> => {
    try {
      return await body(...args);
    } catch (error) {
      if (error instanceof UntrustedWorkspaceError) void showUntrustedMessage();
      else if (error instanceof ExportError) void notify('error', `RNN Lab: ${error.message}`);
      else void notify('error', `RNN Lab: ${name} failed: ${errorText(error)}`);
      return undefined;
    }
  };
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { extensionUri, kernels, dashboard, inspector, prompter } = deps;
  return [
    vscode.commands.registerCommand(Commands.newNotebook, guarded('New Notebook', () => newNotebook())),
    vscode.commands.registerCommand(
      Commands.openSample,
      // An optional file name (e.g. from a walkthrough link) opens that sample without asking.
      guarded('Open Sample', async (fileName?: string) => {
        const samples = await listSamples(extensionUri);
        if (!samples.length) {
          void notify('info', 'RNN Lab: this installation has no sample notebooks.');
          return;
        }
        const named = typeof fileName === 'string' ? samples.find((s) => s.fileName === fileName) : undefined;
        if (typeof fileName === 'string' && !named) throw new Error(`no sample named ${fileName}`);
        if (named) {
          await openSample(named);
          return;
        }
        const pick = await vscode.window.showQuickPick(
          samples.map((s) => ({ label: s.title, description: s.fileName, sample: s })),
          { placeHolder: 'Open an RNN Lab sample notebook' },
        );
        if (pick) await openSample(pick.sample);
      }),
    ),
    vscode.commands.registerCommand(
      Commands.restartKernel,
      guarded('Restart Kernel', async (target?: unknown) => {
        if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError();
        const notebook = kernels.notebookFor(target);
        if (!notebook) return void notify('info', NO_NOTEBOOK);
        const kernel = kernels.kernelFor(notebook);
        if (!(await confirmRestart(kernel, prompter))) return;
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Restarting the RNN Lab kernel of ${kernel.name}` }, () =>
          kernel.restart(),
        );
      }),
    ),
    vscode.commands.registerCommand(
      Commands.interruptKernel,
      guarded('Interrupt', (target?: unknown) => {
        const notebook = kernels.notebookFor(target);
        const kernel = notebook && kernels.get(notebook);
        if (!kernel?.interrupt()) void notify('info', `RNN Lab: nothing is running${kernel ? ` in ${kernel.name}` : ''}.`);
      }),
    ),
    // From the jobs view: a job id (of the notebook in view's kernel); from the notebook toolbar: its notebook.
    vscode.commands.registerCommand(
      Commands.showDashboard,
      guarded('Show Dashboard', async (target?: unknown) => {
        const notebook = typeof target === 'string' ? undefined : kernels.notebookFor(target);
        if (notebook && notebook !== kernels.followedNotebook) await vscode.window.showNotebookDocument(notebook);
        dashboard.show(typeof target === 'string' ? target : undefined);
      }),
    ),
    // Arguments: a model item of the inspector or a model name, then optionally the target file
    // (a Uri or a path), which skips the save dialog. Both resolve with { path, bytes } or undefined.
    vscode.commands.registerCommand(
      Commands.exportSafetensors,
      guarded('Export to safetensors', (node?: InspectorNode | string, to?: vscode.Uri | string) => exportModel(kernels.followedKernel, 'safetensors', node, to)),
    ),
    vscode.commands.registerCommand(
      Commands.exportOnnx,
      guarded('Export to ONNX', (node?: InspectorNode | string, to?: vscode.Uri | string) => exportModel(kernels.followedKernel, 'onnx', node, to)),
    ),
    // The same arguments, `to` being the folder; the data and options are those of the model's last fit() job.
    vscode.commands.registerCommand(
      Commands.exportTorch,
      guarded('Export Training to PyTorch', (node?: InspectorNode | string, to?: vscode.Uri | string) => exportTraining(kernels.followedKernel, node, to)),
    ),
    vscode.commands.registerCommand(
      Commands.stopJob,
      guarded('Stop Job', async (job?: JobSummary | string) => {
        const kernel = followedKernel(kernels);
        const running = (jobs: JobSummary[]): string | undefined => jobs.filter((j) => j.status === 'running' || j.status === 'paused').pop()?.id;
        // Without a job named, the newest running one: the kernel's own list knows a job whose first event is still to come.
        const id = typeof job === 'string' ? job : (job?.id ?? running(kernel.jobList) ?? running(await kernel.request<JobSummary[]>(ListJobsRequest)));
        if (!id) return;
        const params: StopJobParams = { id };
        await kernel.request(StopJobRequest, params);
      }),
    ),
    vscode.commands.registerCommand(
      Commands.showParameter,
      // A parameter item of the models view, or (a script, a test) a model name and a parameter name.
      guarded('Show Parameter', async (node?: InspectorNode | string, parameter?: string) => {
        const kernel = followedKernel(kernels);
        if (typeof node === 'string' && typeof parameter === 'string') await inspector.parameterPanel.show(kernel, node, parameter);
        else if (typeof node === 'object' && node?.kind === 'parameter') await inspector.parameterPanel.show(kernel, node.model, node.parameter);
      }),
    ),
    vscode.commands.registerCommand(Commands.refreshModels, () => {
      inspector.models.refresh();
      inspector.jobs.refresh();
    }),
  ];
}
