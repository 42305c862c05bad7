// Combining the benchmark's rounds (bench/rounds.ts): per column and workload the median round's
// measurement, the range of ms per step, columns matched by name across rounds.

import { describe, expect, it } from 'vitest';
import { combineColumn, combineColumnLists, combineMeasurements, formatMs, formatRange, medianIndex, type Measurement, type PeerResult } from '../../bench/rounds';

const m = (ms: number, extra: Partial<Measurement> = {}): Measurement => ({ ms_per_step: ms, gflops: 100 / ms, ...extra });

describe('bench rounds', () => {
  it('finds the median round (the upper middle one for an even count, the earlier of ties)', () => {
    expect(medianIndex([30, 10, 20])).toBe(2);
    expect(medianIndex([5])).toBe(0);
    expect(medianIndex([4, 1, 3, 2])).toBe(2); // sorted 1 2 3 4: the element at 2 is 3, round 2
    expect(medianIndex([7, 7, 7])).toBe(1);
    expect(() => medianIndex([])).toThrow(/no values/);
  });

  it("takes the median round's measurement, the range of ms per step and the first round's peak RSS", () => {
    const rounds = [
      m(25.0, { instrumented_ms_per_step: 27.5, instrument_overhead_pct: 10, peak_rss_mb: 120 }),
      m(39.8, { instrumented_ms_per_step: 40.0, instrument_overhead_pct: 0.5, peak_rss_mb: 130 }),
      m(30.0, { instrumented_ms_per_step: 31.5, instrument_overhead_pct: 5, peak_rss_mb: 140 }),
    ];
    expect(combineMeasurements(rounds)).toEqual({ ...rounds[2], peak_rss_mb: 120, range_ms: [25.0, 39.8] });
  });

  it('says how many rounds measured a workload when fewer than all', () => {
    expect(combineMeasurements([m(10), m(12)], 3)).toEqual({ ...m(12), range_ms: [10, 12], rounds_measured: 2 });
    expect(combineMeasurements([m(10)], 1)).toEqual({ ...m(10), range_ms: [10, 10] });
  });

  it('combines a column over rounds, keeping its workloads, machine and the round count', () => {
    const machine = { cpu: 'cpu', cores: 2, node: 'v20', kernels: 'relaxed', workerKernels: [], v8Flags: [] };
    const r1: PeerResult = { peer: 'rnn-lab', machine, results: { a: m(10), b: m(50) } };
    const r2: PeerResult = { peer: 'rnn-lab', results: { a: m(14), b: m(40) } };
    const r3: PeerResult = { peer: 'rnn-lab', results: { a: m(12), b: m(45) } };
    expect(combineColumn([r1, r2, r3])).toEqual({
      peer: 'rnn-lab',
      machine,
      rounds: 3,
      results: { a: { ...m(12), range_ms: [10, 14] }, b: { ...m(45), range_ms: [40, 50] } },
    });
    expect(combineColumn([undefined, undefined])).toBeUndefined();
  });

  it('matches peers by name across rounds, a peer that failed in a round combined over the others', () => {
    const torch = (ms: number): PeerResult => ({ peer: 'pytorch-threads1', results: { a: m(ms) } });
    const tfjs = (ms: number): PeerResult => ({ peer: 'tfjs-wasm', results: { a: m(ms) } });
    const combined = combineColumnLists([[tfjs(600), torch(25)], [torch(39.8)], [tfjs(620), torch(30)]]);
    expect(combined.map((r) => r.peer)).toEqual(['tfjs-wasm', 'pytorch-threads1']);
    expect(combined[0]!.results.a).toEqual({ ...m(620), range_ms: [600, 620], rounds_measured: 2 });
    expect(combined[1]!.results.a).toEqual({ ...m(30), range_ms: [25, 39.8] });
    expect(combined.every((r) => r.rounds === 3)).toBe(true);
    expect(combineColumnLists([[], []])).toEqual([]);
  });

  it('leaves one round as it was, with a range of one value', () => {
    const one: PeerResult = { peer: 'x', results: { a: m(17, { speedup_vs_1_worker: 1.6 }) } };
    expect(combineColumn([one])).toEqual({ peer: 'x', rounds: 1, results: { a: { ...m(17, { speedup_vs_1_worker: 1.6 }), range_ms: [17, 17] } } });
  });

  it('writes ms with the range over the rounds', () => {
    expect(formatRange([16.23, 18.08])).toBe('16.2–18.1');
    expect(formatMs({ ...m(17), range_ms: [16.2, 18.1] }, true)).toBe('17.0 ms (16.2–18.1)');
    expect(formatMs({ ...m(17), range_ms: [16.2, 18.1] }, false)).toBe('17.0 ms');
    expect(formatMs(m(17), true)).toBe('17.0 ms');
  });
});
