// The trainer's public API: what cells use next to the engine.

export { fit, trainSteps } from './fit';
export { TrainingJob, listJobs, getJob, onJobEvent, stopAllJobs, type JobHistory, type Disposable, type LogStream } from './job';
export { TrainingDivergedError } from './loop';
export { loadCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint';
export { withConsistentWeights, SharedWeights } from './sharedWeights';
export { writeFileAtomic } from './atomicWrite';
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
