// F.linear on the WebAssembly kernels: y = x·Wᵀ + b and its backward, each operand copied into
// wasm memory once. The bias is added (and its gradient summed over the rows) by the add_rows /
// col_sums kernels instead of JavaScript loops over every element of y, which cost as much as a
// small product.

import { gemmPacked, packMatrixB } from './gemm';
import { F, type WasmKernels } from './instance';
import { multiplyByWeight, weightOperand } from './weightOperand';

/** y (M,O) = x (M,I) · weight (O,I)ᵀ + bias (O). */
export function wasmLinearForward(w: WasmKernels, x: Float32Array, M: number, I: number, weight: Float32Array, O: number, bias: Float32Array | null): Float32Array {
  const arena = w.arena;
  const mark = arena.mark();
  try {
    const y = arena.alloc(M * O);
    multiplyByWeight(w, weightOperand(w, arena.put(weight), O, I, M, M), M, arena.put(x), I, y, O, 0);
    if (bias) w.k.add_rows(y, M, O * F, arena.put(bias), O);
    return arena.view(y, M * O).slice();
  } finally {
    arena.release(mark);
  }
}

export interface LinearGrads {
  gx: Float32Array | null;
  gw: Float32Array | null;
  gb: Float32Array | null;
}

/** From g = ∂L/∂y (M,O): gx = g·weight (M,I), gw = gᵀ·x (O,I), gb = Σ_rows g (O); each only when asked for. */
export function wasmLinearBackward(
  w: WasmKernels,
  g: Float32Array,
  M: number,
  O: number,
  x: Float32Array,
  I: number,
  weight: Float32Array,
  want: { gx: boolean; gw: boolean; gb: boolean },
): LinearGrads {
  const arena = w.arena;
  const mark = arena.mark();
  try {
    const gAt = arena.put(g);
    let gx: Float32Array | null = null;
    if (want.gx) {
      const out = arena.alloc(M * I);
      const b = packMatrixB(w, arena.put(weight), I, false, O, I, M === 1); // op(B)[o, i] = weight[o, i]
      gemmPacked(w, false, M, O, gAt, O, b, out, I, 0);
      gx = arena.view(out, M * I).slice();
    }
    let gw: Float32Array | null = null;
    if (want.gw) {
      const out = arena.alloc(O * I);
      const b = packMatrixB(w, arena.put(x), I, false, M, I, O === 1); // op(B)[m, i] = x[m, i]
      gemmPacked(w, true, O, M, gAt, O, b, out, I, 0); // op(A)[o, m] = g[m, o]
      gw = arena.view(out, O * I).slice();
    }
    let gb: Float32Array | null = null;
    if (want.gb) {
      const out = arena.zeros(O);
      w.k.col_sums(out, gAt, M, O * F, O);
      gb = arena.view(out, O).slice();
    }
    return { gx, gw, gb };
  } finally {
    arena.release(mark);
  }
}
