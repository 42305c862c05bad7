// The training jobs of one kernel session, mirrored from its job notifications so that the views
// (the inspector's Jobs tree, Stop Job) list them without asking the kernel. Jobs cannot outlive
// their kernel: when it dies, the running ones are marked ended here, since no notification will
// say so. Pure (no 'vscode'), so it is unit-tested.

import type { JobEventParams, JobSummary } from '../kernel/protocol';

export class JobMirror {
  private readonly jobs = new Map<string, JobSummary>();

  /** Jobs of the session, in the order they started. */
  get list(): JobSummary[] {
    return [...this.jobs.values()];
  }

  apply(event: JobEventParams): void {
    this.jobs.set(event.job.id, event.job);
  }

  /**
   * Marks every running or paused job as ended (the kernel is gone), and returns the events that
   * say so, for the views that follow job events.
   */
  endRunning(status: 'failed' | 'stopped', message: string): JobEventParams[] {
    const events: JobEventParams[] = [];
    for (const job of this.jobs.values()) {
      if (job.status !== 'running' && job.status !== 'paused') continue;
      const ended: JobSummary = { ...job, status, message };
      this.jobs.set(job.id, ended);
      events.push({ job: ended });
    }
    return events;
  }

  clear(): void {
    this.jobs.clear();
  }
}
