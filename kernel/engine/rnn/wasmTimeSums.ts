// The gradients that follow from a sequence's gate gradients on the WebAssembly kernels: the sums
// over time (dW_hh, db_hh, dW_ih, db_ih), added block by block in the order the backward visits
// the steps (timeBlocks.ts), and dx. The same computation as sequence.ts's gradsFromGates (the
// TypeScript kernels), over buffers in the arena.
//
// With x's rows taken from a table (an embedding lookup, p.rows), the input side sums the gate
// gradients per table row first, S (V,G·H); dW_ih = Sᵀ·table and dTable = S·w_ih follow once all
// steps are in (finishTableSums): after the last segment of a checkpointed sequence.

import { gemmPacked, packMatrixB, SPLIT_MIN_WORK } from '../wasm/gemm';
import { F, type WasmKernels } from '../wasm/instance';
import { smallInputKernels } from '../wasm/smallInput';
import { runInTwoParts } from '../wasm/twoParts';
import { KC, NR } from '../wasm/wat/gemm';
import { SMALL_INPUT_MAX } from '../wasm/wat/smallInput';
import { type SequenceProblem, type TimeSums } from './sequence';
import { timeBlocks } from './timeBlocks';

/** Rows [from, from + n) of dW_hh and the (T·N, H) matrix in the arena they multiply, row-aligned with the gate gradients. */
export type WasmRecurrentInput = [from: number, n: number, src: number];

/**
 * Adds the sums over time of one backward into `sums` (JS arrays, copied into the arena and back;
 * with `zero`, known to be zeros, only copied back).
 * dGi and dGh are the (T,N,G·H) gate gradients as the input and the hidden side see them (the
 * same buffer but in the GRU's resetAfter form); `x` is x's byte address (unused with p.rows).
 */
export function addTimeSums(w: WasmKernels, p: SequenceProblem<Float32Array>, GH: number, dGi: number, dGh: number, recurrent: readonly WasmRecurrentInput[], x: number, sums: TimeSums<Float32Array>, zero = false): void {
  const { N, H, I } = p;
  const arena = w.arena;
  const mark = arena.mark();
  try {
    // `zero`: the sums are fresh zeros, and are not read. A fresh array's pages are mapped at the
    // first touch, each a page fault (~11 µs on the project's VMs, 48 ms for an H = 1024 LSTM's
    // dW_hh); a read here and the write below would take them twice.
    const load = (a: Float32Array): number => (zero ? arena.zeros(a.length) : arena.put(a));
    const dWhh = load(sums.dWhh);
    const table = sums.tableSums ? load(sums.tableSums) : 0;
    const dWih = table ? 0 : load(sums.dWih);
    const dbIh = sums.dbIh ? load(sums.dbIh) : 0;
    // One gate gradient for both sides (LSTM, RNN, GRU's Cho form): db_hh is db_ih, copied below.
    const dbHh = sums.dbHh && (dGh !== dGi || !sums.dbIh) ? load(sums.dbHh) : 0;
    const blocks = timeBlocks(p.T, N, p.reverse);
    // The columns of every sum, in NR-column panels of dW_hh's: the caller's first panels and
    // the rest on the helper (one meeting for all the blocks), or all here. The other sums are
    // cut at the same share of their columns; the table's sums per row stay with the caller.
    const panels = p.T * N * GH * H >= SPLIT_MIN_WORK ? Math.ceil(H / NR) : 1;
    runInTwoParts(w, `time sums ${GH}×${H}×${I}`, panels, (from, count) => {
      const cols = (n: number, align: number): [number, number] => columnsOf(n, align, from, count, panels);
      const [h0, h1] = cols(H, NR);
      const [g0, g1] = cols(GH, 8);
      const [i0, i1] = cols(I, NR);
      for (const [t0, t1] of blocks) {
        const [r0, rows] = [t0 * N, (t1 - t0) * N];
        const dGhAt = dGh + r0 * GH * F;
        const dGiAt = dGi + r0 * GH * F;
        if (h1 > h0) for (const [row, n, src] of recurrent) addWeightGrad(w, rows, dGhAt, GH, row, n, src + r0 * H * F + h0 * F, H, h1 - h0, dWhh + (row * H + h0) * F);
        if (dbHh && g1 > g0) w.k.col_sums(dbHh + g0 * F, dGhAt + g0 * F, rows, GH * F, g1 - g0);
        if (!table && I <= SMALL_INPUT_MAX) {
          // Few input features: dW_ih and db_ih in one pass, dW_ih in runs of the GEMM's KC rows (the GEMM's sums)
          if (g1 > g0) smallInputKernels(w, I).sums(dWih + g0 * I * F, dbIh && dbIh + g0 * F, dGiAt + g0 * F, rows, GH * F, g1 - g0, x + r0 * I * F, KC);
          continue;
        }
        if (table) {
          if (from === 0) addPerTableRow(w, p, table, dGi, GH, r0, rows);
        } else if (i1 > i0) addWeightGrad(w, rows, dGiAt, GH, 0, GH, x + r0 * I * F + i0 * F, I, i1 - i0, dWih + i0 * F);
        if (dbIh && g1 > g0) w.k.col_sums(dbIh + g0 * F, dGiAt + g0 * F, rows, GH * F, g1 - g0);
      }
    });
    sums.dWhh.set(arena.view(dWhh, sums.dWhh.length));
    if (table) sums.tableSums!.set(arena.view(table, sums.tableSums!.length));
    else sums.dWih.set(arena.view(dWih, sums.dWih.length));
    if (dbIh) sums.dbIh!.set(arena.view(dbIh, GH));
    if (dbHh) sums.dbHh!.set(arena.view(dbHh, GH));
    else if (sums.dbHh && sums.dbIh) sums.dbHh.set(sums.dbIh);
  } finally {
    arena.release(mark);
  }
}

/** S[index[r]] += dG[r] for the rows [r0, r0 + rows), row after row; S (V,GH) and dG (T·N,GH) in the arena. */
function addPerTableRow(w: WasmKernels, p: SequenceProblem<Float32Array>, S: number, dG: number, GH: number, r0: number, rows: number): void {
  const index = p.rows!.index;
  for (let r = r0; r < r0 + rows; r++) w.k.add_rows(S + index[r]! * GH * F, 1, 0, dG + r * GH * F, GH);
}

/**
 * With p.rows, once every step is in sums.tableSums (S): dW_ih = Sᵀ·table into sums.dWih, and,
 * when asked for, dTable = S·w_ih (V,I) (the paddingIdx row 0).
 */
export function finishTableSums(w: WasmKernels, p: SequenceProblem<Float32Array>, GH: number, sums: TimeSums<Float32Array>, needDx: boolean): Float32Array | null {
  const { table, V, paddingIdx } = p.rows!;
  const arena = w.arena;
  const mark = arena.mark();
  try {
    const S = arena.put(sums.tableSums!);
    const dWih = arena.zeros(GH * p.I);
    addWeightGrad(w, V, S, GH, 0, GH, arena.put(table), p.I, p.I, dWih);
    sums.dWih.set(arena.view(dWih, GH * p.I));
    if (!needDx) return null;
    const dTable = inputGrad(w, p, S, GH, V);
    if (paddingIdx >= 0 && paddingIdx < V) dTable.fill(0, paddingIdx * p.I, (paddingIdx + 1) * p.I);
    return dTable;
  } finally {
    arena.release(mark);
  }
}

/**
 * dW (M,K) at `into` (rows ld floats apart) += Σ_rows dG[:, gOff:gOff+M]ᵀ · src, with dG (rows,
 * ldG) and src (rows, K) (rows ld floats apart) row-aligned, all in the arena.
 */
function addWeightGrad(w: WasmKernels, rows: number, dG: number, ldG: number, gOff: number, M: number, src: number, ld: number, K: number, into: number): void {
  const arena = w.arena;
  const mark = arena.mark();
  const b = packMatrixB(w, src, ld, false, rows, K, false);
  gemmPacked(w, true, M, rows, dG + gOff * F, ldG, b, into, ld, 1);
  arena.release(mark);
}

/**
 * Columns [a, b) of n that units [from, from + count) of `units` stand for: cut at the same share,
 * on multiples of `align` (so that every column keeps its place in the kernels' vectors and
 * panels); the first part starts at 0 and the last ends at n, so the parts tile [0, n).
 */
function columnsOf(n: number, align: number, from: number, count: number, units: number): [number, number] {
  const at = (u: number): number => (u <= 0 ? 0 : u >= units ? n : Math.min(n, Math.round((n * u) / units / align) * align));
  return [at(from), at(from + count)];
}

/** dx (rows, I) = dG (rows, GH) · w_ih (GH, I), as a JS array (rows: T·N, or V for a table). */
export function inputGrad(w: WasmKernels, p: SequenceProblem<Float32Array>, dG: number, GH: number, rows = p.T * p.N): Float32Array {
  const arena = w.arena;
  const mark = arena.mark();
  const out = arena.alloc(rows * p.I);
  const wIh = arena.put(p.wIh);
  const b = packMatrixB(w, wIh, p.I, false, GH, p.I, false); // op(B)[g, i] = w_ih[g, i]
  gemmPacked(w, false, rows, GH, dG, GH, b, out, p.I, 0);
  const dx = arena.view(out, rows * p.I).slice();
  arena.release(mark);
  return dx;
}
