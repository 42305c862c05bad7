// The extension's commands. Each one is small and reports problems to the person instead of
// throwing into VS Code.

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ExportSafetensorsRequest,
  ListModelsRequest,
  StopJobRequest,
  type ExportSafetensorsParams,
  type JobSummary,
  type ModelListItem,
  type StopJobParams,
} from '../kernel/protocol';
import { Commands } from './constants';
import type { Dashboard } from './dashboard';
import type { Inspector } from './inspector';
import type { InspectorNode } from './inspectorModel';
import { KernelClient, UntrustedWorkspaceError } from './kernelClient';
import { listSamples, newNotebook, openSample } from './notebooks';
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

/** Runs a command body; failures become an error message. */
function guarded<A extends unknown[]>(name: string, body: (...args: A) => Promise<unknown> | unknown) {
  return async (...args: A): Promise<void> => {
    try {
      await body(...args);
    } catch (error) {
      if (error instanceof UntrustedWorkspaceError) {
        await showUntrustedMessage();
        return;
      }
      void vscode.window.showErrorMessage(`RNN Lab: ${name} failed: ${errorText(error)}`);
    }
  };
}

async function pickModel(kernel: KernelClient): Promise<string | undefined> {
  if (!kernel.isRunning) {
    void vscode.window.showInformationMessage('RNN Lab: the kernel is not running, so it has no models yet. Run a notebook cell first.');
    return undefined;
  }
  const models = await kernel.request<ModelListItem[]>(ListModelsRequest);
  if (!models.length) {
    void vscode.window.showInformationMessage('RNN Lab: no models in the kernel yet. Assign one to a variable in a cell (const model = new LSTM(...)).');
    return undefined;
  }
  if (models.length === 1) return models[0].name;
  const pick = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: `${m.className} · ${m.parameterCount.toLocaleString('en-US')} parameters` })),
    { placeHolder: 'Model to export' },
  );
  return pick?.label;
}

/** `node`: a model item of the inspector or a model name; `to`: the file (else a save dialog asks). */
async function exportSafetensors(kernel: KernelClient, node?: InspectorNode | string, to?: vscode.Uri | string): Promise<void> {
  const model = typeof node === 'string' ? node : node?.kind === 'model' ? node.model : await pickModel(kernel);
  if (!model) return;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  const target =
    typeof to === 'string'
      ? vscode.Uri.file(to)
      : (to ??
        (await vscode.window.showSaveDialog({
          defaultUri: folder ? vscode.Uri.joinPath(folder, `${model}.safetensors`) : undefined,
          filters: { safetensors: ['safetensors'] },
          title: `Export ${model} to safetensors`,
        })));
  if (!target) return;
  if (target.scheme !== 'file') throw new Error('the kernel can only write to local files');
  const params: ExportSafetensorsParams = { model, path: target.fsPath };
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${model}…` }, () =>
    kernel.request(ExportSafetensorsRequest, params),
  );
  void vscode.window.showInformationMessage(`RNN Lab: saved ${model} to ${path.basename(target.fsPath)}.`);
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
          void vscode.window.showInformationMessage('RNN Lab: this installation has no sample notebooks.');
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
        if (!kernel.interrupt()) void vscode.window.showInformationMessage('RNN Lab: nothing is running.');
      }),
    ),
    vscode.commands.registerCommand(Commands.showDashboard, guarded('Show Dashboard', (jobId?: string) => dashboard.show(typeof jobId === 'string' ? jobId : undefined))),
    vscode.commands.registerCommand(
      Commands.exportSafetensors,
      guarded('Export to safetensors', (node?: InspectorNode | string, to?: vscode.Uri | string) => exportSafetensors(kernel, node, to)),
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
