// A weight W (N,K), row-major in the arena, as the right operand of x·Wᵀ (a recurrent layer's
// input projection and its per-step product, F.linear): packed into column panels when it
// multiplies enough rows to repay the packing, else read where it lies by gemv_rows, one row of x
// at a time (wat/gemvRows.ts). Text generation runs one token per call (T = N = 1): there the
// packing cost more than the products.

import { gemmPacked, packMatrixB, type PackedB } from './gemm';
import { F, type WasmKernels } from './instance';

/**
 * Rows of x, over all the products with one weight, up to which the weight is read in place.
 * Packing a weight costs a few GEMVs over it, and the packed layout saves a fraction of a GEMV
 * per row: packing pays from about a dozen rows, and a packed GEMM of several rows gains more
 * per row than that.
 */
export const IN_PLACE_MAX_ROWS = 8;

export type WeightOperand = { kind: 'packed'; b: PackedB } | { kind: 'rows'; at: number; N: number; K: number };

/**
 * W (N,K) at byte address `at` (rows K floats apart), to multiply `rows` rows of x in all,
 * `rowsPerProduct` of them in each product (1: panels for the batch-1 GEMV).
 */
export function weightOperand(w: WasmKernels, at: number, N: number, K: number, rows: number, rowsPerProduct: number): WeightOperand {
  if (rows <= IN_PLACE_MAX_ROWS) return { kind: 'rows', at, N, K };
  return { kind: 'packed', b: packMatrixB(w, at, K, true, K, N, rowsPerProduct === 1) }; // op(B)[k, n] = W[n, k]
}

/** C (M,N) = beta·C + x (M,K)·Wᵀ, all in wasm memory; x's rows ldx floats apart, C's ldc. `planM`: as gemmPacked's. */
export function multiplyByWeight(w: WasmKernels, W: WeightOperand, M: number, x: number, ldx: number, c: number, ldc: number, beta: 0 | 1, planM = M): void {
  if (W.kind === 'packed') return gemmPacked(w, false, M, W.b.K, x, ldx, W.b, c, ldc, beta, 0, planM);
  for (let i = 0; i < M; i++) w.k.gemv_rows(x + i * ldx * F, W.at, W.K * F, W.N, W.K, c + i * ldc * F, beta);
}
