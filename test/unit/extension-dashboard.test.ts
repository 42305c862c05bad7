import { describe, expect, it } from 'vitest';
import type { JobEventParams, JobSummary } from '../../kernel/protocol';
import { gradNormEvolutionSpec, gradNormSeriesNames, gradNormSpec, lossSpec, probePlaceholder, probeSpec, progressFraction, progressText } from '../../webview/dashboardSpecs';
import { appendDecimated } from '../../kernel/plots/decimate';
import { applyJobEvent, JobHistoryStore, MAX_GRAD_ROWS, MAX_POINTS } from '../../webview/jobHistory';

function job(over: Partial<JobSummary> = {}): JobSummary {
  return { id: 'j1', uid: 'k-j1', model: 'lstm', status: 'running', step: 0, totalSteps: 100, epoch: 0, loss: null, valLoss: null, ...over };
}

describe('job history (dashboard state)', () => {
  it('accumulates losses, gradient-norm snapshots and the latest probe', () => {
    let h = applyJobEvent(undefined, { job: job() });
    h = applyJobEvent(h, { job: job({ step: 2, loss: 1.5 }), metrics: { loss: [[1, 2], [2, 1.5]], gradNormPerStep: { step: 2, series: [{ name: 'lstm.l0', norms: [1e-3, 1e-2, 1e-1] }] } } });
    h = applyJobEvent(h, {
      job: job({ step: 4, loss: 1.1, valLoss: 1.3 }),
      metrics: {
        loss: [[3, 1.2], [4, 1.1]],
        valLoss: [[4, 1.3]],
        gradNormPerStep: { step: 4, series: [{ name: 'lstm.l0', norms: [1e-2, 1e-1, 1] }] },
        probe: { step: 4, tokens: ['a', 'b', 'c'], hidden: [{ name: 'lstm.l0', z: [[0.1, -0.2, 0.3], [0.5, 0.6, -0.7]] }] },
      },
    });
    expect(h.loss).toEqual([[1, 2], [2, 1.5], [3, 1.2], [4, 1.1]]);
    expect(h.valLoss).toEqual([[4, 1.3]]);
    expect(h.gradNormPerStep.map((s) => s.step)).toEqual([2, 4]);
    expect(h.job.step).toBe(4);
    expect(progressText(h)).toBe('step 4 / 100 · epoch 0 · loss 1.100 · val 1.300');
    expect(progressText(applyJobEvent(undefined, { job: job({ step: 5, loss: 1.0, valLoss: 1.3, msPerStep: 13.44 }) }))).toBe('step 5 / 100 · epoch 0 · loss 1.000 · val 1.300 · 13.4 ms/step (recent steps)');
    // One speed at a time: a finished job's message has the run's median, the progress no live one.
    expect(progressText(applyJobEvent(undefined, { job: job({ status: 'stopped', step: 5, loss: 1.0, valLoss: null, msPerStep: 13.44 }) }))).toBe('step 5 / 100 · epoch 0 · loss 1.000');
    expect(progressFraction(h)).toBeCloseTo(0.04);

    const loss = lossSpec(h);
    expect(loss.kind).toBe('loss');
    expect(loss.series.map((s) => s.name)).toEqual(['train', 'validation']);
    expect(loss.series[1].dash).toBe(true);

    const grad = gradNormSpec(h);
    expect(grad).toMatchObject({ kind: 'gradnorm', logY: true });
    expect(grad?.series[0]).toMatchObject({ name: 'lstm.l0', x: [0, 1, 2], y: [1e-2, 1e-1, 1] });

    const evo = gradNormEvolutionSpec(h, 'lstm.l0');
    expect(evo?.yLabels).toEqual(['2', '4']);
    expect(evo?.z[0].map((v) => Math.round(v))).toEqual([-3, -2, -1]);
    expect(evo?.z[1].map((v) => Math.round(v))).toEqual([-2, -1, 0]);
    expect(gradNormSeriesNames(h)).toEqual(['lstm.l0']);

    const probe = probeSpec(h);
    expect(probe).toMatchObject({ kind: 'heatmap', xLabels: ['a', 'b', 'c'], zmin: -1, zmax: 1, scale: 'diverging', yLabel: 'unit' });
    expect(probe?.z).toHaveLength(2);
  });

  it('has no gradient or probe charts before the data arrives', () => {
    const h = applyJobEvent(undefined, { job: job() });
    expect(gradNormSpec(h)).toBeUndefined();
    expect(gradNormEvolutionSpec(h, 'x')).toBeUndefined();
    expect(probeSpec(h)).toBeUndefined();
  });

  it('writes log10 norms of zero or missing time steps as gaps', () => {
    const h = applyJobEvent(undefined, {
      job: job(),
      metrics: { gradNormPerStep: { step: 1, series: [{ name: 'a', norms: [0, 10] }, { name: 'b', norms: [1] }] } },
    });
    const evo = gradNormEvolutionSpec(h, 'a');
    expect(Number.isNaN(evo?.z[0][0])).toBe(true);
    expect(evo?.z[0][1]).toBeCloseTo(1);
  });

  it('decimates long series evenly instead of growing without bound', () => {
    const d = { every: 1, seen: 0 };
    const kept = appendDecimated<number>([], Array.from({ length: 10 }, (_, i) => i), d, 8);
    expect(kept).toEqual([0, 2, 4, 6, 8]);
    expect(appendDecimated(kept, [10, 11, 12, 13], d, 8)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    let h = applyJobEvent(undefined, { job: job() });
    for (let i = 0; i < 30; i++) {
      const loss = Array.from({ length: 500 }, (_, k): [number, number] => [i * 500 + k, 1]);
      h = applyJobEvent(h, { job: job(), metrics: { loss } });
    }
    expect(h.loss.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(h.loss.length).toBeGreaterThan(MAX_POINTS / 2);
    // Evenly spaced over the whole run: the same stride at the start and at the end.
    const strides = new Set(h.loss.slice(1).map((p, i) => p[0] - h.loss[i][0]));
    expect([...strides]).toEqual([4]);
  });

  it('shows the newest gradient norms even when the decimation skips their snapshot', () => {
    let h = applyJobEvent(undefined, { job: job() });
    for (let step = 0; step < 700; step++) h = applyJobEvent(h, { job: job({ step }), metrics: { gradNormPerStep: { step, series: [{ name: 'a', norms: [1, 2] }] } } });
    expect(h.gradNormPerStep.length).toBeLessThanOrEqual(MAX_GRAD_ROWS);
    expect(gradNormSpec(h)?.title).toBe('‖∂L/∂h_t‖ at step 699');
  });

  it('the store picks the newest running job to show', () => {
    const store = new JobHistoryStore();
    const events: JobEventParams[] = [{ job: job({ id: 'a', status: 'done' }) }, { job: job({ id: 'b' }) }, { job: job({ id: 'c', status: 'stopped' }) }];
    for (const e of events) store.apply(e);
    expect(store.latest()?.job.id).toBe('b');
    store.apply({ job: job({ id: 'b', status: 'done' }) });
    expect(store.latest()?.job.id).toBe('c');
    expect(store.all().map((h) => h.job.id)).toEqual(['a', 'b', 'c']);
  });

  it('draws the loss on a log axis once it spans two decades, unless the person chose', () => {
    const losses = (values: number[]) => applyJobEvent(undefined, { job: job(), metrics: { loss: values.map((v, i) => [i, v] as [number, number]) } });
    const flat = losses([2, 1, 0.5, 0.1]);
    const falling = losses([2, 1, 0.1, 0.01]);
    expect(lossSpec(flat).logY).toBe(false);
    expect(lossSpec(falling).logY).toBe(true);
    expect(lossSpec(falling, false).logY).toBe(false);
    expect(lossSpec(flat, true).logY).toBe(true);
    // The dashboard's section heading names the chart.
    expect(lossSpec(flat).title).toBeUndefined();
  });

  it('says how to get a probe heatmap when a job has none', () => {
    expect(probePlaceholder(applyJobEvent(undefined, { job: job() }))).toMatch(/^No probe sequence yet\. fit\(model, data, \{ probe: \{ x \} \}\)/);
    expect(probePlaceholder(applyJobEvent(undefined, { job: job({ status: 'done' }) }))).toMatch(/^This job had no probe sequence/);
  });
});
