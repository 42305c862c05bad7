// One layer and direction of a recurrent net as ONE op on the autograd tape: the fused kernel runs
// all time steps forward, and its GradFn runs the whole BPTT backward over flat buffers.
//
// An op has one output on the tape: y. h_n and c_n are tensors of their own whose input is y (so
// that their backward runs before the op's): they hand their gradients to the op's backward
// directly, and give y a zero gradient only when nothing else may (finalState).

import { backwardPassNumber, fromOp, handOver, isGradEnabled, Tensor, zeroOutsideOf } from '../tensor';
import { scatterAddRows } from '../tableRows';
import { cellBackward, cellForward, cellForwardCopied, type CellSpec, type CellTape } from './cell';
import { checkpointedBackward, checkpointedForward } from './checkpointed';
import { swapLeadingDims, type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';
import { segmentSteps } from './timeBlocks';
import { buildDirectionTrace, type DirectionTrace } from './trace';

export interface DirectionWeights {
  /** (G·H, I) */
  wIh: Tensor;
  /** (G·H, H) */
  wHh: Tensor;
  /** (G·H) or null */
  bIh: Tensor | null;
  /** (G·H) or null */
  bHh: Tensor | null;
}

export interface DirectionResult {
  /** (T,N,H), or (N,T,H) when the run asked for batchFirstOutput */
  y: Tensor;
  /** (N,H) */
  hN: Tensor;
  /** (N,H) for LSTM, else null */
  cN: Tensor | null;
  /** The state after `captureAt` steps, when the run asked for it: h (N,H) and, for LSTM, c (N,H). */
  captured?: { h: Float32Array; c: Float32Array | null };
}

export interface DirectionRun {
  cell: CellSpec;
  /** (T,N,I), time-major */
  x: Tensor;
  weights: DirectionWeights;
  /** (N,H) */
  h0: Tensor;
  /** (N,H), LSTM only; null means zeros */
  c0: Tensor | null;
  /** (N) valid steps per row, each in [1, T] */
  lengths: Int32Array;
  reverse: boolean;
  /** When set, the forward fills in a trace under this name (and the backward its gradient norms). */
  trace: { name: string; layer: number } | null;
  /**
   * When x's rows are rows of a table (an embedding lookup; `index` time-major, (T·N)): the op
   * takes the table as its input instead of x, and the fast kernels work on the table.
   */
  inputRows?: { table: Tensor; index: Int32Array; paddingIdx: number } | null;
  /** Return y batch-major (N,T,H) (the last layer of a one-direction batchFirst layer). */
  batchFirstOutput?: boolean;
  /**
   * Gradient checkpointing through time (checkpointed.ts): segments of `segment` steps (null: about
   * √T), rounded up to whole blocks of the sums over time. Only when a backward may follow.
   */
  checkpoint?: { segment: number | null } | null;
  /**
   * Also return the state after this many steps (0 … T; 0 is h0): where fit()'s truncated BPTT
   * starts its next window (forward direction only). Values, outside the autograd graph.
   */
  captureAt?: number | null;
}

/** Runs one layer and direction; returns its outputs and, when asked, its trace. */
export function recurrentDirection(run: DirectionRun): DirectionResult & { trace: DirectionTrace | null } {
  const { cell, x, weights, h0, c0, lengths, reverse } = run;
  // With table rows the table is the op's input: the WebAssembly kernels work on it and give its
  // gradient; the TypeScript kernels read x (the same rows) and their dx is summed per table row.
  const rows = run.inputRows ?? null;
  const input = rows ? rows.table : x;
  const [T, N, I] = [x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const H = weights.wHh.shape[1]!;
  const lstm = cell.kind === 'lstm';
  const p: SequenceProblem<Float32Array> = {
    T,
    N,
    I,
    H,
    reverse,
    lengths,
    x: x.data,
    wIh: weights.wIh.data,
    wHh: weights.wHh.data,
    bIh: weights.bIh?.data ?? null,
    bHh: weights.bHh?.data ?? null,
    h0: h0.data,
    c0: lstm ? (c0?.data ?? null) : null,
  };
  if (rows) p.rows = { table: rows.table.data, V: rows.table.shape[0]!, index: rows.index, paddingIdx: rows.paddingIdx };
  const yn = T * N * H;
  const batchFirst = run.batchFirstOutput ?? false;
  const out: SequenceOutputs<Float32Array> = { ...outputs(cell, T, N, H), batchFirst };
  const captureAt = run.captureAt ?? null;
  if (captureAt !== null && reverse) throw new Error('recurrentDirection: a state is captured in the forward direction only');
  if (captureAt !== null && captureAt > 0 && captureAt < T) out.capture = { step: captureAt - 1, h: new Float32Array(N * H), c: lstm ? new Float32Array(N * H) : null };
  const inputs: Tensor[] = [input, weights.wIh, weights.wHh];
  if (weights.bIh) inputs.push(weights.bIh);
  if (weights.bHh) inputs.push(weights.bHh);
  inputs.push(h0);
  if (lstm && c0) inputs.push(c0);
  // Without a backward ahead (no grad, or nothing requires it) and without a trace, the fast
  // kernels need not keep the gates and states of every step.
  const backwardAhead = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const keepTape = run.trace !== null || backwardAhead;
  const segment = run.checkpoint && backwardAhead ? segmentSteps(T, N, run.checkpoint.segment) : T;
  const kept: Kept | null = segment < T ? checkpointedRun(cell, p, out, segment, run.trace !== null) : tapeRun(cell, p, out, keepTape);
  // The trace holds y time-major (T,N,H): a batch-major y is transposed into a copy it keeps.
  const yTimeMajor = (): Float32Array => {
    const y = new Float32Array(yn);
    swapLeadingDims(out.y, y, T, N, H, true);
    return y;
  };
  const trace = run.trace && kept ? buildDirectionTrace(cell, run.trace.name, run.trace.layer, reverse, p, kept.traceTape, batchFirst ? yTimeMajor() : out.y, batchFirst) : null;

  const finals: FinalStateGrads = { pass: -1, dhN: null, dcN: null };
  const y = fromOp(out.y, batchFirst ? [N, T, H] : [T, N, H], inputs, () => ({
    name: lstm ? 'LSTMBackward' : cell.kind === 'gru' ? 'GRUBackward' : 'RNNBackward',
    inputs,
    backward(g, { retainGraph }) {
      if (!kept) throw new Error('recurrentDirection: no tape was kept for this forward');
      const stepNorms = trace ? new Float64Array(T) : null;
      const fresh = finals.pass === backwardPassNumber();
      const dOut = { dy: g, dhN: fresh ? finals.dhN : null, dcN: fresh ? finals.dcN : null, batchFirst, dyTimes: timesOf(g, T, N, H, batchFirst) };
      finals.dhN = finals.dcN = null;
      const grads = kept.backward(dOut, { needDx: input.requiresGrad, stepNorms, retainTape: retainGraph });
      if (trace && stepNorms) trace.gradNorm = Array.from(stepNorms);
      // With a table for x: the kernels' dTable, or (TypeScript backward) dx summed per table row.
      const dInput = rows ? (grads.dTable ?? (grads.dx ? scatterAddRows(grads.dx, rows.index, rows.paddingIdx, rows.table.shape[0]!, I) : null)) : grads.dx;
      // The weight gradients are this backward's own arrays: a parameter's .grad may keep them.
      const res: (Float32Array | null)[] = [dInput, handOver(grads.dWih), handOver(grads.dWhh)];
      if (weights.bIh) res.push(handOver(grads.dbIh));
      if (weights.bHh) res.push(handOver(grads.dbHh));
      res.push(grads.dh0);
      if (lstm && c0) res.push(grads.dc0);
      return res;
    },
  }));
  const hN = finalState(y, out.hN, N, H, finals, 'dhN');
  const cN = out.cN ? finalState(y, out.cN, N, H, finals, 'dcN') : null;
  return { y, hN, cN, trace, ...(captureAt !== null ? { captured: capturedState(p, out, captureAt) } : {}) };
}

/** The state after `steps` steps: h0 (c0) after none, h_n (c_n) after all (carried past each row's length), else what the kernels copied out. */
function capturedState(p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, steps: number): { h: Float32Array; c: Float32Array | null } {
  if (out.capture) return { h: out.capture.h, c: out.capture.c };
  if (steps === 0) return { h: p.h0.slice(), c: out.cN ? (p.c0?.slice() ?? new Float32Array(p.N * p.H)) : null };
  return { h: out.hN.slice(), c: out.cN?.slice() ?? null };
}

/** What a forward keeps: its backward, and the tape for a trace (or how to make it again). */
interface Kept {
  backward(grads: SequenceOutputGrads<Float32Array>, options: BackwardOptions<Float32Array>): SequenceInputGrads<Float32Array>;
  traceTape: CellTape<Float32Array> | (() => CellTape<Float32Array>);
}

/** Plain BPTT: the forward's tape (none without `keepTape`, on the fast path). */
function tapeRun(cell: CellSpec, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, keepTape: boolean): Kept | null {
  const tape = cellForward(cell, p, out, keepTape);
  return tape && { backward: (grads, options) => cellBackward(p, tape, grads, options), traceTape: tape };
}

/**
 * Checkpointed through time: the states at segment starts. A trace's gates and c come from a
 * forward run again on the weights as they were (an optimizer changes them in place).
 */
function checkpointedRun(cell: CellSpec, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, segment: number, traced: boolean): Kept {
  const { T, N, H } = p;
  const tape = checkpointedForward(cell, p, out, segment);
  const backward: Kept['backward'] = (grads, options) => checkpointedBackward(cell, p, tape, grads, options);
  if (!traced) return { backward, traceTape: () => cellForwardCopied(cell, p, outputs(cell, T, N, H)) };
  const copy = (b: Float32Array | null): Float32Array | null => b && b.slice();
  const then: SequenceProblem<Float32Array> = { ...p, wIh: p.wIh.slice(), wHh: p.wHh.slice(), bIh: copy(p.bIh), bHh: copy(p.bHh), h0: p.h0.slice(), c0: copy(p.c0) };
  return { backward, traceTape: () => cellForwardCopied(cell, then, outputs(cell, T, N, H)) };
}

/** Fresh outputs of a (T,N,H) forward. */
function outputs(cell: CellSpec, T: number, N: number, H: number): SequenceOutputs<Float32Array> {
  return { y: new Float32Array(T * N * H), hN: new Float32Array(N * H), cN: cell.kind === 'lstm' ? new Float32Array(N * H) : null };
}

/**
 * The time steps [from, to) outside which y's gradient is zero, when a narrow or select along the
 * time dimension made it (y (T,N,H): dim 0; batchFirst (N,T,H): dim 1); else undefined.
 */
function timesOf(g: Float32Array, T: number, N: number, H: number, batchFirst: boolean): readonly [number, number] | undefined {
  const z = zeroOutsideOf(g);
  if (!z || z.n !== T) return undefined;
  const alongTime = batchFirst ? z.outer === N && z.inner === H : z.outer === 1 && z.inner === N * H;
  return alongTime ? [z.start, z.start + z.length] : undefined;
}

/** The final states' gradients of one backward pass, handed from h_n and c_n to the op. */
interface FinalStateGrads {
  pass: number;
  dhN: Float32Array | null;
  dcN: Float32Array | null;
}

/**
 * h_n or c_n (N,H) as a tensor whose input is y: its backward keeps its gradient for the op's
 * backward (which runs after it) and gives y a zero gradient, so that the op's backward runs even
 * when nothing else uses y (an encoder's final state); when y has a gradient of its own, adding
 * zeros to it costs one pass over y, as the packed output's copies did.
 */
function finalState(y: Tensor, data: Float32Array, N: number, H: number, finals: FinalStateGrads, key: 'dhN' | 'dcN'): Tensor {
  return fromOp(data, [N, H], [y], () => ({
    name: 'RecurrentFinalStateBackward',
    inputs: [y],
    backward(g) {
      const pass = backwardPassNumber();
      if (finals.pass !== pass) {
        finals.pass = pass;
        finals.dhN = finals.dcN = null;
      }
      finals[key] = new Float32Array(g);
      return [new Float32Array(y.size)];
    },
  }));
}
