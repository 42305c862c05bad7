// Flushing subnormal results to zero in the kernels (denormal.ts says why). WebAssembly cannot set
// the CPU's flush-to-zero mode, so a kernel flushes the values it stores: with the threshold m
// (FLT_MIN while flushing, 0 when not), x keeps only its sign bit where |x| < m — an abs, a
// compare, a shift of the mask and an and-not per vector, no branch — so a subnormal becomes ±0
// as under x86's flush-to-zero (and tanh(−0) stays −0). |x| < 0 is never true and a NaN compares
// false, so with m = 0 every value passes unchanged, and flushing never touches normals,
// infinities or NaN.
//
// The threshold lives in the shared memory at FLUSH_AT (page 0, below the scratch tiles): the
// kernel-thread helper's instance reads the same word as the calling thread's, and the engine
// writes it when setFlushDenormal changes it (instance.ts). A kernel loads it once per call.

import { type Func, type Lane, get, set } from './text';

/** Byte address of the f32 threshold in page 0 (the scratch areas start at 1024: gemm.ts SCRATCH). */
export const FLUSH_AT = 0;

/** The threshold, splat to four lanes. */
export const flushMinVector = `(v128.load32_splat (i32.const ${FLUSH_AT}))`;

/** The threshold as one f32. */
export const flushMinScalar = `(f32.load (i32.const ${FLUSH_AT}))`;

/** `v` (a v128 expression, evaluated once through `tmp`) with lanes |x| < min (a v128 local) made ±0. */
export function flushVector(v: string, min: string, tmp: string): string {
  // the mask's all-ones lanes shifted right by one clear every bit but the sign
  return `(v128.andnot (local.tee $${tmp} ${v}) (i32x4.shr_u (f32x4.lt (f32x4.abs ${get(tmp)}) ${get(min)}) (i32.const 1)))`;
}

/** `v` (an f32 expression, evaluated once through `tmp`), or ±0 when |v| < min (an f32 local). */
export function flushScalar(v: string, min: string, tmp: string): string {
  return `(select (local.tee $${tmp} ${v}) (f32.copysign (f32.const 0) ${get(tmp)}) (i32.eqz (f32.lt (f32.abs ${get(tmp)}) ${get(min)})))`;
}

/**
 * Flushing for one lane type inside `f`: `init` loads the threshold into a local (emit it once,
 * before the loops), `value(v)` flushes a value of the lane's type. Locals are named after `tag`.
 */
export interface LaneFlush {
  init: string;
  value(v: string): string;
}

export function laneFlush(f: Func, L: Lane, tag = 'fz'): LaneFlush {
  const min = `${tag}_min${L.width}`;
  const tmp = `${tag}_t${L.width}`;
  f.local(min, L.type);
  f.local(tmp, L.type);
  return {
    init: set(min, L.width === 4 ? flushMinVector : flushMinScalar),
    value: (v) => (L.width === 4 ? flushVector(v, min, tmp) : flushScalar(v, min, tmp)),
  };
}

/** A value that needs no flush when stored: a constant, or a copy of a value loaded from memory. */
function isCopyOrConstant(v: string): boolean {
  const op = /^\((\S+)/.exec(v)?.[1];
  return op === 'v128.const' || op === 'f32.const' || op === 'v128.load' || op === 'f32.load';
}

/**
 * `L` whose stores flush the value they store — to the addresses `where` accepts (all by default);
 * constants and plain copies of loads pass as they are (a value in memory was flushed when it was
 * computed). `init` must run before the loops. (A value stored twice is flushed twice in the text;
 * flushing it once into a local gains nothing.)
 */
export function flushingLane(f: Func, L: Lane, where: (address: string) => boolean = () => true, tag = 'fz'): { lane: Lane; init: string } {
  const fl = laneFlush(f, L, tag);
  return { lane: { ...L, store: (p, v, o) => L.store(p, where(p) && !isCopyOrConstant(v) ? fl.value(v) : v, o) }, init: fl.init };
}
