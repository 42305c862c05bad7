// The fused path against the step-by-step autograd reference (same layer, same inputs), and the
// instrumentation: traces, gate saturation and ‖∂L/∂h_t‖ per step checked against the reference's
// retained per-step gradients and the float64 reference's internals.

import { describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type RNNBase, type RecurrentForwardOptions, type RecurrentOptions } from '../../kernel/engine/layers/recurrent';
import { add, mul, narrow, sum } from '../../kernel/engine/ops';
import { manualSeed } from '../../kernel/engine/rng';
import { reference64Forward } from '../../kernel/engine/rnn/reference64';
import { SATURATION_HIGH, SATURATION_LOW } from '../../kernel/engine/rnn/trace';
import { Tensor } from '../../kernel/engine/tensor';
import { seededValues, toleranceRatio } from './recurrent-helpers';

type CellName = 'lstm' | 'gru' | 'gru-cho' | 'rnn-tanh' | 'rnn-relu';

function makeLayer(cell: CellName, I: number, H: number, options: RecurrentOptions): RNNBase {
  if (cell === 'lstm') return new LSTM(I, H, options);
  if (cell === 'gru') return new GRU(I, H, options);
  if (cell === 'gru-cho') return new GRU(I, H, { ...options, resetAfter: false });
  return new RNN(I, H, { ...options, nonlinearity: cell === 'rnn-relu' ? 'relu' : 'tanh' });
}

const [T, N, I, H] = [7, 4, 5, 6];
const lengths = [7, 3, 1, 5];

interface Run {
  layer: RNNBase;
  x: Tensor;
  h0: Tensor;
  c0: Tensor | undefined;
  options: RecurrentForwardOptions;
  weights: { output: Tensor; h: Tensor; c: Tensor };
}

/** A 2-layer bidirectional batchFirst layer with lengths, h0 (and c0) and a weighted-sum loss. */
function setup(cell: CellName, seed: number): Run {
  manualSeed(seed);
  const layer = makeLayer(cell, I, H, { numLayers: 2, bidirectional: true, batchFirst: true });
  const x = new Tensor(seededValues(N * T * I, seed + 1, -1.5, 1.5), [N, T, I], true);
  const h0 = new Tensor(seededValues(4 * N * H, seed + 2), [4, N, H], true);
  const c0 = cell === 'lstm' ? new Tensor(seededValues(4 * N * H, seed + 3), [4, N, H], true) : undefined;
  return {
    layer,
    x,
    h0,
    c0,
    options: { h0, c0, lengths },
    weights: {
      output: new Tensor(seededValues(N * T * 2 * H, seed + 4), [N, T, 2 * H]),
      h: new Tensor(seededValues(4 * N * H, seed + 5), [4, N, H]),
      c: new Tensor(seededValues(4 * N * H, seed + 6), [4, N, H]),
    },
  };
}

function lossOf(r: Run, out: { output: Tensor; h: Tensor; c: Tensor | null }): Tensor {
  let loss = add(sum(mul(out.output, r.weights.output)), sum(mul(out.h, r.weights.h)));
  if (out.c) loss = add(loss, sum(mul(out.c, r.weights.c)));
  return loss;
}

function grads(r: Run): Record<string, Float32Array> {
  const g: Record<string, Float32Array> = { x: r.x.grad!.data, h0: r.h0.grad!.data };
  if (r.c0) g.c0 = r.c0.grad!.data;
  for (const [name, p] of r.layer.namedParameters()) g[name] = p.grad!.data;
  return g;
}

function clearGrads(r: Run): void {
  r.layer.zeroGrad();
  r.x.zeroGrad();
  r.h0.zeroGrad();
  r.c0?.zeroGrad();
}

const cells: CellName[] = ['lstm', 'gru', 'gru-cho', 'rnn-tanh', 'rnn-relu'];

describe('fused kernels agree with the step-by-step autograd reference', () => {
  cells.forEach((cell, k) => {
    it(`${cell}: outputs and every gradient`, () => {
      const r = setup(cell, 10 * k + 1);
      const fused = r.layer.forward(r.x, r.options);
      lossOf(r, fused).backward();
      const fusedGrads = grads(r);
      clearGrads(r);
      const ref = r.layer.forwardReference(r.x, r.options);
      lossOf(r, ref).backward();
      const refGrads = grads(r);
      expect(toleranceRatio(fused.output.data, ref.output.data)).toBeLessThanOrEqual(1);
      expect(toleranceRatio(fused.h.data, ref.h.data)).toBeLessThanOrEqual(1);
      if (fused.c) expect(toleranceRatio(fused.c.data, ref.c!.data)).toBeLessThanOrEqual(1);
      expect(Object.keys(fusedGrads)).toEqual(Object.keys(refGrads));
      for (const name of Object.keys(fusedGrads)) {
        expect(toleranceRatio(fusedGrads[name]!, refGrads[name]!), name).toBeLessThanOrEqual(1);
      }
    });
  });
});

describe('instrumentation', () => {
  cells.forEach((cell, k) => {
    it(`${cell}: ‖∂L/∂h_t‖ per step equals the reference's retained gradients`, () => {
      const r = setup(cell, 10 * k + 3);
      r.layer.instrument = true;
      const fused = r.layer.forward(r.x, r.options);
      const trace = r.layer.trace!;
      expect(Object.keys(trace.directions)).toEqual(['l0', 'l0_reverse', 'l1', 'l1_reverse']);
      for (const d of Object.values(trace.directions)) expect(d.gradNorm).toBeNull();
      lossOf(r, fused).backward();
      clearGrads(r);

      const ref = r.layer.forwardReference(r.x, r.options);
      expect(r.layer.trace).toBe(trace); // the reference path leaves the trace alone
      for (const states of Object.values(ref.states)) for (const s of states) s.retainGrad();
      lossOf(r, ref).backward();

      for (const [name, d] of Object.entries(trace.directions)) {
        expect(d.gradNorm).toHaveLength(T);
        const expected = ref.states[name]!.map((s, t) => {
          let total = 0;
          for (let n = 0; n < N; n++) {
            if (t >= lengths[n]!) continue; // past a row's length h_t does not exist
            for (let j = 0; j < H; j++) total += s.grad!.data[n * H + j]! ** 2;
          }
          return Math.sqrt(total);
        });
        expect(toleranceRatio(d.gradNorm!, expected), name).toBeLessThanOrEqual(1);
        expect(d.gradNorm!.every((v) => v > 0)).toBe(true); // row 0 is active at every step
      }
    });

    it(`${cell}: states, gates and saturation`, () => {
      const r = setup(cell, 10 * k + 5);
      r.layer.instrument = true;
      const fused = r.layer.forward(r.x, r.options);
      const trace = r.layer.trace!;
      expect(trace).toMatchObject({ T, N, H, lengths });
      expect(trace.mode).toBe(cell === 'lstm' ? 'LSTM' : cell.startsWith('gru') ? 'GRU' : cell === 'rnn-relu' ? 'RNN_RELU' : 'RNN_TANH');
      const params: Record<string, Float64Array> = {};
      for (const [name, p] of r.layer.namedParameters()) params[name] = Float64Array.from(p.data);
      const ref = reference64Forward(
        { cell: r.layer.cell, inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, batchFirst: true },
        params,
        { x: Float64Array.from(r.x.data), T, N, h0: Float64Array.from(r.h0.data), c0: r.c0 ? Float64Array.from(r.c0.data) : undefined, lengths },
      );
      const gateNames = cell === 'lstm' ? ['i', 'f', 'g', 'o'] : cell.startsWith('gru') ? ['r', 'z', 'n'] : [];
      for (const [name, d] of Object.entries(trace.directions)) {
        const internals = ref.internals[name]!;
        expect(d.h.shape).toEqual([T, N, H]);
        expect(toleranceRatio(d.h.data, internals.h), `${name} h`).toBeLessThanOrEqual(1);
        if (cell === 'lstm') expect(toleranceRatio(d.c!.data, internals.c!), `${name} c`).toBeLessThanOrEqual(1);
        else expect(d.c).toBeNull();
        expect(Object.keys(d.gates)).toEqual(gateNames);
        expect(Object.keys(d.saturation)).toEqual(gateNames);
        for (const gate of gateNames) {
          const values = d.gates[gate]!.data;
          expect(toleranceRatio(values, internals.gates[gate]!), `${name} ${gate}`).toBeLessThanOrEqual(1);
          // Saturation recounted from the traced activations, valid steps only.
          const tanhGate = (cell === 'lstm' && gate === 'g') || (cell.startsWith('gru') && gate === 'n');
          let low = 0;
          let high = 0;
          let count = 0;
          for (let t = 0; t < T; t++)
            for (let n = 0; n < N; n++) {
              if (t >= lengths[n]!) continue;
              for (let j = 0; j < H; j++) {
                const a = values[(t * N + n) * H + j]!;
                const u = tanhGate ? (a + 1) / 2 : a;
                if (u < SATURATION_LOW) low++;
                if (u > SATURATION_HIGH) high++;
                count++;
              }
            }
          const sat = d.saturation[gate]!;
          expect(sat.low).toBeCloseTo(low / count, 12);
          expect(sat.high).toBeCloseTo(high / count, 12);
          expect(sat.lowByStep).toHaveLength(T);
          // Per-step fractions weighted by active rows give back the total.
          const activeRows = (t: number): number => lengths.filter((len) => t < len).length;
          const weighted = sat.lowByStep.reduce((acc, v, t) => acc + v * activeRows(t) * H, 0);
          expect(weighted / count).toBeCloseTo(sat.low, 12);
        }
      }
      // The last layer's forward half of the output is l1's h (batchFirst output is (N,T,2H)).
      const l1 = trace.directions.l1!.h;
      for (let t = 0; t < T; t++)
        for (let n = 0; n < N; n++)
          for (let j = 0; j < H; j++) expect(fused.output.data[(n * T + t) * 2 * H + j]).toBe(l1.data[(t * N + n) * H + j]);
    });
  });

  it('is off by default, and each forward replaces the trace', () => {
    const r = setup('lstm', 77);
    r.layer.forward(r.x, r.options);
    expect(r.layer.trace).toBeNull();
    r.layer.instrument = true;
    r.layer.forward(r.x, r.options);
    const first = r.layer.trace;
    r.layer.forward(r.x, r.options);
    expect(r.layer.trace).not.toBe(first);
    r.layer.instrument = false;
    r.layer.forward(r.x, r.options);
    expect(r.layer.trace).not.toBe(first);
    expect(r.layer.trace).not.toBeNull(); // the last instrumented one stays
  });

  it('‖∂L/∂h_t‖ decays faster back through a vanilla RNN than through an LSTM (default init)', () => {
    // Loss on the last output only: ‖∂L/∂h_t‖ decays with the distance T−1−t.
    const steps = 60;
    const ratio = (layer: RNNBase): number => {
      layer.instrument = true;
      const x = new Tensor(seededValues(steps * 2 * 4, 5), [steps, 2, 4]);
      const { output } = layer.forward(x);
      sum(narrow(output, 0, steps - 1, 1)).backward();
      const g = layer.trace!.directions.l0!.gradNorm!;
      return g[0]! / g[steps - 1]!;
    };
    manualSeed(1);
    const rnn = ratio(new RNN(4, 16));
    manualSeed(1);
    const lstm = ratio(new LSTM(4, 16));
    for (const layer of [rnn, lstm]) expect(Number.isFinite(layer)).toBe(true);
    expect(rnn).toBeLessThan(lstm);
  });
});

describe('truncated BPTT', () => {
  it('chunks with detached state reproduce the full forward; backward stays inside a chunk', () => {
    manualSeed(4);
    const lstm = new LSTM(3, 5, { numLayers: 2 });
    const x = new Tensor(seededValues(12 * 2 * 3, 9), [12, 2, 3]);
    const full = lstm.forward(x);
    lstm.instrument = true;
    let h: Tensor | undefined;
    let c: Tensor | undefined;
    const traces = [];
    for (let chunk = 0; chunk < 3; chunk++) {
      const xs = narrow(x, 0, chunk * 4, 4);
      const out = lstm.forward(xs, { h0: h, c0: c });
      traces.push(lstm.trace!);
      expect(toleranceRatio(out.output.data, full.output.data.subarray(chunk * 4 * 2 * 5, (chunk + 1) * 4 * 2 * 5))).toBeLessThanOrEqual(1);
      if (chunk === 2) {
        lstm.zeroGrad();
        sum(out.output).backward();
      }
      h = out.h.detach();
      c = out.c.detach();
    }
    expect(toleranceRatio(h!.data, full.h.data)).toBeLessThanOrEqual(1);
    expect(toleranceRatio(c!.data, full.c.data)).toBeLessThanOrEqual(1);
    // Only the last chunk's forward saw a backward.
    expect(traces[0]!.directions.l0!.gradNorm).toBeNull();
    expect(traces[1]!.directions.l0!.gradNorm).toBeNull();
    expect(traces[2]!.directions.l0!.gradNorm).toHaveLength(4);
    expect(lstm.weight_hh_l0!.grad).not.toBeNull();
  });
});
