// Traces of kernel calls: what a stretch of TypeScript asks of the wasm kernels, recorded without
// running it, then replayed — by the helper thread (team.ts), which holds its own instance of the
// same module on the same memory but runs no TypeScript. A recurrent sequence's steps on some
// rows of the batch are such a stretch (rnn/rowSplit.ts): the caller records the helper's rows,
// the helper replays them while the caller runs its own rows, and the numbers are the same as if
// one thread had run both, call for call.
//
// Recording swaps the kernels' exports for recorders, so only code that reaches the kernels
// through `w.k` at call time is traced (a function taken from w.k beforehand would run for real),
// and the traced code must not read what a kernel wrote (nothing runs while recording). A call's
// result is the one thing the recorded code may pass on: the recorder returns a token for it, and
// a step that returns the token has the replay store that call's result in its slot.

import { type KernelExports, type WasmKernels } from './instance';
import { runAlone, tracedKernelNames } from './team';

/** One kernel call: the function's index in tracedKernelNames, its i32 arguments, the result's slot (−1: none). */
interface TracedCall {
  fn: number;
  args: number[];
  slot: number;
}

export interface KernelTrace {
  calls: TracedCall[];
  /** Result slots the trace fills (slot i: the result a step numbered i returned). */
  slots: number;
}

/** A wasm function takes at most this many arguments in a trace (the helper passes 12). */
const MAX_ARGS = 12;
/** Results the recorders hand out: TOKEN + the call's index (exact in a double, and no kernel returns it). */
const TOKEN = 2 ** 52;

/** Why a stretch of code could not be traced; the caller runs it as it is instead. */
export class UntraceableError extends Error {}

/**
 * Records the kernel calls of `steps` calls of `step(i)` (i = 0 … steps − 1) without running
 * them. A number `step(i)` returns that is a call's result puts that result into slot i when the
 * trace is replayed. Throws UntraceableError for a call with other than i32 arguments or more
 * than MAX_ARGS of them.
 */
export function recordKernelCalls(w: WasmKernels, steps: number, step: (i: number) => number | void): KernelTrace {
  const names = tracedKernelNames(w);
  const index = new Map(names.map((name, i) => [name, i]));
  const calls: TracedCall[] = [];
  const real = w.k;
  const recorder = (name: string, fn: number) => (...args: number[]): number => {
    if (args.length > MAX_ARGS) throw new UntraceableError(`${name}: ${args.length} arguments, a trace passes at most ${MAX_ARGS}`);
    for (const a of args) if (!Number.isInteger(a) || a < -(2 ** 31) || a >= 2 ** 31) throw new UntraceableError(`${name}: argument ${a} is not an i32`);
    calls.push({ fn, args, slot: -1 });
    return TOKEN + calls.length - 1;
  };
  // The exports with each function replaced by its recorder (the exports object itself is frozen).
  const recording: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(real)) recording[name] = typeof value === 'function' ? recorder(name, index.get(name)!) : value;
  (w as { k: KernelExports }).k = recording as unknown as KernelExports;
  try {
    runAlone(() => {
      for (let i = 0; i < steps; i++) {
        const result = step(i);
        if (typeof result !== 'number' || result < TOKEN) continue;
        const call = calls[result - TOKEN];
        if (call) call.slot = i;
      }
    });
  } finally {
    (w as { k: KernelExports }).k = real;
  }
  return { calls, slots: steps };
}

/**
 * The trace in the arena, as the helper reads it (team.ts): [calls, results at], then per call
 * [function, argument count, slot, arguments…], then MAX_ARGS words of padding; the results, one
 * float64 per slot, after it. Returns the trace's byte address and the results' (both in
 * arena memory the caller releases).
 */
export function putTrace(w: WasmKernels, trace: KernelTrace): { at: number; results: number } {
  const words = 2 + trace.calls.reduce((n, c) => n + 3 + c.args.length, 0) + MAX_ARGS;
  const arena = w.arena;
  const at = arena.alloc(words);
  const results = arena.alloc(2 * trace.slots + 2); // float64s, 8-aligned (the arena aligns to 16)
  const v = arena.i32();
  let i = at >> 2;
  v[i++] = trace.calls.length;
  v[i++] = results;
  for (const c of trace.calls) {
    v[i++] = c.fn;
    v[i++] = c.args.length;
    v[i++] = c.slot;
    for (const a of c.args) v[i++] = a;
  }
  v.fill(0, i, i + MAX_ARGS);
  traceResults(w, trace, results).fill(NaN); // a slot no call fills
  return { at, results };
}

/** Replays the trace on this thread, its results into `results` (float64 per slot), as the helper would. */
export function replayHere(w: WasmKernels, trace: KernelTrace, results: number): void {
  const k = w.k as unknown as Record<string, (...a: number[]) => number>;
  const names = tracedKernelNames(w);
  const out = traceResults(w, trace, results); // kernels do not grow the memory: the view stays valid
  for (const c of trace.calls) {
    const r = k[names[c.fn]!]!(...c.args);
    if (c.slot >= 0) out[c.slot] = r;
  }
}

/** The results a replay stored (float64 per slot). */
export function traceResults(w: WasmKernels, trace: KernelTrace, results: number): Float64Array {
  return new Float64Array(w.memory.buffer, results, trace.slots);
}
