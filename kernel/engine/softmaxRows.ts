// Softmax over the rows of a (rows, C) matrix with each row's log-sum-exp: what the
// cross-entropy loss keeps for its backward. The WebAssembly kernel (wasm/wat/softmax.ts) runs
// when loaded; the loop below is the reference it is tested against, and the path without wasm.

import { flushed, flushThreshold } from './denormal';
import { wasmKernels } from './wasm/instance';

/** Below this many values the copies into wasm memory cost more than the exps they save. */
const WASM_MIN = 256;

/** prob (rows,C) = softmax of each row of x (rows,C); lse (rows) = log Σ_c exp(x_c), in float64. */
export function softmaxRows(x: Float32Array, rows: number, C: number, prob: Float32Array, lse: Float64Array): void {
  const w = rows * C >= WASM_MIN ? wasmKernels() : null;
  if (!w) return softmaxRowsReference(x, rows, C, prob, lse);
  const arena = w.arena;
  const mark = arena.mark();
  try {
    const xAt = arena.put(x.subarray(0, rows * C));
    const out = arena.alloc(rows * C);
    const stats = arena.alloc(2 * rows); // per row: max, Σ exp(x − max)
    w.k.softmax_rows(xAt, rows, C, out, stats);
    prob.set(arena.view(out, rows * C));
    const s = arena.view(stats, 2 * rows);
    for (let r = 0; r < rows; r++) lse[r] = s[2 * r]! + Math.log(s[2 * r + 1]!);
  } finally {
    arena.release(mark);
  }
}

/**
 * The same with Math.exp, in float64 accumulators; with `S` > 1 the classes are S apart (logits
 * (N,C,S), lse (N,S)), as in crossEntropy over (N,C,d1,…).
 */
export function softmaxRowsReference(x: Float32Array, N: number, C: number, prob: Float32Array, lse: Float64Array, S = 1): void {
  const min = flushThreshold(); // probabilities below FLT_MIN are 0 when flushing (denormal.ts)
  for (let n = 0; n < N; n++)
    for (let s = 0; s < S; s++) {
      const base = n * C * S + s;
      const end = base + C * S;
      let m = -Infinity;
      for (let i = base; i < end; i += S) m = Math.max(m, x[i]!);
      let z = 0;
      for (let i = base; i < end; i += S) {
        const e = Math.exp(x[i]! - m);
        prob[i] = e;
        z += e;
      }
      const invZ = 1 / z;
      for (let i = base; i < end; i += S) prob[i] = flushed(prob[i]! * invZ, min);
      lse[n * S + s] = m + Math.log(z);
    }
}
