import { describe, expect, it } from 'vitest';
import { fit, trainSteps } from '../../kernel/train/index';
import { countingTask, makeModel, weightsOf } from './train-helpers';

const data = countingTask(48, 10);
const options = { epochs: 2, batchSize: 8, lr: 0.01, seed: 3, clipGradNorm: 1 } as const;

describe('fit', () => {
  it('gives the same losses, bit for bit, in a worker and on the main thread', async () => {
    const reference = trainSteps(makeModel(), data, options);
    expect(reference.losses).toHaveLength(12);

    const onThread = makeModel();
    const threadJob = fit(onThread, data, { ...options, worker: false });
    const threadResult = await threadJob.done;

    const inWorker = makeModel();
    const workerJob = fit(inWorker, data, options);
    const workerResult = await workerJob.done;

    expect(threadResult.losses).toEqual(reference.losses);
    expect(workerResult.losses).toEqual(reference.losses);
    expect(weightsOf(inWorker)).toEqual(weightsOf(onThread));
    expect(workerJob.status).toBe('done');
    expect(workerJob.history.loss.map(([, l]) => l)).toEqual(reference.losses);
  });
});
