// Turns on WebAssembly relaxed SIMD (fused multiply-add, wider GEMM tiles) in processes RNN Lab
// starts itself. Node 20's V8 has it behind a flag; newer V8s (Node 22+, the Electron of desktop
// VS Code) ship it and no longer know the flag: setting it there prints "Error: unrecognized flag
// --experimental-wasm-relaxed-simd" at every start. So the feature is detected first, and the
// flag set only where it is missing. It must run before the
// engine first validates its wasm modules, and before any worker starts (V8 flags are the
// process's, shared by its worker threads), so that every thread computes with the same kernels
// (worker and kernel-thread training stay bit-identical). Setting a V8 flag is Node's business:
// kernel/node/relaxedSimd.ts hands in v8.setFlagsFromString; a browser has the feature or not.

import { host } from '../../host/index';

export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * The smallest module that uses a relaxed-SIMD instruction, written out byte by byte:
 *   (module (func (param v128 v128 v128) (result v128)
 *     local.get 0  local.get 1  local.get 2  f32x4.relaxed_madd))
 * It validates exactly where relaxed SIMD is on (SIMD128 alone is not enough).
 */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, // magic: \0asm
  0x01, 0x00, 0x00, 0x00, // version 1
  // type section (id 1, 8 bytes): 1 type, func (0x60) of 3 params v128 (0x7b) → 1 result v128
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  // function section (id 3, 2 bytes): 1 function, of type 0
  0x03, 0x02, 0x01, 0x00,
  // code section (id 10, 13 bytes): 1 body of 11 bytes, no locals
  0x0a, 0x0d, 0x01, 0x0b, 0x00,
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // local.get 0, 1, 2
  0xfd, 0x85, 0x02, // SIMD prefix 0xfd, opcode 0x105 (LEB128 0x85 0x02): f32x4.relaxed_madd
  0x0b, // end
]);

export type Validate = (bytes: Uint8Array<ArrayBuffer>) => boolean;

export const validateWasm: Validate = (bytes) => typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes);

/** Whether this runtime compiles relaxed SIMD now (with the flag set or without). */
export function hasRelaxedSimd(validate: Validate = validateWasm): boolean {
  return validate(RELAXED_SIMD_PROBE);
}

/** 'native': the V8 ships it; 'flag': on after setting RELAXED_SIMD_FLAG; 'unavailable': neither. */
export type RelaxedSimdState = 'native' | 'flag' | 'unavailable';

let state: RelaxedSimdState | null = null;

/**
 * Makes relaxed SIMD available if it can be: nothing to do where the V8 has it; elsewhere the
 * flag (set by `setFlags`), then a second check (the flag applies to modules compiled after it is set).
 */
export function enableRelaxedSimd(validate: Validate, setFlags: (flags: string) => void): RelaxedSimdState {
  if (hasRelaxedSimd(validate)) return (state = 'native');
  setFlags(RELAXED_SIMD_FLAG);
  return (state = hasRelaxedSimd(validate) ? 'flag' : 'unavailable');
}

/** What enableRelaxedSimd found, or null if it has not run in this thread. */
export function relaxedSimdState(): RelaxedSimdState | null {
  return state;
}

/** The V8 flags enableRelaxedSimd set: [RELAXED_SIMD_FLAG] or none (for reports). */
export function relaxedSimdFlags(): string[] {
  return state === 'flag' || state === 'unavailable' ? [RELAXED_SIMD_FLAG] : [];
}

/**
 * Kernel threads (setNumThreads) for a training worker that has the machine to itself (fit()
 * with one worker: the kernel's own thread waits meanwhile): 2 where the machine has two cores or
 * more, 1 otherwise. RNN_LAB_THREADS=1|2 overrides. The kernel process's own thread keeps 1
 * unless RNN_LAB_THREADS says otherwise (cellThreads): for the small models of most cells, a
 * helper spinning beside them is not worth the core it takes.
 */
export function kernelThreads(env: ThreadsEnv = hostEnv()): number {
  return askedThreads(env) ?? (host().threads.cores >= 2 ? 2 : 1);
}

/** Kernel threads for the kernel process's own thread (cells): RNN_LAB_THREADS, else 1. */
export function cellThreads(env: ThreadsEnv = hostEnv()): number {
  return askedThreads(env) ?? 1;
}

/** The environment variable these read. */
export type ThreadsEnv = { RNN_LAB_THREADS?: string | undefined };

const hostEnv = (): ThreadsEnv => ({ RNN_LAB_THREADS: host().process.env('RNN_LAB_THREADS') });

/** RNN_LAB_THREADS when it is 1 or 2, else undefined. */
function askedThreads(env: ThreadsEnv): number | undefined {
  const asked = Number(env.RNN_LAB_THREADS);
  return asked === 1 || asked === 2 ? asked : undefined;
}
