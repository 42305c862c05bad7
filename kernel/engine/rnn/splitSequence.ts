// A batch-1 sequence on two threads (setNumThreads(2)), forward only (inference: no tape).
//
// At batch 1 a step is a matrix-vector product with the whole of w_hh (1 MB for an LSTM of 256
// units), which streams from L3 on one core. Here each thread owns the rows of w_hh (and of w_ih
// and the biases) that feed its half of the hidden units, for all gate blocks: half the weights,
// which stay in that core's own L2 across steps, and the gate kernel on its own units. Each thread
// runs the whole sequence in one wasm call (wasm/wat/sequence.ts), and the threads meet once per
// step through words in shared memory (both need the whole h_t for step t+1); when the helper has
// not claimed its part of a step in time, the caller runs it too, so the result does not wait on
// a descheduled thread.
//
// Every value is computed by the same kernels in the same order as the one-thread path (a gate's
// dot products do not depend on where its column sits in the product), so the results are the
// same bit for bit (tests: recurrent-split).

import { plannedPackB, type PackedB } from '../wasm/gemm';
import { F, type KernelExports, type WasmKernels } from '../wasm/instance';
import { runSplit, teamFor, teamStats, type TeamOp } from '../wasm/team';
import { IN_PLACE_MAX_ROWS } from '../wasm/weightOperand';
import { SEQ_PARAM, SEQ_PARAM_WORDS, SEQ_PART, SEQ_SYNC_CLAIMS } from '../wasm/wat/sequence';
import { type SequenceOutputs, type SequenceProblem } from './sequence';
import { foldedBias, projectInputWasm, uploadStates, writeOutputs } from './wasmSequence';

type PackArgs = Parameters<KernelExports['pack_b']>;

/**
 * Multiply-adds per step (G·H·H) below which a batch-1 sequence stays on one thread: below it, the
 * threads' meeting at every step costs about as much as the half step it saves.
 */
const SPLIT_MIN_STEP_WORK = 48 * 1024;

/** The cells this path runs: LSTM, GRU in PyTorch's form, Elman RNN. */
export type SplitCell = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

const GATES: Record<SplitCell, number> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };
const SEQ_OPS = { lstm: 'lstm_b1_seq', gru: 'gru_b1_seq', rnn_tanh: 'rnn_tanh_b1_seq', rnn_relu: 'rnn_relu_b1_seq' } as const satisfies Record<SplitCell, TeamOp>;

/**
 * Whether the forward of `p` runs split (batch 1, big enough, a helper thread up). Not for a few
 * steps (text generation feeds one token per call): the split packs its weights, and a few steps
 * on one thread reading the weights in place (weightOperand) take less than the packing.
 */
export function splitsBatch1(w: WasmKernels, p: SequenceProblem<Float32Array>, cell: SplitCell, keepTape: boolean): boolean {
  return !keepTape && p.N === 1 && p.T > IN_PLACE_MAX_ROWS && p.H >= 32 && GATES[cell] * p.H * p.H >= SPLIT_MIN_STEP_WORK && teamFor(w) !== null;
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
    const packs = partRanges(H, split).map(([u0, u1]) => plannedPackB(w, wHh + G * u0 * H * F, F, H * F, H, G * (u1 - u0), true));
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
    // The whole sequence in one call per thread (wasm/wat/sequence.ts): parameters and a zeroed
    // sync block in wasm memory; the caller runs part 0 and takes part 1 of any step the helper
    // has not claimed in time.
    const params = new Int32Array(SEQ_PARAM_WORDS);
    params[SEQ_PARAM.T] = T;
    params[SEQ_PARAM.REVERSE] = p.reverse ? 1 : 0;
    params[SEQ_PARAM.STATE_STRIDE] = p.N * H * F;
    params[SEQ_PARAM.HS] = hs;
    params[SEQ_PARAM.CS] = cs;
    params[SEQ_PARAM.GATES] = gates;
    params[SEQ_PARAM.GATE_STRIDE] = GH * F;
    params[SEQ_PARAM.K] = H;
    params[SEQ_PARAM.LEN] = len;
    params[SEQ_PARAM.SYNC] = arena.zeros((SEQ_SYNC_CLAIMS >> 2) + T);
    parts.forEach((q, i) => {
      const at = SEQ_PARAM.PART + i * SEQ_PARAM.PART_WORDS;
      params[at + SEQ_PART.UNIT_BYTES] = q.u0 * F;
      params[at + SEQ_PART.UNITS] = q.n;
      params[at + SEQ_PART.W] = q.w.at;
      params[at + SEQ_PART.GATE_BYTES] = q.gateOff * F;
      params[at + SEQ_PART.HH] = q.hh;
      params[at + SEQ_PART.BHN] = q.bhn;
      params[at + SEQ_PART.HIDDEN] = q.hidden;
    });
    const paramsAt = arena.putInt32(params);
    const op = SEQ_OPS[cell];
    const kernel = w.k[op];
    const team = teamFor(w); // null while the helper is paused (the other core is busy)
    if (team) {
      let taken = 0;
      runSplit(team, op, [1, paramsAt], () => void (taken = kernel(0, paramsAt)));
      teamStats.sequenceSteps += T;
      teamStats.sequenceStepsTaken += taken;
    } else kernel(0, paramsAt);
    writeOutputs(w, p, hs, out.y, out.hN, cs, out.cN, out.batchFirst);
  } finally {
    arena.release(mark);
  }
}
