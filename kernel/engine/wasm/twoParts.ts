// A stretch of kernel calls cut in two and run on two kernel threads with one meeting: the caller
// runs its part while the helper replays a recorded trace of the other part's calls (replay.ts),
// instead of meeting once per product. rnn/rowSplit.ts cuts a recurrent sequence by rows of the
// batch this way, rnn/wasmTimeSums.ts the sums over time by columns, rnn/wasmSequence.ts the
// input side's passes over rows (a small-input projection, the input bias, an embedding's table
// rows). Each part writes its own outputs and every value is computed as one thread computes it,
// so the results do not depend on where the cut falls.

import { F, type WasmKernels } from './instance';
import { putTrace, recordKernelCalls, replayHere, traceResults, UntraceableError, type KernelTrace } from './replay';
import { planSplit, runAlone, runReplay, teamFor, teamStats, type SplitPlan, type Team } from './team';

/**
 * Records the kernel calls of `theirs(i)` for i = 0 … steps − 1, then runs `mine()` here while
 * the helper replays them (this thread replays them itself when the helper has not started by
 * then). Returns what the replay stored per step (replay.ts's result slots), or null when the
 * calls could not be traced: then nothing ran, and the caller runs both parts itself.
 * Memory the recorded code allocated (and released again) stays reserved for the helper until
 * both parts are done: `mine()` allocates above it.
 */
export function replayBeside(w: WasmKernels, team: Team, plan: SplitPlan, steps: number, theirs: (i: number) => number | void, mine: () => void): Float64Array | null {
  const arena = w.arena;
  const mark = arena.mark();
  try {
    arena.takePeak();
    let trace: KernelTrace;
    try {
      trace = recordKernelCalls(w, steps, theirs);
    } catch (e) {
      if (!(e instanceof UntraceableError)) throw e;
      return null;
    }
    const peak = arena.takePeak();
    if (peak > arena.mark()) arena.alloc((peak - arena.mark()) / F);
    const { at, results } = putTrace(w, trace);
    runReplay(team, at, () => runAlone(mine), () => replayHere(w, trace, results), plan);
    return traceResults(w, trace, results).slice();
  } finally {
    arena.release(mark);
  }
}

/**
 * Runs `part(from, count)` over units [0, units): cut in two on two kernel threads — part(0,
 * mine) here while the helper replays part(mine, units − mine), the cut learned per `key` as a
 * product's column panels are (planSplit) — or all of it here (one thread, the helper not up,
 * fewer than 2 units, calls that cannot be traced). `part` reaches the kernels through w.k at
 * call time and does not read what they write (replay.ts), and its units write apart.
 */
export function runInTwoParts(w: WasmKernels, key: string, units: number, part: (from: number, count: number) => void): void {
  const team = units >= 2 ? teamFor(w) : null;
  if (!team) return part(0, units);
  const plan = planSplit(team, key, units);
  const done = replayBeside(w, team, plan, 1, () => part(plan.mine, units - plan.mine), () => part(0, plan.mine));
  if (done === null) part(0, units);
  else teamStats.twoParts++;
}
