// The kernel's job registry: running jobs, and the last 20 finished ones as summaries for the
// dashboard's list. A finished job is reachable through getJob only while something else holds it
// (the registry does not keep its model and history alive).

import { describe, expect, it } from 'vitest';
import { Linear } from '../../kernel/engine/layers/linear';
import { activeJobCount, getJob, listJobs, TrainingJob } from '../../kernel/train/job';
import { JobControl } from '../../kernel/train/worker/jobControl';
import type { FitResult } from '../../kernel/train/types';

function finish(job: TrainingJob): void {
  const result: FitResult = { status: 'done', reason: 'completed', steps: 3, epochs: 1, losses: [1, 0.5, 0.25], stepMs: [3, 2, 2], valLosses: [], valMetrics: [], checkpoints: [], durationMs: 1, message: 'Trained 3 steps (1 epochs)' };
  job.complete(result);
}

describe('job registry', () => {
  it('lists running and finished jobs oldest first, and forgets all but the last 20 finished', () => {
    const running = new TrainingJob(new Linear(2, 2), 'running one', 10, new JobControl());
    const finished: TrainingJob[] = [];
    for (let i = 0; i < 25; i++) {
      const job = new TrainingJob(new Linear(2, 2), `model ${i}`, 3, new JobControl());
      finish(job);
      finished.push(job);
    }
    const listed = listJobs();
    const mine = listed.filter((s) => s.id === running.id || finished.some((j) => j.id === s.id));
    expect(mine.map((s) => s.id)).toEqual([running.id, ...finished.slice(5).map((j) => j.id)]);
    expect(mine[0]).toMatchObject({ status: 'running', model: 'running one' });
    expect(mine.at(-1)).toMatchObject({ status: 'done', model: 'model 24', step: 3 });
    expect(activeJobCount()).toBeGreaterThanOrEqual(1);

    // Held here, so reachable; the oldest five are gone from the registry.
    expect(getJob(finished[24]!.id)).toBe(finished[24]);
    expect(getJob(finished[0]!.id)).toBeUndefined();
    expect(getJob(running.id)).toBe(running);
    running.stop();
    finish(running);
    expect(listJobs().find((s) => s.id === running.id)?.status).toBe('done');
  });
});
