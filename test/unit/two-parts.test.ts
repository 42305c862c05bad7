// Stretches of kernel calls cut in two on two kernel threads with one meeting (wasm/twoParts.ts):
// the caller runs its part while the helper replays the other's recorded calls. The sums over time
// of a recurrent backward (dW_hh, dW_ih, the biases: by columns) and the input side's passes over
// rows (a small-input projection, the input bias, an embedding's table rows gathered) go this
// way; their results must be the one-thread ones bit for bit, for every input path (few features,
// the GEMM, rows of an embedding table), and memory the helper's part allocated and released
// while it was recorded must not be handed to the caller's part meanwhile.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { GRU, LSTM, RNN, type RNNBase } from '../../kernel/engine/layers/recurrent';
import { manualSeed } from '../../kernel/engine/rng';
import { tensor, type Tensor } from '../../kernel/engine/tensor';
import { gemmPacked, packMatrixB } from '../../kernel/engine/wasm/gemm';
import { F, useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { setNumThreads, teamStats } from '../../kernel/engine/wasm/team';
import { runInTwoParts } from '../../kernel/engine/wasm/twoParts';
import { seededValues } from './recurrent-helpers';
import { twoKernelThreads } from './team-helpers';

afterAll(() => {
  setNumThreads(1);
  useKernels('auto');
});

beforeAll(async () => {
  useKernels('auto');
  await twoKernelThreads();
});

/** Runs `pass` on two threads until a stretch was cut in two (the helper may be paused for a moment on a busy machine). */
function onTwoThreads<T>(pass: () => T): { result: T; cut: number } {
  setNumThreads(2);
  for (let i = 0; ; i++) {
    const before = teamStats.twoParts;
    const result = pass();
    const cut = teamStats.twoParts - before;
    if (cut > 0 || i === 20) return { result, cut };
  }
}

function onOneThread<T>(pass: () => T): T {
  setNumThreads(1);
  const before = teamStats.twoParts;
  const result = pass();
  expect(teamStats.twoParts).toBe(before);
  return result;
}

function expectSameBits(one: readonly Float32Array[], two: readonly Float32Array[]): void {
  expect(two.length).toBe(one.length);
  one.forEach((a, i) => {
    const b = two[i]!;
    expect(b.length).toBe(a.length);
    const differ = a.findIndex((v, j) => !Object.is(v, b[j]));
    expect(differ, `array ${i} differs at ${differ}`).toBe(-1);
  });
}

describe('a stretch of kernel calls in two parts', () => {
  it('gives each part memory of its own: what the recorded part allocated and released stays the helper\'s until both are done', () => {
    const w = wasmKernels()!;
    const [K, N, M, cols] = [300, 64, 32, 8]; // C (M, N) += A (K, M)ᵀ · B (K, N) by column panels of 8
    const mark = w.arena.mark();
    try {
      const a = w.arena.put(seededValues(K * M, 11));
      const b = w.arena.put(seededValues(K * N, 12));
      const product = (units: number, split: boolean): Float32Array => {
        const c = w.arena.zeros(M * N);
        const part = (from: number, count: number): void => {
          // Each part packs its own columns of B into memory it releases right after, as the sums over time do.
          const m = w.arena.mark();
          const packed = packMatrixB(w, b + from * cols * F, N, false, K, count * cols, false);
          gemmPacked(w, true, M, K, a, M, packed, c + from * cols * F, N, 1);
          w.arena.release(m);
        };
        if (split) runInTwoParts(w, 'test product in two parts', units, part);
        else part(0, units);
        return w.arena.view(c, M * N).slice();
      };
      const one = onOneThread(() => product(N / cols, false));
      for (let i = 0; i < 10; i++) {
        const { result, cut } = onTwoThreads(() => product(N / cols, true));
        expect(cut).toBe(1);
        expectSameBits([one], [result]);
      }
    } finally {
      w.arena.release(mark);
    }
  });

  it('gathers table rows by an index (gather_rows), rows of a multiple of 16 bytes or not', () => {
    const w = wasmKernels()!;
    for (const width of [3, 8, 13]) {
      const mark = w.arena.mark();
      try {
        const [V, rows] = [7, 40];
        const table = seededValues(V * width, width);
        const index = Int32Array.from({ length: rows }, (_, r) => (r * 5 + (r >> 2)) % V);
        const dst = w.arena.zeros(rows * width + 1);
        w.k.gather_rows(dst, w.arena.put(table), w.arena.putInt32(index), rows, width * F);
        const want = new Float32Array(rows * width + 1);
        index.forEach((v, r) => want.set(table.subarray(v * width, (v + 1) * width), r * width));
        expect(w.arena.view(dst, rows * width + 1)).toEqual(want); // and nothing past the last row
      } finally {
        w.arena.release(mark);
      }
    }
  });

  it('runs all of it here with fewer than two units', () => {
    setNumThreads(2);
    const before = teamStats.twoParts;
    const parts: number[][] = [];
    runInTwoParts(wasmKernels()!, 'test one unit', 1, (from, count) => void parts.push([from, count]));
    expect(parts).toEqual([[0, 1]]);
    expect(teamStats.twoParts).toBe(before);
  });
});

type Kind = 'LSTM' | 'GRU' | 'GRU-cho' | 'RNN';

function layerOf(kind: Kind, I: number, H: number, bidirectional = false): RNNBase {
  if (kind === 'LSTM') return new LSTM(I, H, { bidirectional });
  if (kind === 'GRU' || kind === 'GRU-cho') return new GRU(I, H, { bidirectional, resetAfter: kind === 'GRU' });
  return new RNN(I, H, { bidirectional });
}

/** The output and every gradient of one training pass: x (T,N,I) → layer, or token ids (T,N) → Embedding(V, I) → layer. */
function trainingPass(kind: Kind, T: number, N: number, I: number, H: number, options: { vocab?: number; bidirectional?: boolean } = {}): Float32Array[] {
  manualSeed(3);
  const layer = layerOf(kind, I, H, options.bidirectional);
  const embedding = options.vocab ? new Embedding(options.vocab, I) : null;
  let x: Tensor;
  if (embedding) {
    const ids = Array.from({ length: T * N }, (_, i) => (i * 7 + (i >> 3)) % options.vocab!);
    x = embedding.forward(tensor(ids, [T, N]));
  } else {
    x = tensor(seededValues(T * N * I, 4), [T, N, I]).requiresGrad_();
  }
  const out = layer.forward(x).output;
  out.mul(tensor(seededValues(out.size, 5), out.shape)).sum().backward();
  const inputGrads = embedding ? [embedding.weight.grad!.data] : [x.grad!.data];
  return [out.data, ...inputGrads, ...layer.parameters().map((p) => p.grad!.data)];
}

describe('a recurrent layer\'s sums over time and small-input projection in two parts give the one-thread results bit for bit', () => {
  const cases: { name: string; kind: Kind; T: number; N: number; I: number; H: number; vocab?: number; bidirectional?: boolean }[] = [
    // one input feature: the projection by rows, dW_ih and db_ih by columns of the gates (input_sums_1)
    { name: 'GRU, I = 1 (a sine regression)', kind: 'GRU', T: 100, N: 64, I: 1, H: 64 },
    { name: 'RNN, I = 2 (the adding problem)', kind: 'RNN', T: 100, N: 50, I: 2, H: 128 },
    { name: 'GRU (Cho), I = 3, bidirectional', kind: 'GRU-cho', T: 60, N: 24, I: 3, H: 72, bidirectional: true },
    // the GEMM's input side: dW_ih by columns of x; H not a multiple of the panels
    { name: 'LSTM, I = 40, H = 70', kind: 'LSTM', T: 50, N: 16, I: 40, H: 70 },
    // rows of an embedding table: the per-row sums stay with the caller
    { name: 'LSTM over an embedding', kind: 'LSTM', T: 64, N: 32, I: 32, H: 128, vocab: 64 },
  ];
  it.each(cases)('$name', (c) => {
    const pass = (): Float32Array[] => trainingPass(c.kind, c.T, c.N, c.I, c.H, c);
    const two = onTwoThreads(pass);
    expect(two.cut).toBeGreaterThan(0);
    expectSameBits(onOneThread(pass), two.result);
  });
});
