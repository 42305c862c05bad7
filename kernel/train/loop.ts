// The training loop, the same on the kernel thread, in a worker and in each data-parallel worker:
// one call to runStep() is one optimisation step (batch → loss → backward → [average across
// workers] → clip → update), and epochs end with validation, the schedule and early stopping.
// Everything random comes from the seed, so the same seed and options give the same numbers.

import { clipGradNorm, gradNorm } from '../engine/clip';
import { unsqueeze } from '../engine/ops';
import type { CheckpointThroughTime } from '../engine/layers/recurrent';
import type { Module } from '../engine/module';
import type { Optimizer } from '../engine/optim/index';
import { Generator, manualSeed } from '../engine/rng';
import { ReduceLROnPlateau, type LRScheduler } from '../engine/schedulers';
import { noGrad, type Parameter, type Tensor } from '../engine/tensor';
import type { BatchSource } from './data';
import type { Batch } from '../datasets/types';
import type { GradientExchange } from './worker/gradientExchange';
import { gradNormSeries, probeSnapshot, recurrentLayers, traced, type RecurrentLayer } from './instrumentation';

/** ‖∂L/∂h_t‖ over t, per recurrent layer and direction (what gradNormSeries returns). */
type GradNormSeries = ReturnType<typeof gradNormSeries>;
import type { LoopProgress, MetricsStream } from './metrics';
import { customObjective, defaultLoss, namedObjective, type LossTerm, type Objective } from './objective';
import { sequenceSteps, TbpttWalk, tbpttChunks, tbpttLayers, type Chunk } from './tbptt';
import { namedOptimizer, type LoopConfig } from './options';
import { formatStepTime, medianStepMs, WARMUP_STEPS } from './stepTiming';
import type { FinishReason, FitResult, ForwardLoss } from './types';

/** A NaN or infinite loss (or gradient): the job stops and says what to try. */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message);
  }
}

/** Name of the error a data-parallel worker throws when another one failed (the other's error is the one to report). */
export const DATA_PARALLEL_ABORT = 'DataParallelAbort';

export interface CheckpointMeta {
  step: number;
  epoch: number;
  loss: number | null;
}

export interface LoopParts {
  model: Module;
  train: BatchSource;
  validation: BatchSource | null;
  forwardLoss: ForwardLoss | null;
  makeOptimizer: ((params: Tensor[]) => Optimizer) | null;
  makeScheduler: ((optimizer: Optimizer) => LRScheduler | ReduceLROnPlateau) | null;
  probeX: Tensor | null;
  /** Data-parallel only. */
  exchange: GradientExchange | null;
  events: MetricsStream;
  /** Writes a checkpoint (only given to the leader). */
  writeCheckpoint: ((path: string, model: Module, optimizer: Optimizer, meta: CheckpointMeta) => void) | null;
}

/**
 * Batches and optimizer steps per epoch, and steps in all, from the number of training examples
 * and the steps each batch takes (its chunks under truncated BPTT, else 1).
 */
export function countSteps(examples: number, config: LoopConfig, stepsPerBatch = 1): { batchesPerEpoch: number; stepsPerEpoch: number; totalSteps: number } {
  const batchesPerEpoch = config.dropLast ? Math.floor(examples / config.batchSize) : Math.ceil(examples / config.batchSize);
  if (batchesPerEpoch < 1) throw new Error(`fit: ${examples} training examples make no batch of ${config.batchSize}${config.dropLast ? ' with dropLast' : ''}`);
  const stepsPerEpoch = batchesPerEpoch * stepsPerBatch;
  const epochSteps = config.epochs * stepsPerEpoch;
  return { batchesPerEpoch, stepsPerEpoch, totalSteps: config.maxSteps !== null ? Math.min(config.maxSteps, epochSteps) : epochSteps };
}

/** The chunks every batch is cut into under truncated BPTT (from the first example's T), or null. */
export function batchChunks(train: BatchSource, config: LoopConfig): Chunk[] | null {
  if (config.tbptt === null || train.length === 0) return null;
  return tbpttChunks(sequenceSteps(train.batch([0])), config.tbptt);
}

/** Probe input as a batch of one: (T) → (1,T), (T,I) → (1,T,I). */
function probeBatch(x: Tensor): Tensor {
  if (x.ndim === 1) return unsqueeze(x, 0);
  if (x.ndim === 2 && x.shape[0] !== 1) return unsqueeze(x, 0);
  return x;
}

/** Steps the live ms/step of the progress is the median of. */
const RECENT_STEPS = 50;

/**
 * The weights before the current update, so that an update that makes any weight ±Infinity or NaN
 * (a huge learning rate, an overflow) can be undone: a model that kept such weights would make
 * every later fit() diverge at its first step. One copy of the weights per step (a memcpy) and a
 * sum of them (allFinite): about 0.1 and 0.6 ms per 10⁶ weights, small beside forward and backward.
 */
class WeightsBeforeUpdate {
  private readonly saved: Float32Array;

  constructor(
    private readonly params: readonly Parameter[],
    private readonly names: readonly string[],
  ) {
    this.saved = new Float32Array(params.reduce((n, p) => n + p.size, 0));
  }

  save(): void {
    let offset = 0;
    for (const p of this.params) {
      this.saved.set(p.data, offset);
      offset += p.size;
    }
  }

  restore(): void {
    let offset = 0;
    for (const p of this.params) {
      p.data.set(this.saved.subarray(offset, offset + p.size));
      offset += p.size;
    }
  }

  /** "3 of the 12 values of fc.weight (the first is Infinity)", or null when every weight is finite. */
  describeNonFinite(): string | null {
    const bad: string[] = [];
    this.params.forEach((p, i) => {
      const d = p.data;
      if (allFinite(d)) return;
      let count = 0;
      let first = NaN;
      for (let k = 0; k < d.length; k++) {
        if (Number.isFinite(d[k]!)) continue;
        if (count++ === 0) first = d[k]!;
      }
      bad.push(`${count} of the ${d.length} values of ${this.names[i]} (the first is ${first})`);
    });
    if (bad.length === 0) return null;
    return bad.length <= 3 ? bad.join(', ') : `${bad.slice(0, 3).join(', ')} and ${bad.length - 3} more parameters`;
  }
}

/**
 * Whether every value is finite: their float64 sum is finite exactly when they all are (float32
 * values cannot add up to float64's overflow). Four sums, not one: the additions of one sum wait
 * for each other, four run side by side (about 3.5× faster on 10⁶ values).
 */
function allFinite(d: Float32Array): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let e = 0;
  const end = d.length & ~3;
  let k = 0;
  for (; k < end; k += 4) {
    a += d[k]!;
    b += d[k + 1]!;
    c += d[k + 2]!;
    e += d[k + 3]!;
  }
  for (; k < d.length; k++) a += d[k]!;
  return Number.isFinite(a + b + c + e);
}

export class TrainingLoop {
  readonly params: Parameter[];
  readonly optimizer: Optimizer;
  private readonly scheduler: LRScheduler | ReduceLROnPlateau | null;
  private readonly objective: Objective;
  private readonly layers: RecurrentLayer[];
  private readonly beforeUpdate: WeightsBeforeUpdate;
  private readonly shuffleGenerator: Generator;
  readonly batchesPerEpoch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** Truncated BPTT: every batch's chunks, the layers that carry their state, and the batch being walked. */
  private readonly tbptt: { chunks: Chunk[]; layers: RecurrentLayer[]; T: number } | null;
  private walk: TbpttWalk | null = null;
  private readonly initialTraining: boolean;
  /** The layers' own checkpoint settings, put back at the end (gradientCheckpointing overrides them meanwhile). */
  private readonly initialCheckpoints: CheckpointThroughTime[];
  private readonly started = performance.now();

  private stepsDone = 0;
  private epochsDone = 0;
  private order: number[] | null = null;
  private batchInEpoch = 0;
  private epochLossSum = 0;
  private epochLossCount = 0;
  private lastLoss: number | null = null;
  private lastValLoss: number | null = null;
  private lastLr: number;
  private best: { epoch: number; value: number; weights: Float32Array[] | null } | null = null;
  private badEpochs = 0;
  private readonly losses: number[] = [];
  private readonly stepMs: number[] = [];
  private readonly valLosses: [number, number][] = [];
  private readonly valMetrics: FitResult['valMetrics'] = [];
  private readonly checkpoints: string[] = [];
  private result: FitResult | null = null;

  constructor(
    private readonly config: LoopConfig,
    private readonly parts: LoopParts,
  ) {
    const { model, train } = parts;
    const chunks = batchChunks(train, config);
    ({ batchesPerEpoch: this.batchesPerEpoch, stepsPerEpoch: this.stepsPerEpoch, totalSteps: this.totalSteps } = countSteps(train.length, config, chunks?.length ?? 1));
    this.tbptt = chunks && { chunks, layers: tbpttLayers(recurrentLayers(model)), T: chunks[chunks.length - 1]!.to };

    // Dropout draws from the default generator; each data-parallel worker gets its own stream.
    manualSeed(config.seed + config.rank * 0x9e3779b1);
    this.shuffleGenerator = new Generator(config.seed ^ 0x5bd1e995);

    const named = [...model.namedParameters()];
    this.params = named.map(([, p]) => p);
    if (this.params.length === 0) throw new Error(`fit: ${model.constructor.name} has no parameters to train`);
    this.beforeUpdate = new WeightsBeforeUpdate(this.params, named.map(([name]) => name));
    this.optimizer = parts.makeOptimizer ? parts.makeOptimizer(this.params) : namedOptimizer(config.optimizer ?? 'adam', this.params, config.lr, config.optimizerOptions);
    this.scheduler = parts.makeScheduler ? parts.makeScheduler(this.optimizer) : null;
    this.objective = parts.forwardLoss ? customObjective(parts.forwardLoss) : namedObjective(config.loss ?? defaultLoss(train.targetKind), config.ignoreIndex);
    this.layers = recurrentLayers(model);
    this.initialTraining = model.training;
    const checkpointing = config.gradientCheckpointing;
    this.initialCheckpoints = this.layers.map(({ layer }) => layer.checkpoint);
    if (checkpointing !== null) for (const { layer } of this.layers) layer.checkpoint = checkpointing;
    this.lastLr = this.currentLr();
    parts.events.lr(0, this.lastLr);
  }

  get finished(): FitResult | null {
    return this.result;
  }

  get step(): number {
    return this.stepsDone;
  }

  get progress(): LoopProgress {
    return { step: this.stepsDone, totalSteps: this.totalSteps, epoch: this.epochsDone, loss: this.lastLoss, valLoss: this.lastValLoss, msPerStep: this.recentMsPerStep() };
  }

  /** Median of the last RECENT_STEPS step times, the first ones (warm-up) left out once there are more. */
  private recentMsPerStep(): number | null {
    const n = this.stepMs.length;
    if (n === 0) return null;
    return n > RECENT_STEPS ? medianStepMs(this.stepMs.slice(n - RECENT_STEPS), 0) : medianStepMs(this.stepMs, WARMUP_STEPS);
  }

  private get leader(): boolean {
    return this.config.rank === 0;
  }

  private currentLr(): number {
    return this.optimizer.paramGroups[0]!.lr;
  }

  /** One optimisation step (or the end of training). */
  /**
   * One optimisation step, as llm.c's: the batch's forward and backward, the gradient summed
   * across workers, clipped, the update; then what watches the run (events, schedule, probe,
   * checkpoint) as named hooks.
   */
  runStep(): void {
    if (this.result !== null) return;
    const began = performance.now();
    const step = this.stepsDone + 1;
    this.parts.model.train();
    this.optimizer.zeroGrad();
    const traced = this.forwardBackward(this.wantsGradNorms(step));
    const loss = this.allReduce(step, traced.loss, traced.count);
    if (loss === null) return; // stopped at this step boundary by another worker
    const norms = this.clip(step, loss);
    this.update(step, loss, norms.after);
    this.afterStep(step, loss, norms, traced.gradNormsPerStep, began, traced.batchDone);
  }

  /** This worker's indices of the next batch: its contiguous share of the batch (possibly none). */
  private nextShard(): number[] {
    const { batchSize, world, rank } = this.config;
    if (this.order === null) {
      const n = this.parts.train.length;
      this.order = this.config.shuffle ? this.shuffleGenerator.permutation(n) : Array.from({ length: n }, (_, i) => i);
      this.epochLossSum = 0;
      this.epochLossCount = 0;
    }
    const indices = this.order.slice(this.batchInEpoch * batchSize, (this.batchInEpoch + 1) * batchSize);
    return world === 1 ? indices : indices.slice(Math.floor((rank * indices.length) / world), Math.floor(((rank + 1) * indices.length) / world));
  }

  /** Every gradNormEvery steps (and the first) the leader traces ‖∂L/∂h_t‖ of the recurrent layers. */
  private wantsGradNorms(step: number): boolean {
    const every = this.config.gradNormEvery;
    return this.leader && every > 0 && this.layers.length > 0 && (step === 1 || step % every === 0);
  }

  /**
   * The loss of this worker's shard of the next batch (or, under truncated BPTT, of the batch's
   * next chunk) and its gradients in the parameters' .grad; with the layers' trace if asked.
   * `batchDone`: the step finished a batch.
   */
  private forwardBackward(trace: boolean): { loss: number; count: number; gradNormsPerStep: GradNormSeries | null; batchDone: boolean } {
    let loss = NaN;
    let count = 0;
    const run = (): void => {
      const term = this.nextTerm();
      if (term === null) return;
      loss = term.loss.item();
      count = term.count;
      term.loss.backward();
    };
    const batchDone = (): boolean => this.walk?.done ?? true;
    if (!trace) {
      run();
      return { loss, count, gradNormsPerStep: null, batchDone: batchDone() };
    }
    const gradNormsPerStep = traced(this.layers, () => {
      run();
      return gradNormSeries(this.layers);
    });
    return { loss, count, gradNormsPerStep, batchDone: batchDone() };
  }

  /** The next loss term: of this worker's shard of the next batch, or of the batch's next chunk; null for an empty shard. */
  private nextTerm(): LossTerm | null {
    const { model, train } = this.parts;
    if (this.tbptt === null) {
      const shard = this.nextShard();
      return shard.length === 0 ? null : this.objective.compute(model, train.batch(shard));
    }
    if (this.walk === null || this.walk.done) {
      const shard = this.nextShard();
      const batch = shard.length === 0 ? null : train.batch(shard);
      if (batch && sequenceSteps(batch) !== this.tbptt.T) {
        throw new Error(`fit: tbptt cuts every batch into the same chunks, but a batch has T = ${sequenceSteps(batch)} steps and the first example ${this.tbptt.T}: give sequences of one length`);
      }
      this.walk = new TbpttWalk(batch, this.tbptt.chunks, this.tbptt.layers);
    }
    return this.walk.next(model, this.objective);
  }

  /** The batch's loss, the gradients summed across data-parallel workers; null: stop here. */
  private allReduce(step: number, loss: number, count: number): number | null {
    const exchange = this.parts.exchange;
    let total = loss;
    if (exchange !== null) {
      const reduced = exchange.allReduce(this.params, step, loss, count);
      if (reduced.decision === 'stop') {
        this.finish('stopped');
        return null;
      }
      if (reduced.decision === 'abort') {
        const error = new Error('Training stopped because another data-parallel worker failed');
        error.name = DATA_PARALLEL_ABORT;
        throw error;
      }
      total = reduced.loss;
    }
    if (!Number.isFinite(total)) throw this.diverged(step, `the loss is ${total}${this.nonFiniteBefore()}`);
    return total;
  }

  /** Clips the gradient's total norm when asked; the norm before and after. */
  private clip(step: number, loss: number): { before: number; after: number } {
    const max = this.config.clipGradNorm;
    const before = max !== null ? clipGradNorm(this.params, max) : gradNorm(this.params);
    if (!Number.isFinite(before)) throw this.diverged(step, `the gradient norm is ${before} (loss ${loss})${this.nonFiniteBefore()}`);
    return { before, after: max !== null ? gradNorm(this.params) : before };
  }

  /** The optimizer's step, undone when it made a weight non-finite. */
  private update(step: number, loss: number, gradNormAfter: number): void {
    this.beforeUpdate.save();
    this.optimizer.step();
    const nonFinite = this.beforeUpdate.describeNonFinite();
    if (nonFinite !== null) {
      this.beforeUpdate.restore();
      throw this.diverged(step, `the update (loss ${loss}, gradient norm ${gradNormAfter}) made ${nonFinite} non-finite, so the update was undone`);
    }
  }

  /** What watches the run: the step's events, the LR schedule, the probe, checkpoints, epochs. */
  private afterStep(step: number, loss: number, norms: { before: number; after: number }, gradNormsPerStep: GradNormSeries | null, began: number, batchDone: boolean): void {
    const events = this.parts.events;
    this.stepsDone = step;
    if (batchDone) this.batchInEpoch++;
    this.lastLoss = loss;
    this.losses.push(loss);
    this.epochLossSum += loss;
    this.epochLossCount++;
    events.loss(step, loss);
    events.gradNormTotal(step, norms.before, norms.after);
    if (gradNormsPerStep !== null) events.gradNormPerStep({ step, series: gradNormsPerStep });
    if (this.scheduler !== null && this.config.schedulerInterval === 'step' && !(this.scheduler instanceof ReduceLROnPlateau)) this.scheduler.step();
    this.noteLr();
    if (this.leader && this.config.probeEvery > 0 && (step === 1 || step % this.config.probeEvery === 0)) this.runProbe();
    const ck = this.config.checkpoint;
    if (ck !== null && ck.everySteps !== null && step % ck.everySteps === 0 && step < this.totalSteps) this.checkpoint();
    this.stepMs.push(performance.now() - began);
    if (this.batchInEpoch === this.batchesPerEpoch) this.endEpoch();
    if (this.result === null && this.stepsDone >= this.totalSteps) this.finish('completed');
    events.flush(() => this.progress, this.result !== null);
  }

  /** Ends training without another step (stop requested between steps). */
  finish(reason: FinishReason): void {
    if (this.result !== null) return;
    const { model, events } = this.parts;
    let restored = false;
    if (reason === 'earlyStopped' && this.best?.weights) {
      this.best.weights.forEach((w, i) => this.params[i]!.data.set(w));
      restored = true;
    }
    if (this.config.checkpoint !== null && this.stepsDone > 0) this.checkpoint();
    if (this.leader && this.config.probeEvery > 0 && this.stepsDone > 0) this.runProbe();
    model.train(this.initialTraining);
    this.layers.forEach(({ layer }, i) => (layer.checkpoint = this.initialCheckpoints[i]!));
    const time = formatStepTime(this.stepMs);
    // The whole run's median, said as such (the live progress shows the median of recent steps).
    const speed = time ? `median ${time}` : '';
    const message =
      reason === 'completed'
        ? `Trained ${this.stepsDone} steps (${this.epochsDone} epochs)${speed ? `, ${speed}` : ''}`
        : reason === 'stopped'
          ? `Stopped after step ${this.stepsDone}${speed ? ` (${speed})` : ''}; the model holds the weights of that step`
          : `Stopped early after epoch ${this.epochsDone}${speed ? ` (${speed})` : ''}: no improvement for ${this.config.earlyStopping!.patience} epochs` +
            (restored ? `; restored the weights of epoch ${this.best!.epoch}` : '');
    this.result = {
      status: reason === 'stopped' ? 'stopped' : 'done',
      reason,
      steps: this.stepsDone,
      epochs: this.epochsDone,
      losses: [...this.losses],
      stepMs: [...this.stepMs],
      valLosses: [...this.valLosses],
      valMetrics: [...this.valMetrics],
      ...(this.best !== null ? { best: { epoch: this.best.epoch, value: this.best.value, restored } } : {}),
      checkpoints: [...this.checkpoints],
      durationMs: performance.now() - this.started,
      message,
    };
    events.flush(() => this.progress, true);
  }

  private noteLr(): void {
    const lr = this.currentLr();
    if (lr !== this.lastLr) {
      this.lastLr = lr;
      this.parts.events.lr(this.stepsDone, lr);
    }
  }

  private endEpoch(): void {
    const { events } = this.parts;
    this.epochsDone++;
    this.order = null;
    this.batchInEpoch = 0;
    const trainLoss = this.epochLossSum / Math.max(1, this.epochLossCount);
    let monitored = trainLoss;
    // Every data-parallel worker validates on the whole set, so all take the same decisions.
    const val = this.validate();
    if (val !== null) {
      this.lastValLoss = val.loss;
      this.valLosses.push([this.stepsDone, val.loss]);
      this.valMetrics.push({ step: this.stepsDone, epoch: this.epochsDone, values: val.metrics });
      events.valLoss(this.stepsDone, val.loss);
      events.valMetrics(this.stepsDone, this.epochsDone, val.metrics);
    }
    const es = this.config.earlyStopping;
    if (es !== null && es.monitor === 'valLoss' && val !== null) monitored = val.loss;
    else if (es === null && val !== null) monitored = val.loss;

    if (this.scheduler instanceof ReduceLROnPlateau) this.scheduler.step(monitored);
    else if (this.scheduler !== null && this.config.schedulerInterval === 'epoch') this.scheduler.step();
    this.noteLr();

    if (es !== null) {
      if (this.best === null || monitored < this.best.value - es.minDelta) {
        this.best = { epoch: this.epochsDone, value: monitored, weights: es.restoreBest ? this.params.map((p) => new Float32Array(p.data)) : null };
        this.badEpochs = 0;
      } else if (++this.badEpochs >= es.patience) {
        this.finish('earlyStopped');
        return;
      }
    }
    // No forced flush here: with tiny epochs that would break the bound on events per second.
  }

  private validate(): { loss: number; metrics: Record<string, number> } | null {
    const source = this.parts.validation;
    if (source === null || source.length === 0) return null;
    const { model } = this.parts;
    model.eval();
    try {
      return noGrad(() => {
        let weighted = 0;
        let count = 0;
        let correct = 0;
        let counted = 0;
        let classification = false;
        for (let start = 0; start < source.length; start += this.config.batchSize) {
          const indices: number[] = [];
          for (let i = start; i < Math.min(source.length, start + this.config.batchSize); i++) indices.push(i);
          const batch: Batch = source.batch(indices);
          const term = this.objective.compute(model, batch);
          weighted += term.count * term.loss.item();
          count += term.count;
          const acc = term.output !== null ? this.objective.accuracy(term.output, batch) : null;
          if (acc !== null) {
            classification = true;
            correct += acc[0];
            counted += acc[1];
          }
        }
        const metrics: Record<string, number> = {};
        if (classification) metrics.accuracy = counted > 0 ? correct / counted : NaN;
        return { loss: count > 0 ? weighted / count : NaN, metrics };
      });
    } finally {
      model.train();
    }
  }

  private runProbe(): void {
    const { model, probeX, events } = this.parts;
    if (probeX === null || this.layers.length === 0) return;
    const x = probeBatch(probeX);
    model.eval();
    try {
      const snapshot = noGrad(() =>
        traced(this.layers, () => {
          model.forward(x);
          return probeSnapshot(this.layers);
        }),
      );
      const tokens = this.config.probeTokens;
      events.probe({ step: this.stepsDone, ...(tokens ? { tokens } : {}), hidden: snapshot.hidden }, { step: this.stepsDone, gates: snapshot.gates });
    } catch (error) {
      throw new Error(`probe: model.forward on the probe input ${JSON.stringify(x.shape)} failed: ${(error as Error).message}`);
    } finally {
      model.train();
    }
  }

  private checkpoint(): void {
    const write = this.parts.writeCheckpoint;
    const ck = this.config.checkpoint;
    if (write === null || ck === null || !this.leader) return;
    const path = ck.path.replace(/\{step\}/g, String(this.stepsDone));
    write(path, this.parts.model, this.optimizer, { step: this.stepsDone, epoch: this.epochsDone, loss: this.lastLoss });
    if (this.checkpoints[this.checkpoints.length - 1] !== path) this.checkpoints.push(path);
  }

  /** Weights that were non-finite before training (a file full of NaN): named, for the divergence message. */
  private nonFiniteBefore(): string {
    const bad = this.beforeUpdate.describeNonFinite();
    return bad === null ? '' : `, and the weights were non-finite before this step: ${bad} (load finite weights or create the model again)`;
  }

  private diverged(step: number, what: string): TrainingDivergedError {
    const lr = this.currentLr();
    const clip = this.config.clipGradNorm;
    const clipAdvice = clip === null ? 'gradient clipping ({ clipGradNorm: 1 })' : `stronger gradient clipping (clipGradNorm is ${clip}; try ${clip / 4})`;
    return new TrainingDivergedError(
      `Training diverged at step ${step} (epoch ${this.epochsDone + 1}): ${what}. ` +
        `The model keeps the weights from before that step (${step > 1 ? `step ${step - 1}` : 'the weights it started with'}). ` +
        `Try a lower learning rate (lr is ${lr}; try ${lr / 10}), ${clipAdvice}, ` +
        'or check the inputs and targets for NaN or very large values.',
      step,
    );
  }
}
