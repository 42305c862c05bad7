// The benchmark's report helpers: rates, shares of the SIMD128 limit, overhead, the header line
// and tables (no timing here; the benchmark itself is `npm run bench`).

import { describe, expect, it } from 'vitest';
import { applyShares, ceilingFor, ceilingGoalTable, formatPercent, formatTable, gflops, limitShare, machineLine, NOMINAL_ZEN4_GFLOPS_PER_CORE, overheadPercent } from '../../bench/report';
import { flops, type Workload } from '../../bench/workloads';

describe('bench report helpers', () => {
  it('counts FLOPs as the peer scripts do and turns them into GFLOP/s', () => {
    const lstmLm: Workload = { cell: 'lstm', vocab: 64, embed: 32, hidden: 128, layers: 1, seq: 64, batch: 32, task: 'lm', train: true };
    // 2·B·T·G·H·(I+H) ×3 = 2·32·64·4·128·(32+128)·3
    expect(flops(lstmLm)).toBe(2 * 32 * 64 * 4 * 128 * 160 * 3);
    expect(flops({ ...lstmLm, layers: 2, train: false })).toBe(2 * 32 * 64 * 4 * 128 * (160 + 256));
    expect(gflops(2e9, 100)).toBeCloseTo(20);
  });

  it('gives the share of the measured ceiling of the cores used: one thread alone, or two at once', () => {
    const ceiling = { oneThread: 50, twoThreads: 90 };
    expect(ceilingFor(ceiling, 1)).toBe(50);
    expect(ceilingFor(ceiling, 2)).toBe(90);
    expect(ceilingFor(ceiling, 4)).toBe(180);
    expect(limitShare(25, 1, ceiling)).toBeCloseTo(0.5);
    expect(limitShare(45, 2, ceiling)).toBeCloseTo(0.5);
    // the old nominal figure stays only as a note
    expect(NOMINAL_ZEN4_GFLOPS_PER_CORE).toBeCloseTo(58.4);
  });

  it('fills in the shares of the measurements that say their cores, and leaves the others', () => {
    const ceiling = { oneThread: 50, twoThreads: 80 };
    const r = applyShares({ peer: 'x', results: { a: { ms_per_step: 10, gflops: 20, cores: 1 }, b: { ms_per_step: 10, gflops: 20, cores: 2 }, c: { ms_per_step: 1, gflops: 3 } } }, ceiling);
    expect(r.results.a!.limit_share).toBe(0.4);
    expect(r.results.b!.limit_share).toBe(0.25);
    expect(r.results.c!.limit_share).toBeUndefined();
  });

  it("tables issue 18 §2's goal: fit() on 2 workers against 60 % of the two-core ceiling", () => {
    const table = ceilingGoalTable(
      [
        { workload: 'lstm-lm', m: { ms_per_step: 14, gflops: 72, cores: 2 } },
        { workload: 'gru-reg', m: { ms_per_step: 9, gflops: 40, cores: 2 } },
        { workload: 'rnn-adding', m: undefined },
      ],
      { oneThread: 55, twoThreads: 100 },
    );
    expect(table[0]).toEqual(['workload', 'fit(), 2 workers', 'GFLOP/s', 'share of 100.0 GFLOP/s (≥ 60 %)']);
    expect(table[1]).toEqual(['lstm-lm', '14.0 ms', '72.0', '72% met']);
    expect(table[2]).toEqual(['gru-reg', '9.0 ms', '40.0', '40% not met']);
    expect(table[3]).toEqual(['rnn-adding', '-', '-', '-']);
  });

  it('writes overhead in percent, signed', () => {
    expect(overheadPercent(20, 25)).toBeCloseTo(25);
    expect(formatPercent(overheadPercent(20, 25), true)).toBe('+25%');
    expect(formatPercent(overheadPercent(20, 19.9), true)).toBe('-0.5%');
    expect(formatPercent(4.26)).toBe('4.3%');
  });

  it('names the machine, the kernels of both threads and the flags', () => {
    const base = { cpu: 'AMD EPYC ', cores: 2, node: 'v20.20.2', kernels: 'relaxed', v8Flags: ['--experimental-wasm-relaxed-simd'] };
    expect(machineLine({ ...base, workerKernels: ['relaxed', 'relaxed'] })).toBe(
      'machine: AMD EPYC, 2 cores; Node v20.20.2; kernels relaxed (training workers too); V8 flags: --experimental-wasm-relaxed-simd',
    );
    expect(machineLine({ ...base, workerKernels: ['simd', 'relaxed'] })).toContain('kernels relaxed (training workers: simd, relaxed)');
    expect(machineLine({ ...base, workerKernels: [], v8Flags: [] })).toMatch(/kernels relaxed; V8 flags: none$/);
  });

  it('pads table columns to their widest cell', () => {
    expect(formatTable([['a', 'bbb', 'c'], ['dddd', 'e']])).toEqual(['a     bbb  c', 'dddd  e']);
  });

  it('pads cells with ranges and goal marks by their characters (– and ≤ are one each)', () => {
    expect(formatTable([['workload', 'pytorch'], ['lstm-lm', '17.0 ms (16.2–18.1)'], ['x', '0.96 ≤ 1.2 met']])).toEqual([
      'workload  pytorch',
      'lstm-lm   17.0 ms (16.2–18.1)',
      'x         0.96 ≤ 1.2 met',
    ]);
  });
});
