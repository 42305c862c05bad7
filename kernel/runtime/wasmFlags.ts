// Turns on WebAssembly relaxed SIMD (fused multiply-add, wider GEMM tiles: about 1.5× faster
// training) in processes RNN Lab starts itself. Node 20's V8 has it behind a flag; newer V8s ship
// it and ignore the flag. It must run before the engine first validates its wasm modules, and
// before any worker starts, so that every thread of the process computes with the same kernels
// (worker and kernel-thread training stay bit-identical).

import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

export function enableRelaxedSimd(): void {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/**
 * Threads for the kernels of the kernel process (setNumThreads): 2 where the machine has two cores
 * or more (large products split with a helper thread: same results bit for bit, and it steps back
 * while the other core is busy), 1 otherwise. RNN_LAB_THREADS=1|2 overrides.
 */
export function kernelThreads(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.RNN_LAB_THREADS);
  if (asked === 1 || asked === 2) return asked;
  return availableParallelism() >= 2 ? 2 : 1;
}
