// The training workers' pool: a job training alone (one worker, its kernels on two threads)
// prefers a parked worker that trained alone before, whose kernel helper thread is up and warm;
// a data-parallel job prefers one that did not, and otherwise takes the longest-parked one. Workers here are stand-ins for threads: the
// pool's choice is what is tested, fit() with real workers is tested elsewhere.

import { afterEach, describe, expect, it } from 'vitest';
import type { HostWorker } from '../../kernel/host/host';
import { acquireWorker, keepWorkersWarm, PooledWorker } from '../../kernel/train/worker/workerPool';

const SCRIPT = 'pool-test-worker.js';

function standIn(): HostWorker & { terminated: boolean } {
  return {
    terminated: false,
    postMessage() {},
    onMessage() {},
    onError() {},
    onExit() {},
    onOutput() {},
    ref() {},
    unref() {},
    terminate() {
      this.terminated = true;
    },
  };
}

/** Parks the workers in this order (a finished job's worker lingers a moment for its console output). */
async function park(...workers: PooledWorker[]): Promise<void> {
  for (const w of workers) w.finish(true);
  await new Promise((r) => setTimeout(r, 120));
}

afterEach(() => keepWorkersWarm(false));

describe('the training workers\' pool', () => {
  it('gives a job training alone the worker that trained alone before, and a data-parallel job another one first', async () => {
    keepWorkersWarm(true);
    const [a, b] = [new PooledWorker(SCRIPT, standIn()), new PooledWorker(SCRIPT, standIn())];
    a.trainedAlone = true;
    await park(b, a);
    expect(acquireWorker(SCRIPT, true)).toBe(a);
    expect(acquireWorker(SCRIPT, false)).toBe(b);
    expect(b.trainedAlone).toBe(false);
    await park(a, b);
    expect(acquireWorker(SCRIPT, false)).toBe(b); // a is left for the next job alone
    expect(acquireWorker(SCRIPT, false)).toBe(a); // and taken when no other will do
  });

  it('marks a worker that takes a job alone, so that the next job alone finds it', async () => {
    keepWorkersWarm(true);
    const [a, b] = [new PooledWorker(SCRIPT, standIn()), new PooledWorker(SCRIPT, standIn())];
    await park(a, b);
    expect(acquireWorker(SCRIPT, true)).toBe(a); // none trained alone: the longest-parked
    expect(a.trainedAlone).toBe(true);
    await park(a); // parked after b now
    expect(acquireWorker(SCRIPT, true)).toBe(a);
  });

  it('ends parked workers when it stops keeping them warm', async () => {
    keepWorkersWarm(true);
    const host = standIn();
    await park(new PooledWorker(SCRIPT, host));
    keepWorkersWarm(false);
    expect(host.terminated).toBe(true);
  });
});
