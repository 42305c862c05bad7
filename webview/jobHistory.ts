// What is known about a training job, accumulated from the kernel's job events. Pure data: the
// extension keeps one per job (so a dashboard opened late shows the whole run) and the dashboard
// webview applies the same events to its own copy.

import type { JobEventParams, JobSummary } from '../kernel/protocol';

/** Longest series kept; older points are thinned (every second one dropped) beyond it. */
export const MAX_POINTS = 5000;
/** Most gradient-norm snapshots kept for the training step × time step heatmap. */
export const MAX_GRAD_ROWS = 300;

export interface GradNormSnapshot {
  step: number;
  series: { name: string; norms: number[] }[];
}

export interface ProbeSnapshot {
  step: number;
  tokens?: string[];
  hidden: { name: string; z: number[][] }[];
}

export interface JobHistory {
  job: JobSummary;
  /** (step, loss) */
  loss: [number, number][];
  valLoss: [number, number][];
  /** Total gradient norm before and after clipping, per step. */
  gradNormTotal: { step: number; before: number; after: number }[];
  /** ‖∂L/∂h_t‖ per time step, one snapshot per reported training step, oldest first. */
  gradNormPerStep: GradNormSnapshot[];
  probe?: ProbeSnapshot;
}

export function emptyHistory(job: JobSummary): JobHistory {
  return { job, loss: [], valLoss: [], gradNormTotal: [], gradNormPerStep: [], probe: undefined };
}

/** Keeps the newest half at full resolution and halves the resolution of the older half. */
export function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const half = Math.floor(points.length / 2);
  const older = points.slice(0, half).filter((_, i) => i % 2 === 0);
  return older.concat(points.slice(half));
}

/** The history after one event. Returns a new object; the arrays are appended in place. */
export function applyJobEvent(history: JobHistory | undefined, event: JobEventParams): JobHistory {
  const h = history ?? emptyHistory(event.job);
  h.job = event.job;
  const m = event.metrics;
  if (!m) return { ...h };
  if (m.loss?.length) h.loss = thin(h.loss.concat(m.loss), MAX_POINTS);
  if (m.valLoss?.length) h.valLoss = thin(h.valLoss.concat(m.valLoss), MAX_POINTS);
  if (m.gradNormTotal) h.gradNormTotal = thin(h.gradNormTotal.concat([m.gradNormTotal]), MAX_POINTS);
  if (m.gradNormPerStep) h.gradNormPerStep = thin(h.gradNormPerStep.concat([m.gradNormPerStep]), MAX_GRAD_ROWS);
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
