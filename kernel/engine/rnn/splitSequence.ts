// A batch-1 sequence on two threads (setNumThreads(2)), forward only (inference: no tape).
//
// At batch 1 a step is a matrix-vector product with the whole of w_hh (1 MB for an LSTM of 256
// units), which streams from L3 on one core. Here each thread owns the rows of w_hh (and of w_ih
// and the biases) that feed its half of the hidden units, for all gate blocks: half the weights,
// which stay in that core's own L2 across steps, and the gate kernel on its own units. The threads
// meet once per step (team.ts runSplit: both need the whole h_t for step t+1); when the helper is
// late, the caller runs its part too, so the result never waits on a descheduled thread.
//
// Every value is computed by the same kernels in the same order as the one-thread path (a gate's
// dot products do not depend on where its column sits in the product), so the results are the
// same bit for bit (tests: recurrent-split).

import { plannedPackB, type PackedB } from '../wasm/gemm';
import { type KernelExports, type WasmKernels } from '../wasm/instance';
import { runSplit, teamFor, type TeamOp } from '../wasm/team';
import { stepTime, type SequenceOutputs, type SequenceProblem } from './sequence';
import { foldedBias, prevStateAt, projectInputWasm, stateAt, uploadStates, writeOutputs } from './wasmSequence';

const F = 4;

type PackArgs = Parameters<KernelExports['pack_b']>;

/**
 * Multiply-adds per step (G·H·H) below which a batch-1 sequence stays on one thread: a step's
 * hand-over costs about a µs. Measured here (T = 128, one layer, 2 vs 1 thread): LSTM H=96
 * (37k) 1.02×, GRU H=128 (49k) 0.66×, LSTM H=128 0.67×, LSTM H=192 0.58×, RNN H=512 0.58×.
 */
const SPLIT_MIN_STEP_WORK = 48 * 1024;

/** The cells this path runs: LSTM, GRU in PyTorch's form, Elman RNN. */
export type SplitCell = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

const GATES: Record<SplitCell, number> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };
const OPS: Record<SplitCell, TeamOp> = { lstm: 'lstm_b1_part', gru: 'gru_b1_part', rnn_tanh: 'rnn_tanh_b1_part', rnn_relu: 'rnn_relu_b1_part' };

/** Whether the forward of `p` runs split (batch 1, big enough, a helper thread up). */
export function splitsBatch1(w: WasmKernels, p: SequenceProblem<Float32Array>, cell: SplitCell, keepTape: boolean): boolean {
  return !keepTape && p.N === 1 && p.H >= 32 && GATES[cell] * p.H * p.H >= SPLIT_MIN_STEP_WORK && teamFor(w) !== null;
}

/** Hidden units [0, split) go to the calling thread, [split, H) to the helper; 16-unit aligned (a cache line of floats). */
export function unitSplit(H: number): number {
  return Math.max(16, Math.min(H - 16, Math.round(H / 32) * 16));
}

/** Parts of the hidden units: [0, split) on the calling thread, [split, H) on the helper. */
function partRanges(H: number, split: number): [number, number][] {
  return [
    [0, split],
    [split, H],
  ];
}

/**
 * The rows of a (G·H, cols) weight or (G·H) bias reordered by part, into `dst` (an array or the
 * arena's memory) from index `at`: for the units [0, split) the G gate blocks, then the same for
 * [split, H). Part q's rows are then one (G·Hq, cols) block.
 */
export function putRowsByPart(src: Float32Array, G: number, H: number, cols: number, split: number, dst: Float32Array, at = 0): void {
  for (const [u0, u1] of partRanges(H, split)) {
    for (let g = 0; g < G; g++) {
      dst.set(src.subarray((g * H + u0) * cols, (g * H + u1) * cols), at);
      at += (u1 - u0) * cols;
    }
  }
}

function rowsByPart(src: Float32Array, G: number, H: number, cols: number, split: number): Float32Array {
  const out = new Float32Array(src.length);
  putRowsByPart(src, G, H, cols, split, out);
  return out;
}

interface Part {
  /** First unit and number of units. */
  u0: number;
  n: number;
  /** This part's rows of w_hh, packed for the GEMV. */
  w: PackedB;
  /** Offset of this part's gates within a step's G·H gates, in floats. */
  gateOff: number;
  /** GRU: h·w_partᵀ (3·n), b_hn of the part (n), scratch for r⊙(…) (n). */
  hh: number;
  bhn: number;
  hidden: number;
}

/** Runs the sequence forward, writing `out`; the caller checked splitsBatch1. */
export function forwardBatch1Split(w: WasmKernels, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, cell: SplitCell): void {
  // x is (T,1,I); gates (T,1,G·H) in part order: part 0's G blocks of n0 units, then part 1's
  const { T, H } = p;
  const G = GATES[cell];
  const GH = G * H;
  const split = unitSplit(H);
  const arena = w.arena;
  const mark = arena.mark();
  try {
    const len = arena.putInt32(p.lengths);
    const x = p.rows ? 0 : arena.put(p.x);
    const wIh = arena.alloc(p.wIh.length);
    putRowsByPart(p.wIh, G, H, p.I, split, arena.f32(), wIh >> 2);
    const bias = foldedBias(p, cell === 'gru' ? 2 * H : GH);
    const gates = projectInputWasm(w, p, x, GH, bias && rowsByPart(bias, G, H, 1, split), wIh);
    const hs = uploadStates(w, p, p.h0, null);
    const cs = cell === 'lstm' ? uploadStates(w, p, p.c0, null) : 0;
    const wHh = arena.alloc(p.wHh.length);
    putRowsByPart(p.wHh, G, H, H, split, arena.f32(), wHh >> 2);
    // Each part's rows packed for the GEMV (op(B)[h', g] = w_part[g, h']), the helper's on the helper.
    const packs = partRanges(H, split).map(([u0, u1]) => plannedPackB(w, wHh + G * u0 * H * F, 4, H * F, H, G * (u1 - u0), true));
    const packTeam = teamFor(w);
    if (packTeam) runSplit(packTeam, 'pack_b', packs[1]!.args, () => w.k.pack_b(...(packs[0]!.args as PackArgs)));
    else for (const { args } of packs) w.k.pack_b(...(args as PackArgs));
    const parts: Part[] = partRanges(H, split).map(([u0, u1], q) => ({
      u0,
      n: u1 - u0,
      w: packs[q]!.b,
      gateOff: G * u0,
      hh: cell === 'gru' ? arena.alloc(G * (u1 - u0)) : 0,
      bhn: cell === 'gru' ? (p.bHh ? arena.put(p.bHh.subarray(2 * H + u0, 2 * H + u1)) : arena.zeros(u1 - u0)) : 0,
      hidden: cell === 'gru' ? arena.alloc(u1 - u0) : 0,
    }));
    const op = OPS[cell];
    const kernel = w.k[op] as (...args: number[]) => void;
    // Each part's arguments at step t, written into one array per part (no allocation per step:
    // a step is ~8 µs of work, and runSplit copies the helper's arguments before it returns).
    const fill = (q: Part, t: number, into: number[]): void => {
      const hPrev = prevStateAt(p, hs, t);
      const unit = q.u0 * F;
      into.length = 0;
      into.push(hPrev, q.w.at, H, gates + (t * GH + q.gateOff) * F);
      if (cell === 'lstm') into.push(prevStateAt(p, cs, t) + unit, hPrev + unit, stateAt(p, cs, t) + unit, stateAt(p, hs, t) + unit, q.n, len, t);
      else if (cell === 'gru') into.push(q.hh, q.bhn, hPrev + unit, stateAt(p, hs, t) + unit, q.hidden, q.n, len, t);
      else into.push(hPrev + unit, stateAt(p, hs, t) + unit, q.n, len, t);
    };
    const mine: number[] = [];
    const theirs: number[] = [];
    const runMine = (): void => kernel(...mine);
    for (let s = 0; s < T; s++) {
      const t = stepTime(p, s);
      fill(parts[0]!, t, mine);
      fill(parts[1]!, t, theirs);
      const team = teamFor(w); // null while the helper is paused (the other core is busy)
      if (team) runSplit(team, op, theirs, runMine);
      else {
        kernel(...mine);
        kernel(...theirs);
      }
    }
    writeOutputs(w, p, hs, out.y, out.hN, cs, out.cN, out.batchFirst);
  } finally {
    arena.release(mark);
  }
}
