// The speed goals of issue 7, checked against the benchmark's columns. Each goal is a ratio of ms
// per step (RNN Lab over a peer, or TF.js over RNN Lab) against a bound:
//   - one thread: RNN Lab on this thread / PyTorch on 1 thread ≤ 1.2 (every workload);
//   - both cores (training): min(2 kernel threads, fit() 2 workers) / min(PyTorch 1, 2 threads) ≤ 0.6;
//   - batch-1 inference (train false): min(this thread, 2 kernel threads) / min(PyTorch 1, 2 threads) ≤ 0.5;
//   - TF.js: TF.js wasm / min(RNN Lab's columns) ≥ 25.
// A goal whose columns were not measured (--no-workers, no PyTorch, a peer that failed) is shown
// as '-' and left out of the count.

import type { PeerResult } from './rounds';

/** ms per step of the columns the goals read, for one workload; undefined where not measured. */
export interface GoalColumns {
  thisThread?: number;
  twoKernelThreads?: number;
  fitOneWorker?: number;
  fitTwoWorkers?: number;
  torchOneThread?: number;
  torchTwoThreads?: number;
  tfjsWasm?: number;
}

/**
 * The columns of one run (one round, or the rounds combined), as bench.ts holds them: fitPeers is
 * [1 worker, 2 workers] or empty; peers are the subprocess peers, known by their names
 * (`tfjs-4.22.0-wasm`, `pytorch-1.13.0-threads1`, as ../shared/bench's scripts print them).
 */
export interface RunColumns {
  ours: PeerResult;
  threads: PeerResult;
  fitPeers: readonly PeerResult[];
  peers: readonly PeerResult[];
  /**
   * For the workloads whose gradient reaches the subnormals, the flush off and on turn about
   * (ms_per_step without it, flush_on_ms_per_step with it): RNN Lab on this thread, then PyTorch
   * on 1 thread. Not a goal's column.
   */
  flushPairs?: readonly PeerResult[];
}

export const TFJS_WASM = /^tfjs-.*-wasm$/;
/** How many times faster than TF.js wasm every workload should run. */
export const TFJS_WASM_LEAD = 25;
export const TORCH_ONE_THREAD = /^pytorch-.*-threads1$/;
export const TORCH_TWO_THREADS = /^pytorch-.*-threads2$/;

/** The goals' columns for one workload of a run. */
export function goalColumns(workload: string, run: RunColumns): GoalColumns {
  const ms = (r: PeerResult | undefined): number | undefined => r?.results[workload]?.ms_per_step;
  const peer = (pattern: RegExp): number | undefined => ms(run.peers.find((r) => pattern.test(r.peer)));
  return {
    thisThread: ms(run.ours),
    twoKernelThreads: ms(run.threads),
    fitOneWorker: ms(run.fitPeers[0]),
    fitTwoWorkers: ms(run.fitPeers[1]),
    torchOneThread: peer(TORCH_ONE_THREAD),
    torchTwoThreads: peer(TORCH_TWO_THREADS),
    tfjsWasm: peer(TFJS_WASM),
  };
}

export interface Goal {
  /** Short name, the goals table's column header. */
  name: string;
  /** The ratio in words, for the legend. */
  ratio: string;
  bound: number;
  /** 'max': the ratio must be at most the bound; 'min': at least. */
  kind: 'max' | 'min';
  appliesTo(train: boolean): boolean;
  /** The ratio, or undefined when a column it needs was not measured. */
  measure(c: GoalColumns): number | undefined;
}

/** min of the values, or undefined when any is missing. */
function minOfAll(...xs: (number | undefined)[]): number | undefined {
  return xs.every((x): x is number => x !== undefined) ? Math.min(...xs) : undefined;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

export const GOALS: readonly Goal[] = [
  {
    name: 'one thread',
    ratio: 'this thread / PyTorch 1 thread',
    bound: 1.2,
    kind: 'max',
    appliesTo: () => true,
    measure: (c) => ratio(c.thisThread, c.torchOneThread),
  },
  {
    name: 'both cores',
    ratio: 'min(2 kernel threads, fit() 2 workers) / min(PyTorch 1, 2 threads)',
    bound: 0.6,
    kind: 'max',
    appliesTo: (train) => train,
    measure: (c) => ratio(minOfAll(c.twoKernelThreads, c.fitTwoWorkers), minOfAll(c.torchOneThread, c.torchTwoThreads)),
  },
  {
    name: 'batch-1 inference',
    ratio: 'min(this thread, 2 kernel threads) / min(PyTorch 1, 2 threads)',
    bound: 0.5,
    kind: 'max',
    appliesTo: (train) => !train,
    measure: (c) => ratio(minOfAll(c.thisThread, c.twoKernelThreads), minOfAll(c.torchOneThread, c.torchTwoThreads)),
  },
  {
    name: 'TF.js',
    ratio: 'TF.js wasm / min(RNN Lab columns)',
    bound: TFJS_WASM_LEAD,
    kind: 'min',
    appliesTo: () => true,
    // Over the RNN Lab columns this run measured: without fit() (--no-workers) the min can only be
    // larger, the ratio smaller, so a goal met without them is met with them too.
    measure: (c) => {
      const ours = [c.thisThread, c.twoKernelThreads, c.fitOneWorker, c.fitTwoWorkers].filter((x): x is number => x !== undefined);
      return ours.length === 0 ? undefined : ratio(c.tfjsWasm, Math.min(...ours));
    },
  },
];

export function isMet(goal: Goal, value: number): boolean {
  return goal.kind === 'max' ? value <= goal.bound : value >= goal.bound;
}

export interface GoalCheck {
  goal: Goal;
  /** The ratio from the combined (median) columns. */
  value: number;
  met: boolean;
  /** In how many of the rounds the goal was met, from each round's own columns (rounds where it could be measured). */
  metInRounds: number;
  measuredRounds: number;
}

/**
 * The goal for one workload: its ratio from the median columns, and round by round (columns of one
 * round saw the same disturbances, so a round's ratio is a fair one too). Undefined when the goal
 * does not apply to the workload or its columns were not measured.
 */
export function checkGoal(goal: Goal, train: boolean, median: GoalColumns, rounds: readonly GoalColumns[]): GoalCheck | undefined {
  if (!goal.appliesTo(train)) return undefined;
  const value = goal.measure(median);
  if (value === undefined) return undefined;
  const perRound = rounds.map((c) => goal.measure(c)).filter((v): v is number => v !== undefined);
  return { goal, value, met: isMet(goal, value), metInRounds: perRound.filter((v) => isMet(goal, v)).length, measuredRounds: perRound.length };
}

export interface WorkloadColumns {
  workload: string;
  train: boolean;
  /** The combined (median) columns. */
  median: GoalColumns;
  /** Each round's columns (one entry for a one-round run). */
  rounds: readonly GoalColumns[];
}

/** Two decimals (one from 10 up), more where rounding would put the ratio on the other side of its bound (0.5004 is not '0.50 ≤ 0.5 not met'). */
function formatRatio(goal: Goal, x: number): string {
  const met = isMet(goal, x);
  for (let digits = x < 10 ? 2 : 1; digits < 6; digits++) {
    const text = x.toFixed(digits);
    if (isMet(goal, Number(text)) === met) return text;
  }
  return x.toPrecision(8);
}

/** `1.08 ≤ 1.2 met`, with `(2 of 3 rounds)` after it when there was more than one round. */
export function formatCheck(c: GoalCheck): string {
  const sign = c.goal.kind === 'max' ? '≤' : '≥';
  const rounds = c.measuredRounds > 1 ? ` (${c.metInRounds} of ${c.measuredRounds} rounds)` : '';
  return `${formatRatio(c.goal, c.value)} ${sign} ${c.goal.bound} ${c.met ? 'met' : 'not met'}${rounds}`;
}

export interface GoalReport {
  /** Header and one row per workload, for formatTable: the measured ratio, the bound and whether it is met; '-' where skipped. */
  table: string[][];
  /** One line per goal: its ratio in words. */
  legend: string[];
  met: number;
  checked: number;
  /** Goals that apply to a workload but could not be checked (columns missing). */
  skipped: number;
}

export function goalReport(workloads: readonly WorkloadColumns[]): GoalReport {
  let met = 0;
  let checked = 0;
  let skipped = 0;
  const rows = workloads.map((w) => [
    w.workload,
    ...GOALS.map((goal) => {
      const check = checkGoal(goal, w.train, w.median, w.rounds);
      if (check === undefined) {
        if (goal.appliesTo(w.train)) skipped++;
        return '-';
      }
      checked++;
      if (check.met) met++;
      return formatCheck(check);
    }),
  ]);
  const legend = GOALS.map((g) => `${g.name}: ${g.ratio} ${g.kind === 'max' ? '≤' : '≥'} ${g.bound}`);
  return { table: [['workload', ...GOALS.map((g) => g.name)], ...rows], legend, met, checked, skipped };
}
