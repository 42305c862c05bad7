// fit()'s options split into what crosses to a worker as plain data (LoopConfig) and the
// functions, which cross as source. Defaults live here, in one place.

import type { Module } from '../engine/module';
import { IGNORE_INDEX } from './datasets/types';
import type { DataLoader } from './datasets/dataLoader';
import type { EarlyStoppingOptions, FitOptions, NamedLoss, OptimizerName } from './types';

export interface LoopConfig {
  epochs: number;
  maxSteps: number | null;
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  loss: NamedLoss | null;
  ignoreIndex: number;
  optimizer: OptimizerName | null;
  lr: number | null;
  optimizerOptions: Record<string, number | boolean | readonly number[]>;
  clipGradNorm: number | null;
  schedulerInterval: 'epoch' | 'step';
  gradNormEvery: number;
  probeEvery: number;
  probeTokens: string[] | null;
  earlyStopping: Required<EarlyStoppingOptions> | null;
  checkpoint: { path: string; everySteps: number | null } | null;
  maxEventsPerSecond: number;
  /** This worker's place among data-parallel workers (0 of 1 otherwise). */
  rank: number;
  world: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`fit: ${name} must be a positive integer, got ${String(value)}`);
  return v;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && v >= 0)) throw new Error(`fit: ${name} must be a non-negative integer, got ${String(value)}`);
  return v;
}

const lossNames: readonly NamedLoss[] = ['crossEntropy', 'mse', 'bce'];
const optimizerNames: readonly OptimizerName[] = ['adam', 'adamw', 'sgd', 'rmsprop'];

export function resolveConfig<M extends Module>(options: FitOptions<M>, loader: DataLoader | undefined, hasValidation: boolean): LoopConfig {
  if (options.loss !== undefined && !lossNames.includes(options.loss)) {
    throw new Error(`fit: loss must be one of ${lossNames.join(', ')} (or give forwardLoss), got '${String(options.loss)}'`);
  }
  if (options.loss !== undefined && options.forwardLoss !== undefined) throw new Error('fit: give either loss or forwardLoss, not both');
  const optimizer = options.optimizer ?? 'adam';
  if (typeof optimizer === 'string' && !optimizerNames.includes(optimizer)) {
    throw new Error(`fit: optimizer must be one of ${optimizerNames.join(', ')} or a function (params) => optimizer, got '${optimizer}'`);
  }
  if (options.lr !== undefined && !(options.lr >= 0)) throw new Error(`fit: lr must be a non-negative number, got ${options.lr}`);
  if (options.clipGradNorm !== undefined && !(options.clipGradNorm > 0)) throw new Error(`fit: clipGradNorm must be positive, got ${options.clipGradNorm}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new Error(`fit: seed must be a finite number, got ${seed}`);
  const es = options.earlyStopping;
  if (es !== undefined && !(Number.isInteger(es.patience) && es.patience >= 1)) throw new Error(`fit: earlyStopping.patience must be a positive integer, got ${es.patience}`);
  const monitor = es?.monitor ?? (hasValidation ? 'valLoss' : 'loss');
  if (es !== undefined && monitor === 'valLoss' && !hasValidation) throw new Error("fit: earlyStopping monitors 'valLoss' but no validation data was given");
  const ck = options.checkpoint;
  if (ck !== undefined && (typeof ck.path !== 'string' || ck.path === '')) throw new Error('fit: checkpoint.path must be a file path');
  return {
    epochs: positiveInteger('epochs', options.epochs, options.maxSteps !== undefined ? Number.MAX_SAFE_INTEGER : 1),
    maxSteps: options.maxSteps === undefined ? null : positiveInteger('maxSteps', options.maxSteps, 1),
    batchSize: positiveInteger('batchSize', options.batchSize, loader?.batchSize ?? 32),
    shuffle: options.shuffle ?? loader?.shuffle ?? true,
    dropLast: options.dropLast ?? loader?.dropLast ?? false,
    seed,
    loss: options.loss ?? null,
    ignoreIndex: options.ignoreIndex ?? IGNORE_INDEX,
    optimizer: typeof optimizer === 'string' ? optimizer : null,
    lr: options.lr ?? null,
    optimizerOptions: { ...(options.optimizerOptions ?? {}) },
    clipGradNorm: options.clipGradNorm ?? null,
    schedulerInterval: options.schedulerInterval ?? 'epoch',
    gradNormEvery: nonNegativeInteger('gradNormEvery', options.gradNormEvery, 10),
    probeEvery: options.probe ? positiveInteger('probe.every', options.probe.every, 50) : 0,
    probeTokens: options.probe?.tokens ? [...options.probe.tokens] : null,
    earlyStopping: es ? { patience: es.patience, minDelta: es.minDelta ?? 0, monitor, restoreBest: es.restoreBest ?? true } : null,
    checkpoint: ck ? { path: ck.path, everySteps: ck.everySteps === undefined ? null : positiveInteger('checkpoint.everySteps', ck.everySteps, 1) } : null,
    maxEventsPerSecond: options.maxEventsPerSecond ?? 10,
    rank: 0,
    world: positiveInteger('workers', options.workers, 1),
  };
}
