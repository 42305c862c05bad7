// The benchmark's workloads (../shared/bench/workloads.json, or the copy in bench/, followed by the
// bench's own: BENCH_WORKLOADS) and the FLOP count the peer scripts use, so that GFLOP/s compare
// across peers.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Workload {
  cell: 'lstm' | 'gru' | 'rnn';
  vocab?: number;
  embed?: number;
  input?: number;
  hidden: number;
  layers: number;
  seq: number;
  batch: number;
  /**
   * lm: next-token cross-entropy over every step; reg-last: MSE of Linear(H,1) on the last step's
   * output; state-last: MSE of the last layer's h_T against a fixed (N,H) target (the loss on h_T
   * of issue 18's LSTM); reg-seq: MSE of Linear(H,1) on every step's output against (N,T,1)
   * targets (the scaling table's training, bench/scaling.ts: a loss at every step, as in sequence
   * labelling, so that the gradient does not decay away over a long T).
   */
  task: 'lm' | 'reg-last' | 'state-last' | 'reg-seq';
  train: boolean;
  /** 'sin': x_t = sin(0.05·(i+1)·t + 2π·n/N) for input i of row n (bench/subnormals.ts); else uniform noise. */
  inputs?: 'sin';
  /**
   * Its gradient ∂L/∂h_t decays into the subnormal floats: the bench also times it with
   * setFlushDenormal(false), and PyTorch with and without torch.set_flush_denormal(True).
   */
  subnormals?: boolean;
}

/**
 * The bench's own workloads, after the shared ones (the peers' scripts in ../shared/bench know
 * only those; bench/torch_peer.py runs these for PyTorch). lstm-long: issue 18 §0's LSTM — I=16,
 * H=128, B=32, sin inputs, loss on h_T, Adam — at T = 400, where ∂L/∂h_t passes through the
 * subnormals (t ≈ 190…250 of 400) before it reaches 0: without a flush to zero, x86 arithmetic on
 * them was one to two orders of magnitude slower (the machine: the backward at T = 200
 * took 52× its time at T = 100), so that cliff shows here if it comes back.
 */
export const BENCH_WORKLOADS: Readonly<Record<string, Workload>> = {
  'lstm-long': { cell: 'lstm', input: 16, hidden: 128, layers: 1, seq: 400, batch: 32, task: 'state-last', inputs: 'sin', train: true, subnormals: true },
};

export function loadWorkloads(sharedBench: string, repoRoot: string, only: readonly string[] | undefined): Record<string, Workload> {
  const shared = join(sharedBench, 'workloads.json');
  const path = existsSync(shared) ? shared : join(repoRoot, 'bench', 'workloads.json');
  const all = { ...(JSON.parse(readFileSync(path, 'utf8')) as Record<string, Workload>), ...BENCH_WORKLOADS };
  return only ? Object.fromEntries(Object.entries(all).filter(([k]) => only.includes(k))) : all;
}

/** Gate blocks of a cell: w_ih and w_hh have G·H rows. */
export const GATE_BLOCKS: Record<Workload['cell'], number> = { lstm: 4, gru: 3, rnn: 1 };

/** Same FLOP count as the peer scripts: 2·B·T·G·H·(I+H) per layer, ×3 for a training step. */
export function flops(w: Workload): number {
  const g = GATE_BLOCKS[w.cell];
  const inputSize = w.embed ?? w.input ?? 0;
  let f = 0;
  for (let l = 0; l < w.layers; l++) f += 2 * w.batch * w.seq * g * w.hidden * ((l === 0 ? inputSize : w.hidden) + w.hidden);
  return f * (w.train ? 3 : 1);
}
