// How cost grows (issue 18 §3): `npm run bench -- --scaling` trains an LSTM and a GRU (one layer,
// Linear(H,1) on every step's output, MSE against (B,T,1) targets, Adam) at growing T (H = 128)
// and growing H (T = 100), beside PyTorch in the same run, and prints per size the ms per step of
// every way to run it and the peak memory of a training step.
//
// Every size runs in fresh processes, one for RNN Lab (`dist/bench.js --scaling-child SIZE`) and
// one for PyTorch (bench/torch_scaling.py SIZE), one after the other (with --rounds N, N times in
// turn), so that a size's memory is its own. In each: the model, data and optimizer are built,
// the resident set is read (RSS before the first step), then steps on one thread, and the
// process's high-water mark of the resident set (getrusage's ru_maxrss, which both Node's
// process.resourceUsage().maxRSS and Python's resource module read) is taken after them: peak
// memory = that mark − the RSS before the first step, the same measure for both, including
// everything a step allocates (RNN Lab: the tapes in wasm memory, which grows and never shrinks,
// and JavaScript's heap and buffers not yet collected; PyTorch: the tensors its autograd graph
// saves, malloc'ed and freed as the backward goes). Then the same process times two kernel
// threads (PyTorch: torch.set_num_threads(2)) and, for RNN Lab, fit() with two workers.
//
// Steps: 2 warm-up steps, then as many timed ones as fit in ~1.5 s (3 to 20), median.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { getNumThreads, setNumThreads } from '../kernel/engine/index';
import { wasmKernels } from '../kernel/engine/wasm/instance';
import { makeStep, median } from './callingThread';
import { timeFit } from './fitTiming';
import { flops, type Workload } from './workloads';

export type ScalingCell = 'lstm' | 'gru';

export interface ScalingSize {
  cell: ScalingCell;
  seq: number;
  hidden: number;
  batch: number;
  input: number;
  /** Which series the size belongs to: growing T (at a fixed H) or growing H (at a fixed T). */
  series: 'T' | 'H';
}

export interface ScalingOptions {
  cells: ScalingCell[];
  /** T of the T series, at H = seqHidden */
  seqs: number[];
  seqHidden: number;
  /** H of the H series, at T = hiddenSeq */
  hiddens: number[];
  hiddenSeq: number;
  batch: number;
  input: number;
  rounds: number;
  /** Without fit() (two workers). */
  workers: boolean;
  /** Without PyTorch. */
  peers: boolean;
}

/** Issue 18 §3's sizes; B = 16 throughout (T = 4000 at B = 32 would double the memory for no new information), I = 32. */
export const SCALING_DEFAULTS: ScalingOptions = {
  cells: ['lstm', 'gru'],
  seqs: [50, 200, 1000, 4000],
  seqHidden: 128,
  hiddens: [64, 256, 512, 1024],
  hiddenSeq: 100,
  batch: 16,
  input: 32,
  rounds: 1,
  workers: true,
  peers: true,
};

function positiveInts(flag: string, text: string): number[] {
  const xs = text.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`${flag} wants whole numbers ≥ 1, comma-separated; got ${text}`);
  return xs;
}

/** `--scaling [--cells lstm,gru] [--seqs 50,200,1000,4000] [--hiddens 64,256,512,1024] [--batch 16] [--input 32] [--rounds N] [--no-workers] [--no-peers]` */
export function parseScalingArgs(argv: readonly string[]): ScalingOptions {
  const o: ScalingOptions = { ...SCALING_DEFAULTS, cells: [...SCALING_DEFAULTS.cells], seqs: [...SCALING_DEFAULTS.seqs], hiddens: [...SCALING_DEFAULTS.hiddens] };
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} wants a value`);
    return v;
  };
  const cells = value('--cells');
  if (cells !== undefined) {
    const list = cells.split(',').map((c) => c.trim());
    for (const c of list) if (c !== 'lstm' && c !== 'gru') throw new Error(`--cells: lstm or gru, got ${c}`);
    o.cells = list as ScalingCell[];
  }
  const ints = (flag: string): number[] | undefined => {
    const v = value(flag);
    return v === undefined ? undefined : positiveInts(flag, v);
  };
  o.seqs = ints('--seqs') ?? o.seqs;
  o.hiddens = ints('--hiddens') ?? o.hiddens;
  o.batch = ints('--batch')?.[0] ?? o.batch;
  o.input = ints('--input')?.[0] ?? o.input;
  o.rounds = ints('--rounds')?.[0] ?? o.rounds;
  o.workers = !argv.includes('--no-workers');
  o.peers = !argv.includes('--no-peers');
  return o;
}

/** Every size, cell by cell: the T series, then the H series. */
export function scalingSizes(o: ScalingOptions): ScalingSize[] {
  const sizes: ScalingSize[] = [];
  for (const cell of o.cells) {
    for (const seq of o.seqs) sizes.push({ cell, seq, hidden: o.seqHidden, batch: o.batch, input: o.input, series: 'T' });
    for (const hidden of o.hiddens) sizes.push({ cell, seq: o.hiddenSeq, hidden, batch: o.batch, input: o.input, series: 'H' });
  }
  return sizes;
}

/** The size as a bench workload (task reg-seq: Linear(H,1) on every step, MSE). */
export function scalingWorkload(s: ScalingSize): Workload {
  return { cell: s.cell, input: s.input, hidden: s.hidden, layers: 1, seq: s.seq, batch: s.batch, task: 'reg-seq', train: true };
}

/** Timed steps for a step of `ms`: as many as fit in `budgetMs`, at least 3, at most 20. */
export function stepsFor(ms: number, budgetMs = 1500, min = 3, max = 20): number {
  if (!(ms > 0)) return max;
  return Math.max(min, Math.min(max, Math.floor(budgetMs / ms)));
}

/** RNN Lab's figures for one size (what `--scaling-child` prints). */
export interface OursScaling {
  oneThreadMs: number;
  twoThreadsMs: number;
  fitTwoWorkersMs?: number;
  /** Timed steps per column. */
  steps: number;
  /** RSS before the first step, and the high-water mark after the one-thread steps − that, MB. */
  rss0Mb: number;
  peakMb: number;
  /** How much the kernel module's wasm memory grew over the steps (part of peakMb), MB. */
  wasmGrowthMb: number;
}

/** PyTorch's figures for one size (what bench/torch_scaling.py prints). */
export interface TorchScaling {
  one_thread_ms: number;
  two_threads_ms: number;
  steps: number;
  rss0_mb: number;
  peak_mb: number;
  version: string;
}

const MB = 2 ** 20;

/** Median ms of `step` after 2 warm-up steps, over stepsFor(the second warm step) steps; calls `after` between the warm-up and the timed steps. */
function timeAdaptive(step: () => void, fixedSteps?: number): { ms: number; steps: number } {
  step();
  const t0 = performance.now();
  step();
  const steps = fixedSteps ?? stepsFor(performance.now() - t0);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    step();
    times.push(performance.now() - t);
  }
  return { ms: median(times), steps };
}

/** `--scaling-child SIZE`: RNN Lab's columns for one size, in this fresh process. */
export async function scalingChild(s: ScalingSize, withWorkers: boolean): Promise<OursScaling> {
  const w = scalingWorkload(s);
  const memory = (): number => wasmKernels()?.memory.buffer.byteLength ?? 0;
  const step = makeStep(w, { instrument: false });
  const rss0 = process.memoryUsage().rss;
  const wasm0 = memory();
  const one = timeAdaptive(step);
  const peak = process.resourceUsage().maxRSS * 1024 - rss0;
  const wasmGrowth = memory() - wasm0;
  const before = getNumThreads();
  setNumThreads(2);
  let two: { ms: number };
  try {
    // The helper thread is late for its first products while V8 compiles: a few more warm steps.
    const warmUntil = performance.now() + 1000;
    while (performance.now() < warmUntil) step();
    two = timeAdaptive(step, one.steps);
  } finally {
    setNumThreads(before);
  }
  let fitTwo: number | undefined;
  if (withWorkers) {
    // A fresh worker's JavaScript takes ~100 steps to be fully compiled; a large step is all wasm.
    const warmSteps = Math.max(3, Math.min(100, Math.ceil(2000 / one.ms)));
    const [pair] = await timeFit(w, [2], Math.max(3, Math.min(one.steps, 10)), warmSteps);
    fitTwo = pair!.median;
  }
  return {
    oneThreadMs: one.ms,
    twoThreadsMs: two.ms,
    ...(fitTwo !== undefined ? { fitTwoWorkersMs: fitTwo } : {}),
    steps: one.steps,
    rss0Mb: rss0 / MB,
    peakMb: Math.max(0, peak) / MB,
    wasmGrowthMb: wasmGrowth / MB,
  };
}

/** One size's figures from every round that ran it. */
export interface ScalingRow {
  size: ScalingSize;
  ours: OursScaling[];
  torch: TorchScaling[];
}

/** The last line of a child's output that parses as JSON, or null. */
export function lastJsonLine<T>(stdout: string): T | null {
  for (const line of stdout.trim().split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      // not this line
    }
  }
  return null;
}

function childError(what: string, r: ReturnType<typeof spawnSync>): string {
  const text = (r.stderr?.toString() || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ');
  return `${what} did not run: ${text}`;
}

/** RNN Lab's columns for one size, in a fresh process of `node` running `benchScript`. */
export function runOursChild(node: string, benchScript: string, s: ScalingSize, o: ScalingOptions, extraArgs: readonly string[] = []): OursScaling | string {
  const args = [benchScript, '--scaling-child', JSON.stringify(s), ...(o.workers ? [] : ['--no-workers']), ...extraArgs];
  const r = spawnSync(node, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  return lastJsonLine<OursScaling>(r.stdout ?? '') ?? childError(`RNN Lab at ${sizeLabel(s)}`, r);
}

/** PyTorch's columns for one size, in a fresh /usr/bin/python3 running bench/torch_scaling.py. */
export function runTorchChild(repoRoot: string, s: ScalingSize): TorchScaling | string {
  const r = spawnSync('/usr/bin/python3', [join(repoRoot, 'bench', 'torch_scaling.py'), JSON.stringify(s)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return lastJsonLine<TorchScaling>(r.stdout ?? '') ?? childError(`PyTorch at ${sizeLabel(s)}`, r);
}

export function sizeLabel(s: ScalingSize): string {
  return `${s.cell.toUpperCase()} T=${s.seq} H=${s.hidden} B=${s.batch}`;
}

/** The goal of issue 18 §3: RNN Lab's best time at most this times PyTorch's best. */
export const SCALING_TIME_BOUND = 0.6;

/** Per size, the figures the table shows (medians over the rounds). */
export interface ScalingSummary {
  size: ScalingSize;
  oneThread?: number;
  twoThreads?: number;
  fitTwoWorkers?: number;
  oursBest?: number;
  torchOne?: number;
  torchTwo?: number;
  torchBest?: number;
  /** oursBest / torchBest */
  ratio?: number;
  oursPeakMb?: number;
  torchPeakMb?: number;
  /** Ranges of the best times over the rounds, when more than one. */
  oursRange?: [number, number];
  torchRange?: [number, number];
}

function med(xs: readonly (number | undefined)[]): number | undefined {
  const ys = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return ys.length ? median(ys) : undefined;
}

function range(xs: readonly number[]): [number, number] | undefined {
  return xs.length > 1 ? [Math.min(...xs), Math.max(...xs)] : undefined;
}

/**
 * A row's figures: each column the median over its rounds; best = the fastest column (RNN Lab:
 * one thread, two kernel threads, fit() with two workers; PyTorch: 1 or 2 threads), per round
 * then the median; peak memory from the rounds' one-thread steps (median).
 */
export function summarize(row: ScalingRow): ScalingSummary {
  const oursBests = row.ours.map((r) => Math.min(r.oneThreadMs, r.twoThreadsMs, r.fitTwoWorkersMs ?? Infinity));
  const torchBests = row.torch.map((r) => Math.min(r.one_thread_ms, r.two_threads_ms));
  const oursBest = med(oursBests);
  const torchBest = med(torchBests);
  const s: ScalingSummary = { size: row.size };
  const set = <K extends keyof ScalingSummary>(k: K, v: ScalingSummary[K] | undefined): void => {
    if (v !== undefined) s[k] = v;
  };
  set('oneThread', med(row.ours.map((r) => r.oneThreadMs)));
  set('twoThreads', med(row.ours.map((r) => r.twoThreadsMs)));
  set('fitTwoWorkers', med(row.ours.map((r) => r.fitTwoWorkersMs)));
  set('oursBest', oursBest);
  set('torchOne', med(row.torch.map((r) => r.one_thread_ms)));
  set('torchTwo', med(row.torch.map((r) => r.two_threads_ms)));
  set('torchBest', torchBest);
  set('ratio', oursBest !== undefined && torchBest !== undefined ? oursBest / torchBest : undefined);
  set('oursPeakMb', med(row.ours.map((r) => r.peakMb)));
  set('torchPeakMb', med(row.torch.map((r) => r.peak_mb)));
  set('oursRange', range(oursBests));
  set('torchRange', range(torchBests));
  return s;
}

/** `12.3`, `123`, `1234` ms */
export function formatScalingMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function withRange(ms: number | undefined, r: [number, number] | undefined): string {
  return r ? `${formatScalingMs(ms)} (${formatScalingMs(r[0])}–${formatScalingMs(r[1])})` : formatScalingMs(ms);
}

function formatMb(mb: number | undefined): string {
  return mb === undefined ? '-' : mb >= 100 ? mb.toFixed(0) : mb.toFixed(1);
}

/** The ratio against its bound, as the goals table writes it: `0.52 met`, `0.71 not met`. */
export function formatScalingRatio(ratio: number | undefined): string {
  if (ratio === undefined) return '-';
  return `${ratio.toFixed(2)} ${ratio <= SCALING_TIME_BOUND ? 'met' : 'not met'}`;
}

/**
 * Rows for formatTable: cell, T, H, RNN Lab's columns and best, PyTorch's, the ratio of the
 * bests against the goal, peak memory of both, GFLOP/s of RNN Lab's best as a share of the
 * measured ceiling of the cores it used (two for every column but one thread) when given.
 */
export function scalingTable(rows: readonly ScalingSummary[], shareOf?: (s: ScalingSummary) => string): string[][] {
  const header = [
    'cell',
    'T',
    'H',
    'RNN Lab, 1 thread',
    '2 kernel threads',
    'fit(), 2 workers',
    'RNN Lab best',
    'PyTorch, 1 thread',
    '2 threads',
    'PyTorch best',
    `best / best (≤ ${SCALING_TIME_BOUND})`,
    'peak MB, RNN Lab',
    'PyTorch',
    ...(shareOf ? ['RNN Lab best, share of ceiling'] : []),
  ];
  return [
    header,
    ...rows.map((r) => [
      r.size.cell,
      String(r.size.seq),
      String(r.size.hidden),
      formatScalingMs(r.oneThread),
      formatScalingMs(r.twoThreads),
      formatScalingMs(r.fitTwoWorkers),
      withRange(r.oursBest, r.oursRange),
      formatScalingMs(r.torchOne),
      formatScalingMs(r.torchTwo),
      withRange(r.torchBest, r.torchRange),
      formatScalingRatio(r.ratio),
      formatMb(r.oursPeakMb),
      formatMb(r.torchPeakMb),
      ...(shareOf ? [shareOf(r)] : []),
    ]),
  ];
}

/** Memory per time step of BPTT between two sizes of the T series: the growth of the peak over the growth of T. */
export interface MemoryPerStep {
  cell: ScalingCell;
  fromSeq: number;
  toSeq: number;
  /** KB per time step (of the whole batch) */
  oursKb?: number;
  torchKb?: number;
}

/** Per cell, between consecutive T of the T series (sorted by T): (peak(T₂) − peak(T₁)) / (T₂ − T₁). */
export function memoryPerStep(rows: readonly ScalingSummary[]): MemoryPerStep[] {
  const out: MemoryPerStep[] = [];
  const cells = [...new Set(rows.map((r) => r.size.cell))];
  for (const cell of cells) {
    const series = rows.filter((r) => r.size.cell === cell && r.size.series === 'T').sort((a, b) => a.size.seq - b.size.seq);
    for (let i = 1; i < series.length; i++) {
      const [a, b] = [series[i - 1]!, series[i]!];
      const slope = (x: number | undefined, y: number | undefined): number | undefined => (x === undefined || y === undefined ? undefined : ((y - x) * 1024) / (b.size.seq - a.size.seq));
      const m: MemoryPerStep = { cell, fromSeq: a.size.seq, toSeq: b.size.seq };
      const ours = slope(a.oursPeakMb, b.oursPeakMb);
      const torch = slope(a.torchPeakMb, b.torchPeakMb);
      if (ours !== undefined) m.oursKb = ours;
      if (torch !== undefined) m.torchKb = torch;
      out.push(m);
    }
  }
  return out;
}

/** Rows for formatTable: per cell and pair of T, KB per time step for both and their ratio. */
export function memoryTable(ms: readonly MemoryPerStep[], batch: number, hidden: number): string[][] {
  const kb = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(0));
  return [
    ['cell', 'T from → to', `RNN Lab, KB per time step (B=${batch}, H=${hidden})`, 'PyTorch', 'RNN Lab / PyTorch', 'no more than PyTorch'],
    ...ms.map((m) => [
      m.cell,
      `${m.fromSeq} → ${m.toSeq}`,
      kb(m.oursKb),
      kb(m.torchKb),
      m.oursKb !== undefined && m.torchKb ? `${(m.oursKb / m.torchKb).toFixed(2)}` : '-',
      m.oursKb !== undefined && m.torchKb !== undefined ? (m.oursKb <= m.torchKb ? 'met' : 'not met') : '-',
    ]),
  ];
}

/** The flops of a size's training step (the peers' count: the recurrent layer, ×3), for GFLOP/s. */
export function scalingFlops(s: ScalingSize): number {
  return flops(scalingWorkload(s));
}
