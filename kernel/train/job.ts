// A running (or finished) training job as the kernel sees it: the handle fit() returns, the
// history of what it streamed, and the registry the kernel server and inspector list.

import { host } from '../host/index';
import type { Module } from '../engine/module';
import type { JobEventParams, JobMetrics, JobStatus, JobSummary } from '../protocol';
import type { JobControl } from './worker/jobControl';
import { progressFields, type ProgressEvent } from './metrics';
import { withConsistentWeights } from './worker/sharedWeights';
import type { FitResult, TrainMetrics } from './types';

export interface Disposable {
  dispose(): void;
}

/** Everything a job streamed, for plots drawn after the fact. */
export interface JobHistory {
  /** (step, loss) for every step. */
  loss: [number, number][];
  valLoss: [number, number][];
  /** (step, before clipping, after clipping) for every step. */
  gradNorm: [number, number, number][];
  lr: [number, number][];
  valMetrics: NonNullable<TrainMetrics['valMetrics']>;
  /** The latest ‖∂L/∂h_t‖ per step and layer/direction. */
  gradNormPerStep: JobMetrics['gradNormPerStep'] | null;
  /** The latest probe hidden states and gates. */
  probe: JobMetrics['probe'] | null;
  probeGates: TrainMetrics['probeGates'] | null;
}

export type LogStream = 'stdout' | 'stderr';

let nextJobNumber = 1;
/**
 * Tells this process's jobs from another's: job numbers start again at job-1 in a restarted kernel,
 * and outputs that name a job (its live curve's display id) outlive the process in the notebook.
 */
let processTag: string | null = null;
const PROCESS_TAG = (): string => (processTag ??= host().randomUUID().slice(0, 8));
const MAX_FINISHED_JOBS = 20;
/** Running and paused jobs. */
const jobs = new Map<string, TrainingJob>();
/**
 * The last MAX_FINISHED_JOBS finished jobs, for the dashboard's list: their summaries, and the job
 * itself only while someone else holds it. A finished job's model and history are not kept alive
 * by the registry: cells re-run fit() on fresh models, and 20 old models held here could be GBs.
 */
const finishedJobs = new Map<string, { summary: JobSummary; job: WeakRef<TrainingJob> }>();
/** How long stop() waits for a job in workers to reach its step boundary before ending its workers. */
export const STOP_GRACE_MS = 5000;

const jobListeners = new Set<(event: JobEventParams) => void>();

export class TrainingJob<M extends Module = Module> {
  readonly id = `job-${nextJobNumber++}`;
  /** Unique across kernel processes (and restarts): what outputs that follow the job are keyed by. */
  readonly uid = `${PROCESS_TAG()}-${this.id}`;
  /** Resolves when training ends (done or stopped); rejects on an error, with the worker's stack. */
  readonly done: Promise<FitResult>;
  readonly history: JobHistory = { loss: [], valLoss: [], gradNorm: [], lr: [], valMetrics: [], gradNormPerStep: null, probe: null, probeGates: null };
  private state: JobSummary;
  private readonly listeners = new Set<(event: JobEventParams) => void>();
  private readonly logListeners = new Set<(stream: LogStream, text: string) => void>();
  private settle!: { resolve: (r: FitResult) => void; reject: (e: Error) => void };
  private resultValue: FitResult | null = null;
  private errorValue: Error | null = null;

  constructor(
    readonly model: M,
    readonly name: string,
    totalSteps: number,
    private readonly control: JobControl,
  ) {
    this.done = new Promise<FitResult>((resolve, reject) => (this.settle = { resolve, reject }));
    // A job nobody awaits must not take the kernel down with an unhandled rejection.
    this.done.catch(() => undefined);
    this.state = { id: this.id, uid: this.uid, model: name, status: 'running', step: 0, totalSteps, epoch: 0, loss: null, valLoss: null };
    jobs.set(this.id, this as unknown as TrainingJob);
  }

  get status(): JobStatus {
    return this.state.status;
  }

  get result(): FitResult | null {
    return this.resultValue;
  }

  get error(): Error | null {
    return this.errorValue;
  }

  summary(): JobSummary {
    return { ...this.state };
  }

  get finished(): boolean {
    return this.state.status === 'done' || this.state.status === 'stopped' || this.state.status === 'failed';
  }

  /**
   * Asks the job to stop after the current step; the model keeps the last whole step. A job in
   * workers that has not stopped STOP_GRACE_MS later (its step never ends: a loop in forwardLoss,
   * in a custom optimizer or in the model's forward) has its workers ended (see endWorkers).
   */
  stop(): void {
    if (this.finished) return;
    this.control.requestStop();
    const end = this.endWorkers;
    if (end === null || this.stopTimer !== null) return;
    const timers = host().timers;
    this.stopTimer = timers.setTimeout(() => this.finished || end(), STOP_GRACE_MS);
    timers.unref(this.stopTimer);
  }

  /** @internal Ends the job's workers, failing the job (fit.ts, for a job in workers). */
  endWorkers: (() => void) | null = null;
  private stopTimer: unknown = null;

  pause(): void {
    if (this.finished || this.state.status === 'paused') return;
    this.control.pause();
    this.update({ status: 'paused' });
  }

  resume(): void {
    if (this.state.status !== 'paused') return;
    this.control.resume();
    this.update({ status: 'running' });
  }

  /** Paused and actually waiting: no step is running and the model shows the last one. */
  get parked(): boolean {
    return this.control.parked;
  }

  /** Runs `fn` on a consistent view of the weights (no step is published meanwhile). */
  withWeights<T>(fn: () => T): T {
    return withConsistentWeights(this.model, fn);
  }

  /** Progress events (at most maxEventsPerSecond), and a last one when the job ends. */
  onEvent(listener: (event: JobEventParams) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** What the worker printed (console.log in the model's code). */
  onLog(listener: (stream: LogStream, text: string) => void): Disposable {
    this.logListeners.add(listener);
    return { dispose: () => this.logListeners.delete(listener) };
  }

  toString(): string {
    const s = this.state;
    const loss = s.loss === null ? '' : `, loss ${s.loss.toPrecision(4)}`;
    return `TrainingJob(${s.id}, ${s.model}: ${s.status}, step ${s.step}/${s.totalSteps}${loss})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // --- fed by the driver (fit.ts) --------------------------------------------------------------

  /** @internal */
  handleProgress(event: ProgressEvent): void {
    const m = event.metrics;
    const h = this.history;
    if (m.loss) appendAll(h.loss, m.loss);
    if (m.valLoss) appendAll(h.valLoss, m.valLoss);
    if (m.gradNormTotals) appendAll(h.gradNorm, m.gradNormTotals);
    if (m.lr) appendAll(h.lr, m.lr);
    if (m.valMetrics) appendAll(h.valMetrics, m.valMetrics);
    if (m.gradNormPerStep) h.gradNormPerStep = m.gradNormPerStep;
    if (m.probe) h.probe = m.probe;
    if (m.probeGates) h.probeGates = m.probeGates;
    this.state = { ...this.state, ...progressFields(event.progress) };
    this.emit(m);
  }

  /** @internal */
  handleLog(stream: LogStream, text: string): void {
    if (this.logListeners.size === 0) {
      // Never the kernel's stdout: it carries the JSON-RPC stream.
      host().process.log(text);
      return;
    }
    for (const l of this.logListeners) l(stream, text);
  }

  /** @internal */
  complete(result: FitResult): void {
    if (this.finished) return;
    this.resultValue = result;
    this.update({ status: result.status, step: result.steps, message: result.message });
    retire(this as unknown as TrainingJob);
    this.settle.resolve(result);
  }

  /** @internal */
  fail(error: Error): void {
    if (this.finished) return;
    this.errorValue = error;
    this.update({ status: 'failed', message: `${error.name}: ${error.message}` });
    retire(this as unknown as TrainingJob);
    this.settle.reject(error);
  }

  private update(patch: Partial<JobSummary>): void {
    this.state = { ...this.state, ...patch };
    this.emit(undefined);
  }

  private emit(metrics: JobMetrics | undefined): void {
    const event: JobEventParams = metrics !== undefined ? { job: this.summary(), metrics } : { job: this.summary() };
    removeTerminatedListener();
    for (const l of [...this.listeners, ...jobListeners]) {
      const own = this.listeners.has(l);
      try {
        // A cell's listener (onEvent) runs where an interrupt can end it, as a timer's callback does.
        if (own) runListener(this.listeners, l, event);
        else l(event);
      } catch (error) {
        host().process.log(`rnn-lab: a job event listener failed: ${String(error)}\n`);
      }
    }
  }
}

/** The cell's listener running now, and the set it is in; still set after it returns: an interrupt ended it. */
let runningListener: { listeners: Set<(event: JobEventParams) => void>; listener: (event: JobEventParams) => void } | null = null;

function runListener(listeners: Set<(event: JobEventParams) => void>, listener: (event: JobEventParams) => void, event: JobEventParams): void {
  runningListener = { listeners, listener };
  try {
    host().interrupt.interruptibleCallback(() => listener(event));
  } finally {
    runningListener = null; // not reached when the interrupt terminated it
  }
}

/**
 * A listener an interrupt terminated (it held the thread: `onEvent: () => { for (;;) {} }`) would
 * hold it again at the next event: it is removed, and said so.
 */
function removeTerminatedListener(): void {
  if (runningListener === null) return;
  const { listeners, listener } = runningListener;
  runningListener = null;
  host().interrupt.callbackTerminated();
  listeners.delete(listener);
  host().process.log('rnn-lab: a job event listener (onEvent) held the thread and was stopped by an interrupt; it gets no more events\n');
}

/** push(...items) without spreading: an event may carry the losses of 10^5 fast steps. */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** Moves a finished job from the running jobs to the finished ones (dropping the oldest beyond MAX_FINISHED_JOBS). */
function retire(job: TrainingJob): void {
  jobs.delete(job.id);
  finishedJobs.set(job.id, { summary: job.summary(), job: new WeakRef(job) });
  for (const id of [...finishedJobs.keys()].slice(0, Math.max(0, finishedJobs.size - MAX_FINISHED_JOBS))) finishedJobs.delete(id);
}

const jobNumber = (id: string): number => Number(id.slice('job-'.length));

/** Jobs of this kernel, running and recent, oldest first. */
export function listJobs(): JobSummary[] {
  const all = [...[...jobs.values()].map((j) => j.summary()), ...[...finishedJobs.values()].map((f) => ({ ...f.summary }))];
  return all.sort((a, b) => jobNumber(a.id) - jobNumber(b.id));
}

/** A running job, or a recent finished one that is still referenced elsewhere. */
export function getJob(id: string): TrainingJob | undefined {
  return jobs.get(id) ?? finishedJobs.get(id)?.job.deref();
}

/** How many jobs are running or paused (the kernel reports 'training' while there are any). */
export function activeJobCount(): number {
  return [...jobs.values()].filter((j) => !j.finished).length;
}

/** The job currently training `model`, if any. */
/** The unfinished job training this model, or a model sharing a parameter with it (one inside the other). */
export function runningJobFor(model: Module): TrainingJob | undefined {
  const active = [...jobs.values()].filter((j) => !j.finished);
  if (active.length === 0) return undefined;
  const own = active.find((j) => j.model === model);
  if (own !== undefined) return own;
  const params = model.parameters();
  return active.find((j) => {
    const trained = new Set<unknown>(j.model.parameters());
    return params.some((p) => trained.has(p));
  });
}

/** The running or paused job whose `done` promise this is (what an interrupted cell was awaiting). */
export function activeJobWithDone(promise: unknown): TrainingJob | undefined {
  return [...jobs.values()].find((j) => j.done === promise && !j.finished);
}

/** Jobs running or paused now, oldest first. */
export function activeJobs(): TrainingJob[] {
  return [...jobs.values()].filter((j) => !j.finished);
}

/** Every event of every job: what the kernel server forwards as rnnLab/job notifications. */
export function onJobEvent(listener: (event: JobEventParams) => void): Disposable {
  jobListeners.add(listener);
  return { dispose: () => jobListeners.delete(listener) };
}

/** Stops every running job (kernel reset/shutdown); resolves when they have all ended. */
export async function stopAllJobs(): Promise<void> {
  const running = [...jobs.values()].filter((j) => !j.finished);
  for (const j of running) j.stop();
  await Promise.allSettled(running.map((j) => j.done));
}
