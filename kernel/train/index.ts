// The trainer's public API: what cells use next to the engine.
//
//   const job = fit(model, trainSet, { epochs: 10, lr: 1e-3, clipGradNorm: 1, validation: valSet,
//                                      earlyStopping: { patience: 3 }, checkpoint: { path: 'ck.safetensors', everySteps: 500 } });
//   job.pause(); job.resume(); job.stop();      // take effect between steps
//   const result = await job.done;             // rejects with the worker's error and stack
//
// Training runs in a worker thread (data-parallel with { workers: N }) on the model's weights in
// shared memory, or on this thread with { worker: false }; the same seed gives the same losses.

import { host } from '../host/index';

export { fit, trainSteps } from './fit';
// Marked internal: what only the kernel uses (server.ts, runtime/); not in dist/types/rnn-lab.d.ts.
export { TrainingJob, listJobs, getJob, onJobEvent, stopAllJobs, activeJobCount, /** @internal */ activeJobs, /** @internal */ activeJobWithDone, type JobHistory, type Disposable, type LogStream } from './job';
export { TrainingDivergedError } from './loop';
export { loadCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint';
/** @internal */
export { withConsistentWeights, SharedWeights } from './worker/sharedWeights';
/** @internal The host's atomic write (in Node kernel/io/atomicWrite.ts). */
export const writeFileAtomic = (path: string, content: Uint8Array | string): void => host().files.writeFileAtomic(path, content);
/** @internal */
export { lossCurveBundle, showLiveLossCurve, jobStatusLine, type DisplaySink } from './display';
/** @internal */
export { JOB_SINK, type JobSink, type WithJobSink } from './jobSink';
/** @internal */
export { drainWorkerPool, keepWorkersWarm } from './worker/workerPool';
/** @internal */
export { setCellScopeProvider } from './cellScope';
export type {
  FitOptions,
  FitResult,
  FinishReason,
  ForwardLoss,
  NamedLoss,
  OptimizerName,
  EarlyStoppingOptions,
  CheckpointOptions,
  ProbeOptions,
  TbpttOptions,
  TrainMetrics,
  TrainingData,
  TensorData,
  Batch,
} from './types';
