// Pure helpers of the benchmark's report: rates, shares of the machine's measured limit, the header
// line and plain-text tables.

import type { Measurement, PeerResult } from './rounds';

/**
 * The figure the bench used to print shares of, kept as a note beside the measured ceiling
 * (bench/ceiling.ts): 4 float lanes × 2 flops per fused multiply-add × 2 vector FMA units = 16
 * flops per cycle at 3.65 GHz, the boost clock of the project's Zen 4 EPYC machines ≈ 58.4 GFLOP/s
 * per core. Wrong on any other CPU (the Xeons at 2.8 GHz, Zen 5), hence the measurement.
 */
export const NOMINAL_ZEN4_GFLOPS_PER_CORE = 16 * 3.65;

export function gflops(flops: number, msPerStep: number): number {
  return flops / (msPerStep / 1e3) / 1e9;
}

/** The measured ceiling, GFLOP/s: one thread alone and two threads at once (bench/ceiling.ts). */
export interface CeilingRates {
  oneThread: number;
  twoThreads: number;
}

/** GFLOP/s the ceiling allows on `cores` cores: the one-thread figure for 1, the two-thread one for 2 (more: two threads' per-core rate times cores). */
export function ceilingFor(ceiling: CeilingRates, cores: number): number {
  if (cores <= 1) return ceiling.oneThread;
  if (cores === 2) return ceiling.twoThreads;
  return (ceiling.twoThreads / 2) * cores;
}

/** Share (0…1) of the measured ceiling of `cores` cores that `rate` GFLOP/s is. */
export function limitShare(rate: number, cores: number, ceiling: CeilingRates): number {
  return rate / ceilingFor(ceiling, cores);
}

/** Sets limit_share of every measurement that says its cores, against `ceiling` (a copy; three decimals). */
export function applyShares(result: PeerResult, ceiling: CeilingRates): PeerResult {
  const results: PeerResult['results'] = {};
  for (const [name, m] of Object.entries(result.results)) results[name] = m.cores !== undefined ? { ...m, limit_share: +limitShare(m.gflops, m.cores, ceiling).toFixed(3) } : m;
  return { ...result, results };
}

/** Issue 18 §2: training on two workers at this share of the measured two-core ceiling or more. */
export const CEILING_GOAL_SHARE = 0.6;

/**
 * Rows for formatTable: per training workload, the fit() 2-worker step, its GFLOP/s and share of
 * the measured two-core ceiling against CEILING_GOAL_SHARE; '-' where not measured.
 */
export function ceilingGoalTable(rows: readonly { workload: string; m: Measurement | undefined }[], ceiling: CeilingRates): string[][] {
  const two = ceilingFor(ceiling, 2);
  return [
    ['workload', 'fit(), 2 workers', 'GFLOP/s', `share of ${two.toFixed(1)} GFLOP/s (≥ ${CEILING_GOAL_SHARE * 100} %)`],
    ...rows.map(({ workload, m }) => {
      if (!m) return [workload, '-', '-', '-'];
      const share = m.gflops / two;
      return [workload, `${m.ms_per_step.toFixed(1)} ms`, m.gflops.toFixed(1), `${formatPercent(share * 100)} ${share >= CEILING_GOAL_SHARE ? 'met' : 'not met'}`];
    }),
  ];
}

/** How much longer `instrumented` takes than `plain`, in percent. */
export function overheadPercent(plain: number, instrumented: number): number {
  return (instrumented / plain - 1) * 100;
}

export function formatPercent(p: number, signed = false): string {
  const digits = Math.abs(p) < 10 ? 1 : 0;
  return `${signed && p >= 0 ? '+' : ''}${p.toFixed(digits)}%`;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  kernels: string;
  /** Kernels the training workers reported (empty when no worker ran). */
  workerKernels: readonly string[];
  v8Flags: readonly string[];
  /** setFlushDenormal during the run (the workers' too), when known. */
  flushDenormal?: boolean;
  /** The measured ceiling the shares are of (bench/ceiling.ts), GFLOP/s. */
  ceiling?: CeilingRates & { op: string };
}

export function machineLine(m: MachineInfo): string {
  const workers = m.workerKernels.length === 0 ? '' : m.workerKernels.every((k) => k === m.kernels) ? ' (training workers too)' : ` (training workers: ${m.workerKernels.join(', ')})`;
  const flags = m.v8Flags.length === 0 ? 'none' : m.v8Flags.join(' ');
  const flush = m.flushDenormal === undefined ? '' : `; subnormals flushed to zero: ${m.flushDenormal ? 'yes' : 'no'}`;
  return `machine: ${m.cpu.trim()}, ${m.cores} cores; Node ${m.node}; kernels ${m.kernels}${workers}; V8 flags: ${flags}${flush}`;
}

/** Columns padded to their widest cell, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
}
