// Data-parallel training: N workers, a shard of every batch each, gradients averaged in shared memory.

import { describe, expect, it } from 'vitest';
import { fit, trainSteps } from '../../kernel/train/index';
import { countingTask, makeModel, weightsOf } from './train-helpers';

describe('data-parallel training', () => {
  // 50 examples in batches of 7: shards of 3 and 4, and a last batch of 1 (one worker idle).
  const data = countingTask(50, 10);
  const options = { epochs: 2, batchSize: 7, lr: 0.01, seed: 11, clipGradNorm: 2 } as const;

  it('matches one worker up to float summation order, and repeats itself bit for bit', async () => {
    const single = makeModel(1, 0);
    const reference = trainSteps(single, data, options);

    const a = makeModel(1, 0);
    const first = await fit(a, data, { ...options, workers: 2 }).done;
    const b = makeModel(1, 0);
    const second = await fit(b, data, { ...options, workers: 2 }).done;

    expect(first.steps).toBe(reference.steps);
    first.losses.forEach((l, i) => expect(Math.abs(l - reference.losses[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(reference.losses[i]!))));
    const wa = weightsOf(a);
    const ws = weightsOf(single);
    for (const name of Object.keys(ws)) ws[name]!.forEach((v, i) => expect(Math.abs(wa[name]![i]! - v)).toBeLessThan(1e-4));

    expect(second.losses).toEqual(first.losses);
    expect(weightsOf(b)).toEqual(wa);
  });

  it('stops all workers together, leaving a whole step', async () => {
    const model = makeModel(1, 0);
    const job = fit(model, data, { ...options, epochs: 500, workers: 2 });
    while (job.summary().step < 3) await new Promise((r) => setTimeout(r, 5));
    job.stop();
    const result = await job.done;
    expect(result.status).toBe('stopped');
    // Re-run to the same step with two workers: the same weights (DP is deterministic).
    const again = makeModel(1, 0);
    const rerun = await fit(again, data, { ...options, epochs: 500, maxSteps: result.steps, workers: 2 }).done;
    expect(rerun.losses).toEqual(result.losses);
    expect(weightsOf(model)).toEqual(weightsOf(again));
  });

  it('reports the failing worker’s error, not the others’ abort', async () => {
    const model = makeModel(1, 0);
    // Token 99 is outside the embedding: the worker whose shard holds it fails.
    const bad = countingTask(8, 5);
    bad.x.data[6 * 5] = 99;
    const error = (await fit(model, bad, { batchSize: 8, workers: 2, shuffle: false }).done.catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/embedding: index 99 at position \d+ is out of range for 12 embeddings/);
  });
});
