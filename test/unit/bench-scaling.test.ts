// The benchmark's scaling table (bench/scaling.ts, issue 18 §3): its arguments and sizes, the
// summary of each size (bests, ratio against the goal, memory), memory per time step, and the
// tables. The children's timings are the bench's business, not checked here.

import { describe, expect, it } from 'vitest';
import { buildModel, makeData } from '../../bench/models';
import { formatScalingMs, formatScalingRatio, lastJsonLine, memoryPerStep, memoryTable, parseScalingArgs, scalingFlops, scalingSizes, scalingTable, scalingWorkload, SCALING_DEFAULTS, stepsFor, summarize, type OursScaling, type ScalingRow, type ScalingSize, type TorchScaling } from '../../bench/scaling';
import { manualSeed, type Tensor } from '../../kernel/engine/index';

const size = (cell: 'lstm' | 'gru', seq: number, hidden: number, series: 'T' | 'H' = 'T'): ScalingSize => ({ cell, seq, hidden, batch: 16, input: 32, series });
const ours = (one: number, two: number, fit: number | undefined, peakMb: number): OursScaling => ({ oneThreadMs: one, twoThreadsMs: two, ...(fit !== undefined ? { fitTwoWorkersMs: fit } : {}), steps: 3, rss0Mb: 100, peakMb, wasmGrowthMb: peakMb / 2 });
const torch = (one: number, two: number, peak: number): TorchScaling => ({ one_thread_ms: one, two_threads_ms: two, steps: 3, rss0_mb: 230, peak_mb: peak, version: '1.13.0' });

describe('--scaling arguments and sizes', () => {
  it("defaults to issue 18 §3's sizes: T 50…4000 at H = 128 and H 64…1024 at T = 100, LSTM and GRU, B = 16", () => {
    const o = parseScalingArgs(['--scaling']);
    expect(o).toEqual(SCALING_DEFAULTS);
    const sizes = scalingSizes(o);
    expect(sizes).toHaveLength(16);
    expect(sizes.slice(0, 8).map((s) => [s.cell, s.seq, s.hidden, s.series])).toEqual([
      ['lstm', 50, 128, 'T'],
      ['lstm', 200, 128, 'T'],
      ['lstm', 1000, 128, 'T'],
      ['lstm', 4000, 128, 'T'],
      ['lstm', 100, 64, 'H'],
      ['lstm', 100, 256, 'H'],
      ['lstm', 100, 512, 'H'],
      ['lstm', 100, 1024, 'H'],
    ]);
    expect(sizes.every((s) => s.batch === 16 && s.input === 32)).toBe(true);
    expect(sizes[8]!.cell).toBe('gru');
  });

  it('takes other cells, sizes, batch, rounds, and leaves out fit() or PyTorch', () => {
    const o = parseScalingArgs(['--scaling', '--cells', 'gru', '--seqs', '10,20', '--hiddens', '8', '--batch', '4', '--input', '3', '--rounds', '2', '--no-workers', '--no-peers']);
    expect(o).toMatchObject({ cells: ['gru'], seqs: [10, 20], hiddens: [8], batch: 4, input: 3, rounds: 2, workers: false, peers: false });
    expect(scalingSizes(o).map((s) => `${s.cell} ${s.seq} ${s.hidden} ${s.batch}`)).toEqual(['gru 10 128 4', 'gru 20 128 4', 'gru 100 8 4']);
  });

  it('refuses what it cannot run', () => {
    expect(() => parseScalingArgs(['--cells', 'rnn'])).toThrow(/lstm or gru/);
    expect(() => parseScalingArgs(['--seqs', '50,0'])).toThrow(/whole numbers ≥ 1/);
    expect(() => parseScalingArgs(['--batch', 'x'])).toThrow(/whole numbers ≥ 1/);
    expect(() => parseScalingArgs(['--hiddens'])).toThrow(/wants a value/);
  });

  it('trains a one-layer model with a loss at every step, counted as the peers count flops', () => {
    const w = scalingWorkload(size('lstm', 200, 128));
    expect(w).toEqual({ cell: 'lstm', input: 32, hidden: 128, layers: 1, seq: 200, batch: 16, task: 'reg-seq', train: true });
    expect(scalingFlops(size('gru', 100, 64))).toBe(2 * 16 * 100 * 3 * 64 * (32 + 64) * 3);
    manualSeed(0);
    const model = buildModel({ ...w, seq: 5, batch: 2 });
    const { x, y } = makeData({ ...w, seq: 5, batch: 2 }, 2);
    expect(x.shape).toEqual([2, 5, 32]);
    expect(y.shape).toEqual([2, 5, 1]);
    expect((model.forward(x) as Tensor).shape).toEqual([2, 5, 1]);
  });

  it('times as many steps as fit in ~1.5 s, 3 to 20', () => {
    expect(stepsFor(1)).toBe(20);
    expect(stepsFor(100)).toBe(15);
    expect(stepsFor(400)).toBe(3);
    expect(stepsFor(5000)).toBe(3);
    expect(stepsFor(NaN)).toBe(20);
  });
});

describe('a size summarized', () => {
  it("takes each side's fastest column per round, the median over rounds, and their ratio", () => {
    const row: ScalingRow = {
      size: size('lstm', 200, 128),
      ours: [ours(40, 30, 20, 50), ours(42, 25, 24, 52), ours(41, 35, 22, 51)],
      torch: [torch(60, 70, 80), torch(50, 90, 82), torch(55, 45, 81)],
    };
    const s = summarize(row);
    expect(s.oneThread).toBe(41);
    expect(s.twoThreads).toBe(30);
    expect(s.fitTwoWorkers).toBe(22);
    expect(s.oursBest).toBe(22); // bests 20, 24, 22
    expect(s.oursRange).toEqual([20, 24]);
    expect(s.torchBest).toBe(50); // bests 60, 50, 45
    expect(s.torchRange).toEqual([45, 60]);
    expect(s.ratio).toBeCloseTo(0.44);
    expect(s.oursPeakMb).toBe(51);
    expect(s.torchPeakMb).toBe(81);
  });

  it('leaves out what did not run', () => {
    const s = summarize({ size: size('gru', 50, 128), ours: [ours(10, 12, undefined, 5)], torch: [] });
    expect(s.oursBest).toBe(10);
    expect(s.fitTwoWorkers).toBeUndefined();
    expect(s.torchBest).toBeUndefined();
    expect(s.ratio).toBeUndefined();
    expect(s.oursRange).toBeUndefined();
  });
});

describe('memory per time step', () => {
  const rows = [
    summarize({ size: size('lstm', 1000, 128), ours: [ours(1, 1, 1, 110)], torch: [torch(1, 1, 170)] }),
    summarize({ size: size('lstm', 50, 128), ours: [ours(1, 1, 1, 10)], torch: [torch(1, 1, 12)] }),
    summarize({ size: size('lstm', 4000, 128), ours: [ours(1, 1, 1, 410)], torch: [torch(1, 1, 650)] }),
    summarize({ size: size('lstm', 100, 1024, 'H'), ours: [ours(1, 1, 1, 999)], torch: [torch(1, 1, 999)] }),
  ];

  it('is the growth of the peak between consecutive T of the T series, in KB per step', () => {
    const m = memoryPerStep(rows);
    expect(m.map((x) => [x.fromSeq, x.toSeq])).toEqual([
      [50, 1000],
      [1000, 4000],
    ]);
    expect(m[1]!.oursKb).toBeCloseTo((300 * 1024) / 3000);
    expect(m[1]!.torchKb).toBeCloseTo((480 * 1024) / 3000);
  });

  it('is tabled against PyTorch', () => {
    const table = memoryTable(memoryPerStep(rows), 16, 128);
    expect(table[0]).toEqual(['cell', 'T from → to', 'RNN Lab, KB per time step (B=16, H=128)', 'PyTorch', 'RNN Lab / PyTorch', 'no more than PyTorch']);
    expect(table[2]).toEqual(['lstm', '1000 → 4000', '102', '164', '0.63', 'met']);
  });
});

describe('the scaling table', () => {
  it('writes one row per size: times, bests, ratio against 0.6, peak memory', () => {
    const s = summarize({ size: size('gru', 4000, 128), ours: [ours(1234.4, 800.2, 612.7, 301.26)], torch: [torch(900, 1500, 420)] });
    const table = scalingTable([s], () => 'x');
    expect(table[0]).toEqual(['cell', 'T', 'H', 'RNN Lab, 1 thread', '2 kernel threads', 'fit(), 2 workers', 'RNN Lab best', 'PyTorch, 1 thread', '2 threads', 'PyTorch best', 'best / best (≤ 0.6)', 'peak MB, RNN Lab', 'PyTorch', 'RNN Lab best, share of ceiling']);
    expect(table[1]).toEqual(['gru', '4000', '128', '1234', '800', '613', '613', '900', '1500', '900', '0.68 not met', '301', '420', 'x']);
    expect(scalingTable([s])[0]).toHaveLength(13);
  });

  it('formats times and ratios', () => {
    expect(formatScalingMs(undefined)).toBe('-');
    expect(formatScalingMs(3.14)).toBe('3.1');
    expect(formatScalingMs(123.4)).toBe('123');
    expect(formatScalingRatio(0.6)).toBe('0.60 met');
    expect(formatScalingRatio(0.61)).toBe('0.61 not met');
    expect(formatScalingRatio(undefined)).toBe('-');
  });

  it("reads a child's JSON line out of its output", () => {
    expect(lastJsonLine<{ a: number }>('noise\n{"a":1}\n')).toEqual({ a: 1 });
    expect(lastJsonLine('{"a":1\nnot json')).toBeNull();
  });
});
