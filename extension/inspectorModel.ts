// The model inspector's tree, from the kernel's model list and ModuleSummary: models expand into
// their layers (by dotted path) and parameters. Pure (no 'vscode'), so it is unit-tested.

import type { JobSummary, LayerSummary, ModelListItem, ModuleSummary, ParameterSummary } from '../kernel/protocol';
import { formatCount, formatNumber, formatShape } from '../webview/format';

export type InspectorNode =
  | { kind: 'model'; model: string; className: string; parameterCount: number }
  | { kind: 'layer'; model: string; path: string; className: string; description: string; parameterCount: number }
  | { kind: 'parameter'; model: string; parameter: ParameterSummary };

export interface NodeLook {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  expandable: boolean;
  contextValue: string;
}

export function modelNode(item: ModelListItem): InspectorNode {
  return { kind: 'model', model: item.name, className: item.className, parameterCount: item.parameterCount };
}

function lastSegment(path: string): string {
  const i = path.lastIndexOf('.');
  return i === -1 ? path : path.slice(i + 1);
}

/** The path of `name`'s direct child under `parent` ('' is the model), or undefined if not below it. */
function childSegment(parent: string, name: string): string | undefined {
  const prefix = parent ? `${parent}.` : '';
  if (!name.startsWith(prefix) || name === parent) return undefined;
  const rest = name.slice(prefix.length);
  const dot = rest.indexOf('.');
  return prefix + (dot === -1 ? rest : rest.slice(0, dot));
}

/**
 * The children of the module at `parentPath` ('' for the model): its sub-layers, then its own
 * parameters. Sub-layers the summary does not list (containers) are made up from parameter names.
 */
export function childrenOf(model: string, summary: ModuleSummary, parentPath: string): InspectorNode[] {
  const layersByPath = new Map<string, LayerSummary>(summary.layers.map((l) => [l.path, l]));
  const childPaths: string[] = [];
  const ownParameters: ParameterSummary[] = [];
  const note = (path: string): void => {
    if (!childPaths.includes(path)) childPaths.push(path);
  };
  for (const layer of summary.layers) {
    const child = childSegment(parentPath, layer.path);
    if (child) note(child);
  }
  for (const p of summary.parameters) {
    const child = childSegment(parentPath, p.name);
    if (child === undefined) continue;
    if (child === p.name) ownParameters.push(p);
    else note(child);
  }
  const layers: InspectorNode[] = childPaths.map((path) => {
    const layer = layersByPath.get(path);
    const count = layer?.parameterCount ?? summary.parameters.filter((p) => p.name.startsWith(`${path}.`)).reduce((a, p) => a + p.count, 0);
    return { kind: 'layer', model, path, className: layer?.className ?? '', description: layer?.description ?? '', parameterCount: count };
  });
  return layers.concat(ownParameters.map((parameter) => ({ kind: 'parameter', model, parameter })));
}

export function parameterDescription(p: ParameterSummary): string {
  const grad = p.gradNorm === null ? '' : `  ‖g‖ ${formatNumber(p.gradNorm)}`;
  return `${formatShape(p.shape)}  μ ${formatNumber(p.mean)}  σ ${formatNumber(p.std)}${grad}`;
}

export function parameterTooltip(p: ParameterSummary): string {
  return [
    `${p.name}: ${formatShape(p.shape)}, ${formatCount(p.count)} values`,
    `mean ${formatNumber(p.mean)}, std ${formatNumber(p.std)}`,
    `min ${formatNumber(p.min)}, max ${formatNumber(p.max)}`,
    `gradient norm ${p.gradNorm === null ? 'none yet' : formatNumber(p.gradNorm)}`,
  ].join('\n');
}

export function lookOf(node: InspectorNode): NodeLook {
  switch (node.kind) {
    case 'model':
      return {
        id: `model/${node.model}`,
        label: node.model,
        description: `${node.className} · ${formatCount(node.parameterCount)} params`,
        tooltip: `${node.model}: ${node.className} with ${formatCount(node.parameterCount)} parameters`,
        expandable: true,
        contextValue: 'rnnLab.model',
      };
    case 'layer':
      return {
        id: `layer/${node.model}/${node.path}`,
        label: lastSegment(node.path),
        description: `${node.description || node.className} · ${formatCount(node.parameterCount)}`.replace(/^ · /, ''),
        tooltip: `${node.model}.${node.path}${node.description ? `: ${node.description}` : ''}`,
        expandable: true,
        contextValue: 'rnnLab.layer',
      };
    case 'parameter':
      return {
        id: `parameter/${node.model}/${node.parameter.name}`,
        label: lastSegment(node.parameter.name),
        description: parameterDescription(node.parameter),
        tooltip: parameterTooltip(node.parameter),
        expandable: false,
        contextValue: 'rnnLab.parameter',
      };
  }
}

export function jobLabel(job: JobSummary): string {
  return job.model || job.id;
}

export function jobDescription(job: JobSummary): string {
  const parts = [job.status, `${job.step}/${job.totalSteps}`];
  if (job.loss !== null) parts.push(`loss ${formatNumber(job.loss)}`);
  if (job.valLoss !== null) parts.push(`val ${formatNumber(job.valLoss)}`);
  return parts.join(' · ');
}
