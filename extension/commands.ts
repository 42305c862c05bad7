// The extension's commands. Each one is small and reports problems to the person instead of
// throwing into VS Code.

import * as vscode from 'vscode';
import { StopJobRequest, type JobSummary, type StopJobParams } from '../kernel/protocol';
import { Commands } from './constants';
import type { Dashboard } from './dashboard';
import { ExportError, exportModel, exportTraining } from './exportModel';
import type { Inspector } from './inspector';
import type { InspectorNode } from './inspectorModel';
import { KernelClient, UntrustedWorkspaceError } from './kernelClient';
import { listSamples, newNotebook, openSample } from './notebooks';
import { notify } from './notify';
import { showUntrustedMessage } from './trust';

export interface CommandDeps {
  extensionUri: vscode.Uri;
  kernel: KernelClient;
  dashboard: Dashboard;
  inspector: Inspector;
}

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
  const { extensionUri, kernel, dashboard, inspector } = deps;
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
      guarded('Restart Kernel', async () => {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the RNN Lab kernel' }, () => kernel.restart());
      }),
    ),
    vscode.commands.registerCommand(
      Commands.interruptKernel,
      guarded('Interrupt', () => {
        if (!kernel.interrupt()) void notify('info', 'RNN Lab: nothing is running.');
      }),
    ),
    vscode.commands.registerCommand(Commands.showDashboard, guarded('Show Dashboard', (jobId?: string) => dashboard.show(typeof jobId === 'string' ? jobId : undefined))),
    // Arguments: a model item of the inspector or a model name, then optionally the target file
    // (a Uri or a path), which skips the save dialog. Both resolve with { path, bytes } or undefined.
    vscode.commands.registerCommand(
      Commands.exportSafetensors,
      guarded('Export to safetensors', (node?: InspectorNode | string, to?: vscode.Uri | string) => exportModel(kernel, 'safetensors', node, to)),
    ),
    vscode.commands.registerCommand(
      Commands.exportOnnx,
      guarded('Export to ONNX', (node?: InspectorNode | string, to?: vscode.Uri | string) => exportModel(kernel, 'onnx', node, to)),
    ),
    // The same arguments, `to` being the folder; the data and options are those of the model's last fit() job.
    vscode.commands.registerCommand(
      Commands.exportTorch,
      guarded('Export Training to PyTorch', (node?: InspectorNode | string, to?: vscode.Uri | string) => exportTraining(kernel, node, to)),
    ),
    vscode.commands.registerCommand(
      Commands.stopJob,
      guarded('Stop Job', async (job?: JobSummary | string) => {
        const id = typeof job === 'string' ? job : job?.id ?? kernel.jobList.filter((j) => j.status === 'running').pop()?.id;
        if (!id) return;
        const params: StopJobParams = { id };
        await kernel.request(StopJobRequest, params);
      }),
    ),
    vscode.commands.registerCommand(
      Commands.showParameter,
      guarded('Show Parameter', async (node?: InspectorNode) => {
        if (node?.kind === 'parameter') await inspector.parameterPanel.show(node.model, node.parameter);
      }),
    ),
    vscode.commands.registerCommand(Commands.refreshModels, () => {
      inspector.models.refresh();
      inspector.jobs.refresh();
    }),
  ];
}
