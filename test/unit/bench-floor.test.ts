// The benchmark's lower bound for batch-1 inference (bench/inferenceFloor.ts): the work of a
// forward by kind of product, the bound at given rates, and rates measured on this machine.

import { describe, expect, it } from 'vitest';
import { floorMs, inferenceWork, measureKernelRates, measureTrainingRates } from '../../bench/inferenceFloor';
import type { Workload } from '../../bench/workloads';

const lstmInfer: Workload = { cell: 'lstm', vocab: 64, embed: 64, hidden: 256, layers: 2, seq: 128, batch: 1, task: 'lm', train: false };

describe('inference floor', () => {
  it('counts lstm-infer as 2 layers of step-by-step GEMV, the table and layer-2 projections and the head as GEMM', () => {
    const work = inferenceWork(lstmInfer);
    expect(work.gemvFlops).toBe(2 * 2 * 128 * 1024 * 256);
    // layer 0 projects its 64-row table, layer 1 its 128 inputs, the head 128 rows into 64 scores
    expect(work.gemmFlops).toBe(2 * 64 * 64 * 1024 + 2 * 128 * 256 * 1024 + 2 * 128 * 256 * 64);
    // a sequence shorter than the table projects its own rows; a regression head is one row
    const short = inferenceWork({ ...lstmInfer, seq: 16, layers: 1, task: 'reg-last' });
    expect(short.gemmFlops).toBe(2 * 16 * 64 * 1024 + 2 * 256);
  });

  it('divides each kind of work by its rate and the cores', () => {
    expect(floorMs({ gemvFlops: 80e6, gemmFlops: 100e6 }, { gemv: 40, gemm: 50 }, 2)).toBeCloseTo(1 + 1, 10);
  });

  it('measures positive rates for both products on this machine', () => {
    // null means no wasm kernels on this runtime: they are part of the build (and
    // recurrent-wasm.test.ts requires them), so that is a failure here, not a pass without checks.
    const rates = measureKernelRates({ ...lstmInfer, hidden: 64, seq: 16 }, 2);
    expect(rates, 'measureKernelRates found no wasm kernels').not.toBeNull();
    expect(rates!.gemv).toBeGreaterThan(0);
    expect(rates!.gemm).toBeGreaterThan(0);
  });

  it("measures positive packed-GEMM rates on a training workload's shapes", () => {
    const rates = measureTrainingRates({ cell: 'gru', input: 1, hidden: 32, layers: 1, seq: 10, batch: 8, task: 'reg-last', train: true });
    expect(rates, 'measureTrainingRates found no wasm kernels').not.toBeNull();
    expect(rates!.step).toBeGreaterThan(0);
    expect(rates!.sequence).toBeGreaterThan(0);
  });
});
