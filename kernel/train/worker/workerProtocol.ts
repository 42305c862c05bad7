// What the kernel hands a training worker and what the worker sends back.

import type { PackedData } from '../data';
import type { GradientExchangeHandle } from './gradientExchange';
import type { ObjectGraph } from './graph';
import type { ProgressEvent } from '../metrics';
import type { LoopConfig } from '../options';
import type { SharedWeightsHandle } from './sharedWeights';
import type { FitResult } from '../types';

/**
 * The graph's root value decodes to a WorkerRoot: the model, the `globals` option, the
 * function-valued options and the probe input, encoded together so that they share references.
 */
export interface WorkerRoot {
  model: unknown;
  globals: Record<string, unknown>;
  forwardLoss: unknown;
  makeOptimizer: unknown;
  makeScheduler: unknown;
  probeX: unknown;
}

export interface WorkerInitAliases {
  /** Cell names of engine exports (see cellScope.ts). */
  aliases: Record<string, string>;
}

export interface WorkerInit extends WorkerInitAliases {
  graph: ObjectGraph;
  weights: SharedWeightsHandle;
  control: SharedArrayBuffer;
  exchange: GradientExchangeHandle | null;
  train: PackedData;
  validation: PackedData | null;
  config: LoopConfig;
  /** The kernel thread's setFlushDenormal: the worker's kernels flush subnormals likewise. */
  flushDenormal: boolean;
}

export interface SerializedError {
  name: string;
  message: string;
  stack: string;
  /** Training step where it happened, when known. */
  step?: number;
}

/** Kernel → worker. */
export type WorkerRequest = { type: 'train'; init: WorkerInit };

/** Worker → kernel. Every worker of a job ends it with 'done' or 'error'; only the leader sends progress. */
export type WorkerMessage =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'done'; result: FitResult }
  | { type: 'error'; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const step = (error as { step?: unknown }).step;
    return { name: error.name, message: error.message, stack: error.stack ?? `${error.name}: ${error.message}`, ...(typeof step === 'number' ? { step } : {}) };
  }
  return { name: 'Error', message: String(error), stack: String(error) };
}

/** An Error in the kernel that carries the worker's name, message and stack. */
export function deserializeError(e: SerializedError): Error {
  const error = new Error(e.message);
  error.name = e.name;
  error.stack = e.stack;
  if (e.step !== undefined) Object.assign(error, { step: e.step });
  return error;
}
