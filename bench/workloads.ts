// The benchmark's workloads (../shared/bench/workloads.json, or the copy in bench/) and the
// FLOP count the peer scripts use, so that GFLOP/s compare across peers.

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
  task: 'lm' | 'reg-last';
  train: boolean;
}

export function loadWorkloads(sharedBench: string, repoRoot: string, only: readonly string[] | undefined): Record<string, Workload> {
  const shared = join(sharedBench, 'workloads.json');
  const path = existsSync(shared) ? shared : join(repoRoot, 'bench', 'workloads.json');
  const all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Workload>;
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
