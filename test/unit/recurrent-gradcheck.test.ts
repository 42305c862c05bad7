// Whole layers (layers × directions × batchFirst × lengths × h0/c0, all cell types, plain and
// checkpointed through time) against the plain float64 reference written from the equations:
// forwards agree to float32 rounding, and the fused float32 gradients agree with central finite
// differences of the float64 reference.

import { describe, expect, it } from 'vitest';
import { GRU } from '../../kernel/engine/layers/recurrent';
import { add, mul, sum } from '../../kernel/engine/ops';
import { manualSeed } from '../../kernel/engine/rng';
import { reference64Forward, type Reference64Config, type Reference64Inputs } from '../../kernel/engine/rnn/reference64';
import { Tensor } from '../../kernel/engine/tensor';
import { CELL_NAMES, makeLayer, seededValues, toleranceRatio, type CellName } from './recurrent-helpers';


interface Setup {
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  lengths: number[] | null;
  initial: boolean;
  bias: boolean;
  /** [T, N, I, H]; default [5, 3, 3, 4]. */
  dims?: [number, number, number, number];
  /** Gradient checkpointing through time (rnn/checkpointed.ts). */
  checkpoint?: boolean;
}

const setups: [string, Setup][] = [
  ['2 layers, bidirectional, batchFirst, lengths [3,5,1], h0/c0', { numLayers: 2, bidirectional: true, batchFirst: true, lengths: [3, 5, 1], initial: true, bias: true }],
  ['3 layers, time-major, lengths [5,2,4], zero state', { numLayers: 3, bidirectional: false, batchFirst: false, lengths: [5, 2, 4], initial: false, bias: true }],
  ['1 layer, bidirectional, no bias, h0/c0', { numLayers: 1, bidirectional: true, batchFirst: false, lengths: null, initial: true, bias: false }],
];

const cells = CELL_NAMES;

function checkLayer(cell: CellName, s: Setup): void {
  const [T, N, I, H] = s.dims ?? [5, 3, 3, 4];
  manualSeed(cell.length * 7 + s.numLayers);
  const layer = makeLayer(cell, I, H, { numLayers: s.numLayers, bidirectional: s.bidirectional, batchFirst: s.batchFirst, bias: s.bias, checkpoint: s.checkpoint ?? false });
  layer.eval();
  const D = layer.numDirections;
  const lstm = cell === 'lstm';
  const xShape = s.batchFirst ? [N, T, I] : [T, N, I];
  const x = new Tensor(seededValues(T * N * I, 101), xShape, true);
  const h0 = s.initial ? new Tensor(seededValues(s.numLayers * D * N * H, 102), [s.numLayers * D, N, H], true) : undefined;
  const c0 = s.initial && lstm ? new Tensor(seededValues(s.numLayers * D * N * H, 103), [s.numLayers * D, N, H], true) : undefined;
  const wo = seededValues(T * N * D * H, 104);
  const wh = seededValues(s.numLayers * D * N * H, 105);
  const wc = seededValues(s.numLayers * D * N * H, 106);

  const { output, h, c } = layer.forward(x, { h0, c0, lengths: s.lengths ?? undefined });
  let loss = add(sum(mul(output, new Tensor(wo, output.shape))), sum(mul(h, new Tensor(wh, h.shape))));
  if (c) loss = add(loss, sum(mul(c, new Tensor(wc, c.shape))));
  loss.backward();

  const config: Reference64Config = {
    cell: layer.cell,
    inputSize: I,
    hiddenSize: H,
    numLayers: s.numLayers,
    bidirectional: s.bidirectional,
    batchFirst: s.batchFirst,
  };
  const params: Record<string, Float64Array> = {};
  for (const [name, p] of layer.namedParameters()) params[name] = Float64Array.from(p.data);
  const inputs: Reference64Inputs = {
    x: Float64Array.from(x.data),
    T,
    N,
    h0: h0 ? Float64Array.from(h0.data) : undefined,
    c0: c0 ? Float64Array.from(c0.data) : undefined,
    lengths: s.lengths ?? undefined,
  };
  const reference = reference64Forward(config, params, inputs);
  expect(toleranceRatio(output.data, reference.output, 1e-6, 1e-5), 'output').toBeLessThanOrEqual(1);
  expect(toleranceRatio(h.data, reference.h, 1e-6, 1e-5), 'h').toBeLessThanOrEqual(1);
  if (c) expect(toleranceRatio(c.data, reference.c!, 1e-6, 1e-5), 'c').toBeLessThanOrEqual(1);

  const lossOf = (): number => {
    const r = reference64Forward(config, params, inputs);
    let total = 0;
    for (let i = 0; i < r.output.length; i++) total += r.output[i]! * wo[i]!;
    for (let i = 0; i < r.h.length; i++) total += r.h[i]! * wh[i]!;
    if (r.c) for (let i = 0; i < r.c.length; i++) total += r.c[i]! * wc[i]!;
    return total;
  };
  expect(Math.abs(loss.item() - lossOf())).toBeLessThan(1e-4);

  const eps = 1e-6;
  const targets: [string, Float64Array, Tensor][] = [['input', inputs.x, x]];
  if (h0) targets.push(['h0', inputs.h0!, h0]);
  if (c0) targets.push(['c0', inputs.c0!, c0]);
  for (const [name, p] of layer.namedParameters()) targets.push([name, params[name]!, p]);
  for (const [name, value, t] of targets) {
    const numeric = new Float64Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const orig = value[i]!;
      value[i] = orig + eps;
      const up = lossOf();
      value[i] = orig - eps;
      const down = lossOf();
      value[i] = orig;
      numeric[i] = (up - down) / (2 * eps);
    }
    expect(t.grad, name).not.toBeNull();
    expect(toleranceRatio(t.grad!.data, numeric), `grad ${name}`).toBeLessThanOrEqual(1);
  }
}

describe('layers match the float64 reference and its finite differences', () => {
  for (const cell of cells) {
    for (const [label, setup] of setups) {
      it(`${cell}: ${label}`, () => checkLayer(cell, setup));
    }
  }
});

describe('checkpointed layers match the float64 reference and its finite differences', () => {
  // N = 32: blocks of 8 steps, so T = 20 makes segments of 8, 8 and 4 steps.
  const lengths = Array.from({ length: 32 }, (_, n) => 1 + ((n * 7) % 20));
  const setup: Setup = { numLayers: 1, bidirectional: true, batchFirst: true, lengths, initial: true, bias: true, dims: [20, 32, 1, 2], checkpoint: true };
  for (const cell of cells) it(`${cell}: bidirectional, batchFirst, lengths, h0/c0, segments of 8, 8, 4 steps`, () => checkLayer(cell, setup));
});

describe('GRU in Cho et al. form (resetAfter: false)', () => {
  it('follows n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn), not the resetAfter form', () => {
    const [T, N, I, H] = [6, 2, 3, 5];
    manualSeed(3);
    const cho = new GRU(I, H, { resetAfter: false });
    const after = new GRU(I, H);
    after.loadStateDict(cho.stateDict());
    const x = new Tensor(seededValues(T * N * I, 7, -2, 2), [T, N, I]);
    const h0 = new Tensor(seededValues(N * H, 8), [1, N, H]);
    const params: Record<string, Float64Array> = {};
    for (const [name, p] of cho.namedParameters()) params[name] = Float64Array.from(p.data);
    const config: Reference64Config = { cell: { kind: 'gru', resetAfter: false }, inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: false, batchFirst: false };
    const reference = reference64Forward(config, params, { x: Float64Array.from(x.data), T, N, h0: Float64Array.from(h0.data) });
    const { output, h } = cho.forward(x, { h0 });
    expect(toleranceRatio(output.data, reference.output, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    expect(toleranceRatio(h.data, reference.h, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    // The two forms really differ on the same weights.
    const other = after.forward(x, { h0 }).output;
    let diff = 0;
    for (let i = 0; i < other.size; i++) diff = Math.max(diff, Math.abs(other.data[i]! - output.data[i]!));
    expect(diff).toBeGreaterThan(1e-3);
    expect(cho.toString()).toBe('GRU(3, 5, resetAfter=false)');
  });
});
