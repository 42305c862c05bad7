// Two kernel threads (setNumThreads(2)): a helper worker_thread on the same shared wasm memory
// computes part of every large product. The split products must equal the one-thread products
// bit for bit (each element of C is computed by one thread, in the same order), for column
// splits, row splits (one column panel), transposed A, the batch-1 GEMV, edges, and whole
// recurrent layers forward and backward.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemm } from '../../kernel/engine/gemm';
import { LSTM, GRU } from '../../kernel/engine/layers/recurrent';
import { manualSeed } from '../../kernel/engine/rng';
import { tensor } from '../../kernel/engine/tensor';
import { useKernels } from '../../kernel/engine/wasm/instance';
import { getNumThreads, planSplit, setNumThreads, teamFor, teamStats } from '../../kernel/engine/wasm/team';
import { wasmKernels } from '../../kernel/engine/wasm/instance';
import { seededValues } from './recurrent-helpers';
import { twoKernelThreads } from './team-helpers';

afterAll(() => {
  setNumThreads(1);
  useKernels('auto');
});

/** Runs f on 1 or 2 threads (with 2, products are split unless the other core is busy). */
function run<T>(threads: 1 | 2, f: () => T): T {
  setNumThreads(threads);
  const before = teamStats.split;
  const result = f();
  if (threads === 1) expect(teamStats.split).toBe(before);
  return result;
}

describe('setNumThreads', () => {
  it('takes 1 or 2 and says what was wrong otherwise', () => {
    expect(() => setNumThreads(0)).toThrow(/positive integer, got 0/);
    expect(() => setNumThreads(1.5)).toThrow(/positive integer/);
    expect(() => setNumThreads(3)).toThrow(/at most 2 threads/);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
  });
});

describe('two kernel threads give the one-thread results bit for bit', () => {
  beforeAll(async () => {
    useKernels('auto');
    await twoKernelThreads();
  });

  it('splits large products (retrying while the helper pauses for a busy machine)', async () => {
    const [M, N, K] = [64, 256, 256];
    const A = seededValues(M * K, 1);
    const B = seededValues(K * N, 2);
    setNumThreads(2);
    const before = teamStats.split;
    for (let i = 0; i < 20 && teamStats.split === before; i++) {
      gemm(false, false, M, N, K, A, 0, B, 0, new Float32Array(M * N), 0, 0);
      if (teamStats.split === before) await new Promise((r) => setTimeout(r, 100));
    }
    expect(teamStats.split).toBeGreaterThan(before);
  });

  // All above the split threshold (2^20 multiply-adds), so each takes the split path it names.
  const shapes: [number, number, number][] = [
    [1, 2000, 600], // GEMV: odd number of 24-column panels, a partial last one
    [1, 2048, 512],
    [300, 8, 500], // one column panel: rows split
    [301, 7, 500], // one partial column panel, odd row panels
    [32, 512, 128], // an LSTM step's product
    [2048, 64, 128], // the output layer of lstm-lm
    [137, 100, 129], // partial panels everywhere
  ];
  for (const [transA, transB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`gemm op(A)=${transA ? 'Aᵀ' : 'A'}, op(B)=${transB ? 'Bᵀ' : 'B'}, beta 0 and 1`, () => {
      for (const [M, N, K] of shapes) {
        const A = seededValues(M * K, 1);
        const B = seededValues(K * N, 2);
        for (const beta of [0, 1] as const) {
          const C0 = seededValues(M * N, 3);
          const one = run(1, () => {
            const C = new Float32Array(C0);
            gemm(transA, transB, M, N, K, A, 0, B, 0, C, 0, beta);
            return C;
          });
          const two = run(2, () => {
            const C = new Float32Array(C0);
            gemm(transA, transB, M, N, K, A, 0, B, 0, C, 0, beta);
            return C;
          });
          expect(two, `${M}×${N}×${K} beta ${beta}`).toEqual(one);
        }
      }
    });
  }

  it('a product whose column panels are shared out by the threads\' measured speeds gives the one-thread result each time', () => {
    const [M, N, K] = [16, 1024, 512];
    const A = seededValues(M * K, 5);
    const B = seededValues(K * N, 6);
    const one = run(1, () => {
      const C = new Float32Array(M * N);
      gemm(false, false, M, N, K, A, 0, B, 0, C, 0, 0);
      return C;
    });
    setNumThreads(2);
    const team = teamFor(wasmKernels()!)!;
    const key = 'a test product';
    for (let i = 0; i < 40; i++) {
      const two = run(2, () => {
        const C = new Float32Array(M * N);
        gemm(false, false, M, N, K, A, 0, B, 0, C, 0, 0);
        return C;
      });
      expect(two, `split ${i}`).toEqual(one);
    }
    // Each side keeps at least one panel, whatever a product's learned share.
    for (const panels of [2, 3, 128]) {
      const plan = planSplit(team, key, panels);
      expect(plan.mine).toBeGreaterThanOrEqual(1);
      expect(plan.mine).toBeLessThanOrEqual(panels - 1);
    }
    expect(teamStats.helperMs).toBeGreaterThan(0);
  });

  it.each([
    ['LSTM', 1, 96],
    ['LSTM', 16, 96],
    ['GRU', 8, 96],
    ['LSTM', 16, 288], // per-step products split between the threads, streaming W_hh over K > 256
    ['GRU', 16, 320],
  ] as const)('%s forward and backward at batch %i, H = %i', (kind, N, H) => {
    const grads = (threads: 1 | 2): Float32Array[] =>
      run(threads, () => {
        manualSeed(7);
        const layer = kind === 'LSTM' ? new LSTM(24, H, { numLayers: 2 }) : new GRU(24, H);
        const x = tensor(seededValues(20 * N * 24, 4), [20, N, 24]);
        const { output } = layer.forward(x);
        output.sum().backward();
        return [output.data, ...layer.parameters().map((p) => p.grad!.data)];
      });
    const one = grads(1);
    const two = grads(2);
    expect(two.length).toBe(one.length);
    two.forEach((g, i) => expect(g, `tensor ${i}`).toEqual(one[i]));
  });
});
