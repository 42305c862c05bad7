// The speed goals of issue 7 (bench/goals.ts): the ratios, their bounds, met or not, counted round
// by round, and '-' where a column was not measured.

import { describe, expect, it } from 'vitest';
import { checkGoal, formatCheck, GOALS, goalColumns, goalReport, type GoalColumns, type RunColumns } from '../../bench/goals';
import type { PeerResult } from '../../bench/rounds';

const goal = (name: string) => GOALS.find((g) => g.name === name)!;
const col = (peer: string, ms: Record<string, number>): PeerResult => ({ peer, results: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, { ms_per_step: v, gflops: 1 }])) });

const full: GoalColumns = { thisThread: 24, twoKernelThreads: 16, fitOneWorker: 26, fitTwoWorkers: 15, torchOneThread: 25, torchTwoThreads: 30, tfjsWasm: 600 };

describe('bench goals of issue 7', () => {
  it('reads the columns of a run by role and by the peers’ names', () => {
    const run: RunColumns = {
      ours: col('rnn-lab-0.1.0-relaxed', { a: 24 }),
      threads: col('rnn-lab-0.1.0-relaxed-2-threads', { a: 16 }),
      fitPeers: [col('rnn-lab-fit-1-worker', { a: 26 }), col('rnn-lab-fit-2-workers', { a: 15 })],
      peers: [col('tfjs-4.22.0-wasm', { a: 600 }), col('tfjs-4.22.0-cpu', { a: 2400 }), col('pytorch-1.13.0-threads1', { a: 25 }), col('pytorch-1.13.0-threads2', { a: 30 })],
    };
    expect(goalColumns('a', run)).toEqual(full);
    expect(goalColumns('a', { ...run, fitPeers: [], peers: [] })).toEqual({ thisThread: 24, twoKernelThreads: 16 });
  });

  it('computes each ratio and compares it with its bound', () => {
    expect(goal('one thread').measure(full)).toBeCloseTo(24 / 25); // ≤ 1.2
    expect(goal('both cores').measure(full)).toBeCloseTo(15 / 25); // min(16, 15) / min(25, 30) = 0.6, on the bound
    expect(goal('batch-1 inference').measure(full)).toBeCloseTo(16 / 25);
    expect(goal('TF.js').measure(full)).toBeCloseTo(600 / 15);
    expect(checkGoal(goal('both cores'), true, full, [])!.met).toBe(true);
    expect(checkGoal(goal('batch-1 inference'), false, full, [])!.met).toBe(false); // 0.64 > 0.5
    expect(checkGoal(goal('TF.js'), true, { ...full, tfjsWasm: 300 }, [])!.met).toBe(false); // 20 < 25
  });

  it('applies the both-cores goal to training and the batch-1 goal to inference only', () => {
    expect(checkGoal(goal('both cores'), false, full, [])).toBeUndefined();
    expect(checkGoal(goal('batch-1 inference'), true, full, [])).toBeUndefined();
    expect(checkGoal(goal('one thread'), false, full, [])).toBeDefined();
  });

  it('skips a goal whose columns were not measured', () => {
    const noWorkers = { ...full, fitOneWorker: undefined, fitTwoWorkers: undefined };
    expect(checkGoal(goal('both cores'), true, noWorkers, [])).toBeUndefined();
    expect(checkGoal(goal('one thread'), true, { ...full, torchOneThread: undefined }, [])).toBeUndefined();
    expect(checkGoal(goal('batch-1 inference'), false, { ...full, torchTwoThreads: undefined }, [])).toBeUndefined();
    expect(checkGoal(goal('TF.js'), true, { ...full, tfjsWasm: undefined }, [])).toBeUndefined();
    // TF.js over the RNN Lab columns measured: without fit() the min is this run's smaller set.
    expect(checkGoal(goal('TF.js'), true, noWorkers, [])!.value).toBeCloseTo(600 / 16);
  });

  it('counts the rounds whose own columns met the goal', () => {
    const rounds: GoalColumns[] = [{ ...full, thisThread: 31 }, full, { ...full, thisThread: 29, torchOneThread: 25 }, { ...full, torchOneThread: undefined }];
    const check = checkGoal(goal('one thread'), true, full, rounds)!;
    expect([check.metInRounds, check.measuredRounds]).toEqual([2, 3]); // 1.24 no, 0.96 yes, 1.16 yes; one round unmeasured
    expect(formatCheck(check)).toBe('0.96 ≤ 1.2 met (2 of 3 rounds)');
    expect(formatCheck(checkGoal(goal('TF.js'), true, { ...full, tfjsWasm: 300 }, [full])!)).toBe('20.0 ≥ 25 not met');
    // A ratio just over its bound gets the digits that show it is over.
    expect(formatCheck(checkGoal(goal('batch-1 inference'), false, { ...full, twoKernelThreads: 12.51 }, [])!)).toBe('0.5004 ≤ 0.5 not met');
    expect(formatCheck(checkGoal(goal('batch-1 inference'), false, { ...full, twoKernelThreads: 12.49 }, [])!)).toBe('0.50 ≤ 0.5 met');
  });

  it('tabulates the goals per workload with a legend and a count', () => {
    const report = goalReport([
      { workload: 'lstm-lm', train: true, median: full, rounds: [full] },
      { workload: 'lstm-infer', train: false, median: { thisThread: 8, twoKernelThreads: 5, torchOneThread: 7.5, torchTwoThreads: 12, tfjsWasm: 59 }, rounds: [] },
      { workload: 'gru-reg', train: true, median: { thisThread: 20, twoKernelThreads: 14 }, rounds: [] },
    ]);
    expect(report.table[0]).toEqual(['workload', 'one thread', 'both cores', 'batch-1 inference', 'TF.js']);
    expect(report.table[1]).toEqual(['lstm-lm', '0.96 ≤ 1.2 met', '0.60 ≤ 0.6 met', '-', '40.0 ≥ 25 met']);
    expect(report.table[2]).toEqual(['lstm-infer', '1.07 ≤ 1.2 met', '-', '0.67 ≤ 0.5 not met', '11.8 ≥ 25 not met']);
    expect(report.table[3]).toEqual(['gru-reg', '-', '-', '-', '-']);
    expect([report.met, report.checked, report.skipped]).toEqual([4, 6, 3]);
    expect(report.legend[1]).toBe('both cores: min(2 kernel threads, fit() 2 workers) / min(PyTorch 1, 2 threads) ≤ 0.6');
  });
});
