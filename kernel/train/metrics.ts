// Progress of a training loop, batched into events at a bounded rate. Nothing is dropped that a
// curve needs (every step's loss is kept until the next event); only the heavy snapshots
// (‖∂L/∂h_t‖ per step, probe states) keep just their latest value between events.

import type { JobSummary } from '../protocol';
import type { TrainMetrics } from './types';

/** Where the loop stands: the parts of JobSummary that the loop knows. */
export interface LoopProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number | null;
  valLoss: number | null;
  /** Median wall time of the recent steps (stepTiming.ts), null before the first step. */
  msPerStep: number | null;
}

/** The JobSummary fields a loop's progress gives (msPerStep only once a step ran). */
export function progressFields(p: LoopProgress): Pick<JobSummary, 'step' | 'totalSteps' | 'epoch' | 'loss' | 'valLoss' | 'msPerStep'> {
  const { step, totalSteps, epoch, loss, valLoss, msPerStep } = p;
  return { step, totalSteps, epoch, loss, valLoss, ...(msPerStep !== null ? { msPerStep } : {}) };
}

export interface ProgressEvent {
  progress: LoopProgress;
  metrics: TrainMetrics;
}

export class MetricsStream {
  private pending: TrainMetrics = {};
  private lastSent = -Infinity;
  private readonly interval: number;

  constructor(
    private readonly send: (event: ProgressEvent) => void,
    maxEventsPerSecond = 10,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(maxEventsPerSecond > 0)) throw new Error(`maxEventsPerSecond must be positive, got ${maxEventsPerSecond}`);
    this.interval = 1000 / maxEventsPerSecond;
  }

  loss(step: number, value: number): void {
    (this.pending.loss ??= []).push([step, value]);
  }

  valLoss(step: number, value: number): void {
    (this.pending.valLoss ??= []).push([step, value]);
  }

  valMetrics(step: number, epoch: number, values: Record<string, number>): void {
    (this.pending.valMetrics ??= []).push({ step, epoch, values });
  }

  gradNormTotal(step: number, before: number, after: number): void {
    (this.pending.gradNormTotals ??= []).push([step, before, after]);
    this.pending.gradNormTotal = { step, before, after };
  }

  lr(step: number, value: number): void {
    (this.pending.lr ??= []).push([step, value]);
  }

  gradNormPerStep(value: NonNullable<TrainMetrics['gradNormPerStep']>): void {
    this.pending.gradNormPerStep = value;
  }

  probe(hidden: NonNullable<TrainMetrics['probe']>, gates: NonNullable<TrainMetrics['probeGates']>): void {
    this.pending.probe = hidden;
    this.pending.probeGates = gates;
  }

  /** Sends what is pending if the last event is old enough (or `force`); `progress` is asked only then. */
  flush(progress: () => LoopProgress, force = false): void {
    const t = this.now();
    if (!force && t - this.lastSent < this.interval) return;
    this.lastSent = t;
    const metrics = this.pending;
    this.pending = {};
    this.send({ progress: progress(), metrics });
  }
}
