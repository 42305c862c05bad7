// Flat-buffer helpers for the recurrent kernels: a strided GEMM (BLAS-style leading dimensions,
// so a kernel can address one gate block of a (rows, G·H) buffer), bias broadcasts and column
// sums. Everything works on Float32Array (the engine's tensors) and Float64Array (finite-difference
// checks and references) alike; the code is the same, only the storage differs.

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
 * The loops are ordered so the innermost one walks contiguous memory, and unrolled by four along
 * the reduction (or the output columns) so each C element is loaded and stored once per four
 * products. A WebAssembly SIMD kernel can replace this function behind the same signature.
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
  if (beta === 0) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
  if (M === 0 || N === 0 || K === 0) return;
  if (!transA && !transB) gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
  else if (!transA && transB) gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
  else if (transA && !transB) gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
  else gemmTT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
}

// C[i,:] += Σ_k A[i,k]·B[k,:], four k at a time.
function gemmNN(M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  const K4 = K - (K % 4);
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * ldc;
    const ai = aOff + i * lda;
    let k = 0;
    for (; k < K4; k += 4) {
      const a0 = A[ai + k]!;
      const a1 = A[ai + k + 1]!;
      const a2 = A[ai + k + 2]!;
      const a3 = A[ai + k + 3]!;
      const b0 = bOff + k * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      for (let j = 0; j < N; j++) C[ci + j] = C[ci + j]! + a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]!;
    }
    for (; k < K; k++) {
      const a = A[ai + k]!;
      const bk = bOff + k * ldb;
      for (let j = 0; j < N; j++) C[ci + j] = C[ci + j]! + a * B[bk + j]!;
    }
  }
}

// C[i,j] += dot(A[i,:], B[j,:]), four output columns at a time so each A value is loaded once.
function gemmNT(M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  const N4 = N - (N % 4);
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * ldc;
    const ai = aOff + i * lda;
    let j = 0;
    for (; j < N4; j += 4) {
      const b0 = bOff + j * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < K; k++) {
        const a = A[ai + k]!;
        s0 += a * B[b0 + k]!;
        s1 += a * B[b1 + k]!;
        s2 += a * B[b2 + k]!;
        s3 += a * B[b3 + k]!;
      }
      C[ci + j] = C[ci + j]! + s0;
      C[ci + j + 1] = C[ci + j + 1]! + s1;
      C[ci + j + 2] = C[ci + j + 2]! + s2;
      C[ci + j + 3] = C[ci + j + 3]! + s3;
    }
    for (; j < N; j++) {
      const bj = bOff + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ai + k]! * B[bj + k]!;
      C[ci + j] = C[ci + j]! + s;
    }
  }
}

// C[i,:] += Σ_k A[k,i]·B[k,:], four k at a time.
function gemmTN(M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  const K4 = K - (K % 4);
  let k = 0;
  for (; k < K4; k += 4) {
    const a0r = aOff + k * lda;
    const a1r = a0r + lda;
    const a2r = a1r + lda;
    const a3r = a2r + lda;
    const b0 = bOff + k * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    for (let i = 0; i < M; i++) {
      const a0 = A[a0r + i]!;
      const a1 = A[a1r + i]!;
      const a2 = A[a2r + i]!;
      const a3 = A[a3r + i]!;
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue; // padded steps have zero gradients
      const ci = cOff + i * ldc;
      for (let j = 0; j < N; j++) C[ci + j] = C[ci + j]! + a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]!;
    }
  }
  for (; k < K; k++) {
    const ar = aOff + k * lda;
    const bk = bOff + k * ldb;
    for (let i = 0; i < M; i++) {
      const a = A[ar + i]!;
      if (a === 0) continue;
      const ci = cOff + i * ldc;
      for (let j = 0; j < N; j++) C[ci + j] = C[ci + j]! + a * B[bk + j]!;
    }
  }
}

// C[i,j] += Σ_k A[k,i]·B[j,k] (not used on a hot path).
function gemmTT(M: number, N: number, K: number, A: Buf, aOff: number, lda: number, B: Buf, bOff: number, ldb: number, C: Buf, cOff: number, ldc: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const bj = bOff + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[aOff + k * lda + i]! * B[bj + k]!;
      C[cOff + i * ldc + j] = C[cOff + i * ldc + j]! + s;
    }
  }
}

/** out[r, c] += v[c] for each of `rows` rows of width `cols` (row stride `ld`), columns [c0, c1). */
export function addRowVector(out: Buf, rows: number, ld: number, v: Buf, c0: number, c1: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * ld;
    for (let c = c0; c < c1; c++) out[o + c] = out[o + c]! + v[c]!;
  }
}

/** out[c] += Σ_r m[r, c] over `rows` rows of stride `ld`, columns [0, cols). */
export function addColumnSums(out: Buf, m: Buf, rows: number, ld: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * ld;
    for (let c = 0; c < cols; c++) out[c] = out[c]! + m[o + c]!;
  }
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
