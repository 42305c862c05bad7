// Dense matrix products over flat row-major buffers: the engine's one hot loop.
//
//   C (M,N) = op(A)·op(B) + beta·C,   op(A) is (M,K), op(B) is (K,N), beta 0 or 1
//
// With leading dimensions as in BLAS, so that a kernel can address one gate block of a (rows, G·H)
// buffer: A[i,k] is A[aOff + i·lda + k] (with transA, A[aOff + k·lda + i]), B[k,j] is
// B[bOff + k·ldb + j] (with transB, B[bOff + j·ldb + k]), C[i,j] is C[cOff + i·ldc + j].
//
// One entry point, `gemmStrided`, with one rule: a float32 product of at least WASM_MIN_WORK
// multiply-adds runs on the WebAssembly kernels (wasm/gemm.ts) when this thread has them;
// everything else runs on TypeScript loops, which take Float32Array (the engine's tensors) and
// Float64Array (finite-difference checks and references) alike. `gemm` is its contiguous form
// (the public API's, and the ops').
//
// Two loop nests, held to each other and to the wasm kernels by the tests:
//   gemmReference  the plain loops, ordered so that the innermost runs over contiguous memory
//   gemmTiled      register-blocked: each inner loop keeps a 2×4 tile of C in eight accumulators
// They round differently: in the NN and TN orders gemmReference adds every product into C, while
// gemmTiled sums in float64 and adds the sum once. The ops (gemm) run the first, the recurrent
// kernels (gemmStrided's default) the second. Float32 results are flushed to zero below FLT_MIN
// when setFlushDenormal is on (denormal.ts), as the wasm kernels store them.

import { flushRange, flushThresholdFor } from './denormal';
import { wasmGemm } from './wasm/gemm';
import { wasmKernels, type WasmKernels } from './wasm/instance';

/** A flat buffer the kernels read and write. */
export type Buf = Float32Array | Float64Array;

/** The TypeScript loops behind gemmStrided (gemmReference or gemmTiled): its signature and semantics. */
export type GemmLoops = (transA: boolean, transB: boolean, M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number, beta: 0 | 1) => void;

/** Below this many multiply-adds the copies in and out of wasm memory cost more than they save. */
const WASM_MIN_WORK = 4096;

/** The wasm kernels for a float32 product of M·N·K multiply-adds (the dispatch rule), or null: then it runs in TypeScript. */
export function wasmFor(M: number, N: number, K: number): WasmKernels | null {
  return M * N * K >= WASM_MIN_WORK ? wasmKernels() : null;
}

/** C (M,N) = op(A)·op(B) + beta·C with leading dimensions; below the rule's threshold, or on float64, `loops`. */
export function gemmStrided(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number, beta: 0 | 1, loops: GemmLoops = gemmTiled): void {
  if (C instanceof Float32Array && A instanceof Float32Array && B instanceof Float32Array) {
    const w = wasmFor(M, N, K);
    if (w) return wasmGemm(w, transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
  }
  loops(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
}

/**
 * C (M,N) = op(A)·op(B) + beta·C on contiguous operands: A stored (M,K) or, with transA, (K,M);
 * B stored (K,N) or, with transB, (N,K). Offsets address a slice of a larger buffer without copying.
 */
export function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number, beta: 0 | 1): void {
  gemmStrided(transA, transB, M, N, K, A, aOff, transA ? M : K, B, bOff, transB ? K : N, C, cOff, N, beta, gemmReference);
}

/** The plain loops (a GemmLoops): the reference of gemmTiled and of the wasm kernels. */
export function gemmReference(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number, beta: 0 | 1): void {
  if (beta === 0) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
  if (!transA && !transB) {
    // C[i,:] += A[i,k] * B[k,:]
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * ldc;
      const ai = aOff + i * lda;
      for (let k = 0; k < K; k++) {
        const a = A[ai + k]!;
        if (a === 0) continue;
        const bk = bOff + k * ldb;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
      }
    }
  } else if (!transA && transB) {
    // C[i,j] += dot(A[i,:], B[j,:])
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * ldc;
      const ai = aOff + i * lda;
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k]! * B[bj + k]!;
        C[ci + j]! += s;
      }
    }
  } else if (transA && !transB) {
    // C[i,:] += A[k,i] * B[k,:]
    for (let k = 0; k < K; k++) {
      const ak = aOff + k * lda;
      const bk = bOff + k * ldb;
      for (let i = 0; i < M; i++) {
        const a = A[ak + i]!;
        if (a === 0) continue;
        const ci = cOff + i * ldc;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
      }
    }
  } else {
    // C[i,j] += sum_k A[k,i] * B[j,k]
    for (let i = 0; i < M; i++) {
      const ci = cOff + i * ldc;
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[aOff + k * lda + i]! * B[bj + k]!;
        C[ci + j]! += s;
      }
    }
  }
  flushRows(C, cOff, M, N, ldc);
}

/** The register-blocked loops (a GemmLoops): every loaded value feeds two or four products, and C is touched once per tile. */
export function gemmTiled(transA: boolean, transB: boolean, M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number, beta: 0 | 1): void {
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
    else if (!transB) tilesXN(transA, M2, N4, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
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

// C[i,j] += Σ_k op(A)[i,k]·B[k,j], B walking down four adjacent columns: A contiguous along k (NN),
// or with transA both operands walking down the reduction, rows of A and B (TN). Then the reduction
// is cut into chunks of TN_CHUNK rows so that a chunk of B stays in cache while every pair of rows
// of C passes over it (K is T·N there, the weight gradients' long dimension).
const TN_CHUNK = 64;

function tilesXN(transA: boolean, M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  const aRow = transA ? 1 : lda;
  const aK = transA ? lda : 1;
  const chunk = transA ? TN_CHUNK : K;
  for (let k0 = 0; k0 < K; k0 += chunk) {
    const kn = Math.min(chunk, K - k0);
    for (let i = 0; i < M; i += 2) {
      const c0 = cOff + i * ldc;
      const c1 = c0 + ldc;
      for (let j = 0; j < N; j += 4) {
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let a = aOff + i * aRow + k0 * aK;
        let b = bOff + k0 * ldb + j;
        for (let k = 0; k < kn; k++, a += aK, b += ldb) {
          const x0 = A[a]!;
          const x1 = A[a + aRow]!;
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
