// The benchmark's long-sequence workload (issue 18 §0) and its reproduction script on tiny or
// short shapes: lstm-long is in the default run with the shapes, its model and data are
// what the issue describes (sin inputs, loss on h_T), and the reproduction's counts find the
// gradient in the subnormals with the flush off and none with it on. No timing thresholds: only
// that the timings come out as numbers.

import { afterEach, describe, expect, it } from 'vitest';
import { getFlushDenormal, setFlushDenormal } from '../../kernel/engine/index';
import { FLUSH_DENORMAL_DEFAULT } from '../../kernel/engine/denormal';
import { makeStep } from '../../bench/callingThread';
import { machineLine } from '../../bench/report';
import { buildModel, makeData } from '../../bench/models';
import { countPhases, countSubnormals, FLT_MIN, sinInputs, subnormalReport } from '../../bench/subnormals';
import { BENCH_WORKLOADS, loadWorkloads, type Workload } from '../../bench/workloads';
import { join, resolve } from 'node:path';

afterEach(() => setFlushDenormal(FLUSH_DENORMAL_DEFAULT));

const repoRoot = resolve(__dirname, '..', '..');

describe('lstm-long, the bench workload whose gradient reaches the subnormals', () => {
  it("is in the default run, after the shared workloads, with the issue's shapes", () => {
    const all = loadWorkloads(join(repoRoot, '..', 'shared', 'bench'), repoRoot, undefined);
    const names = Object.keys(all);
    expect(names.slice(0, 4)).toEqual(['lstm-lm', 'gru-reg', 'rnn-adding', 'lstm-infer']);
    expect(names).toContain('lstm-long');
    expect(all['lstm-long']).toEqual({ cell: 'lstm', input: 16, hidden: 128, layers: 1, seq: 400, batch: 32, task: 'state-last', inputs: 'sin', train: true, subnormals: true });
    expect(Object.keys(loadWorkloads(join(repoRoot, '..', 'shared', 'bench'), repoRoot, ['lstm-long']))).toEqual(['lstm-long']);
    expect(BENCH_WORKLOADS['lstm-long']).toBe(all['lstm-long']);
  });

  const tiny: Workload = { ...BENCH_WORKLOADS['lstm-long']!, input: 3, hidden: 5, seq: 7, batch: 4 };

  it('builds h_T (B,H) from sin inputs, with a (B,H) target, and steps', () => {
    const { x, y } = makeData(tiny, 4);
    expect(x.shape).toEqual([4, 7, 3]);
    expect(y.shape).toEqual([4, 5]);
    expect(x.data[(1 * 7 + 2) * 3 + 1]).toBeCloseTo(Math.sin(0.05 * 2 * 2 + (2 * Math.PI * 1) / 4), 6);
    expect((buildModel(tiny).forward(x) as { shape: number[] }).shape).toEqual([4, 5]);
    const step = makeStep(tiny, { instrument: false });
    step();
    step();
  });

  it('sin inputs: x[b,t,i] = sin(0.05·(i+1)·t + 2π·b/B), as bench/torch_peer.py makes them', () => {
    const x = sinInputs(2, 3, 2).data;
    expect(Array.from(x)).toEqual([0, 0, Math.sin(0.05), Math.sin(0.1), Math.sin(0.1), Math.sin(0.2), Math.sin(Math.PI), Math.sin(Math.PI), Math.sin(0.05 + Math.PI), Math.sin(0.1 + Math.PI), Math.sin(0.1 + Math.PI), Math.sin(0.2 + Math.PI)].map(Math.fround));
  });

  it('the machine line says whether subnormals were flushed', () => {
    const base = { cpu: 'AMD EPYC', cores: 2, node: 'v20', kernels: 'relaxed', workerKernels: [], v8Flags: [] };
    expect(machineLine({ ...base, flushDenormal: true })).toMatch(/; subnormals flushed to zero: yes$/);
    expect(machineLine({ ...base, flushDenormal: false })).toMatch(/; subnormals flushed to zero: no$/);
    expect(machineLine(base)).not.toContain('subnormals');
  });
});

describe("the reproduction (npm run bench -- --subnormals)", () => {
  // The LSTM at T = 200 on a batch of 2: ∂L/∂h_t reaches the subnormals for t ≲ 50.
  const shape = { input: 16, hidden: 128, batch: 2, seq: 200 };

  it('counts subnormals in ∂L/∂h_t with the flush off, none with it on, where they become zeros', () => {
    setFlushDenormal(false);
    const off = countPhases(shape, 0);
    setFlushDenormal(true);
    const on = countPhases(shape, 0);
    expect(off.dhSubnormal).toBeGreaterThan(0);
    expect(off.dhFirst).toBeGreaterThanOrEqual(0);
    expect(off.dhLast).toBeLessThan(shape.seq);
    expect(on.dhSubnormal).toBe(0);
    expect(on.dcSubnormal).toBe(0);
    expect(on.dhZero).toBeGreaterThanOrEqual(off.dhZero + off.dhSubnormal);
    expect(countSubnormals([0, FLT_MIN, -FLT_MIN / 2, 1e-45, 1])).toBe(2);
  });

  it('times forward, backward and Adam with the flush off and on, and restores the switch', () => {
    setFlushDenormal(false);
    const lines: string[] = [];
    const rows = subnormalReport([20], [2], 1, true, (l) => lines.push(l));
    expect(getFlushDenormal()).toBe(false);
    expect(rows.map((r) => r.flush)).toEqual([false, true]);
    for (const r of rows) for (const v of Object.values(r.times)) expect(Number.isFinite(v)).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^T=20 B=2 flush off: forward [\d.]+ ms, backward [\d.]+ ms, Adam [\d.]+ ms; ∂L\/∂h subnormal at \d+ of 20 steps/);
  });
});
