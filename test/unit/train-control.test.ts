// Stopping, pausing, divergence and errors of training jobs, in a worker and on the main thread.

import { describe, expect, it } from 'vitest';
import { Linear, manualSeed, Module, mul, Tensor, tensor } from '../../kernel/engine/index';
import { SharedWeights } from '../../kernel/train/worker/sharedWeights';
import { fit, trainSteps, type FitOptions } from '../../kernel/train/index';
import { countingTask, makeModel, weightsOf } from './train-helpers';

const data = countingTask(64, 12);
const long = { epochs: 400, batchSize: 8, lr: 0.01, seed: 5 } as const;

function regression(n: number, scale: number): { x: Tensor; y: Tensor } {
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = Math.sin(i * 1.7 + j) * scale;
    y[i] = x[i * 4]! - 2 * x[i * 4 + 1]!;
  }
  return { x: tensor(x, [n, 4]), y: tensor(y, [n, 1]) };
}

const waitFor = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
};

describe('stopping and pausing', () => {
  it('stop leaves the model exactly as after the last whole step', async () => {
    const model = makeModel();
    const job = fit(model, data, long);
    await waitFor(() => job.summary().step >= 3);
    job.stop();
    const result = await job.done;
    expect(result.status).toBe('stopped');
    expect(job.status).toBe('stopped');
    expect(result.message).toMatch(/^Stopped after step \d+ \(median [0-9.]+ ms\/step\); the model holds the weights of that step$/);
    expect(result.steps).toBeGreaterThanOrEqual(3);
    expect(result.steps).toBeLessThan(400 * 8);

    // The same run cut at the same step, on this thread: identical weights, nothing half-applied.
    const reference = makeModel();
    const ref = trainSteps(reference, data, { ...long, maxSteps: result.steps });
    expect(result.losses).toEqual(ref.losses);
    expect(weightsOf(model)).toEqual(weightsOf(reference));
  });

  it('pause holds the published weights still, and resuming changes nothing in the result', async () => {
    const model = makeModel();
    const initial = weightsOf(model);
    const job = fit(model, data, long);
    await waitFor(() => job.summary().step >= 2);
    job.pause();
    expect(job.status).toBe('paused');
    const shared = SharedWeights.of(model)!;
    await waitFor(() => job.parked);
    const last = shared.publishedStep;
    expect(last).toBeGreaterThanOrEqual(2);
    const frozen = job.withWeights(() => weightsOf(model));
    expect(frozen).not.toEqual(initial); // the kernel sees the worker's steps, without copying
    await new Promise((r) => setTimeout(r, 100));
    expect(job.withWeights(() => weightsOf(model))).toEqual(frozen);
    expect(shared.publishedStep).toBe(last);
    job.resume();
    expect(job.status).toBe('running');
    await waitFor(() => shared.publishedStep > last + 2);
    job.stop();
    const result = await job.done;
    expect(result.status).toBe('stopped');

    // The same run without the pause, cut at the same step: the same numbers.
    const reference = makeModel();
    const ref = trainSteps(reference, data, { ...long, maxSteps: result.steps });
    expect(result.losses).toEqual(ref.losses);
    expect(weightsOf(model)).toEqual(weightsOf(reference));
  });

  it('stops a main-thread job between steps too', async () => {
    const model = makeModel();
    const job = fit(model, data, { ...long, worker: false });
    await waitFor(() => job.summary().step >= 2);
    job.stop();
    const result = await job.done;
    expect(result.status).toBe('stopped');
    const reference = makeModel();
    trainSteps(reference, data, { ...long, maxSteps: result.steps });
    expect(weightsOf(model)).toEqual(weightsOf(reference));
  });
});

describe('divergence and errors', () => {
  const explode: FitOptions = { optimizer: 'sgd', lr: 3, loss: 'mse', batchSize: 16, epochs: 50, seed: 1, shuffle: false };

  it('a NaN or infinite loss stops the job with the step and what to try', async () => {
    const d = regression(64, 3);
    manualSeed(2);
    const inWorker = new Linear(4, 1);
    manualSeed(2);
    const onThread = new Linear(4, 1);
    const workerError = await fit(inWorker, d, explode).done.catch((e: Error) => e);
    const threadError = await fit(onThread, d, { ...explode, worker: false }).done.catch((e: Error) => e);
    expect(workerError).toBeInstanceOf(Error);
    expect((workerError as Error).name).toBe('TrainingDivergedError');
    expect((workerError as Error).message).toMatch(/diverged at step \d+ \(epoch \d+\): the (loss|gradient norm) is (NaN|Infinity|-Infinity)/);
    expect((workerError as Error).message).toContain('lower learning rate (lr is 3; try 0.3)');
    expect((workerError as Error).message).toContain('clipGradNorm');
    expect((threadError as Error).message).toBe((workerError as Error).message);
    // The weights are those from before the bad step: all finite.
    for (const p of inWorker.parameters()) for (const v of p.data) expect(Number.isFinite(v)).toBe(true);
    expect(weightsOf(inWorker)).toEqual(weightsOf(onThread));
  });

  it('an exception in the worker reaches the caller with its stack', async () => {
    class Exploding extends Module {
      fc = new Linear(4, 1);
      forward(x: Tensor): Tensor {
        if (x.shape[0]! > 0) throw new RangeError('boom in forward');
        return this.fc.forward(x);
      }
    }
    const job = fit(new Exploding(), regression(16, 1), { loss: 'mse' });
    const error = (await job.done.catch((e: Error) => e)) as Error;
    expect(error.name).toBe('RangeError');
    expect(error.message).toBe('boom in forward');
    expect(error.stack).toContain('Exploding.forward');
    expect(error.stack).toContain('class_Exploding.js');
    expect(job.status).toBe('failed');
    expect(job.summary().message).toBe('RangeError: boom in forward');
  });

  it('names a variable from outside the class that the worker cannot see, and takes it through globals', async () => {
    const outputScale = 0.5;
    class Scaled extends Module {
      fc = new Linear(4, 1);
      forward(x: Tensor): Tensor {
        return mul(this.fc.forward(x), outputScale);
      }
    }
    const d = regression(32, 1);
    const options: FitOptions = { loss: 'mse', batchSize: 8, epochs: 2 };
    manualSeed(4);
    const error = (await fit(new Scaled(), d, options).done.catch((e: Error) => e)) as Error;
    expect(error.name).toBe('ReferenceError');
    expect(error.message).toContain("class Scaled uses 'outputScale'");
    expect(error.message).toContain('fit(model, data, { globals: { outputScale } })');

    manualSeed(4);
    const viaGlobals = await fit(new Scaled(), d, { ...options, globals: { outputScale } }).done;
    manualSeed(4);
    const onThread = trainSteps(new Scaled(), d, options);
    expect(viaGlobals.losses).toEqual(onThread.losses);
  });

  it('refuses what cannot cross to a worker, naming where it is', () => {
    class Holder extends Module {
      fc = new Linear(4, 1);
      cache = new WeakMap<object, number>();
      forward(x: Tensor): Tensor {
        return this.fc.forward(x);
      }
    }
    expect(() => fit(new Holder(), regression(8, 1), { loss: 'mse' })).toThrow(/Holder\.cache is a WeakMap, which cannot be sent to the training worker/);
  });

  it('refuses to train a model that is already training', async () => {
    const model = makeModel();
    const job = fit(model, data, long);
    expect(() => fit(model, data, long)).toThrow(/already training in job-\d+/);
    job.stop();
    await job.done;
  });
});
