// The product's own trainer, timed: fit(model, data, { workers: N }) on the workload's shapes
// (each of N data-parallel workers takes 1/N of every batch).
//
// How a step is timed: fit() reports its own duration (durationMs, from the loop's start in the
// worker, after the worker started and rebuilt the model, to the end of the last step). Two runs
// on the same warm pooled workers, one of WARMUP_STEPS steps and one of WARMUP_STEPS + S, differ
// by S steps exactly: (d₂ − d₁)/S is the mean time of a step, start-up and the first, JIT-compiling
// steps left out. The pair is repeated REPEATS times and the median taken (another program on a
// 2-core machine easily disturbs a run), the worker counts compared taking turns. Progress events
// stay at fit()'s default rate: asking for one per step would wake this thread every step, and on
// 2 cores that slowed the 2-worker case measurably (1–3 ms of a 10–20 ms step in trials).

import { fit } from '../kernel/train/index';
import { kernelFlavour, Linear, manualSeed, Module, tensor, type Tensor } from '../kernel/engine/index';
import { median } from './callingThread';
import { buildModel, makeData } from './models';
import type { Workload } from './workloads';

const WARMUP_STEPS = 3;
const REPEATS = 3;

/** fit()'s own duration (ms) of `maxSteps` steps of the workload with `workers` workers. */
async function fitDuration(w: Workload, workers: number, maxSteps: number): Promise<number> {
  manualSeed(0);
  const model = buildModel(w);
  // Four batches per epoch: epoch ends (reshuffling) happen, as in real training, but rarely.
  const data = makeData(w, 4 * w.batch);
  const result = await fit(model, data, {
    workers,
    batchSize: w.batch,
    maxSteps,
    optimizer: 'adam',
    lr: 1e-3,
    loss: w.task === 'lm' ? 'crossEntropy' : 'mse', // lm: over (B·T, vocab), as sequenceCrossEntropy
    gradNormEvery: 0,
    display: false,
  }).done;
  if (result.steps !== maxSteps) throw new Error(`fit ran ${result.steps} steps, expected ${maxSteps}`);
  return result.durationMs;
}

/**
 * ms per step of fit() with each of `workerCounts` workers: the median over REPEATS estimates of
 * the mean of `steps` steps. The worker counts take turns within each repeat, so that a disturbance
 * from another program does not fall on one of them only.
 */
export async function timeFit(w: Workload, workerCounts: readonly number[], steps: number): Promise<number[]> {
  const estimates: number[][] = workerCounts.map(() => []);
  for (let r = 0; r < REPEATS; r++) {
    for (const [i, workers] of workerCounts.entries()) {
      const short = await fitDuration(w, workers, WARMUP_STEPS);
      const long = await fitDuration(w, workers, WARMUP_STEPS + steps);
      estimates[i]!.push((long - short) / steps);
    }
  }
  return estimates.map(median);
}

/**
 * Which kernels the training workers compute with ('relaxed' | 'simd' | 'js'), asked inside them:
 * a one-step fit() of a model whose forward prints kernelFlavour(). Also starts the workers, so
 * that the timed fit() calls get warm threads from the pool.
 */
export async function workerKernelFlavours(workers: number): Promise<string[]> {
  const Probe = new Function(
    'Module',
    'Linear',
    'kernelFlavour',
    `'use strict'; return (class FlavourProbe extends Module {
      constructor() { super(); this.fc = new Linear(1, 1); }
      forward(x) { console.log('kernel-flavour=' + kernelFlavour()); return this.fc.forward(x); }
    });`,
  )(Module, Linear, kernelFlavour) as new () => Module;
  manualSeed(0);
  const x: Tensor = tensor(new Float32Array(2 * workers), [2 * workers, 1]);
  const job = fit(new Probe(), { x, y: x }, { workers, batchSize: 2 * workers, maxSteps: 1, loss: 'mse', gradNormEvery: 0, display: false });
  const seen: string[] = [];
  job.onLog((_stream, text) => {
    for (const m of text.matchAll(/kernel-flavour=(\w+)/g)) seen.push(m[1]!);
  });
  await job.done;
  // Console output travels apart from messages and may come just after the result.
  for (let i = 0; i < 20 && seen.length < workers; i++) await new Promise((r) => setTimeout(r, 10));
  return seen;
}
