// The live loss curve a cell shows: one display replaced in place while the job runs.

import { describe, expect, it } from 'vitest';
import { RnnLabMime, type LineChartSpec, type MimeBundle } from '../../kernel/protocol';
import { lossCurveBundle, showLiveLossCurve } from '../../kernel/train/display';
import { fit } from '../../kernel/train/index';
import { countingTask, makeModel } from './train-helpers';

describe('live loss curve', () => {
  it('displays once, updates in place, and ends with the finished curve', async () => {
    const calls: { kind: 'display' | 'update'; id: string; data: MimeBundle }[] = [];
    const job = fit(makeModel(), countingTask(64, 8), { epochs: 3, batchSize: 8, validation: countingTask(16, 8, 3) });
    const live = showLiveLossCurve(job, {
      display: (data, id) => calls.push({ kind: 'display', id, data }),
      update: (data, id) => calls.push({ kind: 'update', id, data }),
    }, { intervalMs: 20 });
    await job.done;
    live.dispose();

    expect(calls[0]!.kind).toBe('display');
    expect(calls.slice(1).every((c) => c.kind === 'update' && c.id === calls[0]!.id)).toBe(true);
    const last = calls[calls.length - 1]!.data;
    const spec = last[RnnLabMime.lines] as LineChartSpec;
    expect(spec.kind).toBe('loss');
    expect(spec.series[0]!.x).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(spec.series[1]!.name).toBe('validation');
    expect(spec.series[1]!.x).toEqual([8, 16, 24]);
    expect(last['text/plain']).toMatch(/^job-\d+ LSTMModel: done, step 24\/24, epoch 3, loss [\d.]+, val [\d.]+ \(Trained 24 steps \(3 epochs\), median [\d.]+ ms\/step\)$/);
    // the summary carries the recent steps' median while the job runs (and after)
    expect(job.summary().msPerStep).toBeGreaterThan(0);
    // only the final curve carries the static SVG that viewers without RNN Lab show
    expect(String(last['image/svg+xml'])).toMatch(/^<svg[^>]*>[\s\S]*validation[\s\S]*<\/svg>\s*$/);
    expect('image/svg+xml' in calls[0]!.data).toBe(false); // the job had just started
  });

  it('averages long histories down to a bounded number of points', () => {
    const job = { name: 'm', status: 'running', history: { loss: Array.from({ length: 10000 }, (_, i) => [i + 1, 1] as [number, number]), valLoss: [] }, summary: () => ({ id: 'job-x', model: 'm', status: 'running', step: 1, totalSteps: 2, epoch: 0, loss: null, valLoss: null }) };
    const spec = lossCurveBundle(job as never)[RnnLabMime.lines] as LineChartSpec;
    expect(spec.series[0]!.x).toHaveLength(2000);
    expect(spec.series[0]!.y.every((y) => y === 1)).toBe(true);
  });
});
