// Learning-rate schedules with torch.optim.lr_scheduler's semantics: construction performs the
// first step (epoch 0), `step()` advances one epoch (call it after `optimizer.step()`), and
// `getLastLr()` returns one rate per parameter group. The chainable (recursive) forms are used,
// as PyTorch does, so the sequences match PyTorch's to the last bit and other changes to the
// rate (e.g. by a second scheduler) compose the same way.

/** What a scheduler needs from an optimizer: its parameter groups' learning rates. */
export interface LrSchedulable {
  readonly paramGroups: { lr: number; initialLr?: number }[];
}

export type SchedulerStateDict = Record<string, unknown>;

export abstract class LRScheduler {
  readonly optimizer: LrSchedulable;
  /** The groups' initial learning rates. */
  baseLrs: number[] = [];
  /** Epochs completed (0 right after construction). */
  lastEpoch = -1;
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(optimizer: LrSchedulable) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) throw new Error(`${new.target.name}: expected an optimizer`);
    this.optimizer = optimizer;
  }

  /** Subclasses call this at the end of their constructor, once their own fields are set. */
  protected start(lastEpoch: number): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) g.initialLr ??= g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new Error(`${this.constructor.name}: initialLr is not set in paramGroups[${i}] when resuming at lastEpoch ${lastEpoch}`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** Resets the step count and performs the epoch-0 step (used by SequentialLR). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and sets each group's learning rate. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.apply(this.getLr());
  }

  /** Jumps to `epoch` using the closed form where there is one (PyTorch's deprecated step(epoch)). */
  stepTo(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr() ?? this.getLr());
  }

  private apply(values: number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates set by the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The chainable form: new rates from the groups' current ones. */
  protected abstract getLr(): number[];

  /** The rates as a function of lastEpoch alone, when the schedule has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Counters and settings (no functions, no optimizer), to checkpoint with the optimizer's state. */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function') continue;
      if (Array.isArray(v) && v.some((x) => typeof x === 'function')) continue; // LambdaLR's lambdas
      out[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
    }
    return out;
  }

  loadStateDict(state: SchedulerStateDict): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(state)) {
      if (k === 'optimizer' || typeof self[k] === 'function') continue;
      self[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
    }
  }
}

/** lr = initialLr · λ(epoch), with one λ for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  private readonly lrLambdas: ((epoch: number) => number)[];

  constructor(optimizer: LrSchedulable, lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[], options: { lastEpoch?: number } = {}) {
    super(optimizer);
    const n = optimizer.paramGroups.length;
    if (typeof lrLambda === 'function') this.lrLambdas = new Array<(epoch: number) => number>(n).fill(lrLambda);
    else {
      if (lrLambda.length !== n) throw new Error(`LambdaLR: expected ${n} lrLambdas (one per parameter group), got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    }
    this.start(options.lastEpoch ?? -1);
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** A decay factor: a finite number ≥ 0 (NaN or a string would turn every later rate into NaN). */
function checkedGamma(scheduler: string, gamma: unknown): number {
  if (typeof gamma !== 'number' || !Number.isFinite(gamma) || gamma < 0) throw new Error(`${scheduler}: gamma must be a finite number ≥ 0, got ${String(gamma)}`);
  return gamma;
}

/** Multiplies the rate by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: LrSchedulable, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer);
    if (!(Number.isInteger(options.stepSize) && options.stepSize > 0)) throw new Error(`StepLR: stepSize must be a positive integer, got ${options.stepSize}`);
    this.stepSize = options.stepSize;
    this.gamma = checkedGamma('StepLR', options.gamma ?? 0.1);
    this.start(options.lastEpoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Multiplies the rate by gamma at each milestone epoch (a milestone listed twice applies twice). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: LrSchedulable, options: { milestones: readonly number[]; gamma?: number; lastEpoch?: number }) {
    super(optimizer);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = checkedGamma('MultiStepLR', options.gamma ?? 0.1);
    this.start(options.lastEpoch ?? -1);
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}

/** Multiplies the rate by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: LrSchedulable, options: { gamma: number; lastEpoch?: number }) {
    super(optimizer);
    this.gamma = checkedGamma('ExponentialLR', options.gamma);
    this.start(options.lastEpoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}

/**
 * Scales the rate by a factor that moves linearly from startFactor to endFactor over totalIters
 * epochs, then stays: with the defaults, a 5-epoch linear warmup from a third of the rate.
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: LrSchedulable, options: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    super(optimizer);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    if (!(this.startFactor > 0 && this.startFactor <= 1)) throw new Error(`LinearLR: startFactor must be in (0, 1], got ${this.startFactor}`);
    if (!(this.endFactor >= 0 && this.endFactor <= 1)) throw new Error(`LinearLR: endFactor must be in [0, 1], got ${this.endFactor}`);
    this.start(options.lastEpoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs().map((lr) => lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.currentLrs();
    const d = this.endFactor - this.startFactor;
    return this.currentLrs().map((lr) => lr * (1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }

  protected override closedFormLr(): number[] {
    const t = Math.min(this.totalIters, this.lastEpoch);
    return this.baseLrs.map((base) => base * (this.startFactor + ((this.endFactor - this.startFactor) * t) / this.totalIters));
  }
}

/** A linear warmup over `warmupSteps` epochs from startFactor·lr up to lr: LinearLR with endFactor 1. */
export function linearWarmup(optimizer: LrSchedulable, warmupSteps: number, startFactor = 1 / 3): LinearLR {
  return new LinearLR(optimizer, { startFactor, endFactor: 1, totalIters: warmupSteps });
}

/**
 * Cosine annealing (Loshchilov & Hutter 2017, without restarts):
 *   η_t = η_min + (η_max − η_min)·(1 + cos(π·t/T_max))/2,
 * computed recursively as PyTorch does; past T_max the rate rises again along the cosine.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: LrSchedulable, options: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer);
    if (!(options.tMax > 0)) throw new Error(`CosineAnnealingLR: tMax must be positive, got ${options.tMax}`);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.start(options.lastEpoch ?? -1);
  }

  protected getLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    if (t === 0) return this.currentLrs();
    if (this.stepCount === 1 && t > 0) return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    if ((((t - 1 - tMax) % (2 * tMax)) + 2 * tMax) % (2 * tMax) === 0) {
      const lrs = this.currentLrs();
      return this.baseLrs.map((base, i) => lrs[i]! + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return this.currentLrs().map((lr) => ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/**
 * Runs schedulers one after another: schedulers[i] from milestones[i−1] on. E.g. a warmup then
 * cosine decay: `new SequentialLR(opt, [linearWarmup(opt, 5), new CosineAnnealingLR(opt, { tMax: 95 })], [5])`.
 */
export class SequentialLR {
  readonly optimizer: LrSchedulable;
  private readonly schedulers: LRScheduler[];
  private readonly milestones: number[];
  lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: LrSchedulable, schedulers: readonly LRScheduler[], milestones: readonly number[], options: { lastEpoch?: number } = {}) {
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new Error(`SequentialLR: scheduler ${i} belongs to a different optimizer`);
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new Error(`SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${milestones.length}`);
    }
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    // Undo what constructing the schedulers did, then start the first one afresh (as PyTorch).
    for (const g of optimizer.paramGroups) g.lr = g.initialLr ?? g.lr;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= this.lastEpoch) idx++;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.stepTo(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(state: SchedulerStateDict): void {
    if (typeof state.lastEpoch === 'number') this.lastEpoch = state.lastEpoch;
    if (Array.isArray(state.lastLr)) this.lastLr = [...(state.lastLr as number[])];
    if (Array.isArray(state.schedulers)) (state.schedulers as SchedulerStateDict[]).forEach((s, i) => this.schedulers[i]?.loadStateDict(s));
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': reduce when the metric stops decreasing; 'max': when it stops increasing. Default 'min'. */
  mode?: 'min' | 'max';
  /** new lr = lr · factor. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** Improvement needed to count, relative ('rel') or absolute ('abs'). Default 1e-4, 'rel'. */
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound on the rate, for all groups or per group. Default 0. */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/** Reduces the rate when a metric has stopped improving: `scheduler.step(valLoss)` once per epoch. */
export class ReduceLROnPlateau {
  readonly optimizer: LrSchedulable;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: LrSchedulable, options: ReduceLROnPlateauOptions = {}) {
    this.optimizer = optimizer;
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    if (!(this.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be < 1, got ${this.factor}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new Error(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got '${String(this.thresholdMode)}'`);
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (typeof minLr === 'number') this.minLrs = new Array<number>(n).fill(minLr);
    else {
      if (minLr.length !== n) throw new Error(`ReduceLROnPlateau: expected ${n} minLr values (one per parameter group), got ${minLr.length}`);
      this.minLrs = [...minLr];
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Records this epoch's metric and reduces the rate after more than `patience` bad epochs. */
  step(metric: number): void {
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lastLr: [...this.lastLr] };
  }

  /** Restores the counters; `best` saved through JSON as null (from ±Infinity) is read back. */
  loadStateDict(state: SchedulerStateDict): void {
    this.best = typeof state.best === 'number' ? state.best : this.mode === 'min' ? Infinity : -Infinity;
    if (typeof state.numBadEpochs === 'number') this.numBadEpochs = state.numBadEpochs;
    if (typeof state.cooldownCounter === 'number') this.cooldownCounter = state.cooldownCounter;
    if (typeof state.lastEpoch === 'number') this.lastEpoch = state.lastEpoch;
    if (Array.isArray(state.lastLr)) this.lastLr = [...(state.lastLr as number[])];
  }
}
