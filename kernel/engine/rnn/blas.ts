// Flat-buffer helpers for the recurrent kernels beside the GEMM (../gemm.ts): bias broadcasts,
// column sums and the logistic function. Everything works on Float32Array (the engine's tensors)
// and Float64Array (finite-difference checks and references) alike; the code is the same, only
// the storage differs. Float32 results are flushed to zero below FLT_MIN when setFlushDenormal is
// on (denormal.ts).

import { flushed, flushRange, flushThresholdFor } from '../denormal';
import { type Buf } from '../gemm';

/** A zeroed buffer of `n` values with the same element type as `like`. */
export function allocLike<B extends Buf>(like: B, n: number): B {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as B;
}

/** out[r, c] += v[c] for each of `rows` rows of width `cols` (row stride `ld`), columns [c0, c1). */
export function addRowVector(out: Buf, rows: number, ld: number, v: Buf, c0: number, c1: number): void {
  const min = flushThresholdFor(out);
  for (let r = 0; r < rows; r++) {
    const o = r * ld;
    for (let c = c0; c < c1; c++) out[o + c] = flushed(out[o + c]! + v[c]!, min);
  }
}

/** out[c] += Σ_r m[mOff + r·ld + c] over `rows` rows of stride `ld`, columns [0, cols), row after row. */
export function addColumnSums(out: Buf, m: Buf, mOff: number, rows: number, ld: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = mOff + r * ld;
    for (let c = 0; c < cols; c++) out[c] = out[c]! + m[o + c]!;
  }
  flushRange(out, 0, cols, flushThresholdFor(out)); // once at the end, as the wasm col_sums
}

/** The logistic function 1/(1 + e^−x), in a form that overflows for no x: the gate kernels' and the sigmoid op's. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
