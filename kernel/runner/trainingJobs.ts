// Training jobs (fit()) a notebook leaves running after its last cell: the runner waits for them
// (or stops them at their next step; either way a job writes its final checkpoint when fit() was
// given one), logs their progress while it waits, and says on the cell that started each job what
// became of it. Which cell started a job: the jobs listed after a cell that were not listed before.
import { ListJobsRequest, StopJobRequest, type JobSummary } from '../protocol';
import { KernelDiedError, type KernelProcess } from './kernelProcess';

/** What the runner does with jobs still running after the last cell. */
export type JobsAtEnd = 'wait' | 'stop';

export interface SettledJob {
  /** The job as it was last seen. */
  job: JobSummary;
  /** The execution (cell) that started it, when known. */
  executionId: string | null;
  /** A line for the cell that started the job: what the runner did and how the job ended. */
  note: string;
  /** The job did not end well: it failed, or the kernel died while it trained. */
  failed: boolean;
}

export interface SettleOptions {
  policy: JobsAtEnd;
  log: (line: string) => void;
  /** Resolves with a reason (a signal name) when the run must end now. */
  aborted: Promise<string>;
  /** How often progress is logged while waiting (default 10 s). */
  progressEveryMs?: number;
}

const POLL_MS = 250;
/** How long stopping jobs may take when the run is being aborted. */
const STOP_ON_ABORT_MS = 2000;

export class TrainingJobs {
  private readonly origins = new Map<string, string>();

  constructor(private readonly kernel: KernelProcess) {}

  /** After a cell ran: the jobs that appeared since the last look are that cell's. */
  async noteCell(executionId: string): Promise<void> {
    for (const job of await this.list()) if (!this.origins.has(job.id)) this.origins.set(job.id, executionId);
  }

  /**
   * Waits for the jobs still running or paused (a paused job would never end: it is stopped), or
   * stops them when the policy says so. A kernel that dies meanwhile is reported in the returned
   * jobs, not thrown.
   */
  async settle(options: SettleOptions): Promise<SettledJob[]> {
    const started = performance.now();
    let jobs: JobSummary[];
    try {
      jobs = (await this.list()).filter(isActive);
    } catch (error) {
      if (error instanceof KernelDiedError) return [];
      throw error;
    }
    const stopped = new Set<string>();
    for (const job of jobs) {
      const why = options.policy === 'stop' ? 'stopping it at its next step' : job.status === 'paused' ? 'it is paused and would never end: stopping it' : 'waiting for it';
      options.log(`${describeJob(job)} is still training after the last cell (step ${job.step}/${job.totalSteps}); ${why}`);
      if (options.policy === 'stop' || job.status === 'paused') stopped.add(job.id);
    }
    const latest = new Map(jobs.map((j) => [j.id, j]));
    const end = await this.waitForEnd(latest, stopped, options);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return [...latest.values()].map((job) => {
      const pausedAtStart = jobs.find((j) => j.id === job.id)!.status === 'paused';
      const what =
        end.died !== null
          ? `the kernel died while the runner waited for it (${end.died.message.split('\n')[0]})`
          : end.abortedBy !== null
            ? `the runner received ${end.abortedBy} ${isActive(job) ? 'and stopped the kernel before the job ended' : 'and stopped it'}`
            : !stopped.has(job.id)
              ? `the runner waited ${seconds} s for it`
              : pausedAtStart && options.policy === 'wait'
                ? `it was paused, so it would never end; the runner stopped it (${seconds} s)`
                : `the runner stopped it (${seconds} s)`;
      const note = `rnn-lab run: ${describeJob(job)} was still training after the last cell; ${what}: ${outcome(job)}\n`;
      options.log(note.trimEnd().replace(/^rnn-lab run: /, ''));
      return { job, executionId: this.origins.get(job.id) ?? null, note, failed: end.died !== null || job.status === 'failed' };
    });
  }

  /**
   * Polls the jobs (updating `latest`) until none is active; logs progress meanwhile. On abort it
   * asks them all to stop (they write their final checkpoint) and gives them STOP_ON_ABORT_MS.
   */
  private async waitForEnd(latest: Map<string, JobSummary>, stopped: Set<string>, options: SettleOptions): Promise<{ abortedBy: string | null; died: KernelDiedError | null }> {
    const every = options.progressEveryMs ?? 10_000;
    const started = performance.now();
    let nextProgress = started + every;
    let abortedBy: string | null = null;
    let deadline = Infinity;
    try {
      await this.stop([...stopped]);
      for (;;) {
        for (const job of await this.list()) if (latest.has(job.id)) latest.set(job.id, job);
        const running = [...latest.values()].filter(isActive);
        if (running.length === 0 || performance.now() > deadline) return { abortedBy, died: null };
        if (abortedBy === null && performance.now() >= nextProgress) {
          nextProgress += every;
          const waited = ((performance.now() - started) / 1000).toFixed(0);
          for (const job of running) options.log(`${describeJob(job)}: step ${job.step}/${job.totalSteps}${lossText(job)} (waited ${waited} s)`);
        }
        const pause = sleep(POLL_MS).then(() => null);
        const reason: string | null = abortedBy === null ? await Promise.race([options.aborted, pause]) : await pause;
        if (reason === null) continue;
        abortedBy = reason;
        options.log(`received ${reason}: stopping ${running.map((j) => j.id).join(', ')}`);
        await this.stop(running.map((j) => j.id).filter((id) => !stopped.has(id)));
        running.forEach((j) => stopped.add(j.id));
        deadline = performance.now() + STOP_ON_ABORT_MS;
      }
    } catch (error) {
      if (error instanceof KernelDiedError) return { abortedBy, died: error };
      throw error;
    }
  }

  private list(): Promise<JobSummary[]> {
    return this.kernel.request<JobSummary[]>(ListJobsRequest, null);
  }

  /** Asks the jobs to stop; one that ended meanwhile (or is unknown) is no error. */
  private async stop(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.kernel.request<JobSummary>(StopJobRequest, { id }).catch((error: unknown) => {
        if (error instanceof KernelDiedError) throw error;
      });
    }
  }
}

const isActive = (job: JobSummary): boolean => job.status === 'running' || job.status === 'paused';

const describeJob = (job: JobSummary): string => `${job.id} (training ${job.model})`;

const lossText = (job: JobSummary): string => (job.loss === null ? '' : `, loss ${job.loss.toPrecision(4)}`);

function outcome(job: JobSummary): string {
  const state = isActive(job) ? `still ${job.status}` : job.status;
  const message = job.message && !isActive(job) ? `. ${job.message}` : '';
  return `${state} at step ${job.step}/${job.totalSteps}${lossText(job)}${message}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
