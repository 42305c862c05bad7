// What a training worker thread does (its entry, kernel/node/trainingWorker.ts, bundled as
// dist/worker.js, hands in the channel to the kernel). For each job it is sent, it
// rebuilds the model from its description, trains it on a private copy of the weights and
// publishes whole steps into the shared weights the kernel's model reads. Steered through shared
// memory (stop, pause, barrier); reports progress, the result or the error with its stack by
// message. Between jobs it waits in the kernel's worker pool (its JIT stays warm).

import type { Module } from '../../engine/module';
import type { Optimizer } from '../../engine/optim/index';
import type { LRScheduler, ReduceLROnPlateau } from '../../engine/schedulers';
import { setFlushDenormal } from '../../engine/denormal';
import { Tensor } from '../../engine/tensor';
import { setNumThreads } from '../../engine/wasm/team';
import { kernelThreads } from '../../engine/wasm/flags';
import { writeCheckpoint } from '../checkpoint';
import { batchSource, unpackData } from '../data';
import { GradientExchange } from './gradientExchange';
import { engineExport, engineExports } from '../engineClasses';
import { GraphDecoder } from './graph';
import { JobControl } from './jobControl';
import { TrainingLoop } from '../loop';
import { MetricsStream } from '../metrics';
import { SharedWeights } from './sharedWeights';
import type { ForwardLoss } from '../types';
import { SourceScope } from './userCode';
import { serializeError, type WorkerInit, type WorkerMessage, type WorkerRequest, type WorkerRoot } from './workerProtocol';

/** Publish at most this often while training (and always when pausing and at the end). */
const PUBLISH_INTERVAL_MS = 50;

/** The thread's channel to the kernel that started it. */
export interface TrainingWorkerPort {
  post(message: WorkerMessage): void;
  onMessage(handler: (message: WorkerRequest) => void): void;
}

let post: (message: WorkerMessage) => void = () => undefined;

function optionalFunction<T>(value: unknown, name: string): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'function') throw new Error(`fit: ${name} must be a function`);
  return value as T;
}

interface JobContext {
  /** Set once the model is rebuilt: publishes the leader's weights (used when training fails). */
  publishLastStep: (() => void) | null;
}

function train(init: WorkerInit, context: JobContext): void {
  const { config } = init;
  // A single worker trains while the kernel's thread waits: its products may use the second core
  // (same numbers bit for bit). Data-parallel workers already keep every core busy.
  setNumThreads(config.world === 1 ? kernelThreads() : 1);
  // As the kernel thread that started the job (the worker's helper thread reads the same memory).
  setFlushDenormal(init.flushDenormal);
  const control = new JobControl(init.control);
  const leader = config.rank === 0;
  const shared = SharedWeights.attach(init.weights);
  // The worker's own copy of every parameter: it trains on these and publishes them.
  const copies: Float32Array[] = [];
  const scope = new SourceScope();
  for (const [name, exported] of Object.entries(init.aliases)) scope.define(name, exported === '*' ? engineExports : engineExport(exported));
  const decoder = new GraphDecoder(init.graph, scope, (slot) => (copies[slot] ??= new Float32Array(shared.view(slot))));
  const root = decoder.value(init.graph.root) as WorkerRoot;
  for (const [name, value] of Object.entries(root.globals)) scope.define(name, value);
  const model = root.model as Module;

  const named = [...model.namedParameters()];
  const slots = shared.slots;
  if (named.length !== slots.length || named.some(([name, p], i) => name !== slots[i]!.name || p.data !== copies[i])) {
    throw new Error(`The model rebuilt in the worker has parameters [${named.map(([n]) => n).join(', ')}] but the kernel's has [${slots.map((s) => s.name).join(', ')}]`);
  }

  let loop: TrainingLoop | null = null;
  if (leader) context.publishLastStep = () => shared.publish(copies, loop?.step ?? 0);
  const events = new MetricsStream(leader ? (event) => post({ type: 'progress', event }) : () => undefined, config.maxEventsPerSecond);
  loop = new TrainingLoop(config, {
    model,
    train: batchSource(unpackData(init.train)),
    validation: init.validation ? batchSource(unpackData(init.validation)) : null,
    forwardLoss: optionalFunction<ForwardLoss>(root.forwardLoss, 'forwardLoss'),
    makeOptimizer: optionalFunction<(params: Tensor[]) => Optimizer>(root.makeOptimizer, 'optimizer'),
    makeScheduler: optionalFunction<(o: Optimizer) => LRScheduler | ReduceLROnPlateau>(root.makeScheduler, 'scheduler'),
    probeX: root.probeX instanceof Tensor ? root.probeX : null,
    exchange: init.exchange ? new GradientExchange(init.exchange, config.rank, control) : null,
    events,
    writeCheckpoint: leader ? writeCheckpoint : null,
  });

  let lastPublish = -Infinity;
  while (loop.finished === null) {
    // A single worker stops between steps; data-parallel workers decide together at the barrier.
    if (init.exchange === null) {
      if (control.paused && leader) shared.publish(copies, loop.step);
      if (control.betweenSteps() !== 'continue') {
        loop.finish('stopped');
        break;
      }
    }
    loop.runStep();
    if (leader) {
      const now = performance.now();
      if (now - lastPublish >= PUBLISH_INTERVAL_MS && shared.tryPublish(copies, loop.step)) lastPublish = now;
    }
  }
  if (leader) shared.publish(copies, loop.step);
  post({ type: 'done', result: loop.finished! });
}

/** One job: train, then report (the worker stays alive in the pool for the next one). */
function runJob(init: WorkerInit): void {
  const context: JobContext = { publishLastStep: null };
  try {
    train(init, context);
  } catch (error) {
    // The kernel's model gets the last whole step (errors, divergence included, happen before the update).
    context.publishLastStep?.();
    // Let the other data-parallel workers give up instead of waiting at the barrier.
    new JobControl(init.control).abort();
    post({ type: 'error', error: serializeError(error) });
  }
}

/** Serves the jobs the kernel sends on `port`, one after another. */
export function serveTrainingJobs(port: TrainingWorkerPort): void {
  post = (message) => port.post(message);
  port.onMessage((message) => {
    if (message.type === 'train') runJob(message.init);
  });
}
