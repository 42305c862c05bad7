// The small-input kernels (wat/smallInput.ts) of an instance, by the number of input features.

import type { KernelExports, WasmKernels } from './instance';
import { SMALL_INPUT_MAX } from './wat/smallInput';

export interface SmallInputKernels {
  /** out (rows, n) = x (rows, I)·wT (I, n) + bias (byte address; 0: none). */
  proj: KernelExports['input_proj_1'];
  /** dW (n, I) += Σ mᵀ·x in runs of kc rows, db (0: none) += Σ m; m's rows ld bytes apart. */
  sums: KernelExports['input_sums_1'];
}

/** The kernels for I input features, 1 ≤ I ≤ SMALL_INPUT_MAX. */
export function smallInputKernels(w: WasmKernels, I: number): SmallInputKernels {
  const k = w.k;
  switch (I) {
    case 1:
      return { proj: k.input_proj_1, sums: k.input_sums_1 };
    case 2:
      return { proj: k.input_proj_2, sums: k.input_sums_2 };
    case 3:
      return { proj: k.input_proj_3, sums: k.input_sums_3 };
    default:
      throw new Error(`smallInputKernels: I = ${I}, the kernels take 1 to ${SMALL_INPUT_MAX} input features`);
  }
}
