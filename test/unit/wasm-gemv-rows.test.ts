// gemv_rows (wasm/wat/gemvRows.ts), the product that reads a weight in place, and the choice
// between it and the packed products (wasm/weightOperand.ts): against a float64 dot product on
// shapes that leave row and k tails, with a row stride wider than a row, beta 0 and 1, on every
// flavour this runtime supports; and what the choice is for a few rows and for many.

import { afterAll, describe, expect, it } from 'vitest';
import { useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { IN_PLACE_MAX_ROWS, multiplyByWeight, weightOperand } from '../../kernel/engine/wasm/weightOperand';
import { seededValues } from './recurrent-helpers';

const flavours = (['simd', 'relaxed'] as const).filter((f) => useKernels(f) === f);
useKernels('auto');
afterAll(() => void useKernels('auto'));

/** Worst |a − b| / (1 + Σ|w·x|) over the outputs: the error relative to the size of the terms summed. */
function worstError(actual: Float32Array, W: Float32Array, ldw: number, x: Float32Array, y0: Float32Array | null, N: number, K: number): number {
  let worst = 0;
  for (let j = 0; j < N; j++) {
    let s = y0 ? y0[j]! : 0;
    let mag = Math.abs(s);
    for (let k = 0; k < K; k++) {
      s += W[j * ldw + k]! * x[k]!;
      mag += Math.abs(W[j * ldw + k]! * x[k]!);
    }
    worst = Math.max(worst, Math.abs(actual[j]! - s) / (1 + mag));
  }
  return worst;
}

// [N, K, ldw]: row tails (N mod 7), k tails (K mod 4), K < 4, a row stride wider than K.
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [7, 4, 4],
  [8, 3, 3],
  [13, 5, 9],
  [64, 33, 33],
  [1024, 256, 256],
  [30, 17, 20],
  [0, 5, 5],
];

describe.each(flavours)('gemv_rows on the %s kernels', (flavour) => {
  it('is W·x (beta 0) and y + W·x (beta 1), reading W in place', () => {
    expect(useKernels(flavour)).toBe(flavour);
    const w = wasmKernels()!;
    const arena = w.arena;
    try {
      for (const [N, K, ldw] of shapes) {
        const W = seededValues(Math.max(1, N * ldw), N + K);
        const x = seededValues(K, K + 1);
        const y0 = seededValues(N + 1, N + 2); // one float past the end must stay untouched
        for (const beta of [0, 1] as const) {
          const mark = arena.mark();
          const [wAt, xAt, yAt] = [arena.put(W), arena.put(x), arena.put(y0)];
          w.k.gemv_rows(xAt, wAt, ldw * 4, N, K, yAt, beta);
          const y = arena.view(yAt, N + 1).slice();
          arena.release(mark);
          expect(worstError(y, W, ldw, x, beta ? y0 : null, N, K), `N=${N} K=${K} ldw=${ldw} beta=${beta}`).toBeLessThan(1e-6);
          expect(y[N], 'the float after y').toBe(y0[N]);
        }
      }
    } finally {
      useKernels('auto');
    }
  });
});

describe('weightOperand', () => {
  it('reads a weight in place for a few rows and packs it for more, with the same products', () => {
    const w = wasmKernels()!;
    const arena = w.arena;
    const [N, K] = [40, 24];
    const W = seededValues(N * K, 1);
    for (const M of [1, 3, IN_PLACE_MAX_ROWS, IN_PLACE_MAX_ROWS + 1, 20]) {
      const x = seededValues(M * K, M);
      const mark = arena.mark();
      const op = weightOperand(w, arena.put(W), N, K, M, M);
      expect(op.kind, `${M} rows`).toBe(M <= IN_PLACE_MAX_ROWS ? 'rows' : 'packed');
      const c = arena.alloc(M * N);
      multiplyByWeight(w, op, M, arena.put(x), K, c, N, 0);
      const y = arena.view(c, M * N).slice();
      arena.release(mark);
      for (let i = 0; i < M; i++) expect(worstError(y.subarray(i * N), W, K, x.subarray(i * K), null, N, K), `${M} rows, row ${i}`).toBeLessThan(1e-6);
    }
  });
});
