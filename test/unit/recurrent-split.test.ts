// Batch-1 inference on two kernel threads (rnn/splitSequence.ts): each thread owns the w_hh rows
// of half the hidden units and runs the gate kernel on them; the threads meet once per step. The
// outputs must equal the one-thread outputs bit for bit, for every cell, both directions, layers,
// a short length, h0/c0, batchFirst and an embedding input (table rows); training (a tape), small
// layers and sequences of at most 8 steps stay on the one-thread path.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { GRU, LSTM, RNN, type RNNBase } from '../../kernel/engine/layers/recurrent';
import { manualSeed } from '../../kernel/engine/rng';
import { noGrad, tensor, type Tensor } from '../../kernel/engine/tensor';
import { putRowsByPart, unitSplit } from '../../kernel/engine/rnn/splitSequence';
import { useKernels } from '../../kernel/engine/wasm/instance';
import { setNumThreads, teamStats } from '../../kernel/engine/wasm/team';
import { seededValues } from './recurrent-helpers';
import { twoKernelThreads } from './team-helpers';

afterAll(() => {
  setNumThreads(1);
  useKernels('auto');
});

describe('rows by part', () => {
  it('splits the units at a multiple of 16 near the middle', () => {
    expect(unitSplit(256)).toBe(128);
    expect(unitSplit(200)).toBe(96);
    expect(unitSplit(40)).toBe(16);
    expect(unitSplit(32)).toBe(16);
  });

  it('orders the gate blocks of the first units, then those of the rest', () => {
    // G = 2 blocks of H = 3 rows, 2 columns: row r holds [r, r + 0.5]
    const src = Float32Array.from({ length: 12 }, (_, i) => (i >> 1) + (i & 1) / 2);
    const out = new Float32Array(12);
    putRowsByPart(src, 2, 3, 2, 1, out);
    // part 0: unit 0 of blocks 0 and 1 (rows 0, 3); part 1: units 1-2 of each block (rows 1, 2, 4, 5)
    expect([...out]).toEqual([0, 0.5, 3, 3.5, 1, 1.5, 2, 2.5, 4, 4.5, 5, 5.5]);
  });
});

type Kind = 'LSTM' | 'GRU' | 'RNN-tanh' | 'RNN-relu';

function layerOf(kind: Kind, I: number, H: number, options: { numLayers?: number; bidirectional?: boolean; batchFirst?: boolean; resetAfter?: boolean } = {}): RNNBase {
  if (kind === 'LSTM') return new LSTM(I, H, options);
  if (kind === 'GRU') return new GRU(I, H, options);
  return new RNN(I, H, { ...options, nonlinearity: kind === 'RNN-relu' ? 'relu' : 'tanh' });
}

/** Runs f with 1 or 2 kernel threads; returns its tensors' data and how many products were split. */
function run(threads: 1 | 2, f: () => Tensor[]): { data: Float32Array[]; split: number } {
  setNumThreads(threads);
  const before = teamStats.split;
  const data = noGrad(f).map((t) => t.data);
  return { data, split: teamStats.split - before };
}

describe('batch-1 inference on two threads gives the one-thread results bit for bit', () => {
  beforeAll(async () => {
    useKernels('auto');
    await twoKernelThreads();
  });

  // Hidden sizes above the split threshold (G·H² ≥ 2^17 multiply-adds per step), one not a multiple of 16.
  const cases: [Kind, number][] = [
    ['LSTM', 200],
    ['GRU', 216],
    ['RNN-tanh', 368],
    ['RNN-relu', 370],
  ];
  it.each(cases)('%s (H=%i): two layers, bidirectional, h0 (and c0), a short length', (kind, H) => {
    const T = 9;
    const I = 12;
    const outputs = (threads: 1 | 2): ReturnType<typeof run> =>
      run(threads, () => {
        manualSeed(3);
        const layer = layerOf(kind, I, H, { numLayers: 2, bidirectional: true });
        const x = tensor(seededValues(T * I, 4), [T, 1, I]);
        const h0 = tensor(seededValues(4 * H, 5), [4, 1, H]);
        const c0 = kind === 'LSTM' ? tensor(seededValues(4 * H, 6), [4, 1, H]) : undefined;
        const full = layer.forward(x, { h0, c0 });
        const short = layer.forward(x, { h0, c0, lengths: [5] });
        return [full.output, full.h, ...(full.c ? [full.c] : []), short.output, short.h];
      });
    const one = outputs(1);
    const two = outputs(2);
    expect(one.split).toBe(0);
    expect(two.split, 'steps run split (unless the other core was busy throughout)').toBeGreaterThan(0);
    two.data.forEach((d, i) => expect(d, `tensor ${i}`).toEqual(one.data[i]));
  });

  it('stays bit for bit over many runs (the threads race to claim the second part of each step)', () => {
    const H = 256;
    const T = 40;
    const outputs = (threads: 1 | 2): ReturnType<typeof run> =>
      run(threads, () => {
        manualSeed(12);
        const layer = new LSTM(24, H, { numLayers: 2 });
        const x = tensor(seededValues(T * 24, 13), [T, 1, 24]);
        const runs: Tensor[] = [];
        for (let i = 0; i < 25; i++) runs.push(layer.forward(x).output);
        return runs;
      });
    const one = outputs(1);
    const stepsBefore = teamStats.sequenceSteps;
    const two = outputs(2);
    expect(two.split).toBeGreaterThan(0);
    // 25 runs × 2 layers × T steps, each run on both threads unless the helper was paused
    expect(teamStats.sequenceSteps - stepsBefore).toBeGreaterThan(0);
    expect((teamStats.sequenceSteps - stepsBefore) % T).toBe(0);
    two.data.forEach((d, i) => expect(d, `run ${i}`).toEqual(one.data[0]));
  });

  it('an embedding into a batchFirst LSTM (the table-rows input projection)', () => {
    const outputs = (threads: 1 | 2): ReturnType<typeof run> =>
      run(threads, () => {
        manualSeed(8);
        const embedding = new Embedding(30, 16);
        const lstm = new LSTM(16, 192, { batchFirst: true });
        const ids = tensor(Float32Array.from({ length: 40 }, (_, i) => (i * 7) % 30), [1, 40]);
        const { output, h, c } = lstm.forward(embedding.forward(ids));
        return [output, h, c!];
      });
    const one = outputs(1);
    const two = outputs(2);
    expect(two.split).toBeGreaterThan(0);
    two.data.forEach((d, i) => expect(d, `tensor ${i}`).toEqual(one.data[i]));
  });

  it('training, batches above 1, small layers and the Cho GRU stay on one thread', () => {
    setNumThreads(2);
    manualSeed(9);
    const before = teamStats.split;
    const big = new LSTM(8, 200);
    const x1 = tensor(seededValues(6 * 8, 1), [6, 1, 8]);
    big.forward(x1).output.sum().backward(); // a tape: one thread (the products are below the GEMM split size)
    noGrad(() => new LSTM(8, 64).forward(x1)); // 4·64² per step: below the threshold
    noGrad(() => new GRU(8, 256, { resetAfter: false }).forward(x1)); // two products per step
    noGrad(() => big.forward(tensor(seededValues(6 * 2 * 8, 2), [6, 2, 8]))); // batch 2
    expect(teamStats.split).toBe(before);
  });

  it('a few steps stay on one thread (their weights read in place), from 9 steps on they split', () => {
    setNumThreads(2);
    manualSeed(10);
    const big = new LSTM(8, 200);
    const steps = (T: number): number => {
      const before = teamStats.sequenceSteps;
      noGrad(() => big.forward(tensor(seededValues(T * 8, T), [T, 1, 8])));
      return teamStats.sequenceSteps - before;
    };
    expect(steps(1)).toBe(0); // one generated token
    expect(steps(8)).toBe(0);
    expect(steps(9)).toBe(9);
  });
});
