// What a job streams: rate-limited events, ‖∂L/∂h_t‖ per step, probe states, validation, the
// learning-rate schedule and early stopping.

import { describe, expect, it } from 'vitest';
// StepLR is used in a scheduler function that the worker gets as source and resolves from the engine.
import { StepLR, tensor } from '../../kernel/engine/index';
import type { JobEventParams } from '../../kernel/protocol';
import { fit, trainSteps } from '../../kernel/train/index';
import { MetricsStream, type ProgressEvent } from '../../kernel/train/metrics';
import { countingTask, makeModel } from './train-helpers';

describe('metrics stream', () => {
  it('sends at most one event per interval and loses no step', () => {
    let now = 0;
    const sent: ProgressEvent[] = [];
    const stream = new MetricsStream((e) => sent.push(e), 10, () => now);
    for (let step = 1; step <= 100; step++) {
      now = step * 7; // a step every 7 ms: 700 ms in all
      stream.loss(step, 1 / step);
      stream.gradNormTotal(step, step, Math.min(step, 5));
      stream.flush(() => ({ step, totalSteps: 100, epoch: 0, loss: 1 / step, valLoss: null, msPerStep: 7 }));
    }
    stream.flush(() => ({ step: 100, totalSteps: 100, epoch: 1, loss: 0.01, valLoss: null, msPerStep: 7 }), true);
    expect(sent.length).toBeLessThanOrEqual(9); // ≤ 10/s over 0.7 s, plus the forced last one
    const losses = sent.flatMap((e) => e.metrics.loss ?? []);
    expect(losses.map(([s]) => s)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(sent.flatMap((e) => e.metrics.gradNormTotals ?? [])).toHaveLength(100);
    expect(sent[sent.length - 1]!.metrics.gradNormTotal).toEqual({ step: 100, before: 100, after: 5 });
  });
});

describe('training insides', () => {
  const data = countingTask(40, 10);
  const probeX = tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
  const options = { epochs: 1, batchSize: 8, seed: 2, gradNormEvery: 2, probe: { x: probeX, every: 2, tokens: 'abcdefghij'.split('') } } as const;

  it('streams ‖∂L/∂h_t‖ per time step and layer, and probe hidden states and gates, the same in a worker', async () => {
    const events: JobEventParams[] = [];
    const thread = fit(makeModel(), data, { ...options, worker: false, onEvent: (e) => events.push(e) });
    await thread.done;
    const worker = fit(makeModel(), data, options);
    await worker.done;

    const g = thread.history.gradNormPerStep!;
    expect(g.step).toBe(4);
    expect(g.series.map((s) => s.name)).toEqual(['lstm.l0', 'lstm.l1']);
    for (const s of g.series) {
      expect(s.norms).toHaveLength(10);
      for (const v of s.norms) expect(v).toBeGreaterThan(0);
    }
    const probe = thread.history.probe!;
    expect(probe.step).toBe(5); // the probe also runs at the end
    expect(probe.tokens).toHaveLength(10);
    expect(probe.hidden.map((h) => h.name)).toEqual(['lstm.l0', 'lstm.l1']);
    expect(probe.hidden[0]!.z).toHaveLength(16); // units × time
    expect(probe.hidden[0]!.z[0]).toHaveLength(10);
    expect(thread.history.probeGates!.gates.map((x) => `${x.name}.${x.gate}`)).toEqual(['lstm.l0.i', 'lstm.l0.f', 'lstm.l0.g', 'lstm.l0.o', 'lstm.l1.i', 'lstm.l1.f', 'lstm.l1.g', 'lstm.l1.o']);

    expect(worker.history.gradNormPerStep).toEqual(g);
    expect(worker.history.probe).toEqual(probe);
    expect(worker.history.loss).toEqual(thread.history.loss);
    expect(worker.history.gradNorm).toEqual(thread.history.gradNorm);

    // Every event carries a JobSummary; the last one says done.
    expect(events[events.length - 1]!.job.status).toBe('done');
    expect(events.some((e) => e.metrics?.gradNormPerStep !== undefined)).toBe(true);
  });

  it('validates every epoch, follows the schedule (a function sent by source) and stops early', async () => {
    const validation = countingTask(16, 10, 99);
    const job = fit(makeModel(), data, {
      epochs: 3,
      batchSize: 8,
      lr: 0.02,
      validation,
      scheduler: (opt) => new StepLR(opt, { stepSize: 1, gamma: 0.5 }),
    });
    const result = await job.done;
    expect(result.valLosses.map(([s]) => s)).toEqual([5, 10, 15]);
    expect(result.valMetrics).toHaveLength(3);
    expect(result.valMetrics[0]!.values.accuracy).toBeGreaterThanOrEqual(0);
    expect(job.history.lr).toEqual([
      [0, 0.02],
      [5, 0.01],
      [10, 0.005],
      [15, 0.0025],
    ]);

    // lr 0: the validation loss never improves after the first epoch, so patience 1 stops at epoch 2.
    const stopped = trainSteps(makeModel(), data, { epochs: 10, batchSize: 8, lr: 0, validation, earlyStopping: { patience: 1 } });
    expect(stopped.reason).toBe('earlyStopped');
    expect(stopped.epochs).toBe(2);
    expect(stopped.best).toEqual({ epoch: 1, value: stopped.valLosses[0]![1], restored: true });
    expect(stopped.message).toMatch(/^Stopped early after epoch 2 \(median [0-9.]+ ms\/step\): no improvement for 1 epochs; restored the weights of epoch 1$/);
  });
});

describe('event rate', () => {
  it('stays bounded even when every epoch is a single quick step', async () => {
    const events: JobEventParams[] = [];
    const started = performance.now();
    const job = fit(makeModel(), countingTask(4, 3), { epochs: 300, batchSize: 4, maxEventsPerSecond: 5, gradNormEvery: 0, onEvent: (e) => events.push(e), validation: countingTask(4, 3, 5) });
    const result = await job.done;
    const seconds = (performance.now() - started) / 1000;
    const progress = events.filter((e) => e.metrics !== undefined);
    // At most 5 per second, plus the first one and the final flush; nothing lost.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 2);
    expect(job.history.loss).toHaveLength(300);
    expect(job.history.valLoss).toHaveLength(300);
    expect(result.valLosses).toHaveLength(300);
  });
});
