// The product's own trainer, timed: fit(model, data, { workers: N }) on the workload's shapes
// (each of N data-parallel workers takes 1/N of every batch).
//
// How a step is timed: fit() reports the wall time of every step (FitResult.stepMs, on the leading
// worker, gradient exchange and update included). A job of WARMUP_STEPS + S steps runs on pooled
// workers warmed by an untimed run of WORKER_WARMUP_STEPS, and its step time is the median of the
// S steps after the warm-up: the statistic the peer scripts report (PyTorch's and TensorFlow.js's:
// median step after 3 warm-up steps). The mean of the same steps is reported beside it: on this
// 2-core machine a few steps of a data-parallel run are slowed by other programs, the garbage
// collector or the JIT, and with a barrier every step a slow worker holds up the other. REPEATS jobs per worker count, taking turns (another
// program easily disturbs one run), and the median of their figures. Progress events stay at
// fit()'s default rate: asking for one per step would wake this thread every step, and on 2 cores
// that slowed the 2-worker case measurably (1–3 ms of a 10–20 ms step in trials).

import { fit } from '../kernel/train/index';
import { medianStepMs, WARMUP_STEPS } from '../kernel/train/stepTiming';
import { kernelFlavour, Linear, manualSeed, Module, tensor, type Tensor } from '../kernel/engine/index';
import { median } from './callingThread';
import { buildModel, makeData } from './models';
import type { Workload } from './workloads';

const REPEATS = 3;
/** Steps of the untimed run that warms the pooled workers before the timed ones. */
const WORKER_WARMUP_STEPS = 100;

/** A fit() step time: the median step (the peers' statistic) and the mean of the same steps, ms. */
export interface FitStepTime {
  median: number;
  mean: number;
}

/** fit()'s step times of a run of the workload with `workers` workers, warm-up steps left out. */
async function fitStepTimes(w: Workload, workers: number, steps: number): Promise<FitStepTime> {
  manualSeed(0);
  const model = buildModel(w);
  // Four batches per epoch: epoch ends (reshuffling) happen, as in real training, but rarely.
  const data = makeData(w, 4 * w.batch);
  const maxSteps = WARMUP_STEPS + steps;
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
  const timed = result.stepMs.slice(WARMUP_STEPS);
  return { median: medianStepMs(timed, 0), mean: timed.reduce((a, b) => a + b, 0) / timed.length };
}

/**
 * fit()'s step time with each of `workerCounts` workers: the median over REPEATS runs of `steps`
 * timed steps each. The worker counts take turns within each repeat, so that a disturbance from
 * another program does not fall on one of them only.
 */
export async function timeFit(w: Workload, workerCounts: readonly number[], steps: number, warmSteps = WORKER_WARMUP_STEPS): Promise<FitStepTime[]> {
  // A fresh worker's JavaScript takes ~100 steps to be fully compiled (each worker is an isolate
  // of its own): one untimed run on all the workers first, as a kernel session's later fit()
  // calls find them. Then one with each smaller count: a worker training alone runs its kernels
  // on two threads, and its helper thread starts with that first job and is slow for its first
  // ~40 steps (measured, gru-reg: 13.5 ms per step against 8.9 after), which a 20-step run of a
  // worker the pool had only used data-parallel would otherwise time.
  if (warmSteps > 0) {
    const counts = [...new Set(workerCounts)].sort((a, b) => b - a);
    for (const workers of counts) await fitStepTimes(w, workers, warmSteps);
  }
  const runs: FitStepTime[][] = workerCounts.map(() => []);
  for (let r = 0; r < REPEATS; r++) {
    for (const [i, workers] of workerCounts.entries()) runs[i]!.push(await fitStepTimes(w, workers, steps));
  }
  return runs.map((rs) => ({ median: median(rs.map((x) => x.median)), mean: median(rs.map((x) => x.mean)) }));
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
