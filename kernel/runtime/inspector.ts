// Requests the model inspector sends: models in scope, one model's layers and parameter
// statistics, a parameter's values (for a heatmap), and a model exported as safetensors or ONNX.
// A model a fit() job is training in a worker changes under these reads: they run inside
// withConsistentWeights, so that all values come from one published step (never half of one).
// From the server's own copy of vscode-jsonrpc: its connection only passes on ResponseErrors it
// recognises (another copy's would reach the client prefixed with "Request … failed with message:").
import { ErrorCodes, ResponseError } from 'vscode-languageserver';
import { host } from '../host/index';
import {
  CheckExportRequest,
  ExportOnnxRequest,
  ExportSafetensorsRequest,
  ExportTorchRequest,
  InspectModelRequest,
  ListModelsRequest,
  ParameterValuesRequest,
  ScopeSummaryRequest,
  type CheckExportParams,
  type ExportOnnxParams,
  type ExportResult,
  type ExportSafetensorsParams,
  type ExportTorchParams,
  type InspectModelParams,
  type ModelListItem,
  type ModuleSummary,
  type ParameterValues,
  type ParameterValuesParams,
  type ScopeSummary,
} from '../protocol';
import { Module } from './engine';
import { exportOnnx as exportOnnxBytes, exportTorch as exportTrainingFolder, modelToSafetensors } from '../interop/index';
import type { NotebookScope } from './scope';
import { lastFitOf } from '../train/fitRecord';
import { withConsistentWeights } from '../train/worker/sharedWeights';
import { checkExport } from './exportCheck';
import { gateBlocks } from './gateBlocks';
import { moduleSummary } from './summaries';

/** How many names the cells declared, and the first few: what a restart would lose. */
export function scopeSummary(scope: NotebookScope): ScopeSummary {
  const names = scope.names();
  return { variables: names.length, names: names.slice(0, 20) };
}

export function listModels(scope: NotebookScope): ModelListItem[] {
  return scope
    .names()
    .map((name) => [name, scope.get(name)] as const)
    .filter((entry): entry is readonly [string, Module] => entry[1] instanceof Module)
    .map(([name, model]) => ({ name, className: model.constructor.name, parameterCount: model.numParameters() }));
}

export function inspectModel(scope: NotebookScope, params: InspectModelParams): ModuleSummary {
  const model = findModel(scope, params.name);
  return withConsistentWeights(model, () => moduleSummary(model));
}

export function parameterValues(scope: NotebookScope, params: ParameterValuesParams): ParameterValues {
  const model = findModel(scope, params.model);
  for (const [name, p] of model.namedParameters()) {
    if (name !== params.parameter) continue;
    const values: ParameterValues = { shape: [...p.shape], values: withConsistentWeights(model, () => Array.from(p.data)) };
    const gates = gateBlocks(model, name);
    if (gates) values.gates = gates;
    return values;
  }
  throw new ResponseError(ErrorCodes.InvalidParams, `${params.model} has no parameter '${params.parameter}'`);
}

export async function exportSafetensors(scope: NotebookScope, params: ExportSafetensorsParams, cwd: string): Promise<ExportResult> {
  const model = findModel(scope, params.model);
  const target = host().paths.resolve(cwd, params.path);
  let bytes: Uint8Array = new Uint8Array(0);
  await exporting(params.model, model, 'safetensors', () => {
    bytes = withConsistentWeights(model, () => modelToSafetensors(model));
    host().files.writeFileAtomic(target, bytes);
  });
  return { path: target, bytes: bytes.length };
}

export async function exportOnnx(scope: NotebookScope, params: ExportOnnxParams, cwd: string): Promise<ExportResult> {
  const model = findModel(scope, params.model);
  const target = host().paths.resolve(cwd, params.path);
  const options = params.opsetVersion === undefined ? {} : { opsetVersion: params.opsetVersion };
  let bytes: Uint8Array = new Uint8Array(0);
  await exporting(params.model, model, 'ONNX', () => {
    bytes = withConsistentWeights(model, () => exportOnnxBytes(model, options));
    host().files.writeFileAtomic(target, bytes);
  });
  return { path: target, bytes: bytes.length };
}

/**
 * Exports the training of the model's last fit() job to PyTorch (a folder: model.py, train.py,
 * weights and data). Without a fit() job there are no data or options to export, and it says so.
 */
export async function exportTorch(scope: NotebookScope, params: ExportTorchParams, cwd: string): Promise<ExportResult> {
  const model = findModel(scope, params.model);
  const last = lastFitOf(model);
  if (!last) {
    throw new ResponseError(
      ErrorCodes.InvalidParams,
      `${params.model} (${model.constructor.name}) has not been trained with fit() in this kernel: the export takes the data and options of its last fit() job. Run fit(${params.model}, data, options) first, or call exportTorch(${params.model}, data, options, folder) in a cell`,
    );
  }
  const target = host().paths.resolve(cwd, params.path);
  try {
    const result = await exportTrainingFolder(model, last.data, last.options, target);
    return { path: result.path, bytes: result.bytes };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^(PyTorch export|exportTorch): /, '');
    throw new ResponseError(ErrorCodes.InternalError, `${params.model} (${model.constructor.name}) cannot be exported to PyTorch: ${reason}`);
  }
}

/**
 * Runs an export and waits for its file to land (in the browser the write goes through the
 * extension); a failure becomes an error naming the model, its class and the reason.
 */
async function exporting(name: string, model: Module, format: string, write: () => void): Promise<void> {
  try {
    write();
    await host().files.settled();
  } catch (error) {
    // The exporter's own prefix ("ONNX export: ") would repeat what this message says.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^ONNX export: /, '');
    throw new ResponseError(ErrorCodes.InternalError, `${name} (${model.constructor.name}) cannot be exported to ${format}: ${reason}`);
  }
}

function findModel(scope: NotebookScope, name: string): Module {
  const value = scope.has(name) ? scope.get(name) : undefined;
  if (!(value instanceof Module)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `'${name}' is not a model in the notebook scope`);
  }
  return value;
}

interface RequestRegistry {
  onRequest(method: string, handler: (params: never) => unknown): unknown;
}

export function registerInspectorRequests(connection: RequestRegistry, runtime: { scope: NotebookScope; notebookFolder: string }): void {
  connection.onRequest(ScopeSummaryRequest, () => scopeSummary(runtime.scope));
  connection.onRequest(ListModelsRequest, () => listModels(runtime.scope));
  connection.onRequest(InspectModelRequest, (params: InspectModelParams) => inspectModel(runtime.scope, params));
  connection.onRequest(ParameterValuesRequest, (params: ParameterValuesParams) => parameterValues(runtime.scope, params));
  connection.onRequest(ExportSafetensorsRequest, (params: ExportSafetensorsParams) =>
    exportSafetensors(runtime.scope, params, runtime.notebookFolder),
  );
  connection.onRequest(CheckExportRequest, (params: CheckExportParams) => checkExport(params.model, findModel(runtime.scope, params.model), params.format));
  connection.onRequest(ExportOnnxRequest, (params: ExportOnnxParams) => exportOnnx(runtime.scope, params, runtime.notebookFolder));
  connection.onRequest(ExportTorchRequest, (params: ExportTorchParams) => exportTorch(runtime.scope, params, runtime.notebookFolder));
}
