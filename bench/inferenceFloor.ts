// A lower bound for a batch-1 inference workload on this machine, from the kernels' own rates
// measured in the same run: the recurrent steps are matrix-vector products (each step needs the
// one before), the input projections and the output head are matrix products over the whole
// sequence. Time ≥ GEMV work / (cores × GEMV rate) + GEMM work / (cores × GEMM rate), before any
// gate arithmetic, hand-over between the threads or copying. It says what a goal asks of the
// kernels: a goal that needs less time than this bound needs faster kernels, not less overhead.
// The work counted is what the engine runs (the embedding's table, the output head), not the
// peers' FLOP count of the GFLOP/s columns (workloads.ts flops()); the GEMM rate is measured on a
// layer's projection and applied to the table and the head too (smaller products run no faster).

import { gemmPacked, packMatrixB } from '../kernel/engine/wasm/gemm';
import { wasmKernels } from '../kernel/engine/wasm/instance';
import { GATE_BLOCKS, type Workload } from './workloads';

/** Floating-point operations of one forward of a batch-1 workload, by the kind of product. */
export interface InferenceWork {
  /** Per-step h·w_hhᵀ of every layer: T·L products with a (1, H) row. */
  gemvFlops: number;
  /** Input projections (layer 0 of an embedding: its table when that has no more rows than T·N, as the engine does) and the head. */
  gemmFlops: number;
}

export function inferenceWork(w: Workload): InferenceWork {
  const G = GATE_BLOCKS[w.cell] * w.hidden;
  const H = w.hidden;
  const rows = w.seq * w.batch;
  const inputSize = w.embed ?? w.input ?? 0;
  const layer0Rows = w.vocab !== undefined && w.embed !== undefined ? Math.min(rows, w.vocab) : rows;
  let gemmFlops = 2 * layer0Rows * inputSize * G;
  for (let l = 1; l < w.layers; l++) gemmFlops += 2 * rows * H * G;
  gemmFlops += w.task === 'lm' ? 2 * rows * H * (w.vocab ?? 0) : 2 * w.batch * H;
  return { gemvFlops: 2 * w.layers * rows * G * H, gemmFlops };
}

/** Kernel rates in GFLOP/s on one thread. */
export interface KernelRates {
  gemv: number;
  gemm: number;
}

/** ms: the work at the given rates, spread over `cores` cores without loss. */
export function floorMs(work: InferenceWork, rates: KernelRates, cores: number): number {
  return (work.gemvFlops / (cores * rates.gemv) + work.gemmFlops / (cores * rates.gemm)) / 1e6;
}

/** Best-of-5 GFLOP/s of `run` (flops each), repeated to ~20 ms per try. */
function rateOf(run: () => void, flops: number): number {
  run();
  const t0 = performance.now();
  run();
  const reps = Math.max(1, Math.ceil(20 / Math.max(1e-3, performance.now() - t0)));
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    for (let r = 0; r < reps; r++) run();
    best = Math.min(best, (performance.now() - start) / reps);
  }
  return flops / (best / 1e3) / 1e9;
}

/**
 * This thread's rates on the workload's shapes: the packed GEMV over the rows of w_hh one of
 * `cores` threads owns (K = H, G·H / cores outputs), and the packed GEMM of a layer's input
 * projection (T rows, K = H, G·H outputs). Null without the wasm kernels.
 */
export function measureKernelRates(w: Workload, cores: number): KernelRates | null {
  const k = wasmKernels();
  if (!k) return null;
  const H = w.hidden;
  const G = GATE_BLOCKS[w.cell] * H;
  const arena = k.arena;
  const mark = arena.mark();
  try {
    const values = (n: number): number => {
      const at = arena.alloc(n);
      const f = arena.f32();
      for (let i = 0; i < n; i++) f[(at >> 2) + i] = Math.sin(i) * 0.05;
      return at;
    };
    const part = Math.ceil(G / cores);
    const wPart = packMatrixB(k, values(part * H), H, true, H, part, true); // op(B)[h, g] = w[g, h]
    const h = values(H);
    const out = arena.alloc(G);
    const gemv = rateOf(() => gemmPacked(k, false, 1, H, h, H, wPart, out, part, 0), 2 * H * part);
    const T = w.seq * w.batch;
    const wIh = packMatrixB(k, values(G * H), H, true, H, G, false);
    const x = values(T * H);
    const gates = arena.alloc(T * G);
    const gemm = rateOf(() => gemmPacked(k, false, T, H, x, H, wIh, gates, G, 0), 2 * T * H * G);
    return { gemv, gemm };
  } finally {
    arena.release(mark);
  }
}

/** One-thread rates, GFLOP/s, of the packed GEMM on a training workload's shapes. */
export interface TrainingRates {
  /** The per-step recurrent product h·w_hhᵀ: B rows, K = H, G·H outputs. */
  step: number;
  /** A whole sequence's product of the same weight: B·T rows, K = H, G·H outputs (as the input projection of a layer of width H, or Σ dGᵀ·h). */
  sequence: number;
}

/** This thread's packed-GEMM rates on a training workload's shapes (the kernels most of a step runs in); null without the wasm kernels. */
export function measureTrainingRates(w: Workload): TrainingRates | null {
  const k = wasmKernels();
  if (!k) return null;
  const H = w.hidden;
  const G = GATE_BLOCKS[w.cell] * H;
  const arena = k.arena;
  const mark = arena.mark();
  try {
    const values = (n: number): number => {
      const at = arena.alloc(n);
      const f = arena.f32();
      for (let i = 0; i < n; i++) f[(at >> 2) + i] = Math.sin(i) * 0.05;
      return at;
    };
    const wHh = packMatrixB(k, values(G * H), H, true, H, G, false);
    const rows = w.batch * w.seq;
    const x = values(rows * H);
    const out = arena.alloc(rows * G);
    const step = rateOf(() => gemmPacked(k, false, w.batch, H, x, H, wHh, out, G, 0), 2 * w.batch * H * G);
    const sequence = rateOf(() => gemmPacked(k, false, rows, H, x, H, wHh, out, G, 0), 2 * rows * H * G);
    return { step, sequence };
  } finally {
    arena.release(mark);
  }
}
