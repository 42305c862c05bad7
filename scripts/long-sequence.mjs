// Long sequences in bounded memory (issue 18, section 4): ms per training step and peak memory of
// an LSTM (I = 2, H = 128, B = 8) trained at T = 1,000 … 10,000 with plain BPTT, with gradient
// checkpointing through time ({ checkpoint: true }: segments of ⌈√T⌉ steps, rounded up to whole
// blocks), and with truncated BPTT through fit() ({ tbptt: { k1, k2 } }). The task: predict, at
// every step, the input of 10 steps before (a per-step MSE, so the output gradient is dense).
//
//   npm run build && node scripts/long-sequence.mjs            (every row; a few minutes)
//   node scripts/long-sequence.mjs --only checkpoint-10000 --steps 3
//
// Each row runs in a process of its own (peak RSS, process.resourceUsage().maxRSS, only grows),
// on one thread, with relaxed SIMD on as the kernel runs it. The median of the timed steps after
// the warm-up ones is reported, in wall time and in the process's CPU time (user + system: on a
// machine shared with other work the wall time of a step varies by tens of percent, its CPU time
// much less). Not a test: timings vary with the machine and its load.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const ENGINE = join(here, '..', 'dist', 'engine.js');
const [I, H, B, DELAY] = [2, 128, 8, 10];

/** name → [T, how]: 'plain', 'checkpoint' or a tbptt k1 (k2 = k1). */
const ROWS = {
  'plain-1000': [1000, 'plain'],
  'plain-4000': [4000, 'plain'],
  'plain-10000': [10000, 'plain'],
  'checkpoint-1000': [1000, 'checkpoint'],
  'checkpoint-4000': [4000, 'checkpoint'],
  'checkpoint-10000': [10000, 'checkpoint'],
  'tbptt-10000-k1000': [10000, 1000],
};

function argValue(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** x (B,T,I): sines of two frequencies per sequence; y (B,T,1): the first input feature DELAY steps earlier. */
function data(T) {
  const x = new Float32Array(B * T * I);
  const y = new Float32Array(B * T);
  for (let n = 0; n < B; n++) {
    for (let t = 0; t < T; t++) {
      x[(n * T + t) * I] = Math.sin(0.05 * (n + 1) * t);
      x[(n * T + t) * I + 1] = Math.cos(0.011 * (n + 3) * t);
      y[n * T + t] = t >= DELAY ? x[(n * T + t - DELAY) * I] : 0;
    }
  }
  return { x, y };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** One row, in this process: prints one JSON line. */
function runRow(name, steps, warmup) {
  const require = createRequire(import.meta.url);
  const E = require(ENGINE);
  const [T, how] = ROWS[name];
  E.setNumThreads(1);
  E.manualSeed(0);
  class Model extends E.Module {
    lstm = new E.LSTM(I, H, { batchFirst: true, checkpoint: how === 'checkpoint' });
    head = new E.Linear(H, 1);
    forward(x) {
      return this.head.forward(this.lstm.forward(x).output); // (B,T,1)
    }
  }
  const model = new Model();
  const { x, y } = data(T);
  const X = new E.Tensor(x, [B, T, I]);
  const Y = new E.Tensor(y, [B, T, 1]);
  const times = [];
  const cpuTimes = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let loss = NaN;
  if (typeof how === 'number') {
    // Truncated BPTT through fit()'s loop (trainSteps: on this thread): one optimizer step per chunk of k1 steps.
    // One epoch (one batch, its chunks) at a time, to time each sequence's pass in CPU time too.
    const options = { epochs: 1, batchSize: B, loss: 'mse', gradNormEvery: 0, tbptt: { k1: how } };
    for (let e = 0; e < warmup + steps; e++) {
      const [wall, cpu] = [performance.now(), cpuMs()];
      const result = E.trainSteps(model, { x: X, y: Y }, options);
      if (e >= warmup) {
        times.push(performance.now() - wall);
        cpuTimes.push(cpuMs() - cpu);
      }
      loss = result.losses[result.losses.length - 1];
    }
  } else {
    const opt = new E.Adam(model.parameters(), { lr: 1e-3 });
    for (let s = 0; s < warmup + steps; s++) {
      const [wall, cpu] = [performance.now(), cpuMs()];
      opt.zeroGrad();
      const l = E.mseLoss(model.forward(X), Y);
      l.backward();
      opt.step();
      loss = l.item();
      if (s >= warmup) {
        times.push(performance.now() - wall);
        cpuTimes.push(cpuMs() - cpu);
      }
    }
  }
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ name, T, how, msPerStep: median(times), cpuMsPerStep: median(cpuTimes), maxRssMB, loss, flavour: E.kernelFlavour() }));
}

function main() {
  const steps = Number(argValue('--steps', '5'));
  const warmup = Number(argValue('--warmup', '2'));
  const only = argValue('--only', null);
  const child = argValue('--row', null);
  if (child) return void runRow(child, steps, warmup);
  const names = only ? only.split(',') : Object.keys(ROWS);
  console.log(`LSTM I=${I} H=${H} B=${B}, one thread, median of ${steps} steps after ${warmup} warm-up steps (Node ${process.version})\n`);
  console.log('| run | T | ms / step (wall) | CPU ms / step | peak RSS (MB) |');
  console.log('|---|---|---|---|---|');
  for (const name of names) {
    if (!ROWS[name]) throw new Error(`unknown row '${name}'; the rows are ${Object.keys(ROWS).join(', ')}`);
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', fileURLToPath(import.meta.url), '--row', name, '--steps', String(steps), '--warmup', String(warmup)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      console.log(`| ${name} | failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')} | | | |`);
      continue;
    }
    const o = JSON.parse(line);
    const how = typeof o.how === 'number' ? `truncated BPTT, k1 = k2 = ${o.how} (per whole sequence: ${Math.ceil(o.T / o.how)} updates)` : o.how === 'checkpoint' ? 'checkpointed BPTT' : 'plain BPTT';
    console.log(`| ${how} | ${o.T} | ${o.msPerStep.toFixed(0)} | ${o.cpuMsPerStep.toFixed(0)} | ${o.maxRssMB.toFixed(0)} |`);
  }
}

main();
