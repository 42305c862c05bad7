// The benchmark's fit() path on tiny shapes: the workload models, written as cell source, cross to
// data-parallel workers and train there; the workers report their kernels. No timing thresholds:
// only that the measurements come out as numbers.

import { describe, expect, it } from 'vitest';
import { kernelFlavour } from '../../kernel/engine/index';
import { drainWorkerPool } from '../../kernel/train/index';
import { makeStep, timePaired } from '../../bench/callingThread';
import { timeFit, workerKernelFlavours } from '../../bench/fitTiming';
import { buildModel, makeData } from '../../bench/models';
import type { Workload } from '../../bench/workloads';

const lm: Workload = { cell: 'lstm', vocab: 7, embed: 3, hidden: 4, layers: 1, seq: 5, batch: 4, task: 'lm', train: true };
const regLast: Workload = { cell: 'gru', input: 2, hidden: 4, layers: 2, seq: 6, batch: 4, task: 'reg-last', train: true };

describe('bench: the workloads through fit()', () => {
  it('builds the models from source with the shapes of the workload', () => {
    const { x } = makeData(lm, 3);
    expect(x.shape).toEqual([3, 5]);
    expect((buildModel(lm).forward(x) as { shape: number[] }).shape).toEqual([3, 5, 7]);
    const r = makeData(regLast, 3);
    expect(r.x.shape).toEqual([3, 6, 2]);
    expect(r.y.shape).toEqual([3, 1]);
    expect((buildModel(regLast).forward(r.x) as { shape: number[] }).shape).toEqual([3, 1]);
  });

  it('asks the training workers which kernels they run', async () => {
    const flavours = await workerKernelFlavours(2);
    expect(flavours).toEqual([kernelFlavour(), kernelFlavour()]);
  });

  it('times fit() with 1 and 2 workers, and plain against instrumented steps', async () => {
    for (const w of [lm, regLast]) {
      const times = await timeFit(w, [1, 2], 2, 2);
      expect(times).toHaveLength(2);
      for (const t of times) {
        expect(Number.isFinite(t.median)).toBe(true);
        expect(Number.isFinite(t.mean)).toBe(true);
      }
      const [plain, instrumented] = timePaired(makeStep(w, { instrument: false }), makeStep(w, { instrument: true }), 2);
      expect(plain.ms).toBeGreaterThan(0);
      expect(instrumented.ms).toBeGreaterThan(0);
    }
    await new Promise((r) => setTimeout(r, 200));
    drainWorkerPool();
  });
});
