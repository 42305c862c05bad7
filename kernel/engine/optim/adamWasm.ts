// The Adam/AdamW update of one parameter on the WebAssembly kernels (wasm/wat/optim.ts): the
// parameter, its gradient and the moments are copied into wasm memory, updated four at a time in
// float32, and copied back.

import { type WasmKernels } from '../wasm/instance';

/** The scalars of one update, as adam.ts derives them from the hyperparameters and the step. */
export interface AdamScalars {
  /** Add λ·θ to the gradient (Adam's weightDecay). */
  l2: boolean;
  /** −1 to maximize, else 1. */
  sign: number;
  /** 1 − lr·λ for AdamW, else 1. */
  decay: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  /** √(1 − β₂ᵗ) */
  bc2Sqrt: number;
  eps: number;
  /** lr / (1 − β₁ᵗ) */
  stepSize: number;
}

/** Updates θ, m, v (and v̂ with AMSGrad) in place. */
export function adamUpdateWasm(w: WasmKernels, theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, s: AdamScalars): void {
  const arena = w.arena;
  const mark = arena.mark();
  try {
    const n = theta.length;
    const [t, g, ma, va] = [arena.put(theta), arena.put(grad), arena.put(m), arena.put(v)];
    const vm = vMax ? arena.put(vMax) : 0;
    w.k.adam_f32(t, g, ma, va, vm, n, s.l2 ? 1 : 0, s.sign, s.decay, s.weightDecay, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.bc2Sqrt, s.eps, s.stepSize);
    theta.set(arena.view(t, n));
    m.set(arena.view(ma, n));
    v.set(arena.view(va, n));
    if (vMax) vMax.set(arena.view(vm, n));
  } finally {
    arena.release(mark);
  }
}
