// The WebAssembly GEMM against float64 products: every transposition, offsets and leading
// dimensions, sizes that cut tiles at both edges, batch 1 (the 1×24 GEMV), K = 0, beta 0 and 1;
// through the engine's gemm (kernel/engine/gemm.ts), in its contiguous form and strided as the
// recurrent kernels call it, and wasmGemm itself, on every flavour this runtime supports.

import { afterAll, describe, expect, it } from 'vitest';
import { gemm as engineGemm, gemmReference, gemmStrided as blasGemm, gemmTiled as gemmJs } from '../../kernel/engine/gemm';
import { gemmPacked, packMatrixB, STREAM_MAX_ROWS, wasmGemm } from '../../kernel/engine/wasm/gemm';
import { kernelFlavour, useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { seededValues } from './recurrent-helpers';

const flavours = (['simd', 'relaxed'] as const).filter((f) => useKernels(f) === f);
useKernels('auto');
afterAll(() => void useKernels('auto'));

/** C (M,N) = beta·C + op(A)·op(B) in float64, the truth the kernels are held to. */
function product(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number, C: Float32Array, cOff: number, ldc: number, beta: 0 | 1): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = beta ? C[cOff + i * ldc + j]! : 0;
      for (let k = 0; k < K; k++) s += (transA ? A[aOff + k * lda + i]! : A[aOff + i * lda + k]!) * (transB ? B[bOff + j * ldb + k]! : B[bOff + k * ldb + j]!);
      out[i * N + j] = s;
    }
  return out;
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 70, 33], // batch 1: GEMV with a partial 24-column panel
  [1, 64, 300],
  [3, 5, 7],
  [4, 8, 1],
  [7, 13, 300], // partial row panel, partial column panel, more than one reduction block
  [17, 64, 40], // transposed A packed into panels (N ≥ 64) with a partial last panel
  [32, 24, 128],
  [5, 9, 0],
  [9, 16, 83], // a one-row tile whose K leaves 2 after its runs of three
  [1, 5, 2],
];

describe('wasm gemm matches float64 products', () => {
  it('runs on WebAssembly SIMD here', () => {
    expect(flavours.length).toBeGreaterThan(0);
    expect(kernelFlavour()).not.toBe('js');
  });

  for (const flavour of flavours) {
    for (const [transA, transB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      it(`${flavour}: op(A)=${transA ? 'Aᵀ' : 'A'}, op(B)=${transB ? 'Bᵀ' : 'B'}, strided, edges, beta 0 and 1`, () => {
        const w = (useKernels(flavour), wasmKernels()!);
        for (const [M, N, K] of shapes) {
          const lda = (transA ? M : K) + 3;
          const ldb = (transB ? K : N) + 2;
          const ldc = N + 5;
          const [aOff, bOff, cOff] = [6, 1, 4];
          const A = seededValues(aOff + lda * Math.max(transA ? K : M, 1), 1);
          const B = seededValues(bOff + ldb * Math.max(transB ? N : K, 1), 2);
          const C0 = seededValues(cOff + ldc * M, 3);
          for (const beta of [0, 1] as const) {
            const C = new Float32Array(C0);
            wasmGemm(w, transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
            const want = product(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C0, cOff, ldc, beta);
            for (let i = 0; i < M; i++)
              for (let j = 0; j < N; j++) expect(Math.abs(C[cOff + i * ldc + j]! - want[i * N + j]!), `${M}x${N}x${K} beta ${beta} at ${i},${j}`).toBeLessThan(1e-5 * (1 + K));
            // Columns between the rows of C and the values around it are untouched.
            for (let i = 0; i < M; i++) for (let j = N; j < ldc && cOff + i * ldc + j < C.length; j++) expect(C[cOff + i * ldc + j]).toBe(C0[cOff + i * ldc + j]);
            for (let i = 0; i < cOff; i++) expect(C[i]).toBe(C0[i]);
          }
        }
        expect(w.arena.used).toBe(0);
      });
    }
  }
});

describe("a recurrent weight's per-step products stream it (gemm_rows_stream)", () => {
  // (M,N,K): edges of row and column panels, K past one reduction block, the most rows streamed.
  const shapes: [number, number, number][] = [
    [16, 64, 600],
    [7, 13, 300],
    [1, 70, 33],
    [STREAM_MAX_ROWS, 24, 520],
    [STREAM_MAX_ROWS + 1, 24, 520],
  ];
  for (const flavour of flavours) {
    it(`${flavour}: matches float64 products, and sums in its own order only up to ${STREAM_MAX_ROWS} rows`, () => {
      const w = (useKernels(flavour), wasmKernels()!);
      for (const [M, N, K] of shapes) {
        const [lda, ldc] = [K + 3, N + 5];
        const A = seededValues(lda * M, 1);
        const B = seededValues(K * N, 2);
        const C0 = seededValues(ldc * M, 3);
        for (const beta of [0, 1] as const) {
          const mark = w.arena.mark();
          const run = (stepwise: boolean): Float32Array => {
            const b = packMatrixB(w, w.arena.put(B), N, false, K, N, false);
            const c = w.arena.put(C0);
            gemmPacked(w, false, M, K, w.arena.put(A), lda, { ...b, stepwise }, c, ldc, beta);
            return w.arena.view(c, ldc * M).slice();
          };
          const [streamed, blocked] = [run(true), run(false)];
          w.arena.release(mark);
          const want = product(false, false, M, N, K, A, 0, lda, B, 0, N, C0, 0, ldc, beta);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) expect(Math.abs(streamed[i * ldc + j]! - want[i * N + j]!), `${M}x${N}x${K} beta ${beta} at ${i},${j}`).toBeLessThan(1e-5 * (1 + K));
            for (let j = N; j < ldc; j++) expect(streamed[i * ldc + j]).toBe(C0[i * ldc + j]);
          }
          // Past one reduction block the streamed sums (one chain over K) round otherwise than
          // the blocked ones somewhere; beyond STREAM_MAX_ROWS rows the blocked order runs.
          const same = streamed.every((v, i) => v === blocked[i]);
          expect(same, `${M}x${N}x${K}: same bits as the blocked order`).toBe(M > STREAM_MAX_ROWS || K <= 256);
        }
      }
      expect(w.arena.used).toBe(0);
    });
  }
});

describe('the engine GEMMs dispatch to wasm and agree with their TypeScript references', () => {
  it('kernel/engine/gemm.ts: contiguous operands, all transpositions, beyond the dispatch threshold', () => {
    useKernels('auto');
    for (const [transA, transB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      for (const [M, N, K] of [
        [64, 48, 40],
        [1, 300, 64],
        [2, 2, 2],
      ] as const) {
        const A = seededValues(M * K + 3, 4);
        const B = seededValues(K * N + 5, 5);
        const C0 = seededValues(M * N + 7, 6);
        for (const beta of [0, 1] as const) {
          const fast = new Float32Array(C0);
          const ref = new Float32Array(C0);
          engineGemm(transA, transB, M, N, K, A, 3, B, 5, fast, 7, beta);
          gemmReference(transA, transB, M, N, K, A, 3, transA ? M : K, B, 5, transB ? K : N, ref, 7, N, beta);
          for (let i = 0; i < fast.length; i++) expect(Math.abs(fast[i]! - ref[i]!)).toBeLessThan(1e-4);
        }
      }
    }
  });

  it('gemmStrided: the strided float32 gemm equals its TypeScript path; float64 stays in TypeScript', () => {
    useKernels('auto');
    const [M, N, K] = [33, 70, 50];
    const A = seededValues(M * K, 7);
    const B = seededValues(N * K, 8);
    const fast = new Float32Array(M * N);
    const ref = new Float32Array(M * N);
    blasGemm(false, true, M, N, K, A, 0, K, B, 0, K, fast, 0, N, 0);
    gemmJs(false, true, M, N, K, A, 0, K, B, 0, K, ref, 0, N, 0);
    for (let i = 0; i < fast.length; i++) expect(Math.abs(fast[i]! - ref[i]!)).toBeLessThan(1e-4);
    // Float64 operands never go through wasm: the result is the TypeScript one, bit for bit.
    const A64 = Float64Array.from(A);
    const B64 = Float64Array.from(B);
    const c1 = new Float64Array(M * N);
    const c2 = new Float64Array(M * N);
    blasGemm(false, true, M, N, K, A64, 0, K, B64, 0, K, c1, 0, N, 0);
    gemmJs(false, true, M, N, K, A64, 0, K, B64, 0, K, c2, 0, N, 0);
    expect(c1).toEqual(c2);
  });

  it("useKernels('js') turns the wasm path off and 'auto' back on", () => {
    expect(useKernels('js')).toBe('js');
    expect(wasmKernels()).toBeNull();
    expect(useKernels('auto')).not.toBe('js');
  });
});
