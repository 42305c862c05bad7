// Rounds of the benchmark, combined. `--rounds N` runs the whole sequence (this thread, two kernel
// threads, fit(), the peers) N times in turn, so that every column sees the same disturbances from
// the machine's other tenants (its speed drifts by ±30% over tens of seconds); each column's figure
// for a workload is then the median over the rounds, and the range (min–max) says how much the
// rounds disagreed.
//
// Which round's other fields: a column's combined measurement is the measurement of its median
// round (ms_per_step, GFLOP/s, instrumented time and overhead, speed-up), not a median of each
// field. The instrumented overhead and the fit() speed-up are ratios of timings taken turn about
// within one round; taken from one round they stay consistent with its ms_per_step
// (instrumented_ms_per_step / ms_per_step still gives the overhead shown). Peak RSS is the
// exception: it is the whole process's, and later rounds carry what earlier ones left (a 3-round
// run showed ~400 MB in rounds 2–3 against ~150 MB in the first), so it comes from the first round
// measured, the figure a one-round run gives.

import type { MachineInfo } from './report';

export interface Measurement {
  ms_per_step: number;
  gflops: number;
  /** Cores the column computes on (the ceiling it is a share of: bench/ceiling.ts). */
  cores?: number;
  /** Share (0…1) of the measured SIMD128 ceiling of those cores, filled in once the run's ceiling is known (report.ts applyShares). */
  limit_share?: number;
  peak_rss_mb?: number;
  instrumented_ms_per_step?: number;
  instrument_overhead_pct?: number;
  speedup_vs_1_worker?: number;
  /** fit(): the mean of the steps whose median is ms_per_step. */
  mean_ms_per_step?: number;
  /** Steps timed turn about with and without a flush of subnormals to zero: the flushed ones' median (ms_per_step is the other's). */
  flush_on_ms_per_step?: number;
  /** lm inference: µs per token generating one token per call, the state carried (bench/callingThread.ts makeGenerationStep). */
  generation_us_per_token?: number;
  /** Smallest and largest ms_per_step over the rounds. */
  range_ms?: [number, number];
  /** How many rounds measured this, when fewer than all of them (a peer failed in a round). */
  rounds_measured?: number;
}

/** One column of the benchmark (ours, a variant of ours, or a peer): `{ peer, results }`. */
export interface PeerResult {
  peer: string;
  machine?: MachineInfo;
  /** How many rounds the figures are the median of. */
  rounds?: number;
  results: Record<string, Measurement>;
}

/**
 * Index (into `values`) of their median: the element at n>>1 of the sorted values, as
 * callingThread's median (the upper of the two middle ones when n is even), so that the median is
 * one round's figure, not an average of two. Ties keep the earlier round.
 */
export function medianIndex(values: readonly number[]): number {
  if (values.length === 0) throw new Error('medianIndex: no values');
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  return order[order.length >> 1]!;
}

/**
 * One workload's measurements from several rounds, in round order → the median round's, with the
 * range of ms_per_step and the first round's peak RSS.
 */
export function combineMeasurements(measured: readonly Measurement[], roundCount = measured.length): Measurement {
  const ms = measured.map((m) => m.ms_per_step);
  const { rounds_measured: _dropped, peak_rss_mb: _later, ...median } = measured[medianIndex(ms)]!;
  const firstRss = measured[0]!.peak_rss_mb;
  return {
    ...median,
    ...(firstRss !== undefined ? { peak_rss_mb: firstRss } : {}),
    range_ms: [Math.min(...ms), Math.max(...ms)],
    ...(measured.length < roundCount ? { rounds_measured: measured.length } : {}),
  };
}

/**
 * One column from each round (undefined where it did not run) → the column combined over the
 * rounds: per workload the median round's measurement and the range. Workloads keep the order in
 * which they first appear. Undefined when no round has the column.
 */
export function combineColumn(rounds: readonly (PeerResult | undefined)[]): PeerResult | undefined {
  const present = rounds.filter((r): r is PeerResult => r !== undefined);
  if (present.length === 0) return undefined;
  const byWorkload = new Map<string, Measurement[]>();
  for (const r of present) {
    for (const [name, m] of Object.entries(r.results)) {
      const list = byWorkload.get(name) ?? [];
      list.push(m);
      byWorkload.set(name, list);
    }
  }
  const results: Record<string, Measurement> = {};
  for (const [name, measured] of byWorkload) results[name] = combineMeasurements(measured, rounds.length);
  const machine = present.find((r) => r.machine)?.machine;
  return { peer: present[0]!.peer, ...(machine ? { machine } : {}), rounds: rounds.length, results };
}

/**
 * Each round's list of columns → one list of combined columns, matched by peer name, in the order
 * they first appear. A column missing from some rounds is combined over the rounds it ran in.
 */
export function combineColumnLists(rounds: readonly (readonly PeerResult[])[]): PeerResult[] {
  const names: string[] = [];
  for (const list of rounds) for (const r of list) if (!names.includes(r.peer)) names.push(r.peer);
  return names.map((name) => combineColumn(rounds.map((list) => list.find((r) => r.peer === name)))!);
}

/** `16.2–18.1` (ms, one decimal). */
export function formatRange([min, max]: readonly [number, number]): string {
  return `${min.toFixed(1)}–${max.toFixed(1)}`;
}

/** `17.0 ms`, or with the range over the rounds `17.0 ms (16.2–18.1)` when `withRange` and there is one. */
export function formatMs(m: Measurement, withRange: boolean): string {
  const ms = `${m.ms_per_step.toFixed(1)} ms`;
  return withRange && m.range_ms ? `${ms} (${formatRange(m.range_ms)})` : ms;
}
