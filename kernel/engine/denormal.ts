// Subnormal floats flushed to zero, as torch.set_flush_denormal(True) makes x86 do in PyTorch.
//
// A gradient that vanishes through time (∂L/∂h_t of a long sequence, the phenomenon the samples
// teach) shrinks into the subnormal range (0 < |x| < FLT_MIN = 1.17549435e-38) before it reaches
// 0, and on many x86 CPUs an operation with a subnormal operand or result takes one to two orders
// of magnitude longer. WebAssembly cannot switch the CPU's flush-to-zero mode, so the kernels
// flush themselves: where a kernel stores a value that a decaying signal passes through — the states and gradients of the recurrent kernels
// (wasm/wat/cells.ts FLUSH), every GEMM's results, column sums, softmax probabilities, Adam's m,
// v and θ, SGD's and RMSprop's buffers — a compare and a mask per vector make |x| < FLT_MIN
// exactly ±0 (the sign kept, as x86's flush-to-zero does). Values at or above FLT_MIN, zeros,
// infinities and NaN are stored as they are, so results differ from unflushed ones only in values
// that were below FLT_MIN, and by what such values would have added (a few FLT_MIN at most in the
// tests). The TypeScript reference kernels flush the same values, as they store them to float32
// (Float64Array problems are not flushed).
//
// The switch is per thread, as the rest of the engine's state: the kernel-thread helper shares
// this thread's memory and reads the same threshold; fit() hands it to its training workers.

/** The smallest normal float32, 2^−126. */
export const FLT_MIN = 1.1754943508222875e-38;

/**
 * On by default: where nothing is subnormal the flush costs a compare and a mask per stored
 * vector, and where a CPU is slow on subnormals it removes the cliff.
 */
export const FLUSH_DENORMAL_DEFAULT = true;

let flushing = FLUSH_DENORMAL_DEFAULT;
const listeners: ((threshold: number) => void)[] = [];

/**
 * Flush subnormal float32 results to zero in the engine's kernels (WebAssembly and TypeScript) on
 * this thread, like torch.set_flush_denormal. Returns whether flushing is supported: always true
 * (the kernels flush in software, on every CPU). fit() hands the setting to its workers.
 */
export function setFlushDenormal(enabled: boolean): boolean {
  if (typeof enabled !== 'boolean') throw new Error(`setFlushDenormal: expected true or false, got ${String(enabled)}`);
  flushing = enabled;
  for (const l of listeners) l(flushThreshold());
  return true;
}

/** Whether the kernels of this thread flush subnormal results to zero (setFlushDenormal). */
export function getFlushDenormal(): boolean {
  return flushing;
}

/**
 * The kernels' threshold: results with |x| below it become 0. FLT_MIN while flushing, else 0
 * (nothing is below 0 in magnitude, and a NaN compares false either way).
 */
export function flushThreshold(): number {
  return flushing ? FLT_MIN : 0;
}

/** Calls `f(threshold)` now and on every change (the wasm instances keep it in their memory). */
export function onFlushThreshold(f: (threshold: number) => void): void {
  listeners.push(f);
  f(flushThreshold());
}

/**
 * The threshold for results stored into `buf`: flushThreshold() for a Float32Array, 0 for a
 * Float64Array (float64 has no float32 subnormals to avoid; the finite-difference checks and
 * references run there unchanged).
 */
export function flushThresholdFor(buf: Float32Array | Float64Array): number {
  return buf instanceof Float32Array ? flushThreshold() : 0;
}

/**
 * `v`, or 0 when the float32 it rounds to is below `min` in magnitude: the TypeScript kernels'
 * flush of one value they store (they compute in float64 and round on the store).
 */
export function flushed(v: number, min: number): number {
  return v < min && v > -min && Math.abs(Math.fround(v)) < min ? v * 0 : v; // v·0: ±0 with v's sign
}

/** Sets values of a[from, to) with |x| < min to ±0 (the TypeScript kernels' flush of a range). */
export function flushRange(a: Float32Array | Float64Array, from: number, to: number, min: number): void {
  if (min === 0) return;
  for (let i = from; i < to; i++) {
    const v = a[i]!;
    if (v < min && v > -min && v !== 0) a[i] = v * 0;
  }
}
