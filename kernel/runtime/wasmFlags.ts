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
 * Kernel threads (setNumThreads) for a training worker that has the machine to itself (fit()
 * with one worker: the kernel's own thread waits meanwhile): 2 where the machine has two cores or
 * more, 1 otherwise. RNN_LAB_THREADS=1|2 overrides. The kernel process's own thread keeps 1
 * unless RNN_LAB_THREADS says otherwise (cellThreads): on this project's 2-vCPU VMs, cells of
 * small models ran no faster, or slower, with a spinning helper thread beside them.
 */
export function kernelThreads(env: NodeJS.ProcessEnv = process.env): number {
  return askedThreads(env) ?? (availableParallelism() >= 2 ? 2 : 1);
}

/** Kernel threads for the kernel process's own thread (cells): RNN_LAB_THREADS, else 1. */
export function cellThreads(env: NodeJS.ProcessEnv = process.env): number {
  return askedThreads(env) ?? 1;
}

/** RNN_LAB_THREADS when it is 1 or 2, else undefined. */
function askedThreads(env: NodeJS.ProcessEnv): number | undefined {
  const asked = Number(env.RNN_LAB_THREADS);
  return asked === 1 || asked === 2 ? asked : undefined;
}
