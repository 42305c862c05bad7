// One layer and direction on the WebAssembly kernels, the same for every cell: the forward over
// all steps and the BPTT backward, with what they share — the buffers the backward needs go into
// the arena first, so that they may stay there for it (wasmResident.ts), the tape is left in place
// or copied out, and the weight and input gradients follow from the gate gradients of all steps
// (wasmTimeSums.ts).
// Each cell (wasmLstm.ts, wasmGru.ts, wasmVanilla.ts) supplies what is its own: its tape's buffers
// and its step kernels. The same computation as the TypeScript kernels (lstm.ts, gru.ts,
// vanilla.ts), which stay as the readable reference and the Float64Array path; the tapes have one
// layout, so either path can run the backward of the other's forward.
//
// Buffers live in the arena at byte addresses; states are (T+1,N,H) with h0 beside them
// (wasmSequence.ts).

import { F, type WasmKernels } from '../wasm/instance';
import { checkProblem, stepTime, zeroTimeSums, type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';
import { forwardBatch1Split, splitsBatch1, type SplitCell } from './splitSequence';
import { runStepsByRows } from './rowSplit';
import { batchMajorOutput, outputGradAt, putOutputGrad, stateAt, stepOut, writeOutputs, type BatchRows } from './wasmSequence';
import { addTimeSums, finishTableSums, inputGrad, type WasmRecurrentInput } from './wasmTimeSums';
import { copiedTape, keepResident, makeRoom, releaseResident, residentBuffers, residentTape, type ResidentBuffers } from './wasmResident';

/** The tape's buffers in the arena besides the lengths and x: the states, and what else the cell keeps. */
export type TapeBuffers = Pick<ResidentBuffers, 'hs'> & Partial<Pick<ResidentBuffers, 'gates' | 'cs' | 'hidden'>>;

const NONE = { gates: 0, cs: 0, hidden: 0 };

/** What one cell brings to a sequence on the wasm kernels. */
export interface WasmCell<Tape extends object> {
  /** Gate blocks stacked in the weights: LSTM 4, GRU 3, RNN 1. */
  gates: number;
  /** The forward's name in errors, e.g. 'lstmForward'. */
  name: string;
  /** The batch-1 inference on two threads (splitSequence.ts) that runs this cell, or null. */
  split: SplitCell | null;
  /** The tape's fields that are not arrays (the RNN's nonlinearity, the GRU's form). */
  plain: Partial<Tape>;
  /** Floats of the tape's buffers besides the lengths, x and the hidden states (the room it asks for). */
  tapeFloats(p: SequenceProblem): number;
  /** Forward, after the lengths and x: allocates the buffers the backward needs (the gates, the states, …). */
  allocTape(w: WasmKernels, p: SequenceProblem<Float32Array>, x: number): TapeBuffers;
  /**
   * Forward: the weights and temporaries above the tape; returns step t's kernels on `rows` of the
   * batch (all of them, or a thread's part: rowSplit.ts). The kernels are reached through w.k
   * when called, as a trace records them (wasm/replay.ts).
   */
  forwardStep(w: WasmKernels, p: SequenceProblem<Float32Array>, b: ResidentBuffers): (t: number, rows: BatchRows) => void;
  /** The tape's arrays: byte address and length of each. */
  tapeArrays(p: SequenceProblem, b: ResidentBuffers): Record<string, [at: number, n: number]>;
  /** Backward without resident buffers: the tape's arrays copied back in, as allocTape laid them out. */
  uploadTape(w: WasmKernels, p: SequenceProblem<Float32Array>, tape: Tape): TapeBuffers;
  /**
   * Backward: the gradient buffers and the weights; returns step t's kernels and where the gate
   * gradients go. `consumable`: the tape's gate activations are not read after this backward, and
   * a cell whose step kernel reads a step's gates before it writes their gradients may write them
   * in place (a (T,N,G·H) buffer less at the peak of a long sequence's memory).
   */
  backwardSteps(w: WasmKernels, p: SequenceProblem<Float32Array>, b: ResidentBuffers, grads: SequenceOutputGrads<Float32Array>, consumable: boolean): BackwardSteps;
}

export interface BackwardSteps {
  /**
   * Step t on `rows` of the batch: from `carry` (∂L/∂h_t from later steps) and `dy` (step t's
   * output gradient), (N,H) each, writes the step's gate gradients and ∂L/∂h_{t−1} into `next`
   * (N,H); returns Σ (∂L/∂h_t)² over the rows active at t.
   */
  step(t: number, carry: number, dy: number, next: number, rows: BatchRows): number;
  /** (T,N,G·H) gate gradients as the input side sees them (w_ih, b_ih, x). */
  dGi: number;
  /** The same as the hidden side sees them (w_hh, b_hh): dGi but in the GRU's resetAfter form. */
  dGh: number;
  /** dW_hh by blocks of rows: rows [from, from + n) = Σ_t dGh_t[:, from:from+n]ᵀ · src_t, src (T·N, H). */
  recurrentInputs: WasmRecurrentInput[];
  /** LSTM: ∂L/∂c, which holds ∂L/∂c_0 once the steps are done. */
  dc?: number;
}

/** Runs the sequence; returns the tape for the backward, or null (and copies less) without `keepTape`. */
export function wasmForward<Tape extends object>(w: WasmKernels, cell: WasmCell<Tape>, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, keepTape: boolean): Tape | null {
  // x is (T,N,I), w_ih is (G·H,I), w_hh is (G·H,H); y is (T,N,H), or (N,T,H) with out.batchFirst
  checkProblem(p, cell.gates, cell.name);
  if (cell.split && !out.capture && splitsBatch1(w, p, cell.split, keepTape)) {
    forwardBatch1Split(w, p, out, cell.split); // batch-1 inference on two threads
    return null;
  }
  const { T, N, H } = p;
  const arena = w.arena;
  const resident = keepTape && makeRoom(w, (N + T * N * p.I + (T + 1) * N * H + cell.tapeFloats(p)) * F);
  const mark = arena.mark();
  let kept = false;
  try {
    // Buffers the backward needs first (they may stay resident), then the temporaries.
    const len = arena.putInt32(p.lengths);
    const x = p.rows ? 0 : arena.put(p.x);
    const b: ResidentBuffers = { len, x, ...NONE, ...cell.allocTape(w, p, x) };
    const end = arena.mark();
    const step = cell.forwardStep(w, p, b);
    const yb = batchMajorOutput(w, p, out.batchFirst);
    runStepsByRows(w, p, cell.gates, T, (s, rows) => {
      const t = stepTime(p, s);
      step(t, rows);
      stepOut(w, p, b.hs, yb, t, rows);
    });
    writeOutputs(w, p, b.hs, out.y, out.hN, b.cs, out.cN, out.batchFirst, yb);
    if (out.capture) captureState(w, p, b, out.capture);
    if (!keepTape) return null;
    if (!resident) return copiedTape<Tape>(w, cell.plain, cell.tapeArrays(p, b));
    arena.release(end);
    const tape = residentTape<Tape>(w, cell.plain, cell.tapeArrays(p, b));
    keepResident(w, tape, mark, end, b);
    kept = true;
    return tape;
  } finally {
    if (!kept) arena.release(mark);
  }
}

/** The state after step `capture.step`, out of the (T+1,N,H) state buffers. */
function captureState(w: WasmKernels, p: SequenceProblem, b: ResidentBuffers, capture: NonNullable<SequenceOutputs<Float32Array>['capture']>): void {
  const nh = p.N * p.H;
  capture.h.set(w.arena.view(stateAt(p, b.hs, capture.step), nh));
  if (capture.c && b.cs) capture.c.set(w.arena.view(stateAt(p, b.cs, capture.step), nh));
}

export function wasmBackward<Tape extends object>(w: WasmKernels, cell: WasmCell<Tape>, p: SequenceProblem<Float32Array>, tape: Tape, grads: SequenceOutputGrads<Float32Array>, options: BackwardOptions<Float32Array>): SequenceInputGrads<Float32Array> {
  // dy is (T,N,H), dh_n (and dc_n) are (N,H); the gate gradients are (T,N,G·H)
  const { T, N, H } = p;
  const G = cell.gates * H;
  const arena = w.arena;
  const res = residentBuffers(w, tape);
  const mark = arena.mark();
  try {
    const b = res ?? { len: arena.putInt32(p.lengths), x: p.rows ? 0 : arena.put(p.x), ...NONE, ...cell.uploadTape(w, p, tape) };
    const dy = putOutputGrad(w, p, grads);
    // ∂L/∂h in two (N,H) buffers, the carry and the next step's, taking turns
    const carries = [grads.dhN ? arena.put(grads.dhN) : arena.zeros(N * H), arena.alloc(N * H)] as const;
    // An uploaded tape is this backward's copy; a resident one is freed after it unless retained.
    const steps = cell.backwardSteps(w, p, b, grads, !res || options.retainTape === false);
    const norms = runStepsByRows(w, p, cell.gates, T, (i, rows) => {
      const t = stepTime(p, T - 1 - i);
      return steps.step(t, carries[i & 1], outputGradAt(w, p, dy, t, rows), carries[(i + 1) & 1], rows);
    });
    if (options.stepNorms) for (let i = 0; i < T; i++) options.stepNorms[stepTime(p, T - 1 - i)] = Math.sqrt(norms[i]!);
    const carry = carries[T & 1];
    // The sums over time, into options.sums (a segment of a checkpointed sequence) or fresh zeros.
    const sums = options.sums ?? zeroTimeSums(p, G, true);
    addTimeSums(w, p, G, steps.dGi, steps.dGh, steps.recurrentInputs, b.x, sums, !options.sums);
    const dx = options.needDx && !p.rows ? inputGrad(w, p, steps.dGi, G) : null;
    const dTable = p.rows && !options.sums ? finishTableSums(w, p, G, sums, options.needDx) : null;
    const dh0 = arena.view(carry, N * H).slice();
    const dc0 = steps.dc !== undefined && p.c0 ? arena.view(steps.dc, N * H).slice() : null;
    return { dx, dTable, dWih: sums.dWih, dWhh: sums.dWhh, dbIh: sums.dbIh, dbHh: sums.dbHh, dh0, dc0 };
  } finally {
    arena.release(mark);
    if (res) releaseResident(w, tape, options.retainTape ?? true);
  }
}
