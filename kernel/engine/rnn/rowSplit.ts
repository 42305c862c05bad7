// A recurrent sequence on two kernel threads by rows of the batch. Each row of a recurrent layer
// depends on its own previous state only, so the caller runs all the steps of the first rows and
// the helper thread all the steps of the others, at the same time, meeting once at the end —
// instead of meeting twice per step to share out each step's product by columns (with the gate
// kernels between on the caller alone). The helper runs no TypeScript: the caller records its
// part's kernel calls (wasm/replay.ts) and the helper replays them.
//
// The rows are cut at a multiple of the GEMM's tile rows and each part's products are run the
// way the whole batch's would be (gemmPacked's planM), so every value is the one a single thread
// computes, bit for bit. Only the per-step Σ (∂L/∂h_t)² (the gradient norms a trace shows) adds
// the two parts' sums instead of summing the rows in one run: the same sum in another order.

import { type WasmKernels } from '../wasm/instance';
import { planSplit, teamFor, teamStats, type SplitPlan, type Team } from '../wasm/team';
import { replayBeside } from '../wasm/twoParts';
import { type SequenceProblem } from './sequence';
import { allRows, type BatchRows } from './wasmSequence';

/** Batches below this many rows are not cut (each part's products would be too thin). */
export const ROW_SPLIT_MIN_ROWS = 8;
/**
 * Multiply-adds of a sequence's recurrent products (T·N·G·H²) below which it is not cut either
 * (its large products are still split by columns): recording costs about a microsecond per
 * kernel call.
 */
const ROW_SPLIT_MIN_WORK = 1 << 22;
/**
 * Bytes of w_hh (G·H²·4) above which the products stay split by columns: each thread then reads
 * half of w_hh per step, against all of it by rows, and a large w_hh no longer comes from a
 * core's L2 cache. Measured on two threads (B = 16, one process, the two ways in turn): by rows
 * LSTM H = 64 1.15×, H = 128 (T = 200, 1000) 1.08–1.1×, H = 256 1.06× faster, GRU H = 128
 * (T = 1000) 1.3×, H = 256 1.04×; at 3–4 MB (GRU and LSTM H = 512) either way within the noise;
 * at 12–16 MB (H = 1024) by rows 0.85–0.9×.
 */
const ROW_SPLIT_MAX_WEIGHT_BYTES = 2 << 20;

/**
 * Runs `step(i, rows)` for i = 0 … steps − 1 (the sequence's steps in the order it processes
 * them) over all rows of the batch: on this thread, or the rows cut in two, the first part here
 * and the rest on the helper thread. Returns the per-step numbers `step` returns (the gradient's
 * Σ (∂L/∂h_t)² in the backward), summed over the parts; NaN where a step returns none.
 */
export function runStepsByRows(w: WasmKernels, p: SequenceProblem, gates: number, steps: number, step: (i: number, rows: BatchRows) => number | void): Float64Array {
  const sums = new Float64Array(steps).fill(NaN);
  const run = (rows: BatchRows): void => {
    for (let i = 0; i < steps; i++) sums[i] = numberOr(step(i, rows));
  };
  const cut = rowCut(w, p, gates, steps);
  if (!cut) {
    run(allRows(p));
    return sums;
  }
  const theirs = replayBeside(w, cut.team, cut.plan, steps, (i) => step(i, cut.theirs), () => run(cut.mine));
  if (theirs === null) {
    run(allRows(p));
    return sums;
  }
  teamStats.rowSplits++;
  for (let i = 0; i < steps; i++) sums[i] = sums[i]! + theirs[i]!;
  return sums;
}

function numberOr(x: number | void): number {
  return typeof x === 'number' ? x : NaN;
}

interface RowCut {
  team: Team;
  plan: SplitPlan;
  /** The caller's rows, then the helper's. */
  mine: BatchRows;
  theirs: BatchRows;
}

/**
 * Where to cut the batch, or null to run it on one thread (its products split by columns as
 * gemmPacked splits them): two threads set and the helper up, at least ROW_SPLIT_MIN_ROWS rows,
 * enough work and a w_hh of at most ROW_SPLIT_MAX_WEIGHT_BYTES. The caller's share of the row
 * groups (of the GEMM's tile rows each) is learned as a product's column panels are (planSplit).
 */
function rowCut(w: WasmKernels, p: SequenceProblem, gates: number, steps: number): RowCut | null {
  const { N, H } = p;
  if (N < ROW_SPLIT_MIN_ROWS || steps * N * gates * H * H < ROW_SPLIT_MIN_WORK || gates * H * H * 4 > ROW_SPLIT_MAX_WEIGHT_BYTES) return null;
  const team = teamFor(w);
  if (!team) return null;
  const MR = w.tileRows;
  const groups = Math.ceil(N / MR);
  const plan = planSplit(team, `rows ${N}×${gates * H}×${H}`, groups);
  const cut = Math.min(N - 1, plan.mine * MR);
  return { team, plan, mine: { from: 0, count: cut }, theirs: { from: cut, count: N - cut } };
}
