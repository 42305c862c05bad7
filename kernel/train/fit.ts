// fit(): start training and return at once with a job handle. By default the loop runs in a
// worker thread (or several, data-parallel) on the model's weights in shared memory; with
// { worker: false }, or where the host starts no training workers (a browser page that is not
// cross-origin isolated), the same loop runs on this thread between event-loop turns.
// trainSteps() runs it synchronously, to the end.

import { getFlushDenormal } from '../engine/denormal';
import { Module } from '../engine/module';
import type { Optimizer } from '../engine/optim/index';
import type { LRScheduler, ReduceLROnPlateau } from '../engine/schedulers';
import type { Tensor } from '../engine/tensor';
import { writeCheckpoint } from './checkpoint';
import { engineAliases, scopeNameOf } from './cellScope';
import { rememberFit } from './fitRecord';
import { attachToSink, JOB_SINK, type WithJobSink } from './jobSink';
import { batchSource, packData, resolveData, type TrainingData } from './data';
import { createGradientExchange } from './worker/gradientExchange';
import { GraphEncoder } from './worker/graph';
import { runningJobFor, STOP_GRACE_MS, TrainingJob } from './job';
import { JobControl } from './worker/jobControl';
import { batchChunks, countSteps, DATA_PARALLEL_ABORT, TrainingLoop, type LoopParts } from './loop';
import { MetricsStream, progressFields } from './metrics';
import { resolveConfig, type LoopConfig } from './options';
import { SharedWeights } from './worker/sharedWeights';
import type { FitOptions, FitResult } from './types';
import { deserializeError, type WorkerInit } from './worker/workerProtocol';
import { acquireWorker, type PooledWorker } from './worker/workerPool';
import { host } from '../host/index';

interface Prepared<M extends Module> {
  config: LoopConfig;
  train: ReturnType<typeof resolveData>;
  validation: ReturnType<typeof resolveData> | undefined;
  name: string;
  options: FitOptions<M>;
}

function prepare<M extends Module>(model: M, data: TrainingData, options: FitOptions<M>): Prepared<M> {
  if (!(model instanceof Module)) throw new Error('fit: the first argument must be a Module (a model)');
  const running = runningJobFor(model);
  if (running !== undefined) {
    const how = running.model === model ? 'this model is' : `this model shares parameters with ${running.name}, which is`;
    throw new Error(`fit: ${how} already training in ${running.id}; call job.stop() or await job.done first`);
  }
  const train = resolveData(data, 'fit: data');
  const validation = options.validation !== undefined ? resolveData(options.validation, 'fit: validation') : undefined;
  const config = resolveConfig(options, train.loader, validation !== undefined);
  return { config, train, validation, name: options.name ?? scopeNameOf(model) ?? model.constructor.name, options };
}

function localParts<M extends Module>(model: M, p: Prepared<M>, events: MetricsStream): LoopParts {
  const { options } = p;
  return {
    model,
    train: batchSource(p.train.source),
    validation: p.validation ? batchSource(p.validation.source) : null,
    forwardLoss: (options.forwardLoss as LoopParts['forwardLoss']) ?? null,
    makeOptimizer: typeof options.optimizer === 'function' ? options.optimizer : null,
    makeScheduler: options.scheduler ?? null,
    probeX: options.probe?.x ?? null,
    exchange: null,
    events,
    writeCheckpoint,
  };
}

/**
 * Trains `model` on `data` and returns a job at once: `await job.done`, `job.stop()`,
 * `job.pause()` / `job.resume()`, `job.onEvent(…)`. See FitOptions for the options.
 */
export function fit<M extends Module>(model: M, data: TrainingData, options: FitOptions<M> = {}): TrainingJob<M> {
  const p = prepare(model, data, options);
  rememberFit(model, data, options as FitOptions); // what "Export Training to PyTorch…" exports
  const job = options.worker === false || !host().threads.trainingWorkers ? startOnThisThread(model, p) : startInWorkers(model, p);
  if (options.onEvent) job.onEvent(options.onEvent);
  const sink = (options as WithJobSink<FitOptions<M>>)[JOB_SINK];
  if (sink) attachToSink(job, sink, { display: options.display ?? true });
  return job;
}

/** Runs the whole training synchronously on this thread (blocks it) and returns the result. */
export function trainSteps<M extends Module>(model: M, data: TrainingData, options: FitOptions<M> = {}): FitResult {
  const p = prepare(model, data, options);
  if (p.config.world > 1) throw new Error('trainSteps: data-parallel training needs workers; use fit()');
  const events = new MetricsStream((e) => options.onEvent?.({ job: { id: 'sync', uid: 'sync', model: p.name, status: 'running', ...progressFields(e.progress) }, metrics: e.metrics }), p.config.maxEventsPerSecond);
  const loop = new TrainingLoop(p.config, localParts(model, p, events));
  const interrupt = host().interrupt;
  while (loop.finished === null) {
    interrupt.check(); // the browser's interrupt flag, between two whole steps (nothing in Node)
    loop.runStep();
  }
  return loop.finished;
}

function startOnThisThread<M extends Module>(model: M, p: Prepared<M>): TrainingJob<M> {
  if (p.config.world > 1) {
    throw new Error(
      host().threads.trainingWorkers
        ? 'fit: data-parallel training (workers > 1) needs worker threads; drop { worker: false }'
        : 'fit: data-parallel training (workers > 1) needs training workers sharing memory, which this browser page does not allow (it is not cross-origin isolated); drop { workers }',
    );
  }
  const control = new JobControl();
  let job: TrainingJob<M> | null = null;
  const events = new MetricsStream((e) => job?.handleProgress(e), p.config.maxEventsPerSecond);
  const loop = new TrainingLoop(p.config, localParts(model, p, events));
  job = new TrainingJob(model, p.name, loop.totalSteps, control);
  void runOnThisThread(loop, control, job);
  return job;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => void host().timers.setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => void host().timers.setTimeout(resolve, ms));

/** Steps in slices of ~20 ms, giving the event loop a turn in between (stop/pause apply between steps). */
async function runOnThisThread(loop: TrainingLoop, control: JobControl, job: TrainingJob): Promise<void> {
  try {
    await nextTurn(); // fit() returns before the first step
    while (loop.finished === null) {
      if (control.current() !== 'continue') {
        loop.finish('stopped');
        break;
      }
      if (control.paused) {
        control.setParked(true);
        await sleep(20);
        continue;
      }
      control.setParked(false);
      const sliceEnd = performance.now() + 20;
      do loop.runStep();
      while (loop.finished === null && performance.now() < sliceEnd && control.current() === 'continue' && !control.paused);
      await nextTurn();
    }
    job.complete(loop.finished!);
  } catch (error) {
    job.fail(error instanceof Error ? error : new Error(String(error)));
  }
}

function startInWorkers<M extends Module>(model: M, p: Prepared<M>): TrainingJob<M> {
  const { config, options } = p;
  const script = host().threads.trainingWorkerScript(options.workerScript);
  const shared = SharedWeights.forModel(model);
  const slotOf = new Map<Tensor, number>(model.parameters().map((param, i) => [param, i]));
  const encoder = new GraphEncoder((t) => slotOf.get(t));
  const root = encoder.object({
    model: encoder.encode(model, p.name),
    globals: encoder.encode(options.globals ?? {}, 'globals'),
    forwardLoss: encoder.encode(options.forwardLoss, 'forwardLoss'),
    makeOptimizer: encoder.encode(typeof options.optimizer === 'function' ? options.optimizer : undefined, 'optimizer'),
    makeScheduler: encoder.encode(options.scheduler as ((o: Optimizer) => LRScheduler | ReduceLROnPlateau) | undefined, 'scheduler'),
    probeX: encoder.encode(options.probe?.x, 'probe.x'),
  });
  const graph = encoder.graph(root);
  const train = batchSource(p.train.source);
  const { totalSteps } = countSteps(train.length, config, batchChunks(train, config)?.length ?? 1);
  const control = new JobControl();
  const exchange = config.world > 1 ? createGradientExchange(config.world, shared.slots.map((s) => s.size)) : null;
  const base: Omit<WorkerInit, 'config'> = {
    graph,
    aliases: engineAliases(),
    weights: shared.handle,
    control: control.buffer as SharedArrayBuffer, // workers start only where threads share memory (fit)
    exchange,
    train: packData(p.train.source),
    validation: p.validation ? packData(p.validation.source) : null,
    flushDenormal: getFlushDenormal(), // the workers' kernels compute as this thread's would
  };
  // Registered only now: anything above may still throw, and must not leave a job behind.
  const job = new TrainingJob(model, p.name, totalSteps, control);

  let result: FitResult | null = null;
  let failure: Error | null = null;
  let consequence: Error | null = null; // "another worker failed": reported only if nothing better
  let pending = config.world;
  const workers: PooledWorker[] = [];
  const ended = new Set<number>();
  const finalize = (): void => {
    shared.releaseAfterCrash();
    if (failure !== null) job.fail(failure);
    else if (result !== null) job.complete(result);
    else job.fail(consequence ?? new Error('The training worker ended without a result'));
  };
  const noteFailure = (error: Error): void => {
    if (error.name === DATA_PARALLEL_ABORT) {
      consequence ??= error;
      return;
    }
    if (failure !== null) return;
    failure = error;
    control.abort();
    // A worker that does not notice the abort (stuck in a long step) is ended after a grace period.
    host().timers.unref(host().timers.setTimeout(() => workers.forEach((w, rank) => ended.has(rank) || w.terminate()), 2000));
  };
  const end = (rank: number, reusable: boolean): void => {
    if (ended.has(rank)) return;
    ended.add(rank);
    workers[rank]!.finish(reusable && failure === null);
    if (--pending === 0) finalize();
  };
  job.endWorkers = () => {
    const seconds = STOP_GRACE_MS / 1000;
    const error = new Error(
      `Training job ${job.id} (${p.name}) did not reach the end of its step within ${seconds} s of stop(): code of the job's own ` +
        `(forwardLoss, a custom optimizer or scheduler, the model's forward) is still running, so its worker${config.world > 1 ? 's were' : ' was'} ended. ` +
        `The model keeps the weights of its last whole step.`,
    );
    error.name = 'TrainingStopTimeout';
    noteFailure(error);
    workers.forEach((w, rank) => ended.has(rank) || w.terminate());
  };
  for (let rank = 0; rank < config.world; rank++) {
    const worker = acquireWorker(script, config.world === 1);
    workers.push(worker);
    worker.start(
      { type: 'train', init: { ...base, config: { ...config, rank } } },
      {
        message: (message) => {
          if (message.type === 'progress') job.handleProgress(message.event);
          else if (message.type === 'done') {
            if (rank === 0) result = message.result;
            end(rank, true);
          } else {
            noteFailure(deserializeError(message.error));
            end(rank, false);
          }
        },
        log: (stream, text) => job.handleLog(stream, text),
        exit: (code) => {
          noteFailure(new Error(`The training worker ${rank} exited with code ${code}`));
          end(rank, false);
        },
      },
    );
  }
  return job;
}
