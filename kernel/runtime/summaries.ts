// Tensor and module summaries: what a tensor or model shows as a cell output and in the inspector.
import { Module, Tensor } from './engine';
import type { LayerSummary, ModuleSummary, ParameterSummary, TensorSummary } from '../protocol';

/** Leading values a tensor output carries. */
const PREVIEW_VALUES = 256;

export interface Stats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** Population statistics, accumulated in float64; NaN everywhere for an empty array. */
export function statistics(values: Float32Array): Stats {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / n), min, max };
}

export function l2Norm(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s);
}

export function tensorSummary(t: Tensor): TensorSummary {
  return {
    kind: 'tensor',
    shape: [...t.shape],
    requiresGrad: t.requiresGrad,
    preview: Array.from(t.data.subarray(0, PREVIEW_VALUES)),
    stats: statistics(t.data),
  };
}

export function parameterSummary(name: string, p: Tensor): ParameterSummary {
  return {
    name,
    shape: [...p.shape],
    count: p.data.length,
    ...statistics(p.data),
    gradNorm: p.grad ? l2Norm(p.grad.data) : null,
  };
}

export function moduleSummary(m: Module): ModuleSummary {
  const layers: LayerSummary[] = [...m.namedModules()].map(([path, layer]) => ({
    path,
    className: layer.constructor.name,
    description: layer.toString().split('\n')[0]!.replace(/\($/, ''),
    parameterCount: layer.numParameters(),
  }));
  return {
    kind: 'module',
    className: m.constructor.name,
    parameterCount: m.numParameters(),
    training: m.training,
    layers,
    parameters: [...m.namedParameters()].map(([name, p]) => parameterSummary(name, p)),
  };
}

/** "(32, 16)" */
export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}
