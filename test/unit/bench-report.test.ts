// The benchmark's report helpers: rates, shares of the SIMD128 limit, overhead, the header line
// and tables (no timing here; the benchmark itself is `npm run bench`).

import { describe, expect, it } from 'vitest';
import { formatPercent, formatTable, gflops, limitShare, machineLine, overheadPercent, SIMD128_GFLOPS_PER_CORE } from '../../bench/report';
import { flops, type Workload } from '../../bench/workloads';

describe('bench report helpers', () => {
  it('counts FLOPs as the peer scripts do and turns them into GFLOP/s', () => {
    const lstmLm: Workload = { cell: 'lstm', vocab: 64, embed: 32, hidden: 128, layers: 1, seq: 64, batch: 32, task: 'lm', train: true };
    // 2·B·T·G·H·(I+H) ×3 = 2·32·64·4·128·(32+128)·3
    expect(flops(lstmLm)).toBe(2 * 32 * 64 * 4 * 128 * 160 * 3);
    expect(flops({ ...lstmLm, layers: 2, train: false })).toBe(2 * 32 * 64 * 4 * 128 * (160 + 256));
    expect(gflops(2e9, 100)).toBeCloseTo(20);
  });

  it('gives the share of the SIMD128 limit of the cores used', () => {
    expect(SIMD128_GFLOPS_PER_CORE).toBeCloseTo(58.4);
    expect(limitShare(29.2, 1)).toBeCloseTo(0.5);
    expect(limitShare(29.2, 2)).toBeCloseTo(0.25);
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
