// The pieces of a sequence on the WebAssembly kernels (wasmCell.ts and its cells, wasmLstm.ts,
// wasmGru.ts, wasmVanilla.ts): operands copied into the arena, the state buffers with h0 stored
// next to the states, the input projection, and the output gradient read a step at a time (the
// gradients that follow from the gate gradients are wasmTimeSums.ts's). Same semantics as
// sequence.ts (which the TypeScript kernels use).
//
// State layout in the arena: (T+1,N,H), the T states plus h0 where the step before the first
// processed one would be: forward [h0 | h_0 … h_{T−1}], reverse [h_0 … h_{T−1} | h0]. Then the
// state feeding step t is always one row-block away from the state after it, and the previous
// states of all steps, in time order, are one contiguous (T·N, H) matrix.

import { packMatrixB, type PackedB } from '../wasm/gemm';
import { F, type WasmKernels } from '../wasm/instance';
import { smallInputKernels } from '../wasm/smallInput';
import { runInTwoParts } from '../wasm/twoParts';
import { SMALL_INPUT_MAX } from '../wasm/wat/smallInput';
import { multiplyByWeight, weightOperand, type WeightOperand } from '../wasm/weightOperand';
import { type SequenceOutputGrads, type SequenceProblem } from './sequence';

/** Byte address of the state after step t in a (T+1,N,H) state buffer at `base`. */
export function stateAt(p: SequenceProblem, base: number, t: number): number {
  return base + (p.reverse ? t : t + 1) * p.N * p.H * F;
}

/** Byte address of the state that feeds step t (h0 for the first processed step). */
export function prevStateAt(p: SequenceProblem, base: number, t: number): number {
  return base + (p.reverse ? t + 1 : t) * p.N * p.H * F;
}

/** Byte address of the (T·N, H) matrix of previous states, row-aligned with per-step buffers. */
export function prevStatesMatrix(p: SequenceProblem, base: number): number {
  return base + (p.reverse ? p.N * p.H * F : 0);
}

/** A (T+1,N,H) state buffer with h0 (or zeros) in place and, when given, the T states. */
export function uploadStates(w: WasmKernels, p: SequenceProblem<Float32Array>, h0: Float32Array | null, states: Float32Array | null): number {
  const { T, N, H } = p;
  const nh = N * H;
  const base = w.arena.alloc((T + 1) * nh);
  const f32 = w.arena.f32();
  const h0At = (base >> 2) + (p.reverse ? T * nh : 0);
  if (h0) f32.set(h0, h0At);
  else f32.fill(0, h0At, h0At + nh);
  if (states) f32.set(states, (base >> 2) + (p.reverse ? 0 : nh));
  return base;
}

/** Byte address of the (T,N,H) states (without h0) in a state buffer at `base`. */
export function statesAt(p: SequenceProblem, base: number): number {
  return base + (p.reverse ? 0 : p.N * p.H * F);
}

/** The (T,N,H) states of a state buffer, as a view into wasm memory (valid until it grows). */
function statesView(w: WasmKernels, p: SequenceProblem, base: number): Float32Array {
  return w.arena.view(statesAt(p, base), p.T * p.N * p.H);
}

/**
 * With batchFirst (and N > 1), the (N,T,H) output the forward fills one step at a time (stepOut)
 * while the step's state is in cache: a transpose after the loop would read every state back from
 * memory. Else 0.
 */
export function batchMajorOutput(w: WasmKernels, p: SequenceProblem, batchFirst: boolean | undefined): number {
  return batchFirst && p.N > 1 ? w.arena.alloc(p.T * p.N * p.H) : 0;
}

/**
 * Rows [from, from + count) of the batch: a step's kernels on part of it, the other rows on
 * another thread (rowSplit.ts). Every row of a recurrent step is computed on its own.
 */
export interface BatchRows {
  from: number;
  count: number;
}

/** All N rows. */
export function allRows(p: SequenceProblem): BatchRows {
  return { from: 0, count: p.N };
}

/** Byte address of the first of `rows` in a (N, width) block at `base`. */
export function rowAt(base: number, rows: BatchRows, width: number): number {
  return base + rows.from * width * F;
}

/** Byte address of the first of `rows`' lengths (int32 per row) at `len`. */
export function lengthsAt(len: number, rows: BatchRows): number {
  return len + rows.from * 4;
}

/** Copies `rows` of the state after step t into step t of a batch-major output `yb` (none when 0). */
export function stepOut(w: WasmKernels, p: SequenceProblem, hs: number, yb: number, t: number, rows: BatchRows = allRows(p)): void {
  const { T, H } = p;
  if (yb) w.k.copy_rows(rowAt(stateAt(p, hs, t), rows, H), H * F, yb + (rows.from * T + t) * H * F, T * H * F, rows.count, H * F);
}

/**
 * y (T,N,H) = the states, 0 past each row's length — (N,T,H) with `batchFirst`, from `yb` when
 * the forward filled it (batchMajorOutput); h_n (and c_n) = the state after the last step. `hs`
 * and `cs` are state buffers in the arena (cs 0 for none).
 */
export function writeOutputs(w: WasmKernels, p: SequenceProblem, hs: number, y: Float32Array, hN: Float32Array, cs: number, cN: Float32Array | null, batchFirst = false, yb = 0): void {
  const { T, N, H, lengths } = p;
  // At N = 1, (N,T,H) is (T,N,H): only a batch of several needs the copy batchMajorOutput made.
  if (batchFirst && N > 1 && !yb) throw new Error('writeOutputs: a batchFirst output of several rows needs the batch-major copy (batchMajorOutput)');
  y.set(yb ? w.arena.view(yb, T * N * H) : statesView(w, p, hs));
  const rowOf = (t: number, n: number): number => (batchFirst ? n * T + t : t * N + n) * H;
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) if (t >= lengths[n]!) y.fill(0, rowOf(t, n), rowOf(t, n) + H);
  const last = (p.reverse ? 0 : T - 1) * N * H;
  const after = statesView(w, p, hs); // the views are remade: the arena may have grown
  hN.set(after.subarray(last, last + N * H));
  if (cs && cN) cN.set(statesView(w, p, cs).subarray(last, last + N * H));
}

/**
 * Gates (T·N, GH) = x·w_ihᵀ + bias in the arena, where bias (GH) already sums b_ih and the parts
 * of b_hh that add to the same pre-activation. `wIhAt`: w_ih already in the arena (else p.wIh is
 * copied in). Returns its byte address.
 */
export function projectInputWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, x: number, GH: number, bias: Float32Array | null, wIhAt: number | null = null): number {
  if (p.rows) return projectTableRows(w, p, GH, bias, wIhAt);
  const rows = p.T * p.N;
  const arena = w.arena;
  const gates = arena.alloc(rows * GH);
  const mark = arena.mark();
  projectRows(w, p, rows, x, GH, bias, wIhAt ?? arena.put(p.wIh), gates);
  arena.release(mark);
  return gates;
}

/**
 * out (rows, GH) = x (rows, I)·w_ihᵀ + bias, all in the arena (w_ih at `wIh`): with few input
 * features in one pass (input_proj_I, wat/smallInput.ts: the same values as the GEMM and
 * add_rows), else the GEMM, w_ih packed or read in place as chosen for planRows(p), then the bias.
 */
function projectRows(w: WasmKernels, p: SequenceProblem<Float32Array>, rows: number, x: number, GH: number, bias: Float32Array | null, wIh: number, out: number): void {
  const arena = w.arena;
  const { I } = p;
  if (I <= SMALL_INPUT_MAX) {
    // w_ih (GH, I) transposed to (I, GH): each feature's weights one contiguous row
    const wT = arena.alloc(I * GH);
    const f32 = arena.f32();
    for (let g = 0; g < GH; g++) for (let i = 0; i < I; i++) f32[(wT >> 2) + i * GH + g] = f32[(wIh >> 2) + g * I + i]!;
    const b = bias ? arena.put(bias) : 0;
    rowsInTwoParts(w, `input projection ${GH}×${I}`, rows, GH, (r0, r1) => void smallInputKernels(w, I).proj(out + r0 * GH * F, r1 - r0, x + r0 * I * F, wT, b, GH));
    return;
  }
  multiplyByWeight(w, weightOperand(w, wIh, GH, I, planRows(p), planRows(p)), rows, x, I, out, GH, 0);
  if (!bias) return;
  const b = arena.put(bias);
  rowsInTwoParts(w, `bias ${GH}`, rows, GH, (r0, r1) => void w.k.add_rows(out + r0 * GH * F, r1 - r0, GH * F, b, GH));
}

/**
 * A pass that writes rows of its own (a small-input projection, the gather of table rows) on two
 * threads: in units of this many rows, and only with this many values or more (a pass over
 * memory takes a few µs per thousand values).
 */
const PROJECTION_ROWS = 64;
const PROJECTION_SPLIT_MIN = 1 << 17;

/** run(r0, r1) over rows [0, rows) of `width` values each, which write apart: the first rows here and the rest on the helper when it is up. */
function rowsInTwoParts(w: WasmKernels, key: string, rows: number, width: number, run: (r0: number, r1: number) => void): void {
  const unit = rows * width >= PROJECTION_SPLIT_MIN ? PROJECTION_ROWS : Math.max(1, rows);
  runInTwoParts(w, key, Math.ceil(rows / unit), (from, count) => run(from * unit, Math.min(rows, (from + count) * unit)));
}

/** Rows of x the operands are chosen for: the whole sequence's when p is a segment of it (SequenceProblem.planRows). */
function planRows(p: SequenceProblem): number {
  return p.planRows ?? p.T * p.N;
}

/** Rows [rowFrom, rowFrom + rowCount) of w_hh as the operand of the forward's per-step h·w_hhᵀ (multiplyByWeight). */
export function recurrentOperand(w: WasmKernels, p: SequenceProblem<Float32Array>, wHh: number, rowFrom: number, rowCount: number): WeightOperand {
  const op = weightOperand(w, wHh + rowFrom * p.H * F, rowCount, p.H, planRows(p), p.N);
  return op.kind === 'packed' ? { kind: 'packed', b: { ...op.b, stepwise: true } } : op;
}

/** w_hh packed as B for the backward's per-step dG·w_hh: op(B)[g, h'] = w_hh[g, h'] (GEMV panels at batch 1). */
export function packRecurrent(w: WasmKernels, p: SequenceProblem<Float32Array>, wHh: number): PackedB {
  return { ...packMatrixB(w, wHh, p.H, false, p.wHh.length / p.H, p.H, p.N === 1), stepwise: true };
}

/**
 * b_ih + b_hh folded into one bias of the input projection (both add to the same
 * pre-activation), or null without biases. `foldRows` limits the b_hh rows folded in: the GRU's
 * reset-after form keeps b_hn apart, inside r ⊙ (W_hn h + b_hn).
 */
export function foldedBias(p: SequenceProblem<Float32Array>, foldRows = p.wHh.length / p.H): Float32Array | null {
  if (!p.bIh && !p.bHh) return null;
  const b = new Float32Array(p.wHh.length / p.H); // (G·H)
  if (p.bIh) b.set(p.bIh);
  if (p.bHh) for (let i = 0; i < foldRows; i++) b[i] = b[i]! + p.bHh[i]!;
  return b;
}

/**
 * Gates (T·N, GH) when x's rows are rows of a table (p.rows): P (V, GH) = table·w_ihᵀ + bias, then
 * row r of the gates is P[index[r]]. Each value is the same dot product, in the same order, as
 * projectInputWasm computes from x. Returns the gates' byte address.
 */
function projectTableRows(w: WasmKernels, p: SequenceProblem<Float32Array>, GH: number, bias: Float32Array | null, wIhAt: number | null): number {
  const { table, V, index } = p.rows!;
  const rows = p.T * p.N;
  const arena = w.arena;
  const gates = arena.alloc(rows * GH);
  const mark = arena.mark();
  try {
    const projected = arena.alloc(V * GH);
    // Projected as projectInputWasm projects x's rows, so the values agree.
    projectRows(w, p, V, arena.put(table), GH, bias, wIhAt ?? arena.put(p.wIh), projected);
    const at = arena.putInt32(index);
    rowsInTwoParts(w, `table rows ${GH}`, rows, GH, (r0, r1) => void w.k.gather_rows(gates + r0 * GH * F, projected, at + r0 * 4, r1 - r0, GH * F));
  } finally {
    arena.release(mark);
  }
  return gates;
}

/** The output gradient dy in the arena (putOutputGrad), read a step at a time by outputGradAt. */
export interface OutputGrad {
  at: number;
  batchMajor: boolean;
  step: number;
  /** Steps [from, to) held at `at` (time-major); others read `zero`. The whole sequence without dyTimes. */
  from: number;
  to: number;
  zero: number;
}

/**
 * The output gradient dy in the arena, time-major: (T,N,H) — or only the steps [from, to) of
 * grads.dyTimes (dy is zero elsewhere: a select of the last step), with a zero (N,H) block for
 * every other step. With batchFirst (and N > 1) and no dyTimes, dy goes in as given, (N,T,H), and
 * outputGradAt copies each step's rows into a per-step (N,H) buffer (instead of a transpose of all
 * of dy before the loop). Zeros when dy is null.
 */
export function putOutputGrad(w: WasmKernels, p: SequenceProblem<Float32Array>, grads: SequenceOutputGrads<Float32Array>): OutputGrad {
  const { T, N, H } = p;
  const arena = w.arena;
  const whole = { from: 0, to: T, zero: 0 };
  if (!grads.dy) return { at: arena.zeros(T * N * H), batchMajor: false, step: 0, ...whole };
  const batchFirst = grads.batchFirst === true && N > 1;
  if (grads.dyTimes) {
    const [from, to] = grads.dyTimes;
    const at = arena.alloc(Math.max(1, to - from) * N * H);
    const f32 = arena.f32();
    for (let t = from; t < to; t++) {
      const into = (at >> 2) + (t - from) * N * H;
      if (!batchFirst) f32.set(grads.dy.subarray(t * N * H, (t + 1) * N * H), into);
      else for (let n = 0; n < N; n++) f32.set(grads.dy.subarray((n * T + t) * H, (n * T + t + 1) * H), into + n * H);
    }
    return { at, batchMajor: false, step: 0, from, to, zero: arena.zeros(N * H) };
  }
  return { at: arena.put(grads.dy), batchMajor: batchFirst, step: batchFirst ? arena.alloc(N * H) : 0, ...whole };
}

/**
 * Byte address of step t's output gradient rows (N,H), row stride H. Batch-major, `rows` of it
 * are copied into place first (the rows a step on part of the batch reads).
 */
export function outputGradAt(w: WasmKernels, p: SequenceProblem, dy: OutputGrad, t: number, rows: BatchRows = allRows(p)): number {
  const { T, N, H } = p;
  if (t < dy.from || t >= dy.to) return dy.zero;
  if (!dy.batchMajor) return dy.at + (t - dy.from) * N * H * F;
  w.k.copy_rows(dy.at + (rows.from * T + t) * H * F, T * H * F, rowAt(dy.step, rows, H), H * F, rows.count, H * F);
  return dy.step;
}
