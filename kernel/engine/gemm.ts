// Dense matrix products over flat row-major Float32Arrays: the engine's one hot loop.
// `gemm` runs products big enough to pay for copying into wasm memory on the WebAssembly SIMD
// kernels (./wasm/gemm.ts) when this thread has them; `gemmReference` is the plain loop nest,
// ordered so the innermost loop runs over contiguous memory (i-k-j), and the fallback.

import { flushRange, flushThreshold } from './denormal';
import { wasmGemm } from './wasm/gemm';
import { wasmKernels } from './wasm/instance';

/** Below this many multiply-adds the copies in and out of wasm memory cost more than they save. */
export const WASM_MIN_WORK = 4096;

/**
 * C (M,N) = op(A)·op(B) + beta·C, where op(A) is (M,K) and op(B) is (K,N).
 * A is stored (M,K) or, with transA, (K,M); B is stored (K,N) or, with transB, (N,K).
 * Offsets let callers address a slice of a larger buffer without copying.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOff: number,
  B: Float32Array,
  bOff: number,
  C: Float32Array,
  cOff: number,
  beta: 0 | 1,
): void {
  if (M * N * K >= WASM_MIN_WORK) {
    const w = wasmKernels();
    if (w) return wasmGemm(w, transA, transB, M, N, K, A, aOff, transA ? M : K, B, bOff, transB ? K : N, C, cOff, N, beta);
  }
  gemmReference(transA, transB, M, N, K, A, aOff, B, bOff, C, cOff, beta);
}

/** The reference loops behind `gemm` (same signature and semantics). */
export function gemmReference(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOff: number,
  B: Float32Array,
  bOff: number,
  C: Float32Array,
  cOff: number,
  beta: 0 | 1,
): void {
  if (beta === 0) C.fill(0, cOff, cOff + M * N);
  if (!transA && !transB) {
    // C[i,:] += A[i,k] * B[k,:]
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * N;
      const ai = aOff + i * K;
      for (let k = 0; k < K; k++) {
        const a = A[ai + k]!;
        if (a === 0) continue;
        const bk = bOff + k * N;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
      }
    }
  } else if (!transA && transB) {
    // C[i,j] += dot(A[i,:], B[j,:])
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * N;
      const ai = aOff + i * K;
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k]! * B[bj + k]!;
        C[ci + j]! += s;
      }
    }
  } else if (transA && !transB) {
    // C[i,:] += A[k,i] * B[k,:]
    for (let k = 0; k < K; k++) {
      const ak = aOff + k * M;
      const bk = bOff + k * N;
      for (let i = 0; i < M; i++) {
        const a = A[ak + i]!;
        if (a === 0) continue;
        const ci = cOff + i * N;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
      }
    }
  } else {
    // C[i,j] += sum_k A[k,i] * B[j,k]
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * N;
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[aOff + k * M + i]! * B[bj + k]!;
        C[ci + j]! += s;
      }
    }
  }
  // As the wasm kernels store C: below FLT_MIN flushed to zero when setFlushDenormal is on.
  flushRange(C, cOff, cOff + M * N, flushThreshold());
}
