// GEMM on Float32Arrays through the WebAssembly kernels: the operands are copied into the arena,
// B is packed into column panels, the product runs in wasm and C is copied back. Callers that
// keep operands in wasm memory across many products (the recurrent kernels) use the lower-level
// helpers below directly.

import { GEMV_NR, NR } from './wat/gemm';
import { F, type Arena, type KernelExports, type WasmKernels } from './instance';
import { planSplit, runSplit, teamFor } from './team';

/**
 * Multiply-adds below which a product runs on one thread: the helper is not always scheduled at
 * once, and a smaller half is done before it would be.
 */
export const SPLIT_MIN_WORK = 1 << 20;

/** A packed op(B) (K,N) in the arena: panels of `nr` columns, `bps` bytes apart. */
export interface PackedB {
  at: number;
  K: number;
  N: number;
  nr: number;
  bps: number;
  /** Packed for the batch-1 GEMV (wider panels). */
  gemv: boolean;
  /**
   * A recurrent weight multiplied once per step by a few rows (the batch): products of up to
   * STREAM_MAX_ROWS rows stream it (gemm_rows_stream, wat/gemm.ts). Every product with it then
   * sums in the same order, whichever sequence, segment or thread runs it.
   */
  stepwise?: boolean;
}

/** Rows of A up to which a stepwise weight's products stream B (measured: 1.05–1.3× at 4–64 rows). */
export const STREAM_MAX_ROWS = 32;

/**
 * Packs op(B) (K,N) from wasm memory: op(B)[k,j] at `src` + k·ks + j·js bytes. `forGemv` packs
 * the GEMV's 24-column panels for a single-row A (batch 1), otherwise 8-column panels.
 */
export function packB(w: WasmKernels, src: number, ks: number, js: number, K: number, N: number, forGemv: boolean): PackedB {
  const { b, args } = plannedPackB(w, src, ks, js, K, N, forGemv);
  w.k.pack_b(...(args as Parameters<KernelExports['pack_b']>));
  return b;
}

/** packB's allocation and the arguments of its pack_b call, not yet run (the caller runs it, here or on the helper thread). */
export function plannedPackB(w: WasmKernels, src: number, ks: number, js: number, K: number, N: number, forGemv: boolean): { b: PackedB; args: number[] } {
  const nr = forGemv ? GEMV_NR : NR;
  const panels = Math.ceil(N / nr);
  const at = w.arena.alloc(panels * nr * K);
  return { b: { at, K, N, nr, bps: K * nr * F, gemv: forGemv }, args: [src, ks, js, K, N, nr, at] };
}

/** op(B) of a row-major (rows, cols) matrix at `src` with leading dimension `ld` floats. */
export function packMatrixB(w: WasmKernels, src: number, ld: number, trans: boolean, K: number, N: number, forGemv: boolean): PackedB {
  return trans ? packB(w, src, F, ld * F, K, N, forGemv) : packB(w, src, ld * F, F, K, N, forGemv);
}

/**
 * C (M,N) at `c` (row stride ldc floats) = beta·C + op(A)·B[k0:k0+K, :], all in wasm memory.
 * op(A)[i,k] is at a + (transA ? k·lda + i : i·lda + k) floats. `kFrom` selects a K-slice of the
 * packed B (rows kFrom … kFrom+K−1 of op(B)). `planM`: the rows the way of running the product is
 * chosen for, when these M rows are part of a batch of planM whose other rows another thread
 * multiplies (rnn/rowSplit.ts): the same way for both parts gives the values of one product.
 */
export function gemmPacked(w: WasmKernels, transA: boolean, M: number, K: number, a: number, lda: number, b: PackedB, c: number, ldc: number, beta: 0 | 1, kFrom = 0, planM = M): void {
  if (M === 0 || b.N === 0) return;
  const k: KernelExports = w.k;
  if (K === 0) {
    if (beta === 0) for (let i = 0; i < M; i++) w.arena.f32().fill(0, (c >> 2) + i * ldc, (c >> 2) + i * ldc + b.N);
    return;
  }
  const bAt = b.at + kFrom * b.nr * F;
  const team = M * b.N * K >= SPLIT_MIN_WORK ? teamFor(w) : null;
  if (b.gemv) {
    if (M !== 1) throw new Error('gemmPacked: a GEMV packing serves batch 1 only');
    const aks = transA ? lda * F : F;
    // Two threads: the first column panels here (about half: planSplit), the rest on the helper.
    const panels = Math.ceil(b.N / b.nr);
    if (!team || panels < 2) return k.gemv(a, aks, bAt, b.bps, b.N, K, c, beta);
    const plan = planSplit(team, `gemv ${b.N}×${K}`, panels);
    const split = plan.mine * b.nr;
    const rest = [a, aks, bAt + plan.mine * b.bps, b.bps, b.N - split, K, c + split * F, beta];
    return runSplit(team, 'gemv', rest, () => k.gemv(a, aks, bAt, b.bps, split, K, c, beta), plan);
  }
  const MR = w.tileRows;
  const op = transA ? 'gemm_panels' : b.stepwise && planM <= STREAM_MAX_ROWS ? 'gemm_rows_stream' : 'gemm_rows';
  // op(A) panels of MR rows: transposed A (K,M) needs no packing, row-major A is walked by rows.
  const [aps, aks, ars] = transA ? [MR * F, lda * F, F] : [MR * lda * F, F, lda * F];
  const run = (aAt: number, m: number, bFrom: number, n: number, cAt: number): void => k[op](aAt, aps, aks, ars, bFrom, b.bps, m, n, K, cAt, ldc * F, beta);
  if (!team) return run(a, M, bAt, b.N, c);
  // Two threads: split the column panels of B, or the row panels of A when B has one panel.
  const panels = Math.ceil(b.N / b.nr);
  if (panels >= 2) {
    const plan = planSplit(team, `${op} ${M}×${b.N}×${K}`, panels);
    const split = plan.mine * b.nr;
    const rest = [a, aps, aks, ars, bAt + plan.mine * b.bps, b.bps, M, b.N - split, K, c + split * F, ldc * F, beta];
    return runSplit(team, op, rest, () => run(a, M, bAt, split, c), plan);
  }
  const rowSplit = (Math.ceil(M / MR) >> 1) * MR;
  if (rowSplit === 0) return run(a, M, bAt, b.N, c);
  const aRest = a + (transA ? rowSplit * F : rowSplit * lda * F);
  const rest = [aRest, aps, aks, ars, bAt, b.bps, M - rowSplit, b.N, K, c + rowSplit * ldc * F, ldc * F, beta];
  runSplit(team, op, rest, () => run(a, rowSplit, bAt, b.N, c));
}

/** Copies rows × cols floats (row stride ld) of `src` from `off` into the arena; returns its address. */
function copyIn(arena: Arena, src: Float32Array, off: number, rows: number, cols: number, ld: number): number {
  const span = (rows - 1) * ld + cols;
  return arena.put(src.subarray(off, off + span));
}

/**
 * C (M,N) = op(A)·op(B) + beta·C with leading dimensions, row-major (../gemm.ts's gemmStrided),
 * on JS Float32Arrays: copies in, multiplies in wasm, copies C back.
 */
export function wasmGemm(
  w: WasmKernels,
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOff: number,
  lda: number,
  B: Float32Array,
  bOff: number,
  ldb: number,
  C: Float32Array,
  cOff: number,
  ldc: number,
  beta: 0 | 1,
): void {
  if (M === 0 || N === 0) return;
  const arena = w.arena;
  const mark = arena.mark();
  try {
    // C's span is copied in (for beta = 0 too, when rows have gaps, so that the gaps survive).
    const cSpan = (M - 1) * ldc + N;
    const c = beta === 0 && ldc === N ? arena.alloc(cSpan) : copyIn(arena, C, cOff, M, N, ldc);
    if (K > 0) {
      const a = transA ? copyIn(arena, A, aOff, K, M, lda) : copyIn(arena, A, aOff, M, K, lda);
      const bRaw = transB ? copyIn(arena, B, bOff, N, K, ldb) : copyIn(arena, B, bOff, K, N, ldb);
      const b = packMatrixB(w, bRaw, ldb, transB, K, N, M === 1);
      gemmPacked(w, transA, M, K, a, lda, b, c, ldc, beta);
    } else if (beta === 0) {
      for (let i = 0; i < M; i++) arena.f32().fill(0, (c >> 2) + i * ldc, (c >> 2) + i * ldc + N);
    }
    C.set(arena.view(c, cSpan), cOff);
  } finally {
    arena.release(mark);
  }
}
