// `npm run bench [-- --json] [--rounds N] [--steps N] [--only name,name] [--no-peers] [--no-workers] [--no-relaxed] [--no-flush] [--tfjs-cpu]`
// `npm run bench -- --subnormals [--seqs 100,200,400] [--batches 32,8] [--steps N]`: issue 18's reproduction only (bench/subnormals.ts)
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
// workloads) with 1 and 2 threads, and with 1 thread under torch.set_flush_denormal(True) — so
// that ratios, not absolute times, are what one reads.
// Timings are medians of ms per step. --json prints one line per peer, ours included:
// { peer, rounds, results: { workload: { ms_per_step, gflops, range_ms: [min, max], … } } }.
//
// --rounds N (default 1) runs that whole sequence N times in turn, so that every column sees the
// same disturbances from the machine's other tenants, and reports per column and workload the
// median round and the range over the rounds (bench/rounds.ts). After the peers comes a table of
// the speed goals of issue 7 (bench/goals.ts).

import '../kernel/node/install';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { getFlushDenormal, getNumThreads, kernelFlavour, setFlushDenormal, setNumThreads } from '../kernel/engine/index';
import { teamStats } from '../kernel/engine/wasm/team';
import { keepWorkersWarm } from '../kernel/train/index';
import { kernelThreads, relaxedSimdFlags } from '../kernel/engine/wasm/flags';
import { enableRelaxedSimd } from '../kernel/node/relaxedSimd';
import { makeGenerationStep, makeStep, timePaired, timeSteps } from './callingThread';
import { timeFit, workerKernelFlavours, type FitStepTime } from './fitTiming';
import { goalColumns, goalReport, TFJS_WASM, TFJS_WASM_LEAD, TORCH_ONE_THREAD, type RunColumns } from './goals';
import { floorMs, inferenceWork, measureKernelRates, type KernelRates } from './inferenceFloor';
import { formatPercent, formatTable, gflops, limitShare, machineLine, overheadPercent, SIMD128_GFLOPS_PER_CORE, type MachineInfo } from './report';
import { combineColumn, combineColumnLists, formatMs, formatRange, type Measurement, type PeerResult } from './rounds';
import { countPhases, subnormalReport, type SubnormalCounts } from './subnormals';
import { BENCH_WORKLOADS, flops, loadWorkloads, type Workload } from './workloads';

const repoRoot = resolve(__dirname, '..');
const sharedBench = resolve(repoRoot, '..', 'shared', 'bench');

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const round = (x: number, digits: number): number => +x.toFixed(digits);

function measurement(w: Workload, ms: number, cores: number): Measurement {
  const rate = gflops(flops(w), ms);
  return { ms_per_step: round(ms, 3), gflops: round(rate, 2), limit_share: round(limitShare(rate, cores), 3) };
}

function note(text: string): void {
  if (!json) process.stderr.write(text + '\n');
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
      const sequences = steps1 ? `; in batch-1 sequences the caller ran ${((100 * (teamStats.sequenceStepsTaken - before.sequenceStepsTaken)) / steps1).toFixed(1)} % of the helper's steps` : '';
      const late = split ? ` (${split} products or sequences split; the helper missed ${share(teamStats.takenBack - before.takenBack)} of them, taken back, and was late for ${share(teamStats.late - before.late)}${sequences})` : '';
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
function printReport(machine: MachineInfo, combined: RunColumns, rounds: readonly RunColumns[]): void {
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
  console.log(`\nRNN Lab, median ms per step (GFLOP/s, share of the SIMD128 limit of the cores used: ${SIMD128_GFLOPS_PER_CORE.toFixed(1)} GFLOP/s per core):`);
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

  printFloors(combined);
  printSubnormals(combined);
  if (peers.length === 0) return;
  console.log(withRange ? '\nPeers, median ms per step (min–max over the rounds; GFLOP/s in --json and in the table above):' : '\nPeers, median ms per step (GFLOP/s):');
  const all = [ours, threads, ...fitPeers, ...peers];
  const peerRows = names.map((n) => [n, ...all.map((r) => peerCell(r.results[n], withRange))]);
  for (const line of formatTable([['workload', ...all.map((r) => r.peer)], ...peerRows])) console.log(line);
  console.log('\npeer time / RNN Lab time on this thread (above 1× means RNN Lab is faster):');
  const ratioRows = names.map((n) => [n, ...peers.map((r) => (r.results[n] ? `${(r.results[n].ms_per_step / ours.results[n]!.ms_per_step).toFixed(2)}×` : '-'))]);
  for (const line of formatTable([['workload', ...peers.map((r) => r.peer)], ...ratioRows])) console.log(line);

  // Issue 7's goals are over its workloads: the bench's own (lstm-long) are not among them.
  const goalNames = names.filter((n) => !(n in BENCH_WORKLOADS));
  const goals = goalReport(goalNames.map((n) => ({ workload: n, train: workloads[n]!.train, median: goalColumns(n, combined), rounds: rounds.map((r) => goalColumns(n, r)) })));
  const basis = withRange ? `the median columns; in brackets, in how many rounds each round's own columns met it` : 'this run';
  console.log(`\nSpeed goals of issue 7 (ratio of ms per step from ${basis}; '-': not applicable or not measured):`);
  for (const line of goals.legend) console.log(`  ${line}`);
  for (const line of formatTable(goals.table)) console.log(line);
  console.log(`goals met: ${goals.met} of ${goals.checked}${goals.skipped ? ` (${goals.skipped} not measured)` : ''}`);
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
const steps = Number(argValue('--steps') ?? 20);
const rounds = Number(argValue('--rounds') ?? 1);
const workloads = loadWorkloads(sharedBench, repoRoot, argValue('--only')?.split(','));
const withWorkers = !process.argv.includes('--no-workers') && Object.values(workloads).some((w) => w.train);
const withPeers = !process.argv.includes('--no-peers');
// --no-flush: everything (fit()'s workers too) with subnormals kept, to measure what flushing costs.
const flushing = !process.argv.includes('--no-flush');
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

/** Batch-1 inference: the lower bound from the kernels' rates beside what the TF.js goal asks (inferenceFloor.ts). */
function printFloors(combined: RunColumns): void {
  const tfjs = combined.peers.find((r) => TFJS_WASM.test(r.peer));
  for (const [name, rates] of kernelRates) {
    const w = workloads[name]!;
    const work = inferenceWork(w);
    const floor = floorMs(work, rates, 2);
    const mflop = (f: number): string => `${(f / 1e6).toFixed(0)} MFLOP`;
    const best = Math.min(...[combined.ours, combined.threads].map((r) => r.results[name]?.ms_per_step ?? Infinity));
    const goal = tfjs?.results[name] ? `; ${TFJS_WASM_LEAD}× TF.js wasm (${tfjs.results[name].ms_per_step.toFixed(1)} ms) asks for ≤ ${(tfjs.results[name].ms_per_step / TFJS_WASM_LEAD).toFixed(2)} ms` : '';
    console.log(
      `${name}: the kernels' own rates on one thread here (GEMV ${rates.gemv.toFixed(1)} GFLOP/s, GEMM ${rates.gemm.toFixed(1)}) bound a forward on 2 cores at ≥ ${floor.toFixed(2)} ms ` +
        `(${mflop(work.gemvFlops)} of step-by-step GEMV, ${mflop(work.gemmFlops)} of GEMM as the engine runs them — the embedding's table projected, the head included; before gates, hand-overs and copies)${goal}; measured ${best.toFixed(2)} ms.`,
    );
  }
}

/** One round: every column in turn, as a one-round run does. */
async function runRound(peerName: string): Promise<RunColumns & { workerKernels: string[] }> {
  const ours: PeerResult = { peer: peerName, results: runOnThisThread(workloads, steps) };
  measureRates();
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
  const peers = withPeers ? runPeers(steps) : [];
  // Flush off and on turn about (with --no-flush the whole run is unflushed: no pairs).
  const flushPairs: PeerResult[] = [];
  if (flushing && Object.values(workloads).some((w) => w.subnormals)) {
    flushPairs.push({ peer: `${peerName}-flush-pairs`, results: runFlushPairs(workloads, steps) });
    const torchPairs = withPeers ? runTorchFlushPairs(steps) : null;
    if (torchPairs) flushPairs.push(torchPairs);
  }
  return { ours, threads, fitPeers, peers, workerKernels, flushPairs };
}

/** `--subnormals`: issue 18's table only — forward, backward and Adam per T, flush off and on, with the subnormal counts. */
function reproduceSubnormals(): void {
  const list = (name: string, fallback: string): number[] => (argValue(name) ?? fallback).split(',').map(Number);
  console.log(`kernels ${kernelFlavour()}; an LSTM (I=16, H=128, sin inputs, loss on h_T, Adam) on this thread, median of ${argValue('--steps') ?? 5} warm steps:`);
  subnormalReport(list('--seqs', '100,200,400'), list('--batches', '32'), Number(argValue('--steps') ?? 5), true, (line) => console.log(line));
}

/** The usage lines at the top of this file. */
const USAGE = [
  'npm run bench [-- --json] [--rounds N] [--steps N] [--only name,name] [--no-peers] [--no-workers] [--no-relaxed] [--no-flush] [--tfjs-cpu]',
  '  --json         one JSON line per column (ours, the peers, the flush pairs) instead of the tables',
  '  --rounds N     every column N times in turn; the median round and the min–max range',
  '  --steps N      timed steps per column (default 20)',
  '  --only a,b     these workloads only (lstm-lm, gru-reg, rnn-adding, lstm-infer, lstm-long)',
  '  --no-peers     without TensorFlow.js and PyTorch',
  '  --no-workers   without fit()',
  '  --no-relaxed   plain SIMD128 kernels instead of relaxed SIMD',
  '  --no-flush     setFlushDenormal(false) for the whole run (what the flush to zero costs)',
  '  --tfjs-cpu     TensorFlow.js cpu too (about five minutes)',
  'npm run bench -- --subnormals [--seqs 100,200,400] [--batches 32] [--steps N]',
  "  issue 18's reproduction: an LSTM's forward, backward and Adam per T, flush off and on, with the subnormals counted",
];

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return void console.log(USAGE.join('\n'));
  if (process.argv.includes('--subnormals')) return reproduceSubnormals();
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds wants a whole number ≥ 1, got ${argValue('--rounds')}`);
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
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const peerName = `rnn-lab-${version}-${kernelFlavour()}`;
  const perRound: (RunColumns & { workerKernels: string[] })[] = [];
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
    if (rounds > 1) process.stderr.write(`round ${i + 1} of ${rounds} (${((performance.now() - start) / 1e3).toFixed(0)} s so far, RSS ${rss} MB)\n`);
    perRound.push(await runRound(peerName));
  }
  if (rounds > 1) process.stderr.write(`${rounds} rounds in ${((performance.now() - start) / 1e3).toFixed(0)} s\n`);
  const combined: RunColumns = {
    ours: combineColumn(perRound.map((r) => r.ours))!,
    threads: combineColumn(perRound.map((r) => r.threads))!,
    fitPeers: combineColumnLists(perRound.map((r) => r.fitPeers)),
    peers: combineColumnLists(perRound.map((r) => r.peers)),
    flushPairs: combineColumnLists(perRound.map((r) => r.flushPairs ?? [])),
  };
  const machine: MachineInfo = {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    node: process.version,
    kernels: kernelFlavour(),
    workerKernels: perRound[0]!.workerKernels,
    v8Flags: [...relaxedSimdFlags(), ...process.execArgv, ...(process.env.NODE_OPTIONS ? [`NODE_OPTIONS=${process.env.NODE_OPTIONS}`] : [])],
    flushDenormal: flushing,
  };
  combined.ours.machine = machine;
  if (json) for (const r of [combined.ours, combined.threads, ...combined.fitPeers, ...combined.peers, ...(combined.flushPairs ?? [])]) console.log(JSON.stringify(r));
  else printReport(machine, combined, perRound);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
