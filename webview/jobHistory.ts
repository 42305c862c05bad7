// What is known about a training job, accumulated from the kernel's job events. Pure data: the
// extension keeps one per job (so a dashboard opened late shows the whole run) and the dashboard
// webview applies the same events to its own copy.

import type { JobEventParams, JobMetrics, JobSummary } from '../kernel/protocol';
import { appendDecimated, type Decimation } from '../kernel/plots/decimate';

/** Longest series kept; beyond it every second point is dropped (kernel/plots/decimate). */
export const MAX_POINTS = 5000;
/** Most gradient-norm snapshots kept for the training step × time step heatmap. */
export const MAX_GRAD_ROWS = 300;

/** ‖∂L/∂h_t‖ per time step at one training step, as the kernel reports it. */
export type GradNormSnapshot = NonNullable<JobMetrics['gradNormPerStep']>;
/** The probe sequence's hidden states at one training step, as the kernel reports it. */
export type ProbeSnapshot = NonNullable<JobMetrics['probe']>;

/**
 * A job as the views know it: the kernel's summary and the metrics it streamed (the protocol's
 * JobMetrics), accumulated and decimated to bounded series.
 */
export interface JobHistory {
  job: JobSummary;
  /** (step, loss) */
  loss: NonNullable<JobMetrics['loss']>;
  valLoss: NonNullable<JobMetrics['valLoss']>;
  /** Total gradient norm before and after clipping, per step. */
  gradNormTotal: NonNullable<JobMetrics['gradNormTotal']>[];
  /** ‖∂L/∂h_t‖ per time step, one snapshot per reported training step, oldest first. */
  gradNormPerStep: GradNormSnapshot[];
  /** The newest snapshot, whether or not the decimation kept it in gradNormPerStep. */
  lastGradNorm?: GradNormSnapshot;
  probe?: ProbeSnapshot;
  decimation: Record<'loss' | 'valLoss' | 'gradNormTotal' | 'gradNormPerStep', Decimation>;
}

export function emptyHistory(job: JobSummary): JobHistory {
  const fresh = (): Decimation => ({ every: 1, seen: 0 });
  return {
    job,
    loss: [],
    valLoss: [],
    gradNormTotal: [],
    gradNormPerStep: [],
    probe: undefined,
    decimation: { loss: fresh(), valLoss: fresh(), gradNormTotal: fresh(), gradNormPerStep: fresh() },
  };
}

/** The history after one event. Returns a new object; the arrays are appended in place. */
export function applyJobEvent(history: JobHistory | undefined, event: JobEventParams): JobHistory {
  const h = history ?? emptyHistory(event.job);
  h.job = event.job;
  const m = event.metrics;
  if (!m) return { ...h };
  const d = h.decimation;
  if (m.loss?.length) h.loss = appendDecimated(h.loss, m.loss, d.loss, MAX_POINTS);
  if (m.valLoss?.length) h.valLoss = appendDecimated(h.valLoss, m.valLoss, d.valLoss, MAX_POINTS);
  if (m.gradNormTotal) h.gradNormTotal = appendDecimated(h.gradNormTotal, [m.gradNormTotal], d.gradNormTotal, MAX_POINTS);
  if (m.gradNormPerStep) {
    h.gradNormPerStep = appendDecimated(h.gradNormPerStep, [m.gradNormPerStep], d.gradNormPerStep, MAX_GRAD_ROWS);
    h.lastGradNorm = m.gradNormPerStep;
  }
  if (m.probe) h.probe = m.probe;
  return { ...h };
}

/** All job histories of a kernel session, by job id, in the order the jobs started. */
export class JobHistoryStore {
  private readonly histories = new Map<string, JobHistory>();

  apply(event: JobEventParams): JobHistory {
    const next = applyJobEvent(this.histories.get(event.job.id), event);
    this.histories.set(event.job.id, next);
    return next;
  }

  get(id: string): JobHistory | undefined {
    return this.histories.get(id);
  }

  has(id: string): boolean {
    return this.histories.has(id);
  }

  all(): JobHistory[] {
    return [...this.histories.values()];
  }

  /** The job to show by default: the newest running one, else the newest. */
  latest(): JobHistory | undefined {
    const all = this.all();
    return [...all].reverse().find((h) => h.job.status === 'running') ?? all[all.length - 1];
  }

  replaceAll(histories: JobHistory[]): void {
    this.histories.clear();
    for (const h of histories) this.histories.set(h.job.id, h);
  }

  clear(): void {
    this.histories.clear();
  }
}
