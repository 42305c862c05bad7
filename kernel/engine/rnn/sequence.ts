// What every recurrent cell kernel shares: the problem description over flat buffers, the input
// projection for all time steps at once, the order of steps (forward or reverse, per-row lengths),
// and the weight and input gradients that only depend on the per-step gate gradients.
//
// Layout: time-major. x is (T,N,I), every per-step buffer is (T,N,·) indexed by the real time t
// (not by processing order), weights are PyTorch's (G·H, ·) with gate blocks stacked by rows.
//
// Variable lengths follow PyTorch's packed sequences: row n is active at step t iff t < len[n], in
// both directions. An inactive step leaves the row's state unchanged (so the forward direction's
// final state is the one after step len−1, and the reverse direction starts at len−1 from h0),
// writes 0 to the output, and passes gradients through untouched. A length may be 0 inside the
// engine (a segment of a checkpointed sequence that a row does not reach).
//
// The sums over time (the weight and bias gradients) are added block by block in the order the
// backward visits the steps (timeBlocks.ts), so that a segment's backward continues them exactly.

import { gemmStrided, type Buf } from '../gemm';
import { addColumnSums, addRowVector, allocLike } from './blas';
import { timeBlocks } from './timeBlocks';

/** One layer and direction over a padded batch. G is the number of gate blocks (1, 3 or 4). */
export interface SequenceProblem<B extends Buf = Buf> {
  T: number;
  N: number;
  I: number;
  H: number;
  /** Run t = T−1 … 0 instead of 0 … T−1. */
  reverse: boolean;
  /** (N) valid steps per row, each in [0, T] (the layers ask for at least 1). */
  lengths: Int32Array;
  /** (T,N,I) */
  x: B;
  /** (G·H, I) */
  wIh: B;
  /** (G·H, H) */
  wHh: B;
  /** (G·H) or null without biases */
  bIh: B | null;
  /** (G·H) or null without biases */
  bHh: B | null;
  /** (N,H) initial hidden state */
  h0: B;
  /** (N,H) initial cell state (LSTM only) */
  c0: B | null;
  /**
   * When the rows of x are rows of a table (an embedding lookup): the WebAssembly kernels then
   * project the table instead of x, and return the table's gradient (dTable) instead of dx. The
   * TypeScript kernels ignore it (x holds the same rows).
   */
  rows?: InputTableRows<B>;
  /**
   * Rows of x the kernels choose their operands for (packed or read in place): T·N, or the whole
   * sequence's when this problem is one segment of it (checkpointed.ts), so that the segment
   * computes each row as the whole sequence does.
   */
  planRows?: number;
}

/** x (T·N, I) = table (V, I) [index]. */
export interface InputTableRows<B extends Buf = Buf> {
  table: B;
  V: number;
  /** (T·N) table row of each row of x, time-major */
  index: Int32Array;
  /** Table row that gets no gradient (Embedding's paddingIdx), or -1. */
  paddingIdx: number;
}

/** Where the forward writes its results (the op passes views into one packed buffer). */
export interface SequenceOutputs<B extends Buf = Buf> {
  /** (T,N,H) hidden state at each step, 0 past a row's length; (N,T,H) with batchFirst */
  y: B;
  /** y is batch-major (N,T,H): a batchFirst layer's output without a transpose after it. */
  batchFirst?: boolean;
  /** (N,H) state after each row's last valid step */
  hN: B;
  /** (N,H) LSTM cell state after each row's last valid step; null for other cells */
  cN: B | null;
  /**
   * Also the state after step `step` (a time index; carried past a row's length, as h_n is) into
   * h (N,H), and c (N,H) for an LSTM: where fit()'s truncated BPTT starts its next window.
   */
  capture?: { step: number; h: B; c: B | null };
}

/** The gradient of the loss with respect to the outputs; null means zero. */
export interface SequenceOutputGrads<B extends Buf = Buf> {
  /** (T,N,H), or (N,T,H) with batchFirst */
  dy: B | null;
  batchFirst?: boolean;
  /** When dy is known to be zero outside time steps [from, to) (a select of y's last step): the fast kernels read only those. */
  dyTimes?: readonly [number, number];
  dhN: B | null;
  dcN: B | null;
}

/** Gradients for every input of one layer and direction. */
export interface SequenceInputGrads<B extends Buf = Buf> {
  /** (T,N,I), null when not asked for (or given as dTable) */
  dx: B | null;
  /** (V,I) with p.rows on the fast path, when the input's gradient was asked for */
  dTable?: B | null;
  dWih: B;
  dWhh: B;
  dbIh: B | null;
  dbHh: B | null;
  dh0: B;
  dc0: B | null;
}

/**
 * The gradients that are sums over time, accumulated block by block (timeBlocks.ts). A backward
 * given them (BackwardOptions.sums) adds into them, so that the segments of a checkpointed
 * sequence continue one another's sums.
 */
export interface TimeSums<B extends Buf = Buf> {
  /** (G·H, I); unused with tableSums (finishTableSums makes it). */
  dWih: B;
  /** (G·H, H) */
  dWhh: B;
  /** (G·H) or null without biases */
  dbIh: B | null;
  /** (G·H) or null without biases */
  dbHh: B | null;
  /**
   * With p.rows on the WebAssembly kernels: (V, G·H) the input-side gate gradients summed per
   * table row, from which dW_ih and dTable follow once all steps are in (finishTableSums).
   */
  tableSums: B | null;
}

/** Zeroed sums for a problem with G·H gate rows; `tableSums` when the kernels sum per table row. */
export function zeroTimeSums<B extends Buf>(p: SequenceProblem<B>, GH: number, tableSums: boolean): TimeSums<B> {
  return {
    dWih: allocLike(p.x, GH * p.I),
    dWhh: allocLike(p.x, GH * p.H),
    dbIh: p.bIh ? allocLike(p.x, GH) : null,
    dbHh: p.bHh ? allocLike(p.x, GH) : null,
    tableSums: tableSums && p.rows ? allocLike(p.x, p.rows.V * GH) : null,
  };
}

export interface BackwardOptions<B extends Buf = Buf> {
  /** Compute dx (skip it for the first layer when the input needs no gradient). */
  needDx: boolean;
  /**
   * When given (length T), receives ‖∂L/∂h_t‖ at every step t: the total gradient of the loss
   * with respect to h_t (from the output at t, from later steps, and from h_n), Frobenius norm
   * over the rows that are active at t.
   */
  stepNorms: Float64Array | null;
  /**
   * Keep the tape usable for another backward (default true). False lets the fast kernels free
   * the buffers a tape holds in wasm memory (Tensor.backward without retainGraph).
   */
  retainTape?: boolean;
  /**
   * Add the sums over time into these instead of fresh zeros, and leave table sums unfinished: the
   * backward of one segment of a checkpointed sequence (checkpointed.ts). The returned dW_ih,
   * dW_hh, db_ih and db_hh are then these arrays.
   */
  sums?: TimeSums<B>;
}

/** Time index of the step processed s-th. */
export function stepTime(p: SequenceProblem, s: number): number {
  return p.reverse ? p.T - 1 - s : s;
}

/** Time index whose state feeds step t, or −1 when it is h0. */
function prevTime(p: SequenceProblem, t: number): number {
  if (p.reverse) return t + 1 < p.T ? t + 1 : -1;
  return t - 1;
}

/** Time index of the last processed step: its state is h_n (states are carried past lengths). */
function lastTime(p: SequenceProblem): number {
  return p.reverse ? 0 : p.T - 1;
}

/** The state that feeds step t and its offset: `states` (T,N,H) at the previous step, or `initial` (N,H) at the first processed step. */
export function prevState<B extends Buf>(p: SequenceProblem, t: number, states: B, initial: B): [B, number] {
  const prev = prevTime(p, t);
  return prev < 0 ? [initial, 0] : [states, prev * p.N * p.H];
}

/** The rows inactive at step t keep their state, `prev` (N,H) at pOff, in `states` (T,N,H), and output 0 in y when given. */
export function carryInactiveRows(p: SequenceProblem, t: number, prev: Buf, pOff: number, states: Buf, y: Buf | null): void {
  const { N, H, lengths } = p;
  for (let n = 0; n < N; n++) {
    if (t < lengths[n]!) continue;
    const so = (t * N + n) * H;
    for (let j = 0; j < H; j++) states[so + j] = prev[pOff + n * H + j]!;
    y?.fill(0, so, so + H);
  }
}

/** h_n (or c_n) (N,H) into `into`: the states (T,N,H) after the last processed step. */
export function lastState(p: SequenceProblem, states: Buf, into: Buf): void {
  const last = lastTime(p) * p.N * p.H;
  into.set(states.subarray(last, last + p.N * p.H));
}

/**
 * The input projection for all steps with one GEMM: (T·N, G·H) = x·w_ihᵀ + b_ih + b_hh[c0:c1].
 * Folding b_hh in is exact wherever the cell adds it to the same pre-activation.
 */
export function projectInput<B extends Buf>(p: SequenceProblem<B>, GH: number, hhBiasFrom: number, hhBiasTo: number): B {
  // x is (T·N, I), w_ih is (G·H, I)
  const rows = p.T * p.N;
  const out = allocLike(p.x, rows * GH);
  gemmStrided(false, true, rows, GH, p.I, p.x, 0, p.I, p.wIh, 0, p.I, out, 0, GH, 0);
  if (p.bIh) addRowVector(out, rows, GH, p.bIh, 0, GH);
  if (p.bHh && hhBiasTo > hhBiasFrom) addRowVector(out, rows, GH, p.bHh, hhBiasFrom, hhBiasTo);
  return out;
}

/**
 * ∂L/∂h_t (N,H) into dh on the rows active at step t: what flows back from later steps (`carry`)
 * plus the output's gradient at t (dy is (T,N,H); null means zero). Its norm goes to stepNorms[t]
 * when asked for.
 */
export function stateGrad(p: SequenceProblem, t: number, carry: Buf, dy: Buf | null, dh: Buf, stepNorms: Float64Array | null): void {
  const { N, H, lengths } = p;
  for (let n = 0; n < N; n++) {
    if (t >= lengths[n]!) continue;
    const ro = n * H;
    const yo = (t * N + n) * H;
    for (let j = 0; j < H; j++) dh[ro + j] = carry[ro + j]! + (dy ? dy[yo + j]! : 0);
  }
  recordStepNorm(stepNorms, p, t, dh);
}

/** The rows inactive at step t pass ∂L/∂h on to the step before unchanged: next = carry there (N,H). */
export function passInactiveRows(p: SequenceProblem, t: number, carry: Buf, next: Buf): void {
  const { N, H, lengths } = p;
  for (let n = 0; n < N; n++) {
    if (t < lengths[n]!) continue;
    for (let j = n * H, end = j + H; j < end; j++) next[j] = carry[j]!;
  }
}

/** Rows [from, from + n) of dW_hh and what they multiply: 'prev' for h_{t−1}, else a (T,N,H) buffer row-aligned with the gate gradients. */
export type RecurrentInput<B extends Buf = Buf> = [from: number, n: number, src: B | 'prev'];

/**
 * After BPTT, the gradients that follow from the gate gradients: dW_hh (G·H, H) = Σ_t dGh_tᵀ·src_t
 * by blocks of rows (`recurrent`: h_{t−1} for all rows, but for the GRU's Cho form, whose n block
 * multiplies r ⊙ h_{t−1}), db_hh = Σ dGh, dW_ih (G·H, I) = Σ_t dGi_tᵀ·x_t, db_ih = Σ dGi, summed
 * block by block (timeBlocks.ts) into options.sums or fresh zeros; and dx (T·N, I) = dGi·w_ih.
 * dGi and dGh are (T,N,G·H), the pre-activation gradients as the input and the hidden side see
 * them: one buffer but in the GRU's resetAfter form. hs (T,N,H) holds the states after each step.
 */
export function gradsFromGates<B extends Buf>(p: SequenceProblem<B>, GH: number, dGi: B, dGh: B, hs: B, options: BackwardOptions<B>, recurrent: RecurrentInput<B>[] = [[0, GH, 'prev']]): Omit<SequenceInputGrads<B>, 'dh0' | 'dc0'> {
  const { N, H, I } = p;
  const sums = options.sums ?? zeroTimeSums(p, GH, false);
  for (const [t0, t1] of timeBlocks(p.T, N, p.reverse)) {
    const [r0, rows] = [t0 * N, (t1 - t0) * N];
    for (const [from, n, src] of recurrent) {
      const [s, sOff] = src === 'prev' ? prevStatesOfBlock(p, hs, t0, t1) : [src, r0 * H];
      gemmStrided(true, false, n, H, rows, dGh, r0 * GH + from, GH, s, sOff, H, sums.dWhh, from * H, H, 1);
    }
    if (sums.dbHh) addColumnSums(sums.dbHh, dGh, r0 * GH, rows, GH, GH);
    gemmStrided(true, false, GH, I, rows, dGi, r0 * GH, GH, p.x, r0 * I, I, sums.dWih, 0, I, 1);
    if (sums.dbIh) addColumnSums(sums.dbIh, dGi, r0 * GH, rows, GH, GH);
  }
  let dx: B | null = null;
  if (options.needDx) {
    // dx (T·N, I) = dGi·w_ih, row by row the same whatever the rows around it
    dx = allocLike(p.x, p.T * N * I);
    gemmStrided(false, false, p.T * N, I, GH, dGi, 0, GH, p.wIh, 0, I, dx, 0, I, 0);
  }
  return { dx, dWih: sums.dWih, dWhh: sums.dWhh, dbIh: sums.dbIh, dbHh: sums.dbHh };
}

/**
 * The states h_{t−1} (rows of N·H) that feed the steps [t0, t1), in time order, as a buffer and
 * offset: a view of `hs` (T,N,H), or a copy when h0 is among them (the first processed step).
 */
function prevStatesOfBlock<B extends Buf>(p: SequenceProblem<B>, hs: B, t0: number, t1: number): [B, number] {
  const { T, N, H } = p;
  const nh = N * H;
  if (!p.reverse && t0 > 0) return [hs, (t0 - 1) * nh];
  if (p.reverse && t1 < T) return [hs, (t0 + 1) * nh];
  const out = allocLike(p.x, (t1 - t0) * nh);
  if (!p.reverse) {
    out.set(p.h0);
    out.set(hs.subarray(0, (t1 - 1) * nh), nh);
  } else {
    out.set(hs.subarray((t0 + 1) * nh, T * nh));
    out.set(p.h0, (T - 1 - t0) * nh);
  }
  return [out, 0];
}

/** Checks buffer sizes against the dimensions (a kernel misuse is a bug, reported early). */
export function checkProblem(p: SequenceProblem, G: number, where: string): void {
  const { T, N, I, H } = p;
  const expect = (name: string, buf: Buf | null, n: number): void => {
    if (buf !== null && buf.length !== n) throw new Error(`${where}: ${name} has ${buf.length} values, expected ${n}`);
  };
  if (!(T > 0 && N > 0 && I > 0 && H > 0)) throw new Error(`${where}: empty problem T=${T} N=${N} I=${I} H=${H}`);
  expect('x', p.x, T * N * I);
  expect('w_ih', p.wIh, G * H * I);
  expect('w_hh', p.wHh, G * H * H);
  expect('b_ih', p.bIh, G * H);
  expect('b_hh', p.bHh, G * H);
  expect('h0', p.h0, N * H);
  expect('c0', p.c0, N * H);
  if (p.lengths.length !== N) throw new Error(`${where}: ${p.lengths.length} lengths for N=${N}`);
  for (let n = 0; n < N; n++) {
    const len = p.lengths[n]!;
    if (!(len >= 0 && len <= T)) throw new Error(`${where}: lengths[${n}] = ${len} is outside [0, ${T}]`);
  }
}

/** Fills `norms[t]` with the Frobenius norm of the active rows of dh (N,H) at step t. */
function recordStepNorm(norms: Float64Array | null, p: SequenceProblem, t: number, dh: Buf): void {
  if (norms === null) return;
  const { N, H, lengths } = p;
  let s = 0;
  for (let n = 0; n < N; n++) {
    if (t >= lengths[n]!) continue;
    for (let j = n * H, end = j + H; j < end; j++) s += dh[j]! * dh[j]!;
  }
  norms[t] = Math.sqrt(s);
}

/** (T,N,H) ↔ (N,T,H): row (t,n) of `from` to row (n,t) of `to`, or back with `toTimeMajor`. */
export function swapLeadingDims<B extends Buf>(from: B, to: B, T: number, N: number, H: number, toTimeMajor: boolean): void {
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      const [tn, nt] = [(t * N + n) * H, (n * T + t) * H];
      const [src, dst] = toTimeMajor ? [nt, tn] : [tn, nt];
      to.set(from.subarray(src, src + H), dst);
    }
}
