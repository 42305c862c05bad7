// Interrupting a running cell, even one spinning in a synchronous loop after an `await`.
//
// SIGINT cannot reach JavaScript on the main thread while a cell keeps it busy, and vm's
// breakOnSigint covers only the synchronous start of a script, not what runs after its first
// await. So a worker thread waits inside a vm call with breakOnSigint (Node's native watchdog
// catches the signal even while the main thread spins), then:
//   1. tells the main thread (a message), which ends the cell's race if it is merely waiting;
//   2. if the main thread does not take it within ACK_TIMEOUT_MS and its event loop is stuck (its
//      heartbeat, a counter a 20 ms timer bumps, has not moved for STUCK_AFTER_MS while a cell or a
//      cell's timer callback runs, ORPHAN_STUCK_AFTER_MS otherwise), it asks V8, through an inspector session on the main thread, to
//      terminate the JavaScript running there (Runtime.terminateExecution). That unwinds the
//      cell's code alone: cells start from a message of their own channel (see runtime.ts), the
//      kernel's own request handling is not on that stack. Then the message of step 1 ends the
//      cell's race as in the waiting case.
// A main thread that is merely slow (a loaded machine) keeps its heartbeat and is never
// terminated: termination lands on whatever JavaScript runs next, and that must be the cell's.
// Nor is it terminated inside a write to the protocol channel (uninterruptible): a half-written
// message would cost the client its connection. Every variable the cell assigned stays.
import { Worker } from 'node:worker_threads';

/** How long the worker waits for the main thread to take an interrupt before looking closer. */
const ACK_TIMEOUT_MS = 250;
/** A heartbeat that has not moved for this long means a synchronous loop holds the thread. */
const STUCK_AFTER_MS = 400;
/** The same for a thread held while no cell runs (leftover code no flag marks). */
const ORPHAN_STUCK_AFTER_MS = 1500;
const HEARTBEAT_MS = 20;

// flags[ACK]: the main thread took the latest interrupt; flags[RUNNING]: a cell runs;
// flags[CRITICAL]: the main thread is inside an uninterruptible section; flags[HEARTBEAT]: counter;
// flags[CALLBACK]: a callback a cell left behind (its timer) runs.
const ACK = 0;
const RUNNING = 1;
const CRITICAL = 2;
const HEARTBEAT = 3;
const CALLBACK = 4;

const flags = new Int32Array(new SharedArrayBuffer(20));
// Taken before any cell runs: a cell that replaces Atomics.add must not stop every write of the
// kernel (they run inside uninterruptible) or its interrupts (the member is put back after the cell).
const { add, sub, store, exchange, notify } = Atomics;
/** The word the watcher waits on inside its breakOnSigint call; a notify makes it start a new call. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs a cell's leftover callback (a timer of a finished cell) so that an interrupt can end it
 * too: `setTimeout(() => { for (;;) {} })` must not take the kernel for good.
 */
export function interruptibleCallback<T>(fn: () => T): T {
  const outer = exchange(flags, CALLBACK, 1);
  try {
    return fn();
  } finally {
    store(flags, CALLBACK, outer);
  }
}

/** Runs fn where a terminating interrupt must not land (it waits until fn returns). */
export function uninterruptible<T>(fn: () => T): T {
  add(flags, CRITICAL, 1);
  try {
    return fn();
  } finally {
    sub(flags, CRITICAL, 1);
  }
}

/** After an interrupt terminated a callback (its finally did not run): none runs any more. */
export function callbackTerminated(): void {
  store(flags, CALLBACK, 0);
}

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
const inspector = require('node:inspector');
const flags = new Int32Array(workerData.flags);
const sleep = (ms) => Atomics.wait(flags, ${ACK}, 0, ms);
globalThis.sleeper = new Int32Array(workerData.sleeper);
const waitForSignal = new vm.Script('Atomics.wait(sleeper, 0, 0)');
const running = () => Atomics.load(flags, ${RUNNING}) === 1 || Atomics.load(flags, ${CALLBACK}) === 1;
function stuck() {
  // The heartbeat stands still while a synchronous loop holds the main thread. With no cell
  // running it takes longer to decide: then it is code a cell left behind that no flag marks
  // (a promise chain that never yields to the event loop).
  let beat = Atomics.load(flags, ${HEARTBEAT});
  let still = 0;
  while (still < (running() ? workerData.stuckAfterMs : workerData.orphanStuckAfterMs)) {
    if (sleep(workerData.heartbeatMs) !== 'timed-out') return false; // taken meanwhile
    const now = Atomics.load(flags, ${HEARTBEAT});
    if (now !== beat) [beat, still] = [now, 0];
    else still += workerData.heartbeatMs;
  }
  return true;
}
for (;;) {
  try {
    waitForSignal.runInThisContext({ breakOnSigint: true });
  } catch (error) {
    if (error.code !== 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw error;
    Atomics.store(flags, ${ACK}, 0);
    parentPort.postMessage('interrupt');
    const answer = sleep(workerData.ackTimeoutMs);
    if (answer === 'timed-out' && stuck()) {
      while (Atomics.load(flags, ${CRITICAL}) !== 0) Atomics.wait(flags, ${CRITICAL}, Atomics.load(flags, ${CRITICAL}), 5);
      const session = new inspector.Session();
      session.connectToMainThread();
      session.post('Runtime.terminateExecution', () => session.disconnect());
    }
  }
}
`;

/**
 * Makes the watcher start a new breakOnSigint call, whose watchdog takes SIGINT again. For after
 * the kernel's SIGINT listener was added back (a cell removed it): libuv then installed its own
 * handler over the watchdog's, and a signal would wait for a main thread that may be spinning.
 */
export function rearmInterruptWatcher(): void {
  notify(sleeper, 0);
}

export interface InterruptWatcher {
  /** Marks a cell as running while fn's promise is pending (only then is code terminated). */
  whileRunning<T>(fn: () => Promise<T>): Promise<T>;
  /** An interrupt asked for over the protocol rather than by SIGINT. */
  requestInterrupt(): void;
}

/**
 * interrupt: ends the running cell's wait, returns false when no cell runs.
 * isRunning: whether a cell is running now.
 */
export function startInterruptWatcher(interrupt: () => boolean, isRunning: () => boolean): InterruptWatcher {
  const take = () => {
    store(flags, ACK, 1);
    notify(flags, ACK);
    interrupt();
  };
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { flags: flags.buffer, sleeper: sleeper.buffer, ackTimeoutMs: ACK_TIMEOUT_MS, stuckAfterMs: STUCK_AFTER_MS, orphanStuckAfterMs: ORPHAN_STUCK_AFTER_MS, heartbeatMs: HEARTBEAT_MS },
  });
  worker.on('message', take);
  worker.on('error', (error) => process.stderr.write(`interrupt watcher failed: ${String(error)}\n`));
  worker.unref();
  setInterval(() => add(flags, HEARTBEAT, 1), HEARTBEAT_MS).unref();
  // Between two waits of the worker, the signal reaches the main thread's listener instead.
  process.on('SIGINT', take);
  return {
    async whileRunning(fn) {
      store(flags, RUNNING, 1);
      try {
        return await fn();
      } finally {
        store(flags, RUNNING, isRunning() ? 1 : 0);
      }
    },
    requestInterrupt: take,
  };
}
