// Requests the model inspector sends: models in scope, one model's layers and parameter
// statistics, a parameter's values (for a heatmap), and a model exported as safetensors.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ResponseError, ErrorCodes } from 'vscode-jsonrpc';
import {
  ExportSafetensorsRequest,
  InspectModelRequest,
  ListModelsRequest,
  ParameterValuesRequest,
  type ExportSafetensorsParams,
  type InspectModelParams,
  type ModelListItem,
  type ModuleSummary,
  type ParameterValues,
  type ParameterValuesParams,
} from '../protocol';
import { engine, Module } from './engine';
import type { NotebookScope } from './scope';
import { moduleSummary } from './summaries';

export function listModels(scope: NotebookScope): ModelListItem[] {
  return scope
    .names()
    .map((name) => [name, scope.get(name)] as const)
    .filter((entry): entry is readonly [string, Module] => entry[1] instanceof Module)
    .map(([name, model]) => ({ name, className: model.constructor.name, parameterCount: model.numParameters() }));
}

export function inspectModel(scope: NotebookScope, params: InspectModelParams): ModuleSummary {
  return moduleSummary(findModel(scope, params.name));
}

export function parameterValues(scope: NotebookScope, params: ParameterValuesParams): ParameterValues {
  const model = findModel(scope, params.model);
  for (const [name, p] of model.namedParameters()) {
    if (name === params.parameter) return { shape: [...p.shape], values: Array.from(p.data) };
  }
  throw new ResponseError(ErrorCodes.InvalidParams, `${params.model} has no parameter '${params.parameter}'`);
}

export function exportSafetensors(scope: NotebookScope, params: ExportSafetensorsParams, cwd: string): string {
  const model = findModel(scope, params.model);
  const target = path.resolve(cwd, params.path);
  writeFileSync(target, engine.saveSafetensors(model.stateDict(), { format: 'pt' }));
  return target;
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
  connection.onRequest(ListModelsRequest, () => listModels(runtime.scope));
  connection.onRequest(InspectModelRequest, (params: InspectModelParams) => inspectModel(runtime.scope, params));
  connection.onRequest(ParameterValuesRequest, (params: ParameterValuesParams) => parameterValues(runtime.scope, params));
  connection.onRequest(ExportSafetensorsRequest, (params: ExportSafetensorsParams) =>
    exportSafetensors(runtime.scope, params, runtime.notebookFolder),
  );
}
