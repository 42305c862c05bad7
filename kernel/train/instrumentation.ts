// Reading the insides of a model's recurrent layers during training: ‖∂L/∂h_t‖ per time step
// after a backward, and hidden states / gate activations of a probe forward. Uses the layers'
// own instrumentation (`instrument` on → `trace` after forward, gradNorm after backward).

import { RNNBase } from '../engine/layers/recurrent';
import type { Module } from '../engine/module';
import type { Tensor } from '../engine/tensor';

export interface RecurrentLayer {
  /** Dotted path in the model, '' for the model itself. */
  path: string;
  layer: RNNBase;
}

export function recurrentLayers(model: Module): RecurrentLayer[] {
  const out: RecurrentLayer[] = [];
  for (const [path, m] of model.namedModules()) if (m instanceof RNNBase) out.push({ path, layer: m });
  return out;
}

/** "lstm.l0", "lstm.l1_reverse" (or "l0" when the model is the layer itself). */
function seriesName(path: string, direction: string): string {
  return path === '' ? direction : `${path}.${direction}`;
}

/** Turns tracing on for the duration of `fn` (then puts the flags back and drops the traces). */
export function traced<T>(layers: readonly RecurrentLayer[], fn: () => T): T {
  const previous = layers.map(({ layer }) => layer.instrument);
  for (const { layer } of layers) {
    layer.instrument = true;
    layer.trace = null;
  }
  try {
    return fn();
  } finally {
    layers.forEach(({ layer }, i) => {
      layer.instrument = previous[i]!;
      if (!previous[i]) layer.trace = null; // keep memory down; a person who turned it on keeps theirs
    });
  }
}

/** ‖∂L/∂h_t‖ per step of every layer/direction whose last traced forward has been back-propagated. */
export function gradNormSeries(layers: readonly RecurrentLayer[]): { name: string; norms: number[] }[] {
  const out: { name: string; norms: number[] }[] = [];
  for (const { path, layer } of layers) {
    for (const [dir, trace] of Object.entries(layer.trace?.directions ?? {})) {
      if (trace.gradNorm !== null) out.push({ name: seriesName(path, dir), norms: [...trace.gradNorm] });
    }
  }
  return out;
}

/** Row 0 of a time-major (T,N,H) tensor as H rows × T columns (units × time, for heatmaps). */
function unitsByTime(t: Tensor): number[][] {
  const [T, N, H] = t.shape as [number, number, number];
  const z: number[][] = [];
  for (let j = 0; j < H; j++) {
    const row = new Array<number>(T);
    for (let s = 0; s < T; s++) row[s] = t.data[s * N * H + j]!;
    z.push(row);
  }
  return z;
}

export interface ProbeSnapshot {
  hidden: { name: string; z: number[][] }[];
  gates: { name: string; gate: string; z: number[][] }[];
}

/** Hidden states and gates (units × time) of the first sequence of the last traced forward. */
export function probeSnapshot(layers: readonly RecurrentLayer[]): ProbeSnapshot {
  const hidden: ProbeSnapshot['hidden'] = [];
  const gates: ProbeSnapshot['gates'] = [];
  for (const { path, layer } of layers) {
    for (const [dir, trace] of Object.entries(layer.trace?.directions ?? {})) {
      const name = seriesName(path, dir);
      hidden.push({ name, z: unitsByTime(trace.h) });
      for (const [gate, g] of Object.entries(trace.gates)) gates.push({ name, gate, z: unitsByTime(g) });
    }
  }
  return { hidden, gates };
}
