// fit()'s options split into what crosses to a worker as plain data (LoopConfig) and the
// functions, which cross as source. Defaults live here, in one place, and so do the checks: every
// option is checked before the first step (a misspelt name, a value out of range), because a bad
// value found by the loop costs a training run, or worse, poisons the weights (lr: Infinity).

import { host } from '../host/index';
import { checkpointSegment, type CheckpointThroughTime } from '../engine/layers/recurrent';
import type { Module } from '../engine/module';
import { Adam, AdamW, RMSprop, SGD, type Optimizer } from '../engine/optim/index';
import { didYouMean, nearestName, snakeToCamel } from '../engine/optim/suggest';
import { showValue } from '../engine/optim/optimizer';
import { Tensor } from '../engine/tensor';
import { IGNORE_INDEX } from '../datasets/types';
import type { DataLoader } from '../datasets/dataLoader';
import type { TbpttConfig } from './tbptt';
import type { CheckpointOptions, EarlyStoppingOptions, FitOptions, NamedLoss, OptimizerName, ProbeOptions, TbpttOptions } from './types';

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
  /** Truncated BPTT (train/tbptt.ts), or null: whole sequences. */
  tbptt: TbpttConfig | null;
  /** Set on every recurrent layer while training (their `checkpoint`), or null: their own. */
  gradientCheckpointing: CheckpointThroughTime | null;
  maxEventsPerSecond: number;
  /** This worker's place among data-parallel workers (0 of 1 otherwise). */
  rank: number;
  world: number;
}

/** What resolveConfig asks of the machine (tests pass their own). */
export interface MachineInfo {
  /** os.availableParallelism(). */
  cores: number;
  /** Where a capped option is reported (console.warn reaches the cell's stderr). */
  warn: (message: string) => void;
}

// --- option names

/** Every option of fit(); the Record type makes the compiler keep it complete. */
const FIT_OPTIONS: Record<keyof FitOptions, true> = {
  loss: true,
  forwardLoss: true,
  ignoreIndex: true,
  epochs: true,
  maxSteps: true,
  batchSize: true,
  shuffle: true,
  dropLast: true,
  seed: true,
  optimizer: true,
  lr: true,
  optimizerOptions: true,
  clipGradNorm: true,
  scheduler: true,
  schedulerInterval: true,
  tbptt: true,
  gradientCheckpointing: true,
  validation: true,
  earlyStopping: true,
  checkpoint: true,
  gradNormEvery: true,
  probe: true,
  maxEventsPerSecond: true,
  worker: true,
  workers: true,
  globals: true,
  name: true,
  display: true,
  onEvent: true,
  workerScript: true,
};
const EARLY_STOPPING_OPTIONS: Record<keyof EarlyStoppingOptions, true> = { patience: true, minDelta: true, monitor: true, restoreBest: true };
const CHECKPOINT_OPTIONS: Record<keyof CheckpointOptions, true> = { path: true, everySteps: true };
const PROBE_OPTIONS: Record<keyof ProbeOptions, true> = { x: true, tokens: true, every: true };
const TBPTT_OPTIONS: Record<keyof TbpttOptions, true> = { k1: true, k2: true };

/** Names other trainers use (Keras, Lightning, PyTorch loops) for what fit() calls otherwise. */
const OTHER_NAMES: Record<string, string> = {
  learningRate: 'lr',
  numEpochs: 'epochs',
  maxEpochs: 'epochs',
  numWorkers: 'workers',
  validationData: 'validation',
  valData: 'validation',
  gradClip: 'clipGradNorm',
  clipNorm: 'clipGradNorm',
  maxGradNorm: 'clipGradNorm',
  gradientClipVal: 'clipGradNorm',
  callbacks: 'onEvent',
};
/** Hyperparameters of the named optimizers, which go in optimizerOptions. */
const OPTIMIZER_HYPERPARAMETERS = ['weightDecay', 'momentum', 'betas', 'eps', 'alpha', 'dampening', 'nesterov', 'amsgrad', 'centered', 'maximize'];
/** Options of the recurrent layers' constructors, sometimes given to fit() by mistake. */
const LAYER_OPTIONS = ['batchFirst', 'hiddenSize', 'inputSize', 'numLayers', 'bidirectional', 'dropout', 'nonlinearity'];

/** What to say about an option fit() does not have. */
function unknownOptionHint(name: string, valid: readonly string[], where: string): string {
  const camel = snakeToCamel(name);
  if (where === 'fit' && OTHER_NAMES[camel] !== undefined) return ` (did you mean '${OTHER_NAMES[camel]}'?)`;
  if (where === 'fit' && OPTIMIZER_HYPERPARAMETERS.includes(camel)) return ` (did you mean optimizerOptions: { ${camel}: … }?)`;
  if (where === 'fit' && LAYER_OPTIONS.includes(camel)) {
    const near = nearestName(name, valid);
    return ` (${near !== null ? `did you mean '${near}'? ` : ''}${camel} is an option of the recurrent layers: new LSTM(inputSize, hiddenSize, { ${camel}: … }))`;
  }
  return didYouMean(name, valid);
}

/** Throws naming every key of `given` that is not in `valid`, each with the name it was likely meant to be. */
function checkNames(where: string, given: object, valid: readonly string[]): void {
  const unknown = Object.keys(given).filter((key) => !valid.includes(key));
  if (unknown.length === 0) return;
  const named = unknown.map((key) => `'${key}'${unknownOptionHint(key, valid, where)}`);
  const suggested = unknown.some((key) => unknownOptionHint(key, valid, where) !== '');
  throw new Error(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${named.join(', ')}${suggested ? '' : `; the options are ${valid.join(', ')}`}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object option's own names (earlyStopping, checkpoint, probe), checked like fit()'s. */
function checkNested(name: string, value: unknown, valid: Record<string, true>): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) throw new Error(`fit: ${name} must be an object { ${Object.keys(valid).join(', ')} }, got ${showValue(value)}`);
  checkNames(`fit: ${name}`, value, Object.keys(valid));
}

// --- values

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`fit: ${name} must be a positive integer, got ${showValue(value)}`);
  return v;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && v >= 0)) throw new Error(`fit: ${name} must be a non-negative integer, got ${showValue(value)}`);
  return v;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A finite number ≥ min (or > min when `exclusive`), or undefined when not given. */
function finiteAtLeast(name: string, value: number | undefined, min: number, exclusive = false, why = ''): number | undefined {
  if (value === undefined) return undefined;
  if (!(isFiniteNumber(value) && (exclusive ? value > min : value >= min))) {
    throw new Error(`fit: ${name} must be a finite number ${exclusive ? '>' : '≥'} ${min}${why}, got ${showValue(value)}`);
  }
  return value;
}

function optionalBoolean(name: string, value: boolean | undefined): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new Error(`fit: ${name} must be true or false, got ${showValue(value)}`);
  return value;
}

function optionalFunction(name: string, value: unknown, example: string): void {
  if (value !== undefined && typeof value !== 'function') throw new Error(`fit: ${name} must be a function, e.g. ${example}, got ${showValue(value)}`);
}

function optionalString(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') throw new Error(`fit: ${name} must be a string, got ${showValue(value)}`);
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[]): T | undefined {
  if (value !== undefined && !allowed.includes(value)) throw new Error(`fit: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${showValue(value)}`);
  return value;
}

// --- the optimizer

const lossNames: readonly NamedLoss[] = ['crossEntropy', 'mse', 'bce'];
const optimizerNames: readonly OptimizerName[] = ['adam', 'adamw', 'sgd', 'rmsprop'];

/** A named optimizer over `params` (SGD's default lr is 1e-2 here: 1e-3, torch's, barely moves an RNN). */
export function namedOptimizer(name: string, params: Tensor[], lr: number | null, extra: LoopConfig['optimizerOptions']): Optimizer {
  const o = { ...extra, ...(lr !== null ? { lr } : {}) } as Record<string, never>;
  switch (name) {
    case 'adam':
      return new Adam(params, o);
    case 'adamw':
      return new AdamW(params, o);
    case 'sgd':
      return new SGD(params, { lr: 1e-2, ...o });
    case 'rmsprop':
      return new RMSprop(params, o);
    default:
      throw new Error(`fit: unknown optimizer '${name}'`);
  }
}

/**
 * Checks a named optimizer's options by building it over a stand-in parameter: the optimizer's
 * own checks (names, ranges) run now, on this thread, instead of in the worker after fit() has
 * returned. eps must be > 0 here (torch allows 0): Adam and RMSprop divide 0 by eps where a
 * gradient is 0, e.g. the rows of an embedding a batch does not use.
 */
function checkNamedOptimizer(name: OptimizerName, lr: number | null, extra: Record<string, unknown>): void {
  try {
    namedOptimizer(name, [new Tensor(new Float32Array(1), [1])], lr, extra as LoopConfig['optimizerOptions']);
  } catch (error) {
    throw new Error(`fit: optimizer '${name}' with optimizerOptions ${JSON.stringify(extra)}: ${(error as Error).message}`);
  }
  if (extra.eps !== undefined) finiteAtLeast('optimizerOptions.eps', extra.eps as number, 0, true, ' (Adam and RMSprop divide 0 by eps where a gradient is 0)');
}

function checkOptimizer<M extends Module>(options: FitOptions<M>): OptimizerName | null {
  const optimizer = options.optimizer ?? 'adam';
  if (typeof optimizer === 'function') {
    // Both would be silently ignored: the function builds the optimizer with its own settings.
    if (options.lr !== undefined) throw new Error(`fit: lr applies to a named optimizer; with optimizer: (params) => …, give lr to its constructor (got lr ${showValue(options.lr)})`);
    if (options.optimizerOptions !== undefined) throw new Error('fit: optimizerOptions apply to a named optimizer; with optimizer: (params) => …, give them to its constructor');
    return null;
  }
  if (typeof optimizer !== 'string' || !optimizerNames.includes(optimizer)) {
    throw new Error(`fit: optimizer must be one of ${optimizerNames.join(', ')} or a function (params) => optimizer, got ${showValue(optimizer)}${typeof optimizer === 'string' ? didYouMean(optimizer.toLowerCase(), optimizerNames) : ''}`);
  }
  if (options.lr !== undefined && !(isFiniteNumber(options.lr) && options.lr >= 0)) {
    throw new Error(`fit: invalid learning rate ${showValue(options.lr)} (lr must be a finite number ≥ 0)`);
  }
  const extra = options.optimizerOptions;
  if (extra !== undefined && !isPlainObject(extra)) throw new Error(`fit: optimizerOptions must be an object such as { weightDecay: 1e-4 }, got ${showValue(extra)}`);
  checkNamedOptimizer(optimizer, options.lr ?? null, extra ?? {});
  return optimizer;
}

// --- workers

/**
 * More data-parallel workers than cores only share the cores (each worker is a thread with its own
 * copy of the model, and they meet at a barrier every step): `workers` is capped at the machine's
 * cores with a warning rather than refused, so that a notebook written on a big machine still runs
 * on a laptop. (PyTorch's DataLoader, too, warns about more workers than cores and goes on.)
 */
export function capWorkers(requested: number, machine: MachineInfo): number {
  const cores = Math.max(1, machine.cores);
  if (requested <= cores) return requested;
  machine.warn(`fit: workers ${requested} is more than this machine's ${cores} cores (os.availableParallelism()); training with ${cores} workers instead`);
  return cores;
}

// --- all of it

function checkShapeOfOptions<M extends Module>(options: FitOptions<M>): void {
  if (!isPlainObject(options)) throw new Error(`fit: options must be an object such as { epochs: 10, lr: 1e-3 }, got ${showValue(options)}`);
  checkNames('fit', options, Object.keys(FIT_OPTIONS));
  checkNested('earlyStopping', options.earlyStopping, EARLY_STOPPING_OPTIONS);
  checkNested('checkpoint', options.checkpoint, CHECKPOINT_OPTIONS);
  checkNested('probe', options.probe, PROBE_OPTIONS);
  checkNested('tbptt', options.tbptt, TBPTT_OPTIONS);
}

/** Options that only need their type checked (they are used elsewhere, not in LoopConfig). */
function checkOtherOptions<M extends Module>(options: FitOptions<M>): void {
  optionalFunction('forwardLoss', options.forwardLoss, '(model, { x, y }) => crossEntropy(model.forward(x), y)');
  optionalFunction('scheduler', options.scheduler, '(opt) => new StepLR(opt, { stepSize: 10 })');
  optionalFunction('onEvent', options.onEvent, '(event) => console.log(event.job.step)');
  optionalBoolean('worker', options.worker);
  optionalBoolean('display', options.display);
  optionalString('name', options.name);
  optionalString('workerScript', options.workerScript);
  if (options.globals !== undefined && !isPlainObject(options.globals)) throw new Error(`fit: globals must be an object { name: value }, got ${showValue(options.globals)}`);
  const probe = options.probe;
  if (probe !== undefined) {
    if (!(probe.x instanceof Tensor)) throw new Error(`fit: probe.x must be a Tensor (the probe's input), got ${showValue(probe.x)}`);
    if (probe.tokens !== undefined && !(Array.isArray(probe.tokens) && probe.tokens.every((t) => typeof t === 'string'))) throw new Error('fit: probe.tokens must be an array of strings');
  }
}

/** Infinity is allowed: an event after every step. */
function eventRate(value: number | undefined): number {
  if (value === undefined) return 10;
  if (!(typeof value === 'number' && value > 0)) throw new Error(`fit: maxEventsPerSecond must be a number > 0 (Infinity: after every step), got ${showValue(value)}`);
  return value;
}

/**
 * k1 ≥ 1 steps per chunk, k2 ≥ k1 steps back (Williams & Peng's BPTT(h; h′) needs h ≥ h′: the
 * errors of a chunk's k1 steps each reach back at least to the chunk's start).
 */
function resolveTbptt(t: TbpttOptions | undefined): TbpttConfig | null {
  if (t === undefined) return null;
  const k1 = positiveInteger('tbptt.k1', t.k1, NaN);
  const k2 = t.k2 ?? k1;
  if (!(Number.isInteger(k2) && k2 >= k1)) {
    throw new Error(`fit: tbptt.k2 must be an integer ≥ tbptt.k1 = ${k1} (the steps the gradient goes back from a chunk's end, as h ≥ h′ in Williams & Peng's BPTT(h; h′)), got ${showValue(t.k2)}`);
  }
  return { k1, k2 };
}

function resolveGradientCheckpointing(value: CheckpointThroughTime | undefined): CheckpointThroughTime | null {
  if (value === undefined) return null;
  checkpointSegment(value, 'fit', 'gradientCheckpointing');
  return typeof value === 'object' ? { ...value } : value;
}

function resolveEarlyStopping(es: EarlyStoppingOptions | undefined, hasValidation: boolean): Required<EarlyStoppingOptions> | null {
  if (es === undefined) return null;
  const patience = positiveInteger('earlyStopping.patience', es.patience, NaN);
  const minDelta = finiteAtLeast('earlyStopping.minDelta', es.minDelta, 0) ?? 0;
  const monitor = oneOf('earlyStopping.monitor', es.monitor, ['valLoss', 'loss']) ?? (hasValidation ? 'valLoss' : 'loss');
  if (monitor === 'valLoss' && !hasValidation) throw new Error("fit: earlyStopping monitors 'valLoss' but no validation data was given");
  return { patience, minDelta, monitor, restoreBest: optionalBoolean('earlyStopping.restoreBest', es.restoreBest) ?? true };
}

export function resolveConfig<M extends Module>(
  options: FitOptions<M>,
  loader: DataLoader | undefined,
  hasValidation: boolean,
  machine: MachineInfo = { cores: host().threads.cores, warn: (message) => console.warn(message) },
): LoopConfig {
  checkShapeOfOptions(options);
  checkOtherOptions(options);
  if (options.loss !== undefined && !lossNames.includes(options.loss)) {
    throw new Error(`fit: loss must be one of ${lossNames.join(', ')} (or give forwardLoss), got ${showValue(options.loss)}${typeof options.loss === 'string' ? didYouMean(options.loss, lossNames) : ''}`);
  }
  if (options.loss !== undefined && options.forwardLoss !== undefined) throw new Error('fit: give either loss or forwardLoss, not both');
  const optimizer = checkOptimizer(options);
  const clipGradNorm = finiteAtLeast('clipGradNorm', options.clipGradNorm, 0, true, ' (leave it out not to clip)');
  const seed = options.seed ?? 0;
  if (!isFiniteNumber(seed)) throw new Error(`fit: seed must be a finite number, got ${showValue(seed)}`);
  if (options.ignoreIndex !== undefined && !Number.isInteger(options.ignoreIndex)) throw new Error(`fit: ignoreIndex must be an integer (a class index, e.g. −100), got ${showValue(options.ignoreIndex)}`);
  const ck = options.checkpoint;
  if (ck !== undefined && (typeof ck.path !== 'string' || ck.path === '')) throw new Error(`fit: checkpoint.path must be a file path, got ${showValue(ck.path)}`);
  if (ck !== undefined) checkCheckpointPath(ck.path);
  return {
    epochs: positiveInteger('epochs', options.epochs, options.maxSteps !== undefined ? Number.MAX_SAFE_INTEGER : 1),
    maxSteps: options.maxSteps === undefined ? null : positiveInteger('maxSteps', options.maxSteps, 1),
    batchSize: positiveInteger('batchSize', options.batchSize, loader?.batchSize ?? 32),
    shuffle: optionalBoolean('shuffle', options.shuffle) ?? loader?.shuffle ?? true,
    dropLast: optionalBoolean('dropLast', options.dropLast) ?? loader?.dropLast ?? false,
    seed,
    loss: options.loss ?? null,
    ignoreIndex: options.ignoreIndex ?? IGNORE_INDEX,
    optimizer,
    lr: options.lr ?? null,
    optimizerOptions: { ...(options.optimizerOptions ?? {}) },
    clipGradNorm: clipGradNorm ?? null,
    schedulerInterval: oneOf('schedulerInterval', options.schedulerInterval, ['epoch', 'step']) ?? 'epoch',
    gradNormEvery: nonNegativeInteger('gradNormEvery', options.gradNormEvery, 10),
    probeEvery: options.probe ? positiveInteger('probe.every', options.probe.every, 50) : 0,
    probeTokens: options.probe?.tokens ? [...options.probe.tokens] : null,
    earlyStopping: resolveEarlyStopping(options.earlyStopping, hasValidation),
    checkpoint: ck ? { path: ck.path, everySteps: ck.everySteps === undefined ? null : positiveInteger('checkpoint.everySteps', ck.everySteps, 1) } : null,
    tbptt: resolveTbptt(options.tbptt),
    gradientCheckpointing: resolveGradientCheckpointing(options.gradientCheckpointing),
    maxEventsPerSecond: eventRate(options.maxEventsPerSecond),
    rank: 0,
    world: capWorkers(positiveInteger('workers', options.workers, 1), machine),
  };
}

/**
 * A checkpoint path that can never be written fails before the first step, not after the last
 * one (a run's result would be lost to its final save): a folder in its place, or a file where
 * its folder should be.
 */
function checkCheckpointPath(path: string): void {
  const { files, paths } = host();
  const stat = (p: string): ReturnType<typeof files.stat> => {
    try {
      return files.stat(p);
    } catch {
      return null; // ENOTDIR and the like: the folder check below says why
    }
  };
  if (stat(path)?.isDirectory) throw new Error(`fit: checkpoint.path '${path}' is a folder; give a file in it, e.g. '${paths.join(path, 'checkpoint.safetensors')}'`);
  const folder = paths.dirname(path);
  const parent = stat(folder);
  if (parent !== null && !parent.isDirectory) throw new Error(`fit: checkpoint.path '${path}' cannot be written: '${folder}' is a file, not a folder`);
}
