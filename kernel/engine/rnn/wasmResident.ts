// Keeps a forward's buffers in wasm memory until its backward, so that the backward need not copy
// the tape (gates, states, input) back in. The tape's JS arrays exist all the same: the engine's
// autograd keeps graphs alive as long as they are referenced and may run a backward more than
// once, so the JS copy is the truth and the resident copy only a cache that may go at any time.
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
 * exceed the budget. Returns whether the forward may keep its buffers resident.
 */
export function makeRoom(w: WasmKernels, bytes: number): boolean {
  if (bytes > BUDGET / 2) return false;
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
    e.live = false;
    owners.delete(e.owner);
  }
  w.arena.release(stack[0]!.start);
  stack.length = 0;
}

/** Leaves [start, end) of the arena in place for `owner`'s backward; the arena top must be `end`. */
export function keepResident(w: WasmKernels, owner: object, start: number, end: number, buffers: ResidentBuffers): void {
  const e: Entry = { owner, start, end, buffers, live: true };
  stackOf(w).push(e);
  owners.set(owner, e);
}

/** The resident buffers of `owner`'s forward on this instance, or null (then copy the tape in). */
export function residentBuffers(w: WasmKernels, owner: object): ResidentBuffers | null {
  const e = owners.get(owner);
  if (!e || !e.live || !stackOf(w).includes(e)) return null;
  return e.buffers;
}

/** `owner`'s backward is done with its buffers: pops them, and any done ones below, off the arena. */
export function releaseResident(w: WasmKernels, owner: object): void {
  const e = owners.get(owner);
  if (!e) return;
  e.live = false;
  owners.delete(owner);
  const stack = stackOf(w);
  while (stack.length > 0 && !stack[stack.length - 1]!.live) w.arena.release(stack.pop()!.start);
}

/** Resident bytes on this instance (tests and diagnostics). */
export function residentBytes(w: WasmKernels): number {
  return stackOf(w).reduce((s, e) => s + (e.end - e.start), 0);
}
