// `npm run bench [-- --json] [--steps N] [--only name,name] [--no-peers]`
//
// Times RNN Lab on the workloads in ../shared/bench/workloads.json (a copy is committed in
// bench/workloads.json for machines without shared/), then runs the peers in the same run —
// TensorFlow.js (cpu and wasm) and, where Debian's python3-torch is installed, PyTorch — so that
// ratios, not absolute times, are what one reads. Timings are medians of ms per step.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Adam, kernelFlavour, crossEntropy, Embedding, GRU, Linear, LSTM, manualSeed, mseLoss, noGrad, RNN, select, tensor, type Tensor } from '../kernel/engine/index';
import { enableRelaxedSimd } from '../kernel/runtime/wasmFlags';

interface Workload {
  cell: 'lstm' | 'gru' | 'rnn';
  vocab?: number;
  embed?: number;
  input?: number;
  hidden: number;
  layers: number;
  seq: number;
  batch: number;
  task: 'lm' | 'reg-last';
  train: boolean;
}

interface PeerResult {
  peer: string;
  results: Record<string, { ms_per_step: number; gflops: number; peak_rss_mb?: number }>;
}

const repoRoot = resolve(__dirname, '..');
const sharedBench = resolve(repoRoot, '..', 'shared', 'bench');

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Same FLOP count as the peer scripts: 2·B·T·G·H·(I+H) per layer, ×3 for a training step. */
function flops(w: Workload): number {
  const g = { lstm: 4, gru: 3, rnn: 1 }[w.cell];
  const inputSize = w.embed ?? w.input ?? 0;
  let f = 0;
  for (let l = 0; l < w.layers; l++) f += 2 * w.batch * w.seq * g * w.hidden * ((l === 0 ? inputSize : w.hidden) + w.hidden);
  return f * (w.train ? 3 : 1);
}

function randomTensor(shape: number[], fill: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = fill(i);
  return tensor(data, shape);
}

/** Builds the workload's model and returns one training (or inference) step. */
function makeStep(w: Workload): () => void {
  const Cell = { lstm: LSTM, gru: GRU, rnn: RNN }[w.cell];
  // A cheap deterministic pseudo-random fill: the values do not matter for timing.
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  if (w.task === 'lm') {
    const vocab = w.vocab!;
    const emb = new Embedding(vocab, w.embed!);
    const rnn = new Cell(w.embed!, w.hidden, { numLayers: w.layers, batchFirst: true });
    const fc = new Linear(w.hidden, vocab);
    const x = randomTensor([w.batch, w.seq], () => Math.floor(rand() * vocab)); // x is (B,T) token ids
    const y = randomTensor([w.batch * w.seq], () => Math.floor(rand() * vocab));
    const params = [...emb.parameters(), ...rnn.parameters(), ...fc.parameters()];
    const opt = new Adam(params, { lr: 1e-3 });
    const forward = (): Tensor => {
      const { output } = rnn.forward(emb.forward(x)); // output is (B,T,H)
      return fc.forward(output).reshape(w.batch * w.seq, vocab);
    };
    if (!w.train) return () => void noGrad(forward);
    return () => {
      opt.zeroGrad();
      const loss = crossEntropy(forward(), y);
      loss.backward();
      opt.step();
    };
  }
  const rnn = new Cell(w.input!, w.hidden, { numLayers: w.layers, batchFirst: true });
  const fc = new Linear(w.hidden, 1);
  const x = randomTensor([w.batch, w.seq, w.input!], () => rand() * 2 - 1);
  const y = randomTensor([w.batch, 1], () => rand() * 2 - 1);
  const opt = new Adam([...rnn.parameters(), ...fc.parameters()], { lr: 1e-3 });
  const forward = (): Tensor => fc.forward(select(rnn.forward(x).output, 1, w.seq - 1));
  if (!w.train) return () => void noGrad(forward);
  return () => {
    opt.zeroGrad();
    const loss = mseLoss(forward(), y);
    loss.backward();
    opt.step();
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function runOurs(workloads: Record<string, Workload>, steps: number): PeerResult {
  const results: PeerResult['results'] = {};
  for (const [name, w] of Object.entries(workloads)) {
    manualSeed(0);
    const step = makeStep(w);
    for (let i = 0; i < 2; i++) step(); // warm-up: JIT and buffers
    const times: number[] = [];
    let peak = process.memoryUsage().rss;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      step();
      times.push(performance.now() - t0);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const ms = median(times);
    results[name] = { ms_per_step: +ms.toFixed(3), gflops: +(flops(w) / (ms / 1e3) / 1e9).toFixed(2), peak_rss_mb: +(peak / 2 ** 20).toFixed(1) };
    if (!json) process.stderr.write(`rnn-lab ${name}: ${ms.toFixed(1)} ms/step\n`);
  }
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return { peer: `rnn-lab-${version}-${kernelFlavour()}`, results };
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

// As in the kernel process: relaxed SIMD on (Node 20 needs the flag), unless --no-relaxed.
if (!process.argv.includes('--no-relaxed')) enableRelaxedSimd();
const json = process.argv.includes('--json');
const steps = Number(argValue('--steps') ?? 10);
const only = argValue('--only')?.split(',');
const workloadsPath = existsSync(join(sharedBench, 'workloads.json')) ? join(sharedBench, 'workloads.json') : join(repoRoot, 'bench', 'workloads.json');
let workloads = JSON.parse(readFileSync(workloadsPath, 'utf8')) as Record<string, Workload>;
if (only) workloads = Object.fromEntries(Object.entries(workloads).filter(([k]) => only.includes(k)));

const all: PeerResult[] = [runOurs(workloads, steps)];
if (!process.argv.includes('--no-peers')) {
  const tfjsScript = join(sharedBench, 'tfjs_bench.js');
  if (existsSync(tfjsScript)) {
    for (const backend of ['wasm', 'cpu']) {
      const r = runPeer(`tfjs-${backend}`, process.execPath, [tfjsScript, backend, String(steps)], { NODE_PATH: join(repoRoot, 'node_modules') });
      if (r) all.push(r);
    }
  } else {
    process.stderr.write(`TensorFlow.js peer skipped: ${tfjsScript} not found (it lives in the project's shared/ folder)\n`);
  }
  const torchScript = join(sharedBench, 'torch_bench.py');
  if (existsSync(torchScript) && existsSync('/usr/bin/python3')) {
    for (const threads of ['1', '2']) {
      const r = runPeer(`pytorch-${threads}`, '/usr/bin/python3', [torchScript, threads, String(Math.max(steps, 10))]);
      if (r) all.push(r);
    }
  }
}

if (json) {
  for (const r of all) console.log(JSON.stringify(r));
} else {
  const ours = all[0]!;
  const names = Object.keys(ours.results);
  const header = ['workload', ...all.map((r) => r.peer)];
  const rows = names.map((n) => [n, ...all.map((r) => (r.results[n] ? `${r.results[n].ms_per_step.toFixed(1)} ms (${r.results[n].gflops} GF/s)` : '-'))]);
  const ratioRows = names.map((n) => [n, ...all.slice(1).map((r) => (r.results[n] ? `${(r.results[n].ms_per_step / ours.results[n]!.ms_per_step).toFixed(2)}×` : '-'))]);
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c]!.length)));
  const fmt = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  console.log(fmt(header));
  for (const row of rows) console.log(fmt(row));
  console.log('\npeer time / RNN Lab time (above 1× means RNN Lab is faster):');
  for (const row of ratioRows) console.log(fmt([row[0]!, ...row.slice(1)]));
  console.log('\npeak RSS (RNN Lab, whole process): ' + names.map((n) => `${n} ${ours.results[n]!.peak_rss_mb} MB`).join(', '));
}
