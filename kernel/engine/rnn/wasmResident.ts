// Keeps a forward's buffers in wasm memory until its backward, so that the backward need not copy
// the tape (gates, states, input) back in, and the forward need not copy it out: the tape's
// arrays (residentTape) are copied out of wasm memory only when something reads them (the
// instrumentation, or the TypeScript kernels), when the resident buffers must go (the budget is
// reached), or when a backward that retains the graph is done with them. A backward that does
// not retain the graph frees them, as PyTorch frees a graph's saved tensors: a second backward
// through it is then an error that says so.
//
// The resident buffers are arena allocations left in place below the working stack, in forward
// order. A training step runs forward layer by layer and back in reverse order, so a backward
// finds its forward's buffers on top and pops them; other users of the arena (GEMMs of other ops)
// allocate above them and release back. Out-of-order backwards still find their buffers (they are
// only popped once everything above is done); forwards without a backward (evaluation with
// gradients on) pile up until the budget is reached, then all resident buffers are dropped.

import { type WasmKernels } from '../wasm/instance';

/** Byte addresses of a forward's buffers in wasm memory (0 where the cell has none). */
export interface ResidentBuffers {
  len: number;
  x: number;
  gates: number;
  hs: number;
  cs: number;
  hidden: number;
}

interface Entry {
  owner: object;
  start: number;
  end: number;
  buffers: ResidentBuffers;
  live: boolean;
  /** Copies the owner's tape arrays out of wasm memory (before the buffers go). */
  spill: () => void;
}

/** Most wasm memory (bytes) that resident buffers may hold; beyond it they are all dropped. */
const BUDGET = 256 * 2 ** 20;
const MAX_ENTRIES = 64;

const stacks = new WeakMap<WasmKernels, Entry[]>();
const owners = new WeakMap<object, Entry>();

function stackOf(w: WasmKernels): Entry[] {
  let s = stacks.get(w);
  if (!s) stacks.set(w, (s = []));
  return s;
}

/**
 * Called by a forward before it allocates: drops every resident buffer when adding `bytes` would
 * exceed the budget. Returns whether the forward may keep its buffers resident: always, however
 * large (a tape beyond the budget alone is dropped by the next forward). The forward allocates
 * them in wasm memory either way, and a copy out of it would hold the tape twice until the
 * backward (a long sequence's tape in JavaScript arrays, and wasm memory that never shrinks).
 */
export function makeRoom(w: WasmKernels, bytes: number): boolean {
  const stack = stackOf(w);
  const held = stack.reduce((s, e) => s + (e.end - e.start), 0);
  if (held + bytes > BUDGET || stack.length >= MAX_ENTRIES) dropAll(w);
  return true;
}

/** Drops all resident buffers (their tapes fall back to copying in). */
export function dropAll(w: WasmKernels): void {
  const stack = stackOf(w);
  if (stack.length === 0) return;
  for (const e of stack) {
    if (e.live) e.spill();
    e.live = false;
    owners.delete(e.owner);
  }
  w.arena.release(stack[0]!.start);
  stack.length = 0;
}

/** Leaves [start, end) of the arena in place for `owner`'s backward; the arena top must be `end`. */
export function keepResident(w: WasmKernels, owner: ResidentTape, start: number, end: number, buffers: ResidentBuffers): void {
  const e: Entry = { owner, start, end, buffers, live: true, spill: () => spillTape(owner) };
  stackOf(w).push(e);
  owners.set(owner, e);
}

/** The resident buffers of `owner`'s forward on this instance, or null (then copy the tape in). */
export function residentBuffers(w: WasmKernels, owner: object): ResidentBuffers | null {
  const e = owners.get(owner);
  if (!e || !e.live || !stackOf(w).includes(e)) return null;
  return e.buffers;
}

/**
 * `owner`'s backward is done with its buffers: pops them, and any done ones below, off the arena.
 * With `retain` the tape's arrays are copied out first (another backward may come); otherwise
 * the tape is freed.
 */
export function releaseResident(w: WasmKernels, owner: ResidentTape, retain: boolean): void {
  const e = owners.get(owner);
  if (!e) return;
  if (retain) spillTape(owner);
  else freeTape(owner);
  e.live = false;
  owners.delete(owner);
  const stack = stackOf(w);
  while (stack.length > 0 && !stack[stack.length - 1]!.live) w.arena.release(stack.pop()!.start);
}

/** Resident bytes on this instance (tests and diagnostics). */
export function residentBytes(w: WasmKernels): number {
  return stackOf(w).reduce((s, e) => s + (e.end - e.start), 0);
}

// ---------------------------------------------------------------------------------------------
// Tapes whose arrays stay in wasm memory

const FREED =
  'backward through a recurrent layer a second time: the gates and states it saved were freed by the first backward. ' +
  'Pass { retainGraph: true } to the first backward() to keep them (as retain_graph=True in PyTorch)';

interface TapeState {
  w: WasmKernels;
  fields: Record<string, [at: number, n: number]>;
  copies: Record<string, Float32Array>;
  freed: boolean;
}

const tapeStates = new WeakMap<object, TapeState>();

/** A tape object (e.g. an LstmTape) made by residentTape. */
export type ResidentTape = object;

/**
 * A tape whose Float32Array fields (byte address and length in wasm memory) are copied out on
 * first read; `plain` holds its other fields. Until keepResident takes it, read it at once or
 * release the arena: the addresses are only valid while the buffers are resident.
 */
export function residentTape<T extends object>(w: WasmKernels, plain: Partial<T>, fields: Record<string, [at: number, n: number]>): T {
  const state: TapeState = { w, fields, copies: {}, freed: false };
  const tape = { ...plain } as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    Object.defineProperty(tape, name, {
      enumerable: true,
      get: () => {
        const have = state.copies[name];
        if (have) return have;
        if (state.freed) throw new Error(FREED);
        const [at, n] = state.fields[name]!;
        return (state.copies[name] = state.w.arena.view(at, n).slice());
      },
    });
  }
  tapeStates.set(tape, state);
  return tape as T;
}

/** The same tape with its arrays copied out of wasm memory now (when its buffers cannot stay resident). */
export function copiedTape<T extends object>(w: WasmKernels, plain: Partial<T>, fields: Record<string, [at: number, n: number]>): T {
  const tape = { ...plain } as Record<string, unknown>;
  for (const [name, [at, n]] of Object.entries(fields)) tape[name] = w.arena.view(at, n).slice();
  return tape as T;
}

/** Copies every field of a resident tape out of wasm memory (no-op for other tapes). */
function spillTape(tape: object): void {
  const state = tapeStates.get(tape);
  if (!state || state.freed) return;
  for (const name of Object.keys(state.fields)) void (tape as Record<string, unknown>)[name];
}

function freeTape(tape: object): void {
  const state = tapeStates.get(tape);
  if (state && Object.keys(state.copies).length < Object.keys(state.fields).length) state.freed = true;
}
