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
    // Every step's wall time, and the median of those after the warm-up in the message.
    for (const r of [threadResult, workerResult]) {
      expect(r.stepMs).toHaveLength(12);
      for (const ms of r.stepMs) expect(ms).toBeGreaterThan(0);
      expect(r.message).toMatch(/^Trained 12 steps \(2 epochs\), median [0-9.]+ ms\/step$/);
    }
  });
});

describe('fit returns at once', () => {
  it('hands back a running job before any step, and the event loop keeps turning while it trains', async () => {
    for (const worker of [true, false]) {
      const model = makeModel();
      const before = weightsOf(model);
      const job = fit(model, data, { ...options, epochs: 30, worker });
      expect(job.status).toBe('running');
      expect(job.summary()).toMatchObject({ step: 0, totalSteps: 180, epoch: 0, loss: null });
      expect(weightsOf(model)).toEqual(before);
      let turnsWhileTraining = 0;
      const tick = (): void => {
        if (job.finished) return;
        turnsWhileTraining++;
        setImmediate(tick);
      };
      setImmediate(tick);
      const result = await job.done;
      expect(turnsWhileTraining).toBeGreaterThan(1);
      // It learns: the last epoch's mean loss is below the first's.
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(result.losses.slice(-6))).toBeLessThan(mean(result.losses.slice(0, 6)));
    }
  });
});
