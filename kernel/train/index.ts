// The trainer's public API: what cells use next to the engine.

export { fit, trainSteps } from './fit';
export { TrainingJob, listJobs, getJob, onJobEvent, stopAllJobs, activeJobCount, type JobHistory, type Disposable, type LogStream } from './job';
export { TrainingDivergedError } from './loop';
export { loadCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint';
export { withConsistentWeights, SharedWeights } from './sharedWeights';
export { writeFileAtomic } from './atomicWrite';
export { lossCurveBundle, showLiveLossCurve, jobStatusLine, type DisplaySink } from './display';
export { forwardJobEvents } from './kernelChannel';
export { drainWorkerPool } from './workerPool';
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
