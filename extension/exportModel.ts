// "Export Model to ONNX", "Export Model to safetensors" and "Export Training to PyTorch…": from
// the inspector's context menu (a model item), the command palette (a quick pick of the kernel's
// models) or a script/test (a model name and a target path, no dialog). The kernel is asked first
// whether it can export the model (rnnLab/checkExport): when it cannot, a modal explains why and
// what a cell can do instead, and no save dialog asks for a file. Then the kernel writes the file
// (or, for PyTorch, the folder); a failure there comes back as an error naming the model and why.

import * as vscode from 'vscode';
import { ResponseError } from 'vscode-languageclient';
import {
  CheckExportRequest,
  ExportOnnxRequest,
  ExportSafetensorsRequest,
  ExportTorchRequest,
  ListModelsRequest,
  type CheckExportParams,
  type ExportCheck,
  type ExportOnnxParams,
  type ExportResult,
  type ExportSafetensorsParams,
  type ExportTorchParams,
  type ModelListItem,
} from '../kernel/protocol';
import type { InspectorNode } from './inspectorModel';
import { KernelNotRunningError, type KernelClient } from './kernelClient';
import { explain, notify } from './notify';

export type ExportFormat = 'onnx' | 'safetensors';

interface FormatInfo {
  /** As the person reads it. */
  title: string;
  extension: string;
  request: string;
}

const FORMATS: Record<ExportFormat, FormatInfo> = {
  onnx: { title: 'ONNX', extension: 'onnx', request: ExportOnnxRequest },
  safetensors: { title: 'safetensors', extension: 'safetensors', request: ExportSafetensorsRequest },
};

/** An error whose message is meant for the person as it stands (no "X failed:" prefix). */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

async function pickModel(kernel: KernelClient | undefined, format: Pick<FormatInfo, 'title'>): Promise<string | undefined> {
  if (!kernel?.isRunning) {
    const of = kernel ? ` of ${kernel.name}` : '';
    void notify('info', `RNN Lab: the kernel${of} is not running, so it has no models yet. Run a notebook cell first.`);
    return undefined;
  }
  const models = await kernel.request<ModelListItem[]>(ListModelsRequest);
  if (!models.length) {
    void notify('info', 'RNN Lab: no models in the kernel yet. Assign one to a variable in a cell (const model = new LSTM(...)).');
    return undefined;
  }
  if (models.length === 1) return models[0].name;
  const pick = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: `${m.className} · ${m.parameterCount.toLocaleString('en-US')} parameters` })),
    { placeHolder: `Model to export to ${format.title}` },
  );
  return pick?.label;
}

/** The first workspace folder the kernel can write into (its default folder for a dialog). */
function writableFolder(kernel: KernelClient | undefined): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => kernel?.kernelPath(f.uri) !== undefined)?.uri;
}

/** The last segment of a kernel path (POSIX in the browser, either separator on Windows). */
const baseName = (p: string): string => p.split(/[\\/]/).filter(Boolean).pop() ?? p;

/** The target as the kernel names it; an ExportError where the kernel cannot write. */
function kernelTarget(kernel: KernelClient | undefined, target: vscode.Uri): string {
  const path = kernel?.kernelPath(target);
  if (path === undefined) throw new ExportError(`the kernel writes files ${kernel?.filesPlace ?? 'on this machine'} only; ${target.toString()} is not one`);
  return path;
}

async function askTarget(model: string, format: FormatInfo, kernel: KernelClient | undefined): Promise<vscode.Uri | undefined> {
  const folder = writableFolder(kernel);
  return vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${model}.${format.extension}`) : undefined,
    filters: { [format.title]: [format.extension] },
    saveLabel: 'Export',
    title: `Export ${model} to ${format.title}`,
  });
}

/** The kernel to export from: the one of the notebook in view, which must run. */
function running(kernel: KernelClient | undefined): KernelClient {
  if (!kernel?.isRunning) throw new KernelNotRunningError(kernel?.lastSessionEnd);
  return kernel;
}

/** Asks the kernel whether it can export the model so; when not, explains why (a modal) and says false. */
async function exportable(kernel: KernelClient | undefined, model: string, format: CheckExportParams['format']): Promise<boolean> {
  const params: CheckExportParams = { model, format };
  let check: ExportCheck;
  try {
    check = await running(kernel).request<ExportCheck>(CheckExportRequest, params);
  } catch (error) {
    if (error instanceof ResponseError) throw new ExportError(error.message);
    throw error;
  }
  if (check.exportable) return true;
  // The reason follows "…: " in error messages; here it starts a paragraph of its own.
  const reason = check.reason.charAt(0).toUpperCase() + check.reason.slice(1);
  void explain('error', check.title, check.inCell ? `${reason}\n\n${check.inCell}` : reason);
  return false;
}

/**
 * Exports a model from `kernel` (the notebook in view's). `node`: a model item of the inspector or a model name (else a quick pick asks);
 * `to`: the file (else a save dialog asks). Resolves with what was written, or undefined when the
 * person cancelled. Throws ExportError when the kernel cannot export the model.
 */
export async function exportModel(
  kernel: KernelClient | undefined,
  formatName: ExportFormat,
  node?: InspectorNode | string,
  to?: vscode.Uri | string,
): Promise<ExportResult | undefined> {
  const format = FORMATS[formatName];
  const model = typeof node === 'string' ? node : node?.kind === 'model' ? node.model : await pickModel(kernel, format);
  if (!model || !(await exportable(kernel, model, formatName))) return undefined;
  // A string is already the kernel's path (scripts, tests).
  const target = typeof to === 'string' ? to : (to ?? (await askTarget(model, format, kernel)));
  if (!target) return undefined;
  const params: ExportOnnxParams | ExportSafetensorsParams = { model, path: typeof target === 'string' ? target : kernelTarget(kernel, target) };
  let result: ExportResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting ${model} to ${format.title}…` },
      () => running(kernel).request<ExportResult>(format.request, params),
    );
  } catch (error) {
    // The kernel's answer already names the model and the reason.
    if (error instanceof ResponseError) throw new ExportError(error.message);
    throw error;
  }
  void notify('info', `RNN Lab: exported ${model} to ${baseName(result.path)} (${formatBytes(result.bytes)}).`);
  return result;
}

/** Asks for the folder of a PyTorch export (created if it does not exist). */
async function askFolder(model: string, kernel: KernelClient | undefined): Promise<vscode.Uri | undefined> {
  const folder = writableFolder(kernel);
  return vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${model}-torch`) : undefined,
    saveLabel: 'Export Here',
    title: `Export the training of ${model} to PyTorch: a folder for model.py, train.py, the weights and the data`,
  });
}

/**
 * Exports the training of a model's last fit() job to PyTorch: a folder with model.py, train.py
 * (DistributedDataParallel under torchrun), the weights and the data. `node`: a model item of the
 * inspector or a model name (else a quick pick asks); `to`: the folder (else a dialog asks).
 * Resolves with the folder and its size, or undefined when the person cancelled. Throws
 * ExportError when the kernel cannot export it (no fit() job yet, or no PyTorch form).
 */
export async function exportTraining(kernel: KernelClient | undefined, node?: InspectorNode | string, to?: vscode.Uri | string): Promise<ExportResult | undefined> {
  const model = typeof node === 'string' ? node : node?.kind === 'model' ? node.model : await pickModel(kernel, { title: 'PyTorch' });
  if (!model || !(await exportable(kernel, model, 'torch'))) return undefined;
  const target = typeof to === 'string' ? to : (to ?? (await askFolder(model, kernel)));
  if (!target) return undefined;
  const params: ExportTorchParams = { model, path: typeof target === 'string' ? target : kernelTarget(kernel, target) };
  let result: ExportResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting the training of ${model} to PyTorch…` },
      () => running(kernel).request<ExportResult>(ExportTorchRequest, params),
    );
  } catch (error) {
    if (error instanceof ResponseError) throw new ExportError(error.message);
    throw error;
  }
  void notify(
    'info',
    `RNN Lab: exported the training of ${model} to ${baseName(result.path)}/ (${formatBytes(result.bytes)}): model.py, train.py, weights and data. ` +
      'Run it there with torchrun --standalone --nproc_per_node=2 train.py (README.md says more).',
  );
  return result;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
