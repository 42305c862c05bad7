// `npm run bench [-- --json] [--rounds N] [--steps N] [--only name,name] [--node PATH|VERSION] [--no-peers] [--no-browser] [--no-workers] [--no-relaxed] [--no-flush] [--tfjs-cpu] [--system-malloc]`
// `npm run bench -- --subnormals [--seqs 100,200,400] [--batches 32,8] [--steps N]`: issue 18's reproduction only (bench/subnormals.ts)
// `npm run bench -- --scaling [--cells lstm,gru] [--seqs …] [--hiddens …] [--batch 16] [--rounds N]`: how cost grows (bench/scaling.ts)
// `npm run bench -- --help`: these lines.
//
// Times RNN Lab on the workloads in ../shared/bench/workloads.json (a copy is committed in
// bench/workloads.json for machines without shared/) and the bench's own (bench/workloads.ts:
// lstm-long, whose gradient decays into the subnormal floats):
//   - a hand-written step on this thread, plain and with the recurrent layer instrumented, and with
//     two kernel threads (setNumThreads(2), what the kernel process uses on a 2-core machine);
//   - for training workloads, the product's trainer: fit() with 1 and with 2 data-parallel workers
//     (skipped with --no-workers);
//   - for a workload whose gradient reaches the subnormals (lstm-long), its step on this thread
//     with setFlushDenormal(false) and (true) turn about, and PyTorch's (bench/torch_peer.py
//     --flush-pairs) with torch.set_flush_denormal(False) and (True) likewise (--no-flush runs
//     everything unflushed instead, to measure what the flush costs);
// then runs the peers in the same run — TensorFlow.js wasm (and cpu with --tfjs-cpu: it takes
// about five minutes, nearly all of it before its first step) and, where Debian's python3-torch is
// installed, PyTorch (bench/torch_peer.py: ../shared/bench/torch_bench.py plus the bench's own
// workloads) with 1 and 2 threads, and with 1 thread under torch.set_flush_denormal(True), and
// RNN Lab itself in headless Chromium (bench/browser/: the same steps in a Web Worker, as the
// kernel of VS Code for the Web runs them; skipped with --no-browser) — so that ratios, not
// absolute times, are what one reads.
// Timings are medians of ms per step. --json prints one line per peer, ours included:
// { peer, rounds, results: { workload: { ms_per_step, gflops, range_ms: [min, max], … } } }.
//
// --rounds N (default 1) runs that whole sequence N times in turn, so that every column sees the
// same disturbances from the machine's other tenants, and reports per column and workload the
// median round and the range over the rounds (bench/rounds.ts). After the peers comes a table of
// the speed goals of issue 7 (bench/goals.ts).
//
// Every round starts by measuring the machine's SIMD128 ceiling (bench/ceiling.ts: a
// register-resident multiply-add loop on one thread and on two at once); GFLOP/s are reported as
// shares of the best ceiling the run measured, on the cores each column used. --node SPEC (a path,
// or a version found in bench/node/node_modules: bench/nodeRuntime.ts) runs RNN Lab's columns
// and TF.js wasm a second time on that Node in a child process, each round, and prints both.
//
// On Linux the bench first re-runs itself with the environment the kernel process is started with
// (kernel/processEnv.ts: glibc malloc keeps a step's big arrays for the next step instead of
// faulting in fresh pages), and the peers it starts inherit it; --system-malloc runs without.

import '../kernel/node/install';
import { spawnSync } from 'node:child_process';
import { hasKernelMalloc, KERNEL_MALLOC_ENV, withKernelMalloc } from '../kernel/processEnv';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { getFlushDenormal, getNumThreads, kernelFlavour, setFlushDenormal, setNumThreads } from '../kernel/engine/index';
import { teamStats } from '../kernel/engine/wasm/team';
import { keepWorkersWarm } from '../kernel/train/index';
import { kernelThreads, relaxedSimdFlags } from '../kernel/engine/wasm/flags';
import { enableRelaxedSimd } from '../kernel/node/relaxedSimd';
import { makeGenerationStep, makeStep, timePaired, timeSteps } from './callingThread';
import { runInChromium } from './browser/chromium';
import { bestCeiling, ceilingLine, measureCeiling, type Ceiling } from './ceiling';
import { timeFit, workerKernelFlavours, type FitStepTime } from './fitTiming';
import { goalColumns, goalReport, TFJS_WASM, TFJS_WASM_LEAD, TORCH_ONE_THREAD, type RunColumns } from './goals';
import { floorMs, inferenceWork, measureKernelRates, measureTrainingRates, type KernelRates, type TrainingRates } from './inferenceFloor';
import { childArgs, nodeLabel, parseColumnsJson, parseNodeSpecs, resolveNode, sideBySide, type ColumnsJson, type NodeBinary } from './nodeRuntime';
import { applyShares, ceilingFor, ceilingGoalTable, CEILING_GOAL_SHARE, formatPercent, formatTable, gflops, machineLine, NOMINAL_ZEN4_GFLOPS_PER_CORE, overheadPercent, type CeilingRates, type MachineInfo } from './report';
import { combineColumn, combineColumnLists, formatMs, formatRange, type Measurement, type PeerResult } from './rounds';
import { formatScalingMs, memoryPerStep, memoryTable, parseScalingArgs, runOursChild, runTorchChild, scalingChild, scalingFlops, scalingSizes, scalingTable, sizeLabel, summarize, type ScalingRow, type ScalingSize } from './scaling';
import { countPhases, subnormalReport, type SubnormalCounts } from './subnormals';
import { BENCH_WORKLOADS, flops, GATE_BLOCKS, loadWorkloads, type Workload } from './workloads';

const repoRoot = resolve(__dirname, '..');
const sharedBench = resolve(repoRoot, '..', 'shared', 'bench');

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const round = (x: number, digits: number): number => +x.toFixed(digits);

/** The step's time and rate, and the cores it computed on (its share of the measured ceiling is filled in at the end: applyShares). */
function measurement(w: Workload, ms: number, cores: number): Measurement {
  return { ms_per_step: round(ms, 3), gflops: round(gflops(flops(w), ms), 2), cores };
}

function note(text: string): void {
  if (!json) process.stderr.write(`${columnsJson ? `[${nodeLabel(process.version)}] ` : ''}${text}\n`);
}

function runOnThisThread(workloads: Record<string, Workload>, steps: number): PeerResult['results'] {
  const results: PeerResult['results'] = {};
  for (const [name, w] of Object.entries(workloads)) {
    if (!w.train) {
      const plain = timeSteps(makeStep(w, { instrument: false }), steps);
      const generation = w.task === 'lm' ? (timeSteps(makeGenerationStep(w), Math.min(steps, 5)).ms * 1e3) / w.seq : undefined;
      results[name] = { ...measurement(w, plain.ms, 1), peak_rss_mb: round(plain.peakRss / 2 ** 20, 1), ...(generation !== undefined ? { generation_us_per_token: round(generation, 1) } : {}) };
      note(`rnn-lab ${name}: ${plain.ms.toFixed(1)} ms/step${generation !== undefined ? `; generating one token per call ${generation.toFixed(0)} µs per token` : ''}`);
      continue;
    }
    // Plain and instrumented steps turn about, so that the overhead is not another program's noise.
    const [plain, instrumented] = timePaired(makeStep(w, { instrument: false }), makeStep(w, { instrument: true }), steps);
    results[name] = {
      ...measurement(w, plain.ms, 1),
      peak_rss_mb: round(plain.peakRss / 2 ** 20, 1),
      instrumented_ms_per_step: round(instrumented.ms, 3),
      instrument_overhead_pct: round(overheadPercent(plain.ms, instrumented.ms), 1),
    };
    note(`rnn-lab ${name}: ${plain.ms.toFixed(1)} ms/step, instrumented ${instrumented.ms.toFixed(1)} ms/step`);
  }
  return results;
}

/**
 * Timed steps of each kind in the flush-off/on pairs: where the CPU is slow on subnormals a step
 * without the flush can take seconds (the issue's machine: 4.3 s for the backward alone at T = 200).
 */
const FLUSH_PAIR_STEPS = 5;

/**
 * The workloads whose gradient reaches the subnormals, on this thread with setFlushDenormal(false)
 * and (true) turn about (two models, the switch set before each step), so that the ratio holds on
 * a machine others share. ms_per_step is the step without the flush.
 */
function runFlushPairs(workloads: Record<string, Workload>, steps: number): PeerResult['results'] {
  const results: PeerResult['results'] = {};
  const before = getFlushDenormal();
  const switched = (flush: boolean, step: () => void) => (): void => {
    setFlushDenormal(flush);
    step();
  };
  try {
    for (const [name, w] of Object.entries(workloads)) {
      if (!w.subnormals) continue;
      const [off, on] = timePaired(switched(false, makeStep(w, { instrument: false })), switched(true, makeStep(w, { instrument: false })), Math.min(steps, FLUSH_PAIR_STEPS));
      results[name] = { ...measurement(w, off.ms, 1), flush_on_ms_per_step: round(on.ms, 3) };
      note(`rnn-lab ${name}: turn about, ${off.ms.toFixed(1)} ms/step with setFlushDenormal(false), ${on.ms.toFixed(1)} with (true)`);
    }
  } finally {
    setFlushDenormal(before);
  }
  return results;
}

/** Warm-up of the two-thread steps, in ms (at least 5 steps). */
const WARM_MS = 1500;

/** The plain step with a helper thread computing half of every large product. */
function runWithTwoKernelThreads(workloads: Record<string, Workload>, steps: number): PeerResult['results'] {
  const results: PeerResult['results'] = {};
  const before = getNumThreads();
  setNumThreads(2);
  try {
    for (const [name, w] of Object.entries(workloads)) {
      const step = makeStep(w, { instrument: false });
      // The helper thread starts with the first split product, and for its first second or so
      // it is often late (V8 compiles in the background meanwhile; the team then pauses): warm
      // it with the workload itself before timing, as a notebook's kernel process is warm.
      const warmUntil = performance.now() + WARM_MS;
      for (let i = 0; i < 5 || performance.now() < warmUntil; i++) step();
      const before = { ...teamStats };
      const { ms } = timeSteps(step, steps);
      results[name] = measurement(w, ms, 2);
      const split = teamStats.split - before.split;
      const share = (n: number): string => `${((n / split) * 100).toFixed(1)} %`;
      const steps1 = teamStats.sequenceSteps - before.sequenceSteps;
      const byRows = teamStats.rowSplits - before.rowSplits;
      const inTwo = teamStats.twoParts - before.twoParts;
      const sequences =
        (steps1 ? `; in batch-1 sequences the caller ran ${((100 * (teamStats.sequenceStepsTaken - before.sequenceStepsTaken)) / steps1).toFixed(1)} % of the helper's steps` : '') +
        (byRows ? `; ${byRows} of them sequences by rows of the batch` : '') +
        (inTwo ? `, ${inTwo} sums over time or passes over rows (input projection, bias, table rows) in two parts` : '');
      const callerMs = teamStats.callerMs - before.callerMs;
      const waited = callerMs > 0 ? `; the caller waited for the helper ${((100 * (teamStats.waitMs - before.waitMs)) / callerMs).toFixed(1)} % of its own time on them` : '';
      const late = split ? ` (${split} products, sequences or sums split; the helper missed ${share(teamStats.takenBack - before.takenBack)} of them, taken back, and was late for ${share(teamStats.late - before.late)}${waited}${sequences})` : '';
      note(`rnn-lab ${name}: ${ms.toFixed(1)} ms/step with 2 kernel threads${late}`);
    }
  } finally {
    setNumThreads(before);
  }
  return results;
}

async function runFit(workloads: Record<string, Workload>, steps: number): Promise<{ one: PeerResult['results']; two: PeerResult['results'] }> {
  const one: PeerResult['results'] = {};
  const two: PeerResult['results'] = {};
  for (const [name, w] of Object.entries(workloads)) {
    if (!w.train) continue;
    const [single, pair] = (await timeFit(w, [1, 2], steps)) as [FitStepTime, FitStepTime];
    // One worker runs its products on kernelThreads() threads (both cores here), as the kernel does.
    one[name] = { ...measurement(w, single.median, kernelThreads()), mean_ms_per_step: round(single.mean, 3) };
    two[name] = { ...measurement(w, pair.median, 2), mean_ms_per_step: round(pair.mean, 3), speedup_vs_1_worker: round(single.median / pair.median, 3) };
    note(`rnn-lab ${name}: fit() median ${single.median.toFixed(1)} ms/step with 1 worker (mean ${single.mean.toFixed(1)}), ${pair.median.toFixed(1)} with 2 (mean ${pair.mean.toFixed(1)})`);
  }
  return { one, two };
}

/** Runs a peer script and parses its one-line JSON; returns null (with a note) when it can't run. */
function runPeer(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): PeerResult | null {
  const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PeerResult;
  } catch {
    process.stderr.write(`peer ${label} did not run: ${(r.stderr || r.error?.message || 'no output').toString().trim().split('\n').slice(-3).join(' | ')}\n`);
    return null;
  }
}

function runPeers(steps: number): PeerResult[] {
  const peers: PeerResult[] = [];
  const tfjsScript = join(sharedBench, 'tfjs_bench.js');
  if (existsSync(tfjsScript)) {
    for (const backend of process.argv.includes('--tfjs-cpu') ? ['wasm', 'cpu'] : ['wasm']) {
      const r = runPeer(`tfjs-${backend}`, process.execPath, [tfjsScript, backend, String(steps)], { NODE_PATH: join(repoRoot, 'node_modules') });
      if (r) peers.push(r);
    }
    if (!process.argv.includes('--tfjs-cpu')) note('TensorFlow.js cpu skipped (about five minutes; --tfjs-cpu runs it)');
  } else {
    process.stderr.write(`TensorFlow.js peer skipped: ${tfjsScript} not found (it lives in the project's shared/ folder)\n`);
  }
  const torchScript = join(sharedBench, 'torch_bench.py');
  if (existsSync(torchScript) && existsSync('/usr/bin/python3')) {
    // torch_bench.py's workloads, then the bench's own; the last run under torch.set_flush_denormal(True).
    const extra = JSON.stringify(Object.fromEntries(Object.entries(workloads).filter(([name]) => name in BENCH_WORKLOADS)));
    const peerScript = join(repoRoot, 'bench', 'torch_peer.py');
    for (const [threads, flush] of [
      ['1', false],
      ['2', false],
      ['1', true],
    ] as const) {
      const args = [peerScript, threads, String(Math.max(steps, 10)), '--shared', torchScript, '--extra', extra, ...(flush ? ['--flush-denormal'] : [])];
      const r = runPeer(`pytorch-${threads}${flush ? '-flush' : ''}`, '/usr/bin/python3', args);
      if (r) peers.push(r);
    }
  }
  return peers;
}

/** PyTorch on 1 thread with torch.set_flush_denormal(False) and (True) turn about, for the workloads whose gradient reaches the subnormals. */
function runTorchFlushPairs(steps: number): PeerResult | null {
  const subnormal = Object.fromEntries(Object.entries(workloads).filter(([, w]) => w.subnormals));
  if (Object.keys(subnormal).length === 0 || !existsSync('/usr/bin/python3')) return null;
  const args = [join(repoRoot, 'bench', 'torch_peer.py'), '1', String(Math.max(steps, 10)), '--extra', JSON.stringify(subnormal), '--flush-pairs'];
  return runPeer('pytorch-flush-pairs', '/usr/bin/python3', args);
}

/** `17.0 ms (5.2 GF/s, 8.9%)`; over several rounds `17.0 ms (16.2–18.1; 5.2 GF/s, 8.9%)`. */
function cell(m: Measurement | undefined, withRange: boolean): string {
  if (m === undefined) return '-';
  const share = m.limit_share !== undefined ? `, ${formatPercent(m.limit_share * 100)}` : '';
  const range = withRange && m.range_ms ? `${formatRange(m.range_ms)}; ` : '';
  const mean = m.mean_ms_per_step !== undefined ? `; mean ${m.mean_ms_per_step.toFixed(1)}` : '';
  return `${m.ms_per_step.toFixed(1)} ms (${range}${m.gflops.toFixed(1)} GF/s${share}${mean})`;
}

/** A peers-table cell: `17.0 ms (5.2 GF/s)`; over several rounds `17.0 ms (16.2–18.1)` (GFLOP/s in --json). */
function peerCell(m: Measurement | undefined, withRange: boolean): string {
  if (m === undefined) return '-';
  return withRange ? formatMs(m, true) : `${m.ms_per_step.toFixed(1)} ms (${m.gflops} GF/s)`;
}

/** `combined` is the run's figures (the median round per column); `rounds` each round's own. */
function printReport(machine: MachineInfo, combined: RunColumns, rounds: readonly RunColumns[], others: readonly CombinedOther[]): void {
  const { ours, threads, fitPeers, peers } = combined;
  const withRange = rounds.length > 1;
  const names = Object.keys(ours.results);
  const [one, two] = fitPeers;
  console.log(machineLine(machine));
  console.log(
    withRange
      ? `(median of ${rounds.length} rounds, each running every column in turn, on a machine others may share; ranges are min–max over the rounds: read the ratios within this run, not the absolute times)`
      : '(one run on a machine others may share: read the ratios within this run, not the absolute times)',
  );
  const c = machine.ceiling;
  const thisCeiling = bestCeiling(ceilings);
  if (thisCeiling) console.log(`${ceilingLine(thisCeiling, NOMINAL_ZEN4_GFLOPS_PER_CORE)} on ${nodeLabel(process.version)}${ceilingWarning(thisCeiling)}`);
  for (const o of others) if (o.ceiling) console.log(`${ceilingLine(o.ceiling)} on ${nodeLabel(o.binary.version)}${ceilingWarning(o.ceiling)}`);
  if (c && others.length) console.log(`shares below are of the best of these: ${c.oneThread.toFixed(1)} GFLOP/s on one thread, ${c.twoThreads.toFixed(1)} on two`);
  const shareOf = c ? `share of the measured ceiling of the cores used: ${c.oneThread.toFixed(1)} GFLOP/s on 1, ${c.twoThreads.toFixed(1)} on 2` : 'no ceiling measured';
  console.log(`\nRNN Lab${others.length ? ` on ${nodeLabel(process.version)}` : ''}, median ms per step (GFLOP/s, ${shareOf}):`);
  const header = ['workload', 'this thread', 'instrumented', '2 kernel threads', ...(one && two ? ['fit(), 1 worker', 'fit(), 2 workers', 'speed-up, 2 vs 1 worker'] : [])];
  const rows = names.map((n) => {
    const m = ours.results[n]!;
    const instrumented = m.instrumented_ms_per_step !== undefined ? `${m.instrumented_ms_per_step.toFixed(1)} ms (${formatPercent(m.instrument_overhead_pct!, true)})` : '-';
    const fitCells = one && two ? [cell(one.results[n], withRange), cell(two.results[n], withRange), two.results[n]?.speedup_vs_1_worker !== undefined ? `${two.results[n]!.speedup_vs_1_worker!.toFixed(2)}×` : '-'] : [];
    return [n, cell(m, withRange), instrumented, cell(threads.results[n], withRange), ...fitCells];
  });
  for (const line of formatTable([header, ...rows])) console.log(line);
  const rssRound = withRange ? ', in the first round' : '';
  console.log(`peak RSS (whole process, this-thread steps; the instrumented model is alive beside the plain one${rssRound}): ${names.map((n) => `${n} ${ours.results[n]!.peak_rss_mb} MB`).join(', ')}`);
  const generating = names.filter((n) => ours.results[n]!.generation_us_per_token !== undefined);
  if (generating.length) console.log(`text generation on this thread, one token per call with the state carried (as a sampling loop): ${generating.map((n) => `${n} ${ours.results[n]!.generation_us_per_token!.toFixed(0)} µs per token`).join(', ')}`);

  printTrainingRates(trainingRates, c);
  printFloors(combined);
  for (const o of others) printOther(o, combined);
  printSubnormals(combined);
  if (peers.length > 0) {
    console.log(withRange ? '\nPeers, median ms per step (min–max over the rounds; GFLOP/s in --json and in the table above):' : '\nPeers, median ms per step (GFLOP/s):');
    const all = [ours, threads, ...fitPeers, ...peers];
    const peerRows = names.map((n) => [n, ...all.map((r) => peerCell(r.results[n], withRange))]);
    for (const line of formatTable([['workload', ...all.map((r) => r.peer)], ...peerRows])) console.log(line);
    console.log('\npeer time / RNN Lab time on this thread (above 1× means RNN Lab is faster):');
    const ratioRows = names.map((n) => [n, ...peers.map((r) => (r.results[n] ? `${(r.results[n].ms_per_step / ours.results[n]!.ms_per_step).toFixed(2)}×` : '-'))]);
    for (const line of formatTable([['workload', ...peers.map((r) => r.peer)], ...ratioRows])) console.log(line);
    printGoals(others.length ? ` on ${nodeLabel(process.version)}` : '', combined, rounds);
  }
  if (c) printCeilingGoal(others.length ? ` on ${nodeLabel(process.version)}` : '', fitPeers[1], c);
}

/** Counts of the subnormals a workload's gradient reaches, measured once per run with the flush off and on. */
const subnormalCounts = new Map<string, { off: SubnormalCounts; on: SubnormalCounts }>();

/**
 * For the workloads whose gradient reaches the subnormals: how far it does (with the flush off),
 * and what the flush to zero gives here and in PyTorch (torch.set_flush_denormal(True)).
 */
function printSubnormals(combined: RunColumns): void {
  const torch = combined.peers.find((r) => TORCH_ONE_THREAD.test(r.peer));
  const torchFlush = combined.peers.find((r) => TORCH_ONE_THREAD_FLUSH.test(r.peer));
  const ms = (r: PeerResult | undefined, n: string): number | undefined => r?.results[n]?.ms_per_step;
  const pair = (flushed: number | undefined, plain: number | undefined, what: string): string =>
    flushed === undefined || plain === undefined ? `${what}: not measured` : `${what}: ${flushed.toFixed(1)} ms flushed, ${plain.toFixed(1)} ms not (${(plain / flushed).toFixed(2)}×)`;
  for (const [name, w] of Object.entries(workloads)) {
    if (!w.subnormals) continue;
    const c = subnormalCounts.get(name);
    const share = (k: SubnormalCounts): string => `${((100 * k.dhSubnormal) / k.values).toFixed(1)} %`;
    const reach = c
      ? `with the flush off ${share(c.off)} of its ∂L/∂h_t values are subnormal (at ${c.off.dhSteps} of ${w.seq} steps, t = ${c.off.dhFirst}…${c.off.dhLast}), with it on ${share(c.on)}`
      : 'not counted';
    console.log(`\n${name} (T = ${w.seq}): the gradient decays into the subnormal floats — ${reach}.`);
    const [oursPairs, torchPairs] = [combined.flushPairs?.[0]?.results[name], combined.flushPairs?.find((r) => r.peer.startsWith('pytorch'))?.results[name]];
    console.log(`  ${pair(oursPairs?.flush_on_ms_per_step, oursPairs?.ms_per_step, 'RNN Lab, this thread, setFlushDenormal(true | false), turn about')}`);
    console.log(`  ${pair(torchPairs?.flush_on_ms_per_step, torchPairs?.ms_per_step, 'PyTorch, 1 thread, torch.set_flush_denormal(True | False), turn about')}`);
    console.log(`  ${pair(ms(torchFlush, name), ms(torch, name), 'PyTorch, 1 thread, the peers table: a run with torch.set_flush_denormal(True), one without')}`);
  }
}

/** bench/torch_peer.py's run under torch.set_flush_denormal(True). */
const TORCH_ONE_THREAD_FLUSH = /^pytorch-.*-threads1-flush$/;

// As in the kernel process: relaxed SIMD on (Node 20 needs the flag, newer V8s ship it and are
// left alone) before the engine validates its wasm and before any worker starts (workers share
// the process's V8 flags), unless --no-relaxed.
const relaxed = !process.argv.includes('--no-relaxed');
if (relaxed) enableRelaxedSimd();
const json = process.argv.includes('--json');
/** `--columns-json`: this process is another runtime's child of a bench run (nodeRuntime.ts). */
const columnsJson = process.argv.includes('--columns-json');
const steps = Number(argValue('--steps') ?? 20);
const rounds = Number(argValue('--rounds') ?? 1);
const workloads = loadWorkloads(sharedBench, repoRoot, argValue('--only')?.split(','));
const withWorkers = !process.argv.includes('--no-workers') && Object.values(workloads).some((w) => w.train);
const withPeers = !process.argv.includes('--no-peers');
// --no-flush: everything (fit()'s workers too) with subnormals kept, to measure what flushing costs.
const flushing = !process.argv.includes('--no-flush');
const withBrowser = !process.argv.includes('--no-browser');
setFlushDenormal(flushing);

/** Per batch-1 inference workload, the best kernel rates any round measured (the floor they give is the lowest). */
const kernelRates = new Map<string, KernelRates>();

function measureRates(): void {
  for (const [name, w] of Object.entries(workloads)) {
    if (w.train || w.batch !== 1) continue;
    const r = measureKernelRates(w, 2);
    if (!r) continue;
    const best = kernelRates.get(name);
    kernelRates.set(name, best ? { gemv: Math.max(best.gemv, r.gemv), gemm: Math.max(best.gemm, r.gemm) } : r);
  }
}

/** `40.1 GFLOP/s (72% of one thread's ceiling)` */
function rateWithShare(rate: number, ceiling: CeilingRates | undefined): string {
  return `${rate.toFixed(1)} GFLOP/s${ceiling ? ` (${formatPercent((100 * rate) / ceilingFor(ceiling, 1))} of one thread's ceiling)` : ''}`;
}

/** Training workloads: the packed GEMM's one-thread rates on their shapes, as shares of the ceiling. */
function printTrainingRates(rates: ReadonlyMap<string, TrainingRates>, ceiling: CeilingRates | undefined, label = ''): void {
  if (rates.size === 0) return;
  console.log(`\nThe packed GEMM on each training workload's shapes, one thread${label} (the kernels that take most of a step):`);
  for (const [name, r] of rates) {
    const w = workloads[name]!;
    const G = GATE_BLOCKS[w.cell] * w.hidden;
    console.log(`  ${name}: per step ${w.batch}×${w.hidden} · ${w.hidden}×${G} ${rateWithShare(r.step, ceiling)}; whole sequence ${w.batch * w.seq}×${w.hidden} · ${w.hidden}×${G} ${rateWithShare(r.sequence, ceiling)}`);
  }
}

/** Batch-1 inference: the lower bound from the kernels' rates beside what the TF.js goal asks (inferenceFloor.ts). */
function printFloors(combined: RunColumns, rateMap: ReadonlyMap<string, KernelRates> = kernelRates, ceiling: CeilingRates | undefined = runCeiling(), tfjsPeer?: PeerResult): void {
  const tfjs = tfjsPeer ?? combined.peers.find((r) => TFJS_WASM.test(r.peer));
  for (const [name, rates] of rateMap) {
    const w = workloads[name]!;
    const work = inferenceWork(w);
    const floor = floorMs(work, rates, 2);
    const mflop = (f: number): string => `${(f / 1e6).toFixed(0)} MFLOP`;
    const best = Math.min(...[combined.ours, combined.threads].map((r) => r.results[name]?.ms_per_step ?? Infinity));
    const goal = tfjs?.results[name] ? `; ${TFJS_WASM_LEAD}× TF.js wasm (${tfjs.results[name].ms_per_step.toFixed(1)} ms) asks for ≤ ${(tfjs.results[name].ms_per_step / TFJS_WASM_LEAD).toFixed(2)} ms` : '';
    console.log(
      `${name}: the kernels' own rates on one thread here (GEMV ${rateWithShare(rates.gemv, ceiling)}, GEMM ${rateWithShare(rates.gemm, ceiling)}) bound a forward on 2 cores at ≥ ${floor.toFixed(2)} ms ` +
        `(${mflop(work.gemvFlops)} of step-by-step GEMV, ${mflop(work.gemmFlops)} of GEMM as the engine runs them — the embedding's table projected, the head included; before gates, hand-overs and copies)${goal}; measured ${best.toFixed(2)} ms.`,
    );
  }
}

/** Per training workload, the best packed-GEMM rates on its shapes any round measured. */
const trainingRates = new Map<string, TrainingRates>();

function measureTrainingKernelRates(): void {
  for (const [name, w] of Object.entries(workloads)) {
    if (!w.train) continue;
    const r = measureTrainingRates(w);
    if (!r) continue;
    const best = trainingRates.get(name);
    trainingRates.set(name, best ? { step: Math.max(best.step, r.step), sequence: Math.max(best.sequence, r.sequence) } : r);
  }
}

/** This process's ceiling measurements (one per round). */
const ceilings: Ceiling[] = [];
/** The machine's ceiling for the report: the best of every measurement of the run (other runtimes' included), set in main. */
let machineCeiling: Ceiling | undefined;

function runCeiling(): Ceiling | undefined {
  return machineCeiling ?? bestCeiling(ceilings);
}

/** A warning when the two-thread ceiling is far from twice one thread's: the other core was busy meanwhile. */
function ceilingWarning(c: CeilingRates): string {
  return c.twoThreads < 1.8 * c.oneThread ? ` — below 1.8× one thread: the other core was busy during every try, so shares of two cores are overstated` : '';
}

/** Another runtime's figures of one round: its child's columns and TF.js wasm run on it. */
interface OtherRound {
  binary: NodeBinary;
  columns: ColumnsJson | null;
  tfjs: PeerResult | null;
}

/** `-node24.22.3`: appended to the names of another runtime's columns. */
function nodeSuffix(b: NodeBinary): string {
  return `-node${b.version.replace(/^v/, '')}`;
}

/** RNN Lab's columns of one round on another Node, in a child process (`--columns-json`). */
function runOtherNode(b: NodeBinary): ColumnsJson | null {
  note(`${nodeLabel(b.version)} (V8 ${b.v8}): RNN Lab's columns in a child process`);
  const r = spawnSync(b.path, [__filename, ...childArgs(process.argv.slice(2))], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', json ? 'pipe' : 'inherit'] });
  const parsed = parseColumnsJson(r.stdout ?? '');
  if (!parsed) process.stderr.write(`${nodeLabel(b.version)} did not run the columns: ${(r.stderr || r.error?.message || `exit ${r.status}`).toString().trim().split('\n').slice(-3).join(' | ')}\n`);
  return parsed;
}

/** TF.js wasm on another Node (named tfjs-…-wasm-node24.22.3, so that issue 7's goals keep reading this process's TF.js). */
function runTfjsOn(b: NodeBinary): PeerResult | null {
  const tfjsScript = join(sharedBench, 'tfjs_bench.js');
  if (!existsSync(tfjsScript)) return null;
  const r = runPeer(`tfjs-wasm on ${nodeLabel(b.version)}`, b.path, [tfjsScript, 'wasm', String(steps)], { NODE_PATH: join(repoRoot, 'node_modules') });
  return r ? { ...r, peer: `${r.peer}${nodeSuffix(b)}` } : null;
}

type RoundColumns = RunColumns & { workerKernels: string[]; others: OtherRound[] };

/** One round: every column in turn, as a one-round run does; the ceiling first, the other runtimes after this one's columns. */
async function runRound(peerName: string, options: { peers: boolean; flushPairs: boolean; others: readonly NodeBinary[] }): Promise<RoundColumns> {
  const ceiling = await measureCeiling(kernelFlavour() === 'relaxed');
  ceilings.push(ceiling);
  note(`${ceilingLine(ceiling)}${ceilingWarning(ceiling)}`);
  const ours: PeerResult = { peer: peerName, results: runOnThisThread(workloads, steps) };
  measureRates();
  measureTrainingKernelRates();
  const threads: PeerResult = { peer: `${peerName}-2-threads`, results: runWithTwoKernelThreads(workloads, steps) };
  const fitPeers: PeerResult[] = [];
  let workerKernels: string[] = [];
  if (withWorkers) {
    keepWorkersWarm(); // as in the kernel process: the timed fit() calls reuse warm workers
    workerKernels = await workerKernelFlavours(2);
    const { one, two } = await runFit(workloads, steps);
    fitPeers.push({ peer: `${peerName}-fit-1-worker`, results: one }, { peer: `${peerName}-fit-2-workers`, results: two });
    // Idle pooled workers would keep this process alive for a minute (their piped stdout holds a
    // reference even after unref()); a worker joins the pool shortly after its job's end, and
    // keepWorkersWarm(false) ends the parked ones. Each round starts its own workers again.
    await new Promise((r) => setTimeout(r, 200));
    keepWorkersWarm(false);
  }
  const others: OtherRound[] = options.others.map((binary) => ({ binary, columns: runOtherNode(binary), tfjs: null }));
  const peers = options.peers ? runPeers(steps) : [];
  if (options.peers) for (const o of others) o.tfjs = runTfjsOn(o.binary);
  if (options.peers && withBrowser) {
    const column = await runInChromium(repoRoot, `${peerName}-chromium`, workloads, steps, flushing);
    if (typeof column === 'string') process.stderr.write(`RNN Lab in Chromium skipped: ${column}\n`);
    else {
      note(`RNN Lab in Chromium: ${column.about}`);
      peers.push(column.result);
    }
  }
  // Flush off and on turn about (with --no-flush the whole run is unflushed: no pairs).
  const flushPairs: PeerResult[] = [];
  if (options.flushPairs && flushing && Object.values(workloads).some((w) => w.subnormals)) {
    flushPairs.push({ peer: `${peerName}-flush-pairs`, results: runFlushPairs(workloads, steps) });
    const torchPairs = options.peers ? runTorchFlushPairs(steps) : null;
    if (torchPairs) flushPairs.push(torchPairs);
  }
  return { ours, threads, fitPeers, peers, workerKernels, flushPairs, others };
}

/** Another runtime's columns over the rounds. */
interface CombinedOther {
  binary: NodeBinary;
  columns: RunColumns;
  /** Per round, for the goals' "met in k of n rounds". */
  rounds: RunColumns[];
  tfjs?: PeerResult;
  ceiling?: Ceiling;
  kernelRates: Map<string, KernelRates>;
  trainingRates: Map<string, TrainingRates>;
  kernels?: string;
  workerKernels: string[];
  v8Flags: string[];
}

function combineOther(binary: NodeBinary, perRound: readonly OtherRound[], torchPeers: readonly (readonly PeerResult[])[]): CombinedOther | null {
  const ran = perRound.map((r) => r.columns);
  const present = ran.filter((c): c is ColumnsJson => c !== null);
  if (present.length === 0) return null;
  const suffix = nodeSuffix(binary);
  const rename = (r: PeerResult): PeerResult => ({ ...r, peer: `${r.peer}${suffix}` });
  // issue 7's goals on this runtime read TF.js wasm run on it, under the name the goals look for
  const asGoalPeers = (i: number): PeerResult[] => {
    const tfjs = perRound[i]!.tfjs;
    return [...(torchPeers[i] ?? []).filter((p) => p.peer.startsWith('pytorch')), ...(tfjs ? [{ ...tfjs, peer: tfjs.peer.slice(0, -suffix.length) }] : [])];
  };
  const rounds: RunColumns[] = [];
  ran.forEach((c, i) => {
    if (c) rounds.push({ ours: rename(c.ours), threads: rename(c.threads), fitPeers: c.fitPeers.map(rename), peers: asGoalPeers(i) });
  });
  const columns: RunColumns = {
    ours: combineColumn(rounds.map((r) => r.ours))!,
    threads: combineColumn(rounds.map((r) => r.threads))!,
    fitPeers: combineColumnLists(rounds.map((r) => r.fitPeers)),
    peers: combineColumnLists(rounds.map((r) => r.peers)),
  };
  const kernelRatesOther = new Map<string, KernelRates>();
  const trainingRatesOther = new Map<string, TrainingRates>();
  for (const c of present) {
    for (const [name, r] of Object.entries(c.kernelRates)) {
      const best = kernelRatesOther.get(name);
      kernelRatesOther.set(name, best ? { gemv: Math.max(best.gemv, r.gemv), gemm: Math.max(best.gemm, r.gemm) } : r);
    }
    for (const [name, r] of Object.entries(c.trainingRates ?? {})) {
      const best = trainingRatesOther.get(name);
      trainingRatesOther.set(name, best ? { step: Math.max(best.step, r.step), sequence: Math.max(best.sequence, r.sequence) } : r);
    }
  }
  const tfjs = combineColumn(perRound.map((r) => r.tfjs ?? undefined));
  const ceiling = bestCeiling(present.map((c) => c.ceiling));
  return {
    binary,
    columns,
    rounds,
    ...(tfjs ? { tfjs } : {}),
    ...(ceiling ? { ceiling } : {}),
    kernelRates: kernelRatesOther,
    trainingRates: trainingRatesOther,
    kernels: present[0]!.kernels,
    workerKernels: present[0]!.workerKernels,
    v8Flags: present[0]!.v8Flags,
  };
}

/** Issue 18 §2's goal: every training workload's fit() on 2 workers as a share of the two-core ceiling. */
function printCeilingGoal(label: string, fitTwo: PeerResult | undefined, ceiling: CeilingRates): void {
  const names = Object.keys(workloads).filter((n) => workloads[n]!.train);
  if (!fitTwo || names.length === 0) return;
  console.log(`\nGoal of issue 18 §2${label}: training on 2 workers at ≥ ${CEILING_GOAL_SHARE * 100} % of the measured two-core ceiling:`);
  for (const line of formatTable(ceilingGoalTable(names.map((workload) => ({ workload, m: fitTwo.results[workload] })), ceiling))) console.log(line);
}

function printGoals(label: string, combined: RunColumns, rounds: readonly RunColumns[]): void {
  const names = Object.keys(combined.ours.results);
  // Issue 7's goals are over its workloads: the bench's own (lstm-long) are not among them.
  const goalNames = names.filter((n) => !(n in BENCH_WORKLOADS));
  const goals = goalReport(goalNames.map((n) => ({ workload: n, train: workloads[n]!.train, median: goalColumns(n, combined), rounds: rounds.map((r) => goalColumns(n, r)) })));
  const basis = rounds.length > 1 ? `the median columns; in brackets, in how many rounds each round's own columns met it` : 'this run';
  console.log(`\nSpeed goals of issue 7${label} (ratio of ms per step from ${basis}; '-': not applicable or not measured):`);
  for (const line of goals.legend) console.log(`  ${line}`);
  for (const line of formatTable(goals.table)) console.log(line);
  console.log(`goals met: ${goals.met} of ${goals.checked}${goals.skipped ? ` (${goals.skipped} not measured)` : ''}`);
}

/** Another runtime's part of the report: both runtimes side by side, its kernels, floors, goals. */
function printOther(o: CombinedOther, combined: RunColumns): void {
  const label = `${nodeLabel(o.binary.version)} (V8 ${o.binary.v8})`;
  const thisLabel = `${nodeLabel(process.version)} (V8 ${process.versions.v8})`;
  console.log(`\n${label} beside ${thisLabel}, RNN Lab's columns, median ms per step; kernels there ${o.kernels ?? '?'}${o.workerKernels.length ? ` (training workers: ${o.workerKernels.join(', ')})` : ''}; V8 flags there: ${o.v8Flags.length ? o.v8Flags.join(' ') : 'none'}:`);
  if (o.ceiling) console.log(`  ${ceilingLine(o.ceiling)} on ${nodeLabel(o.binary.version)}`);
  const names = Object.keys(combined.ours.results);
  const rows = sideBySide(names, [
    { label: nodeLabel(process.version), ours: combined.ours, threads: combined.threads, fitPeers: combined.fitPeers },
    { label: nodeLabel(o.binary.version), ours: o.columns.ours, threads: o.columns.threads, fitPeers: o.columns.fitPeers },
  ]);
  for (const line of formatTable(rows)) console.log(line);
  const c = runCeiling();
  const shares: [string, PeerResult | undefined][] = [
    ['this thread', o.columns.ours],
    ['2 kernel threads', o.columns.threads],
    ['fit() 2 workers', o.columns.fitPeers[1]],
  ];
  const present = shares.filter((x): x is [string, PeerResult] => x[1] !== undefined);
  if (c)
    console.log(
      `  GFLOP/s there as shares of the machine's ceiling (${present.map(([k]) => k).join(' / ')}): ${names
        .map((n) => `${n} ${present.map(([, r]) => (r.results[n]?.limit_share !== undefined ? formatPercent(r.results[n]!.limit_share! * 100) : '-')).join(' / ')}`)
        .join('; ')}`,
    );
  printTrainingRates(o.trainingRates, c, ` on ${nodeLabel(o.binary.version)}`);
  printFloors(o.columns, o.kernelRates, c, o.tfjs);
  const tfjsHere = combined.peers.find((r) => TFJS_WASM.test(r.peer));
  if (tfjsHere) {
    // the TF.js goal against this process's TF.js (the same peer as issue 7's table above)
    const ratios = names
      .filter((n) => tfjsHere.results[n])
      .map((n) => {
        const best = Math.min(...[o.columns.ours, o.columns.threads, ...o.columns.fitPeers].map((r) => r.results[n]?.ms_per_step ?? Infinity));
        const x = tfjsHere.results[n]!.ms_per_step / best;
        return `${n} ${x.toFixed(1)}× ${x >= TFJS_WASM_LEAD ? 'met' : 'not met'}`;
      });
    console.log(`  against TF.js wasm on ${nodeLabel(process.version)} (the peer of issue 7's table): ${ratios.join(', ')} (goal ≥ ${TFJS_WASM_LEAD}×)`);
  }
  if (o.columns.peers.length) printGoals(` on ${nodeLabel(o.binary.version)} (TF.js wasm run on ${nodeLabel(o.binary.version)} too; PyTorch as above)`, o.columns, o.rounds);
  if (c) printCeilingGoal(` on ${nodeLabel(o.binary.version)}`, o.columns.fitPeers[1], c);
}

/** `--subnormals`: issue 18's table only — forward, backward and Adam per T, flush off and on, with the subnormal counts. */
function reproduceSubnormals(): void {
  const list = (name: string, fallback: string): number[] => (argValue(name) ?? fallback).split(',').map(Number);
  console.log(`kernels ${kernelFlavour()}; an LSTM (I=16, H=128, sin inputs, loss on h_T, Adam) on this thread, median of ${argValue('--steps') ?? 5} warm steps:`);
  subnormalReport(list('--seqs', '100,200,400'), list('--batches', '32'), Number(argValue('--steps') ?? 5), true, (line) => console.log(line));
}

/** `--columns-json`: one round of RNN Lab's columns (no peers), as one JSON line for the parent bench on another Node. */
async function columnsChild(peerName: string): Promise<void> {
  const r = await runRound(peerName, { peers: false, flushPairs: false, others: [] });
  const out: ColumnsJson = {
    node: process.version,
    v8: process.versions.v8,
    kernels: kernelFlavour(),
    workerKernels: r.workerKernels,
    v8Flags: v8Flags(),
    ceiling: ceilings[0]!,
    ours: r.ours,
    threads: r.threads,
    fitPeers: [...r.fitPeers],
    kernelRates: Object.fromEntries(kernelRates),
    trainingRates: Object.fromEntries(trainingRates),
  };
  console.log(JSON.stringify(out));
}

function v8Flags(): string[] {
  return [...relaxedSimdFlags(), ...process.execArgv, ...(process.env.NODE_OPTIONS ? [`NODE_OPTIONS=${process.env.NODE_OPTIONS}`] : [])];
}

/** `--scaling-child SIZE`: RNN Lab's figures for one size of the scaling table, in this fresh process. */
async function scalingChildMain(): Promise<void> {
  const size = JSON.parse(argValue('--scaling-child')!) as ScalingSize;
  const result = await scalingChild(size, !process.argv.includes('--no-workers'));
  console.log(JSON.stringify(result));
  // pooled fit() workers would keep the process alive a while
  process.exit(0);
}

/** `--scaling`: how cost grows, beside PyTorch (bench/scaling.ts). */
async function runScaling(): Promise<void> {
  const o = parseScalingArgs(process.argv);
  const specs = parseNodeSpecs(process.argv);
  const node: NodeBinary = specs.length ? resolveNode(specs[0]!, repoRoot) : { path: process.execPath, version: process.version, v8: process.versions.v8 };
  // The ceiling before and after the sizes (the best of the two): on a shared machine one try may find the other core busy.
  const ceilingBefore = await measureCeiling(kernelFlavour() === 'relaxed');
  const sizes = scalingSizes(o);
  const rows: ScalingRow[] = sizes.map((size) => ({ size, ours: [], torch: [] }));
  const withTorch = o.peers && existsSync('/usr/bin/python3');
  const start = performance.now();
  for (let round = 0; round < o.rounds; round++) {
    for (const row of rows) {
      // RNN Lab then PyTorch, each in a fresh process, size by size
      const ours = runOursChild(node.path, __filename, row.size, o);
      if (typeof ours === 'string') process.stderr.write(`${ours}\n`);
      else row.ours.push(ours);
      const torch = withTorch ? runTorchChild(repoRoot, row.size) : null;
      if (typeof torch === 'string') process.stderr.write(`${torch}\n`);
      else if (torch) row.torch.push(torch);
      const f = (x: number | undefined): string => formatScalingMs(x);
      const last = row.ours[row.ours.length - 1];
      const lastTorch = row.torch[row.torch.length - 1];
      process.stderr.write(
        `${o.rounds > 1 ? `round ${round + 1}: ` : ''}${sizeLabel(row.size)}: RNN Lab ${last ? `${f(last.oneThreadMs)} / ${f(last.twoThreadsMs)} / ${f(last.fitTwoWorkersMs)} ms, peak +${last.peakMb.toFixed(0)} MB` : '-'}; ` +
          `PyTorch ${lastTorch ? `${f(lastTorch.one_thread_ms)} / ${f(lastTorch.two_threads_ms)} ms, peak +${lastTorch.peak_mb.toFixed(0)} MB` : '-'} (${((performance.now() - start) / 1e3).toFixed(0)} s so far)\n`,
      );
    }
  }
  const ceiling = bestCeiling([ceilingBefore, await measureCeiling(kernelFlavour() === 'relaxed')])!;
  const summaries = rows.map(summarize);
  const torchVersion = rows.find((r) => r.torch.length)?.torch[0]?.version;
  console.log(machineLine({ cpu: cpus()[0]?.model ?? 'unknown CPU', cores: cpus().length, node: node.version, kernels: kernelFlavour(), workerKernels: [], v8Flags: v8Flags(), flushDenormal: flushing }));
  console.log(ceilingLine(ceiling) + ceilingWarning(ceiling));
  console.log(
    `\nHow cost grows: one-layer ${o.cells.map((c) => c.toUpperCase()).join(' and ')} + Linear(H,1) on every step, MSE, Adam; B = ${o.batch}, I = ${o.input}; T series at H = ${o.seqHidden}, H series at T = ${o.hiddenSeq}. ` +
      `Median ms per training step${o.rounds > 1 ? ` (median of ${o.rounds} rounds; the bests' range)` : ''}, each size in fresh processes (RNN Lab on ${nodeLabel(node.version)}; PyTorch ${torchVersion ?? 'not run'}). ` +
      `Peak MB: the process's resident-set high-water mark over its one-thread steps minus its RSS before the first step.`,
  );
  const shareOf = (r: ReturnType<typeof summarize>): string => {
    if (r.oursBest === undefined) return '-';
    const cores = r.oursBest === r.oneThread ? 1 : 2;
    const rate = gflops(scalingFlops(r.size), r.oursBest);
    return `${rate.toFixed(1)} GF/s, ${formatPercent((100 * rate) / ceilingFor(ceiling, cores))} of ${cores} core${cores > 1 ? 's' : ''}`;
  };
  for (const line of formatTable(scalingTable(summaries, shareOf))) console.log(line);
  const perStep = memoryPerStep(summaries);
  if (perStep.length) {
    console.log(`\nMemory per time step of BPTT (growth of the peak between two T of the T series over the growth of T; B = ${o.batch}, H = ${o.seqHidden}):`);
    for (const line of formatTable(memoryTable(perStep, o.batch, o.seqHidden))) console.log(line);
  }
  const broken = summaries.filter((r) => r.ratio !== undefined && r.ratio > 0.6);
  const checked = summaries.filter((r) => r.ratio !== undefined);
  console.log(
    `\ntime goal (RNN Lab's best ≤ 0.6× PyTorch's best): met at ${checked.length - broken.length} of ${checked.length} sizes` +
      (broken.length ? `; not at ${broken.map((r) => `${r.size.cell.toUpperCase()} T=${r.size.seq} H=${r.size.hidden} (${r.ratio!.toFixed(2)})`).join(', ')}` : ''),
  );
}

/** The usage lines at the top of this file. */
const USAGE = [
  'npm run bench [-- --json] [--rounds N] [--steps N] [--only name,name] [--node PATH|VERSION] [--no-peers] [--no-browser] [--no-workers] [--no-relaxed] [--no-flush] [--tfjs-cpu] [--system-malloc]',
  '  --json         one JSON line per column (ours, the peers, the flush pairs, other runtimes) instead of the tables',
  '  --rounds N     every column N times in turn; the median round and the min–max range',
  '  --steps N      timed steps per column (default 20)',
  '  --only a,b     these workloads only (lstm-lm, gru-reg, rnn-adding, lstm-infer, lstm-long)',
  '  --node SPEC    RNN Lab\'s columns (and TF.js wasm) also on another Node, in a child process each round: a path, or a',
  '                 version installed by `npm ci --prefix bench/node` (e.g. --node 24); repeatable',
  '  --no-peers     without TensorFlow.js, PyTorch and RNN Lab in Chromium',
  '  --no-browser   without RNN Lab in headless Chromium (bench/browser/: the engine in a Web Worker, as in VS Code for the Web)',
  '  --no-workers   without fit()',
  '  --no-relaxed   plain SIMD128 kernels instead of relaxed SIMD',
  '  --no-flush     setFlushDenormal(false) for the whole run (what the flush to zero costs)',
  '  --tfjs-cpu     TensorFlow.js cpu too (about five minutes)',
  '  --system-malloc  without the kernel process\'s glibc malloc settings (kernel/processEnv.ts), which the bench otherwise',
  '                 re-runs itself with (Linux), so that it measures the engine as a notebook runs it; the peers inherit them',
  'npm run bench -- --subnormals [--seqs 100,200,400] [--batches 32] [--steps N]',
  "  issue 18's reproduction: an LSTM's forward, backward and Adam per T, flush off and on, with the subnormals counted",
  'npm run bench -- --scaling [--cells lstm,gru] [--seqs 50,200,1000,4000] [--hiddens 64,256,512,1024] [--batch 16] [--input 32] [--rounds N] [--no-workers] [--no-peers] [--node SPEC]',
  '  how cost grows: LSTM and GRU training, ms per step and peak memory per size, beside PyTorch (each size in fresh processes;',
  '  with --node, RNN Lab runs on that Node)',
];

/**
 * The bench again in a child process with glibc malloc's tuning, as the extension and the runner
 * start the kernel process (kernel/processEnv.ts); the peers it starts inherit it too. Returns
 * the child's exit code.
 */
function rerunWithKernelMalloc(): number {
  const env = withKernelMalloc({ ...process.env }, process.platform);
  note(`re-running with the kernel process's malloc settings (${Object.keys(KERNEL_MALLOC_ENV).map((k) => `${k}=${env[k]}`).join(' ')}; --system-malloc: without them)`);
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return void console.log(USAGE.join('\n'));
  if (!process.argv.includes('--system-malloc') && !hasKernelMalloc(process.env, process.platform)) return void (process.exitCode = rerunWithKernelMalloc());
  if (process.argv.includes('--subnormals')) return reproduceSubnormals();
  if (process.argv.includes('--scaling-child')) return scalingChildMain();
  if (process.argv.includes('--scaling')) return runScaling();
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds wants a whole number ≥ 1, got ${argValue('--rounds')}`);
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const peerName = `rnn-lab-${version}-${kernelFlavour()}`;
  if (columnsJson) return columnsChild(peerName);
  const otherNodes = parseNodeSpecs(process.argv).map((spec) => resolveNode(spec, repoRoot));
  for (const b of otherNodes) note(`also on ${nodeLabel(b.version)} (V8 ${b.v8}): ${b.path}`);
  // How far the gradient of each subnormal workload decays, flush off and on: once, before the rounds.
  try {
    for (const [name, w] of Object.entries(workloads)) {
      if (!w.subnormals || w.task !== 'state-last') continue;
      const count = (flush: boolean): SubnormalCounts => (setFlushDenormal(flush), countPhases({ input: w.input!, hidden: w.hidden, batch: w.batch, seq: w.seq }, 0));
      subnormalCounts.set(name, { off: count(false), on: count(true) });
    }
  } finally {
    setFlushDenormal(flushing);
  }
  const perRound: RoundColumns[] = [];
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
    if (rounds > 1) process.stderr.write(`round ${i + 1} of ${rounds} (${((performance.now() - start) / 1e3).toFixed(0)} s so far, RSS ${rss} MB)\n`);
    perRound.push(await runRound(peerName, { peers: withPeers, flushPairs: true, others: otherNodes }));
  }
  if (rounds > 1) process.stderr.write(`${rounds} rounds in ${((performance.now() - start) / 1e3).toFixed(0)} s\n`);
  const others = otherNodes
    .map((b, k) =>
      combineOther(
        b,
        perRound.map((r) => r.others[k]!),
        perRound.map((r) => r.peers),
      ),
    )
    .filter((o): o is CombinedOther => o !== null);
  // The machine's ceiling: the best any runtime measured in any round.
  machineCeiling = bestCeiling([...ceilings, ...others.flatMap((o) => (o.ceiling ? [o.ceiling] : []))]);
  const ceiling = machineCeiling;
  const shared = (r: PeerResult): PeerResult => (ceiling ? applyShares(r, ceiling) : r);
  const combined: RunColumns = {
    ours: shared(combineColumn(perRound.map((r) => r.ours))!),
    threads: shared(combineColumn(perRound.map((r) => r.threads))!),
    fitPeers: combineColumnLists(perRound.map((r) => r.fitPeers)).map(shared),
    peers: [...combineColumnLists(perRound.map((r) => r.peers)), ...others.flatMap((o) => (o.tfjs ? [o.tfjs] : []))],
    flushPairs: combineColumnLists(perRound.map((r) => r.flushPairs ?? [])),
  };
  for (const o of others) o.columns = { ...o.columns, ours: shared(o.columns.ours), threads: shared(o.columns.threads), fitPeers: o.columns.fitPeers.map(shared) };
  const machine: MachineInfo = {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    node: process.version,
    kernels: kernelFlavour(),
    workerKernels: perRound[0]!.workerKernels,
    v8Flags: v8Flags(),
    flushDenormal: flushing,
    ...(ceiling ? { ceiling: { op: ceiling.op, oneThread: +ceiling.oneThread.toFixed(2), twoThreads: +ceiling.twoThreads.toFixed(2) } } : {}),
  };
  combined.ours.machine = machine;
  if (json) {
    for (const r of [combined.ours, combined.threads, ...combined.fitPeers, ...combined.peers, ...(combined.flushPairs ?? [])]) console.log(JSON.stringify(r));
    for (const o of others) for (const r of [o.columns.ours, o.columns.threads, ...o.columns.fitPeers]) console.log(JSON.stringify({ ...r, node: o.binary.version, v8: o.binary.v8 }));
  } else printReport(machine, combined, perRound, others);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
