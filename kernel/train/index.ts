// The trainer's public API: what cells use next to the engine.
//
//   const job = fit(model, trainSet, { epochs: 10, lr: 1e-3, clipGradNorm: 1, validation: valSet,
//                                      earlyStopping: { patience: 3 }, checkpoint: { path: 'ck.safetensors', everySteps: 500 } });
//   job.pause(); job.resume(); job.stop();      // take effect between steps
//   const result = await job.done;             // rejects with the worker's error and stack
//
// Training runs in a worker thread (data-parallel with { workers: N }) on the model's weights in
// shared memory, or on this thread with { worker: false }; the same seed gives the same losses.

export { fit, trainSteps } from './fit';
export { TrainingJob, listJobs, getJob, onJobEvent, stopAllJobs, activeJobCount, activeJobs, activeJobWithDone, type JobHistory, type Disposable, type LogStream } from './job';
export { TrainingDivergedError } from './loop';
export { loadCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint';
export { withConsistentWeights, SharedWeights } from './sharedWeights';
export { writeFileAtomic } from '../io/atomicWrite';
export { lossCurveBundle, showLiveLossCurve, jobStatusLine, type DisplaySink } from './display';
export { forwardJobEvents } from './kernelChannel';
export { drainWorkerPool, keepWorkersWarm } from './workerPool';
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
  TrainMetrics,
  TrainingData,
  TensorData,
  Batch,
} from './types';
