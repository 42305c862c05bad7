// The trainer's public types: what fit() takes and what a job reports.

import type { CheckpointThroughTime } from '../engine/layers/recurrent';
import type { Module } from '../engine/module';
import type { Optimizer } from '../engine/optim/index';
import type { LRScheduler, ReduceLROnPlateau } from '../engine/schedulers';
import type { Tensor } from '../engine/tensor';
import type { JobMetrics, JobEventParams } from '../protocol';
import type { TrainingData } from './data';
import type { Batch } from '../datasets/types';

export type { Batch } from '../datasets/types';
export type { TrainingData, TensorData } from './data';

/** Losses fit() knows by name (each with 'mean' reduction, as PyTorch's default). */
export type NamedLoss = 'crossEntropy' | 'mse' | 'bce';
export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'rmsprop';

/**
 * A custom objective: runs the model on a batch and returns the (mean) loss. Written in a cell, it
 * is sent to the worker as source, like the model's classes. Example for a model whose forward
 * takes lengths: `(model, { x, y, lengths }) => crossEntropy(model.forward(x, lengths), y)`.
 */
export type ForwardLoss<M extends Module = Module> = (model: M, batch: Batch) => Tensor;

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement. Default 0. */
  minDelta?: number;
  /** 'valLoss' (default when there is validation data) or the epoch's mean training 'loss'. */
  monitor?: 'valLoss' | 'loss';
  /** Put back the weights of the best epoch at the end. Default true. */
  restoreBest?: boolean;
}

export interface CheckpointOptions {
  /** File to write (safetensors). `{step}` in the name is replaced by the step number. */
  path: string;
  /** Also write every N steps (always at the end). */
  everySteps?: number;
}

export interface ProbeOptions {
  /** A fixed input: (T) or (1,T) token ids, or (T,I) / (1,T,I) features. */
  x: Tensor;
  /** Labels of the time steps (e.g. the tokens), shown on heatmap axes. */
  tokens?: string[];
  /** Run the probe every N steps. Default 50. */
  every?: number;
}

/**
 * Truncated backpropagation through time, Williams & Peng's BPTT(h; h′) with h′ = k1, h = k2: the
 * sequences of every batch are cut along time into chunks of k1 steps, one optimizer step per
 * chunk; the recurrent layers carry their state from chunk to chunk (detached), and the gradient
 * of a chunk's loss goes back k2 steps from the chunk's end (k2 − k1 steps into the chunk before,
 * run again with the current weights from the state the layers had there).
 *
 * For models whose recurrent layers (RNN, LSTM, GRU; one direction) each run once per forward,
 * over the input's time axis, and data with a target at every step: x (N,T) or (N,T,I), y (N,T)
 * or (N,T,O), every batch of the same T. With k1 ≥ T it is plain BPTT. See kernel/train/tbptt.ts.
 */
export interface TbpttOptions {
  /** Steps per chunk (an optimizer step every k1 steps). */
  k1: number;
  /** Steps the gradient goes back from a chunk's end, ≥ k1. Default k1. */
  k2?: number;
}

export interface FitOptions<M extends Module = Module> {
  // --- what to minimise
  /** Default: from the dataset's targets (class/token targets: crossEntropy, values: mse); for tensors crossEntropy when y has fewer dimensions than the output, else mse. */
  loss?: NamedLoss;
  /** A custom objective instead of `loss`: `(model, batch) => loss tensor` (see ForwardLoss). */
  forwardLoss?: ForwardLoss<M>;
  /** Targets equal to this are ignored by crossEntropy. Default −100 (PyTorch's, and the datasets' padding). */
  ignoreIndex?: number;

  // --- how long
  /** Default 1. */
  epochs?: number;
  /** Stop after this many steps (may end an epoch early). */
  maxSteps?: number;
  /** Default 32, or the DataLoader's. */
  batchSize?: number;
  /** Reshuffle every epoch (seeded). Default true, or the DataLoader's. */
  shuffle?: boolean;
  /** Default false, or the DataLoader's. */
  dropLast?: boolean;
  /**
   * Seeds shuffling and dropout: the same seed and options give the same losses, bit for bit, in a
   * worker or on this thread. (On this thread it reseeds the engine's default generator, as
   * manualSeed does.) Default 0.
   */
  seed?: number;

  // --- how
  /** A name, or a function building the optimizer: `(params) => new SGD(params, { lr: 0.1, momentum: 0.9 })`. Default 'adam'. */
  optimizer?: OptimizerName | ((params: Tensor[]) => Optimizer);
  /** Learning rate for a named optimizer. Default 1e-3 (1e-2 for SGD). */
  lr?: number;
  /** Extra hyperparameters for a named optimizer, e.g. { momentum: 0.9 } or { weightDecay: 1e-4 }. */
  optimizerOptions?: Record<string, number | boolean | readonly number[]>;
  /** Clip the total gradient norm to this value before each update. */
  clipGradNorm?: number;
  /** Builds a schedule: `(opt) => new StepLR(opt, { stepSize: 10 })`; ReduceLROnPlateau gets the monitored loss. */
  scheduler?: (optimizer: Optimizer) => LRScheduler | ReduceLROnPlateau;
  /** When the schedule advances. Default 'epoch' (as PyTorch's examples). */
  schedulerInterval?: 'epoch' | 'step';
  /** Truncated BPTT: `{ k1: 100 }` updates every 100 steps of each sequence, the state carried between chunks (see TbpttOptions). */
  tbptt?: TbpttOptions;
  /**
   * Gradient checkpointing through time in every recurrent layer of the model while it trains, as
   * their own `checkpoint` option (put back afterwards): the layers keep a state every ~√T steps
   * instead of their whole tape and recompute the rest in the backward; the same gradients bit for
   * bit, for one more forward. See CheckpointThroughTime. Default: the layers' own setting.
   */
  gradientCheckpointing?: CheckpointThroughTime;

  // --- watching
  /** Data for the validation loss, computed after every epoch (in eval mode, no gradients). */
  validation?: TrainingData;
  /** Stop when the monitored loss has not improved for `patience` epochs (and put the best weights back). */
  earlyStopping?: EarlyStoppingOptions;
  /** Write the weights as safetensors every N steps and at the end. */
  checkpoint?: CheckpointOptions;
  /** Record ‖∂L/∂h_t‖ per time step and layer every N steps (0: never). Default 10. */
  gradNormEvery?: number;
  /** A fixed input whose hidden states the dashboard shows every N steps. */
  probe?: ProbeOptions;
  /** Upper bound on progress events per second. Default 10. */
  maxEventsPerSecond?: number;

  // --- where
  /** Train in a worker thread (default) or on the calling thread. */
  worker?: boolean;
  /** Data-parallel workers (each takes a shard of every batch). Default 1. */
  workers?: number;
  /** Values and functions the model's classes use from other cells: `{ globals: { vocab } }`. */
  globals?: Record<string, unknown>;
  /** The model's name on the dashboard. Default: the cell variable holding it, else its class name. */
  name?: string;
  /** Show a live loss curve in the cell that called fit() (in the notebook kernel). Default true. */
  display?: boolean;
  /** Called for every progress event (at most maxEventsPerSecond). */
  onEvent?: (event: JobEventParams) => void;
  /** Path of the worker bundle (default: worker.js next to the kernel bundle). */
  workerScript?: string;
}

/** JobMetrics plus what the protocol does not carry yet (extra fields pass through JSON unharmed). */
export interface TrainMetrics extends JobMetrics {
  /** Every (step, before, after) since the last event; `gradNormTotal` is the last of them. */
  gradNormTotals?: [number, number, number][];
  /** (step, lr) whenever the learning rate changed. */
  lr?: [number, number][];
  /** Per epoch: accuracy for crossEntropy, … */
  valMetrics?: { step: number; epoch: number; values: Record<string, number> }[];
  /** Gate activations of the probe: (H × T) per layer/direction and gate. */
  probeGates?: { step: number; gates: { name: string; gate: string; z: number[][] }[] };
}

export type FinishReason = 'completed' | 'stopped' | 'earlyStopped';

export interface FitResult {
  status: 'done' | 'stopped';
  reason: FinishReason;
  /** Optimisation steps applied. */
  steps: number;
  /** Epochs completed. */
  epochs: number;
  /** Training loss of every step (index i is step i+1). */
  losses: number[];
  /**
   * Wall time of every step in ms (index i is step i+1), on the leading worker: forward, backward,
   * the gradient exchange between data-parallel workers, the update, and a checkpoint on the
   * steps that write one (not the validation at the end of an epoch).
   */
  stepMs: number[];
  /** (step, validation loss) per epoch. */
  valLosses: [number, number][];
  /** Per epoch: accuracy etc. */
  valMetrics: { step: number; epoch: number; values: Record<string, number> }[];
  /** Early stopping: the best monitored value and its epoch. */
  best?: { epoch: number; value: number; restored: boolean };
  /** Checkpoint files written, last one last. */
  checkpoints: string[];
  durationMs: number;
  message: string;
}
