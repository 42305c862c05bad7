// Intra-op parallelism, like torch.set_num_threads: with two threads, a helper worker_thread holds
// its own instance of the kernel module on the same shared memory and computes one half of each
// large product (a column block of C) while the calling thread computes the other.
//
// One product is far too short for a message round trip (a batch-1 LSTM step's matrix-vector
// product takes a few µs), so the threads meet in shared memory: the caller writes the job into a
// control block and bumps a sequence number, the helper spins on it, runs the job and stores the
// number back as done; the caller spins on that. An idle helper spins for a couple of
// milliseconds after its last job (the next product of a training step or of a sequence comes
// within microseconds), then sleeps in Atomics.wait, and the caller wakes it with Atomics.notify.
// A job is claimed by compare-and-swap: when the caller finishes its half before the helper took
// the other (the helper sleeps, or the OS has not scheduled it on a busy machine), the caller
// runs that half too, so a descheduled helper never stalls the caller for a time slice.
//
// Besides single products, the helper replays a trace of kernel calls (wasm/replay.ts): a whole
// recurrent sequence on its rows of the batch while the caller runs the other rows
// (rnn/rowSplit.ts), with no meeting per step.
//
// Two threads at most: page 0 of the memory holds one scratch area per instance (gemm.ts).

import { host, type HostWorker } from '../../host/index';
import { SCRATCH_BYTES } from './wat/gemm';
import { type WasmKernels } from './instance';

/**
 * Control block (Int32Array over a SharedArrayBuffer). The words each side spins on sit in
 * cache lines of their own (16 ints = 64 bytes apart): otherwise every store of the job's
 * arguments would pull the line away from the spinning helper and back.
 */
const LINE = 16;
const SEQ = 0; // job number posted by the caller (the helper spins on it)
const DONE = LINE; // job number the helper finished (the caller spins on it)
const CLAIM = 2 * LINE; // the last job number claimed, by the helper or (taken back) by the caller
const FAILED = 3 * LINE; // 1 when the last job threw in the helper
const SLEEPING = FAILED + 1; // 1 while the helper waits in Atomics.wait
const READY = FAILED + 2; // 1 once the helper has its instance (until then the caller works alone)
const ELAPSED = FAILED + 3; // µs the helper spent on its last job
const OP = 4 * LINE;
const ARGS = OP + 1; // up to 12 i32 arguments
const SLOTS = 5 * LINE;

/** Kernel exports a job may name, by op number. */
export const TEAM_OPS = ['gemm_rows', 'gemm_rows_stream', 'gemm_panels', 'gemv', 'pack_b', 'lstm_b1_seq', 'gru_b1_seq', 'rnn_tanh_b1_seq', 'rnn_relu_b1_seq'] as const;
export type TeamOp = (typeof TEAM_OPS)[number];
const OP_NUMBER = new Map<TeamOp, number>(TEAM_OPS.map((op, i) => [op, i]));
const STOP = 99;
/** Job: replay the trace of kernel calls at ARGS[0] (wasm/replay.ts's layout). */
const REPLAY = 98;

// The helper's code, a classic script the host runs with `workerData` set (a string: the engine is
// bundled into several files, and the worker must not depend on where it was bundled).
const HELPER_SOURCE = `
const { module, memory, control, scratch, ops, traced } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
k.set_scratch(scratch);
const fns = ops.map((name) => k[name]);
const traceFns = traced.map((name) => k[name]);
const ctl = new Int32Array(control);
// A trace (wasm/replay.ts): [calls, results at], then per call [function, argument count,
// result slot or -1, arguments…]; a call's unused argument places read the next words, which a
// wasm function ignores past its parameters.
function replay(at) {
  const v = new Int32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  let i = at >> 2;
  const calls = v[i];
  const results = v[i + 1] >> 3;
  i += 2;
  for (let c = 0; c < calls; c++) {
    const n = v[i + 1];
    const slot = v[i + 2];
    const r = traceFns[v[i]](v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7], v[i + 8], v[i + 9], v[i + 10], v[i + 11], v[i + 12], v[i + 13], v[i + 14]);
    if (slot >= 0) f64[results + slot] = r;
    i += 3 + n;
  }
}
const IDLE_MS = 3;
let seen = 0;
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  let spins = 0;
  let since = performance.now();
  while (Atomics.load(ctl, ${SEQ}) === seen) {
    if ((++spins & 65535) === 0 && performance.now() - since > IDLE_MS) {
      Atomics.store(ctl, ${SLEEPING}, 1);
      if (Atomics.load(ctl, ${SEQ}) === seen) Atomics.wait(ctl, ${SEQ}, seen);
      Atomics.store(ctl, ${SLEEPING}, 0);
      since = performance.now();
    }
  }
  seen = Atomics.load(ctl, ${SEQ});
  const op = ctl[${OP}];
  if (op === ${STOP}) break;
  // The caller takes the job back when it finishes its own half first (this thread was not
  // scheduled in time): whoever claims the job runs it.
  if (Atomics.compareExchange(ctl, ${CLAIM}, seen - 1, seen) !== seen - 1) continue;
  const a = ctl;
  const t0 = performance.now();
  try {
    if (op === ${REPLAY}) replay(a[${ARGS}]);
    else fns[op](a[${ARGS}], a[${ARGS + 1}], a[${ARGS + 2}], a[${ARGS + 3}], a[${ARGS + 4}], a[${ARGS + 5}], a[${ARGS + 6}], a[${ARGS + 7}], a[${ARGS + 8}], a[${ARGS + 9}], a[${ARGS + 10}], a[${ARGS + 11}]);
    Atomics.store(ctl, ${FAILED}, 0);
  } catch (e) {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  ctl[${ELAPSED}] = Math.round(1000 * (performance.now() - t0));
  Atomics.store(ctl, ${DONE}, seen);
}
`;

/** The helper thread and what the caller keeps about it. */
export interface Team {
  kernels: WasmKernels;
  worker: HostWorker;
  ctl: Int32Array;
  seq: number;
  /** Jobs and missed jobs (taken back or late) in the current window of WINDOW jobs. */
  windowJobs: number;
  windowMissed: number;
  /** performance.now() until which the caller works alone (the other core is busy). */
  pausedUntil: number;
  /** Length of the next pause: doubles while windows keep failing, back to PAUSE_MIN_MS after a good one. */
  pauseMs: number;
  /** The caller's share of a product's column panels, by product (see planSplit). */
  shares: Map<string, number>;
}

/**
 * How a split product's column panels are shared out: `key` names the product (its kernel and
 * shape), `panels` is how many there are. The two threads are not equally fast on the same
 * shape (measured on these VMs: the helper took 23 % longer than the caller on its half at
 * H = 512, 21 % less at H = 1024, from cache and placement), and a step waits for the slower
 * half. Each product's share moves toward the balance the last split's two times show. Which
 * thread computes a column does not change its value: the results stay those of one thread.
 */
export interface SplitPlan {
  key: string;
  /** Panels the caller takes (the helper the rest): at least 1 of each. */
  mine: number;
  panels: number;
}

/** At most this many products keep a share (a step has a handful of distinct ones). */
const MAX_SHARES = 256;
const SHARE_MIN = 0.2;
const SHARE_MAX = 0.8;
/** How far one split moves the share toward the balance it measured. */
const SHARE_STEP = 0.25;
/** Halves shorter than this (ms) say little about the threads' speeds. */
const SHARE_MIN_MS = 0.02;

/** The caller's panels of a product of `panels` column panels (half until its splits have been timed). */
export function planSplit(t: Team, key: string, panels: number): SplitPlan {
  const share = t.shares.get(key) ?? 0.5;
  return { key, panels, mine: Math.min(panels - 1, Math.max(1, Math.round(panels * share))) };
}

function learnShare(t: Team, plan: SplitPlan, callerMs: number, helperMs: number): void {
  if (callerMs < SHARE_MIN_MS || helperMs < SHARE_MIN_MS) return;
  const s = plan.mine / plan.panels;
  const callerRate = s / callerMs;
  const helperRate = (1 - s) / helperMs;
  const balanced = callerRate / (callerRate + helperRate);
  const old = t.shares.get(plan.key) ?? 0.5;
  if (!t.shares.has(plan.key) && t.shares.size >= MAX_SHARES) t.shares.clear();
  t.shares.set(plan.key, Math.min(SHARE_MAX, Math.max(SHARE_MIN, old + SHARE_STEP * (balanced - old))));
}

/**
 * When more than half of a window's jobs were missed (taken back, or waited for long: see
 * runSplit), the helper is not getting the other core (another process, or the OS preempted it
 * for a time slice): spinning there only slows both, so the caller works alone for a while.
 * Pauses start short (a preempted helper is soon back, and a long pause after each such blip
 * would lose the gain of the short jobs in between) and double while the other core stays busy.
 */
const WINDOW = 64;
const PAUSE_MIN_MS = 10;
const PAUSE_MAX_MS = 500;

/**
 * Counters for the benchmark: products split, jobs taken back or waited for late, pauses; the
 * milliseconds the caller and the helper spent on their parts of the split jobs both ran, and
 * the caller's wait for the helper after its own part; for batch-1 sequences run on both
 * threads (rnn/splitSequence.ts), their steps and how many of the helper's parts the caller ran
 * because the helper had not claimed them in time; sequences run by rows on both threads
 * (rnn/rowSplit.ts); other stretches of kernel calls cut in two (wasm/twoParts.ts).
 */
export const teamStats = { split: 0, takenBack: 0, late: 0, pauses: 0, sequenceSteps: 0, sequenceStepsTaken: 0, rowSplits: 0, twoParts: 0, callerMs: 0, helperMs: 0, waitMs: 0 };

let threads = 1;
let team: Team | null = null;
/** The host cannot start a helper sharing memory (a browser page that is not cross-origin isolated). */
let noHelper = false;

/**
 * Sets how many threads the kernels of this thread use: 1 (default) or 2 (a helper thread takes
 * half of every large matrix product). Like torch.set_num_threads; more than 2 is not supported.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  if (n > 2) throw new Error(`setNumThreads: at most 2 threads are supported, got ${n}`);
  threads = n;
  // With 1 thread the helper (if any) stays: it sleeps in Atomics.wait once idle.
}

/** Threads the kernels of this thread use (setNumThreads). */
export function getNumThreads(): number {
  return threads;
}

function stopTeam(): void {
  if (!team) return;
  const t = team;
  team = null;
  t.ctl[OP] = STOP;
  Atomics.store(t.ctl, SEQ, t.seq + 1);
  Atomics.notify(t.ctl, SEQ);
  t.worker.terminate();
}

/**
 * The helper for these kernels when two threads are set and it is up, else null (the caller works
 * alone). Started on first use: it takes some tens of milliseconds to come up.
 */
export function teamFor(w: WasmKernels): Team | null {
  if (threads < 2 || noHelper || alone > 0) return null;
  if (team && team.kernels === w) return Atomics.load(team.ctl, READY) === 1 && (team.pausedUntil === 0 || performance.now() > team.pausedUntil) ? team : null;
  stopTeam(); // kernels switched flavour: the helper must share the new instance's memory
  const threadsHost = host().threads;
  if (!threadsHost.sharedMemory) {
    noHelper = true;
    return null;
  }
  const control = new SharedArrayBuffer(SLOTS * 4);
  const worker = threadsHost.startHelper(HELPER_SOURCE, { module: w.module, memory: w.memory, control, scratch: SCRATCH_BYTES, ops: [...TEAM_OPS], traced: tracedKernelNames(w) });
  if (worker === null) {
    noHelper = true;
    return null;
  }
  worker.unref();
  team = { kernels: w, worker, ctl: new Int32Array(control), seq: 0, windowJobs: 0, windowMissed: 0, pausedUntil: 0, pauseMs: PAUSE_MIN_MS, shares: new Map() };
  return null;
}

/** Nesting depth of runAlone: while above 0 the kernels of this thread work without the helper. */
let alone = 0;

/**
 * Runs `fn` with the kernels of this thread on this thread only: for the caller's part of a job
 * whose other part the helper runs (its products must not be split with a helper that is busy),
 * and while a trace of kernel calls is recorded (wasm/replay.ts).
 */
export function runAlone<T>(fn: () => T): T {
  alone++;
  try {
    return fn();
  } finally {
    alone--;
  }
}

const tracedNames = new WeakMap<object, string[]>();

/** The kernel functions a trace may call, by index (the helper gets the same list); one list per instance. */
export function tracedKernelNames(w: WasmKernels): string[] {
  let names = tracedNames.get(w.k);
  if (!names) {
    const k = w.k as unknown as Record<string, unknown>;
    names = Object.keys(k).filter((name) => typeof k[name] === 'function').sort();
    tracedNames.set(w.k, names);
  }
  return names;
}

/**
 * Runs `op(args)` on the helper while `mine()` runs here; returns when both are done. Throws if
 * the helper's part failed (a trap: an out-of-bounds operand). `plan`: the split of column panels
 * the two parts are (planSplit), which learns from both parts' times.
 */
export function runSplit(t: Team, op: TeamOp, args: readonly number[], mine: () => void, plan?: SplitPlan): void {
  runJob(t, OP_NUMBER.get(op)!, op, args, mine, () => (t.kernels.k[op] as (...a: number[]) => void)(...args), plan);
}

/**
 * Replays the trace at byte address `trace` (wasm/replay.ts) on the helper while `mine()` runs
 * here; `takeBack` replays it here instead when the helper has not started it by the time
 * `mine()` is done. As runSplit otherwise.
 */
export function runReplay(t: Team, trace: number, mine: () => void, takeBack: () => void, plan?: SplitPlan): void {
  runJob(t, REPLAY, 'a replayed sequence', [trace], mine, takeBack, plan);
}

function runJob(t: Team, op: number, name: string, args: readonly number[], mine: () => void, takeBack: () => void, plan?: SplitPlan): void {
  const ctl = t.ctl;
  ctl[OP] = op;
  for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i]!;
  const seq = ++t.seq;
  Atomics.store(ctl, SEQ, seq);
  // A sleeping helper takes tens of µs to wake: jobs posted meanwhile do not count against it.
  const asleep = Atomics.load(ctl, SLEEPING) === 1;
  if (asleep) Atomics.notify(ctl, SEQ);
  const started = performance.now();
  try {
    mine();
  } catch (e) {
    // The helper's part may be reading operands the caller frees as the error unwinds: the job
    // is withdrawn, or waited for when the helper has started it, before the error goes on.
    if (Atomics.compareExchange(ctl, CLAIM, seq - 1, seq) !== seq - 1) spinUntil(ctl, DONE, seq);
    throw e;
  }
  teamStats.split++;
  if (Atomics.compareExchange(ctl, CLAIM, seq - 1, seq) === seq - 1) {
    teamStats.takenBack++;
    if (!asleep) noteJob(t, true);
    // The helper has not started (asleep, or not scheduled on a busy machine): do it here.
    takeBack();
    return;
  }
  const mineDone = performance.now();
  spinUntil(ctl, DONE, seq); // the helper started its half about when we started ours
  const waited = performance.now() - mineDone;
  const helperMs = ctl[ELAPSED]! / 1000;
  teamStats.callerMs += mineDone - started;
  teamStats.helperMs += helperMs;
  teamStats.waitMs += waited;
  // A helper preempted in the middle of its half keeps the caller waiting for the rest of an OS
  // time slice. Such a wait counts against the helper like a take-back, and says nothing about
  // how fast it computes.
  const late = waited > LATE_FACTOR * (mineDone - started) + LATE_MIN_MS;
  if (plan && !late) learnShare(t, plan, mineDone - started, helperMs);
  if (late) teamStats.late++;
  if (!asleep) noteJob(t, late);
  if (Atomics.load(ctl, FAILED) === 1) throw new Error(`${name}: the kernel helper thread's half failed (operands out of bounds)`);
}

/** A wait for the helper longer than LATE_FACTOR × the caller's own half, plus LATE_MIN_MS, is late. */
const LATE_FACTOR = 2;
const LATE_MIN_MS = 0.05;

/** Counts a job in the current window; at the window's end pauses the team when too many were missed. */
function noteJob(t: Team, missed: boolean): void {
  if (missed) t.windowMissed++;
  if (++t.windowJobs < WINDOW) return;
  if (t.windowMissed > WINDOW / 2) {
    t.pausedUntil = performance.now() + t.pauseMs;
    t.pauseMs = Math.min(2 * t.pauseMs, PAUSE_MAX_MS);
    teamStats.pauses++;
  } else {
    t.pausedUntil = 0;
    if (t.windowMissed <= WINDOW / 8) t.pauseMs = PAUSE_MIN_MS;
  }
  t.windowJobs = t.windowMissed = 0;
}

/**
 * Spins until words[index] === value. A function of its own: V8 compiles a hot loop on the stack
 * (OSR) with the feedback seen so far, and inside runSplit the code after the wait loop has none
 * yet, so runSplit would be thrown out of optimized code again and again.
 */
function spinUntil(words: Int32Array, index: number, value: number): void {
  while (Atomics.load(words, index) !== value) {
    // spin
  }
}
