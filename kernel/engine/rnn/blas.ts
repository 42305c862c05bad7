// Flat-buffer helpers for the recurrent kernels: a strided GEMM (BLAS-style leading dimensions,
// so a kernel can address one gate block of a (rows, G·H) buffer), bias broadcasts and column
// sums. Everything works on Float32Array (the engine's tensors) and Float64Array (finite-difference
// checks and references) alike; the code is the same, only the storage differs. Float32 results are
// flushed to zero below FLT_MIN when setFlushDenormal is on (denormal.ts). Float32 products
// big enough to pay for the copies run on the WebAssembly kernels (../wasm/gemm.ts) when present.

import { flushed, flushRange, flushThresholdFor } from '../denormal';
import { wasmGemm } from '../wasm/gemm';
import { wasmKernels } from '../wasm/instance';

/** A flat buffer the recurrent kernels read and write. */
export type Buf = Float32Array | Float64Array;

/** A zeroed buffer of `n` values with the same element type as `like`. */
export function allocLike<B extends Buf>(like: B, n: number): B {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as B;
}

/**
 * C (M,N) = op(A)·op(B) + beta·C with leading dimensions, row-major:
 * A[i,k] is A[aOff + i·lda + k] (or, with transA, A[aOff + k·lda + i]);
 * B[k,j] is B[bOff + k·ldb + j] (or, with transB, B[bOff + j·ldb + k]); C[i,j] is C[cOff + i·ldc + j].
 *
 * Float32 products of at least WASM_MIN_WORK multiply-adds go to the WebAssembly kernels (when this
 * thread has them); everything else runs `gemmJs`.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Buf,
  aOff: number,
  lda: number,
  B: Buf,
  bOff: number,
  ldb: number,
  C: Buf,
  cOff: number,
  ldc: number,
  beta: 0 | 1,
): void {
  if (M * N * K >= WASM_MIN_WORK && C instanceof Float32Array && A instanceof Float32Array && B instanceof Float32Array) {
    const w = wasmKernels();
    if (w) return wasmGemm(w, transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
  }
  gemmJs(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
}

/** Below this many multiply-adds the copies in and out of wasm memory cost more than they save. */
export const WASM_MIN_WORK = 4096;

/**
 * The TypeScript GEMM (reference, fallback, and the Float64Array path). Register-blocked: each
 * inner loop keeps a 2×4 tile of C in eight accumulators and runs over the reduction, so every
 * loaded value feeds two or four products and C is touched once per tile.
 */
export function gemmJs(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Buf,
  aOff: number,
  lda: number,
  B: Buf,
  bOff: number,
  ldb: number,
  C: Buf,
  cOff: number,
  ldc: number,
  beta: 0 | 1,
): void {
  if (beta === 0) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
  if (M === 0 || N === 0 || K === 0) return;
  // Element strides of op(A) (along i, along k) and op(B) (along k, along j).
  const aRow = transA ? 1 : lda;
  const aK = transA ? lda : 1;
  const bK = transB ? 1 : ldb;
  const bCol = transB ? ldb : 1;
  const M2 = M - (M % 2);
  const N4 = N - (N % 4);
  if (M2 > 0 && N4 > 0) {
    if (!transA && transB) tilesNT(M2, N4, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
    else if (!transA && !transB) tilesNN(M2, N4, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
    else if (transA && !transB) tilesTN(M2, N4, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
    else edge(0, M2, 0, N4, K, A, aOff, aRow, aK, B, bOff, bK, bCol, C, cOff, ldc);
  }
  // The odd last row and the last N mod 4 columns.
  if (M2 < M) edge(M2, M, 0, N, K, A, aOff, aRow, aK, B, bOff, bK, bCol, C, cOff, ldc);
  if (N4 < N) edge(0, M2, N4, N, K, A, aOff, aRow, aK, B, bOff, bK, bCol, C, cOff, ldc);
  flushRows(C, cOff, M, N, ldc);
}

/** C's rows [0, M) × columns [0, N) (row stride ldc) flushed to zero below FLT_MIN (denormal.ts), as the wasm kernels store them. */
function flushRows(C: Buf, cOff: number, M: number, N: number, ldc: number): void {
  const min = flushThresholdFor(C);
  if (min === 0) return;
  for (let i = 0; i < M; i++) flushRange(C, cOff + i * ldc, cOff + i * ldc + N, min);
}

// C[i,j] += dot(A[i,:], B[j,:]): both operands contiguous along k.
function tilesNT(M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  for (let i = 0; i < M; i += 2) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    const c0 = cOff + i * ldc;
    const c1 = c0 + ldc;
    for (let j = 0; j < N; j += 4) {
      const b0 = bOff + j * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k]!;
        const x1 = A[a1 + k]!;
        const y0 = B[b0 + k]!;
        const y1 = B[b1 + k]!;
        const y2 = B[b2 + k]!;
        const y3 = B[b3 + k]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
      C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
    }
  }
}

// C[i,j] += Σ_k A[i,k]·B[k,j]: A contiguous along k, B walks down four adjacent columns.
function tilesNN(M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  for (let i = 0; i < M; i += 2) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    const c0 = cOff + i * ldc;
    const c1 = c0 + ldc;
    for (let j = 0; j < N; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let b = bOff + j;
      for (let k = 0; k < K; k++, b += ldb) {
        const x0 = A[a0 + k]!;
        const x1 = A[a1 + k]!;
        const y0 = B[b]!;
        const y1 = B[b + 1]!;
        const y2 = B[b + 2]!;
        const y3 = B[b + 3]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
      C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
    }
  }
}

// C[i,j] += Σ_k A[k,i]·B[k,j]: both operands walk down the reduction (rows of A and B). The
// reduction is cut into chunks of TN_CHUNK rows so that a chunk of B stays in cache while every
// pair of rows of C passes over it (K is T·N here, the weight gradients' long dimension).
const TN_CHUNK = 64;

function tilesTN(M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  for (let k0 = 0; k0 < K; k0 += TN_CHUNK) {
    const kn = Math.min(TN_CHUNK, K - k0);
    for (let i = 0; i < M; i += 2) {
      const c0 = cOff + i * ldc;
      const c1 = c0 + ldc;
      for (let j = 0; j < N; j += 4) {
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let a = aOff + k0 * lda + i;
        let b = bOff + k0 * ldb + j;
        for (let k = 0; k < kn; k++, a += lda, b += ldb) {
          const x0 = A[a]!;
          const x1 = A[a + 1]!;
          const y0 = B[b]!;
          const y1 = B[b + 1]!;
          const y2 = B[b + 2]!;
          const y3 = B[b + 3]!;
          s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        }
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
        C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
      }
    }
  }
}

// C[i,j] += Σ_k op(A)[i,k]·op(B)[k,j] for i in [i0,i1), j in [j0,j1), any strides: edges and TT.
function edge(i0: number, i1: number, j0: number, j1: number, K: number, A: Buf, aOff: number, aRow: number, aK: number, B: Buf, bOff: number, bK: number, bCol: number, C: Buf, cOff: number, ldc: number): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let s = 0;
      let a = aOff + i * aRow;
      let b = bOff + j * bCol;
      for (let k = 0; k < K; k++, a += aK, b += bK) s += A[a]! * B[b]!;
      C[cOff + i * ldc + j] += s;
    }
  }
}

/** out[r, c] += v[c] for each of `rows` rows of width `cols` (row stride `ld`), columns [c0, c1). */
export function addRowVector(out: Buf, rows: number, ld: number, v: Buf, c0: number, c1: number): void {
  const min = flushThresholdFor(out);
  for (let r = 0; r < rows; r++) {
    const o = r * ld;
    for (let c = c0; c < c1; c++) out[o + c] = flushed(out[o + c]! + v[c]!, min);
  }
}

/** out[c] += Σ_r m[r, c] over `rows` rows of stride `ld`, columns [0, cols). */
export function addColumnSums(out: Buf, m: Buf, rows: number, ld: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * ld;
    for (let c = 0; c < cols; c++) out[c] = out[c]! + m[o + c]!;
  }
  flushRange(out, 0, cols, flushThresholdFor(out)); // once at the end, as the wasm col_sums
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
