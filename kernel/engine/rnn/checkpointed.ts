// Gradient checkpointing through time for one layer and direction (Chen et al. 2016, "Training
// deep nets with sublinear memory cost", along the time axis; Gruslys et al. 2016 for RNNs). The
// forward runs the sequence segment by segment and keeps only the state that feeds each segment;
// the backward visits the segments in its own order (last first for a forward direction), runs
// each segment's forward again from its state to get its tape, and back-propagates through it,
// handing ∂L/∂h (and ∂L/∂c) at the segment's start to the next one.
//
//   plain BPTT     tape (T,N,G·H + 2H) kept from the forward to the backward
//   checkpointed   states (⌈T/S⌉,N,H) (and c) + one segment's tape (S,N,G·H + 2H) at a time
//
// With S ≈ √T the tape's memory goes from O(T) to O(√T)·N·H, for one more forward per backward.
//
// Exact: the gradients are the same bit for bit as plain BPTT's. Each segment is a SequenceProblem
// of its own, run by the same kernels: a step computes the same values from the same state, the
// rows of the input projection and of dx are computed as in the whole sequence (the operands are
// chosen for the whole sequence's rows, SequenceProblem.planRows, and segments start on multiples
// of the GEMM's tile), and the sums over time continue from segment to segment in blocks that
// segments do not cut (timeBlocks.ts), in the same order as plain BPTT adds them.

import { type Buf } from '../gemm';
import { allocLike } from './blas';
import { cellBackward, cellForward, cellTimeSums, finishTimeSums, gateCount, type CellSpec } from './cell';
import { checkProblem, type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';
import { runsInBackwardOrder } from './timeBlocks';

/** The state that feeds a segment: h (N,H), and c (N,H) for an LSTM. */
interface SegmentStart<B extends Buf> {
  h: B;
  c: B | null;
}

/** What a checkpointed forward keeps for its backward. */
export interface CheckpointedTape<B extends Buf = Buf> {
  /** Steps per segment: segment k is [k·S, min(T, (k+1)·S)). A multiple of blockSteps(N) (timeBlocks.ts). */
  segment: number;
  /** The state that feeds each segment, by segment index. */
  starts: SegmentStart<B>[];
}

/** A cast for subarrays of a B, which TypeScript types as the union of the array types. */
const asB = <B extends Buf>(v: Buf): B => v as B;

/** Steps [t0, t1) of `p` as a problem of its own, started from `start`. */
function segmentProblem<B extends Buf>(p: SequenceProblem<B>, t0: number, t1: number, start: SegmentStart<B>): SequenceProblem<B> {
  const { N, I } = p;
  const segment: SequenceProblem<B> = {
    ...p,
    T: t1 - t0,
    // Row n is active at step t iff t < len[n]: locally, at τ = t − t0 < len[n] − t0.
    lengths: Int32Array.from(p.lengths, (len) => Math.max(0, Math.min(len, t1) - t0)),
    x: asB<B>(p.x.subarray(t0 * N * I, t1 * N * I)),
    h0: start.h,
    c0: start.c,
    planRows: p.planRows ?? p.T * N,
  };
  if (p.rows) segment.rows = { ...p.rows, index: p.rows.index.subarray(t0 * N, t1 * N) };
  return segment;
}

/**
 * Runs the sequence forward into `out` segment by segment, `segment` steps each (a multiple of
 * blockSteps(p.N)); returns the state that feeds each segment.
 */
export function checkpointedForward<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, out: SequenceOutputs<B>, segment: number): CheckpointedTape<B> {
  // x is (T,N,I), y is (T,N,H) or (N,T,H) with batchFirst; a segment [t0, t1) writes its steps of y
  const { T, N, H } = p;
  const lstm = cell.kind === 'lstm';
  checkProblem(p, gateCount(cell), 'checkpointedForward');
  const starts: SegmentStart<B>[] = [];
  let state: SegmentStart<B> = { h: p.h0, c: lstm ? (p.c0 ?? allocLike(p.x, N * H)) : null };
  for (const [t0, t1] of runsInBackwardOrder(T, segment, p.reverse).reverse()) {
    starts[t0 / segment] = state;
    const y = out.batchFirst ? allocLike(p.x, (t1 - t0) * N * H) : asB<B>(out.y.subarray(t0 * N * H, t1 * N * H));
    const next: SequenceOutputs<B> = { y, hN: allocLike(p.x, N * H), cN: lstm ? allocLike(p.x, N * H) : null };
    const capture = out.capture;
    if (capture && capture.step >= t0 && capture.step < t1) next.capture = { ...capture, step: capture.step - t0 };
    cellForward(cell, segmentProblem(p, t0, t1, state), next, false);
    if (out.batchFirst) copySteps(y, out.y, T, N, H, t0, t1, false);
    state = { h: next.hN, c: next.cN };
  }
  out.hN.set(state.h);
  if (out.cN && state.c) out.cN.set(state.c);
  return { segment, starts };
}

/**
 * Steps [t0, t1) between a time-major segment `seg` (t1−t0,N,H) and a batch-major (N,T,H) `whole`:
 * into `whole`, or out of it with `gather`.
 */
function copySteps(seg: Buf, whole: Buf, T: number, N: number, H: number, t0: number, t1: number, gather: boolean): void {
  for (let t = t0; t < t1; t++)
    for (let n = 0; n < N; n++) {
      const [s, w] = [((t - t0) * N + n) * H, (n * T + t) * H];
      if (gather) seg.set(whole.subarray(w, w + H), s);
      else whole.set(seg.subarray(s, s + H), w);
    }
}

/**
 * The gradient of steps [t0, t1) of the output, time-major: its rows of dy (gathered from a
 * batch-major dy), with the steps where dy may be non-zero (dyTimes) made local; dy null when it
 * is zero on the whole range.
 */
function segmentOutputGrads<B extends Buf>(p: SequenceProblem<B>, grads: SequenceOutputGrads<B>, t0: number, t1: number): Pick<SequenceOutputGrads<B>, 'dy' | 'dyTimes'> {
  const { T, N, H } = p;
  const { dy, dyTimes } = grads;
  if (!dy) return { dy: null };
  const [from, to] = dyTimes ? [Math.max(dyTimes[0], t0), Math.min(dyTimes[1], t1)] : [t0, t1];
  if (from >= to) return { dy: null };
  let local = asB<B>(dy.subarray(t0 * N * H, t1 * N * H));
  if (grads.batchFirst) copySteps((local = allocLike(p.x, (t1 - t0) * N * H)), dy, T, N, H, t0, t1, true);
  return dyTimes ? { dy: local, dyTimes: [from - t0, to - t0] } : { dy: local };
}

/**
 * BPTT through a checkpointed forward: per segment, in the order the backward visits them, the
 * segment's forward again (its tape), then its backward, which adds into the sums over time.
 */
export function checkpointedBackward<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, tape: CheckpointedTape<B>, grads: SequenceOutputGrads<B>, options: BackwardOptions<B>): SequenceInputGrads<B> {
  // dy is (T,N,H) (or (N,T,H) with batchFirst), dh_n and dc_n are (N,H)
  const { T, N, H, I } = p;
  const S = tape.segment;
  const lstm = cell.kind === 'lstm';
  const sums = cellTimeSums(cell, p);
  // dx by segments, unless the wasm kernels give the table's gradient instead (p.rows)
  const dx = options.needDx && !sums.tableSums ? allocLike(p.x, T * N * I) : null;
  let dh = grads.dhN;
  let dc = grads.dcN;
  for (const [t0, t1] of runsInBackwardOrder(T, S, p.reverse)) {
    const sp = segmentProblem(p, t0, t1, tape.starts[t0 / S]!);
    const scratch = { y: allocLike(p.x, (t1 - t0) * N * H), hN: allocLike(p.x, N * H), cN: lstm ? allocLike(p.x, N * H) : null };
    const segmentTape = cellForward(cell, sp, scratch);
    const g = cellBackward(sp, segmentTape, { ...segmentOutputGrads(p, grads, t0, t1), dhN: dh, dcN: dc }, {
      needDx: options.needDx,
      stepNorms: options.stepNorms?.subarray(t0, t1) ?? null,
      retainTape: false,
      sums,
    });
    [dh, dc] = [g.dh0, g.dc0];
    if (dx && g.dx) dx.set(g.dx, t0 * N * I);
  }
  const dTable = finishTimeSums(cell, p, sums, options.needDx);
  return { dx, dTable, dWih: sums.dWih, dWhh: sums.dWhh, dbIh: sums.dbIh, dbHh: sums.dbHh, dh0: dh!, dc0: p.c0 ? dc : null };
}
