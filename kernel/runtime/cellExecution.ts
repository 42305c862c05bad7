// What each run of a cell started, so that an interrupt (or a reset) can end it.
//
// Every run of a cell is a CellExecution. The code compiled from cells carries it along without
// AsyncLocalStorage (whose promise hooks leave Node's async-id stack inconsistent when an interrupt
// terminates a cell's JavaScript, and Node then aborts): the tracker's `current` is set when a
// cell starts, and again whenever code of that execution resumes through the runtime — after an
// `await` (K.guard), in a timer callback the cell's setTimeout/setInterval/setImmediate scheduled
// (cellTimers.ts). Stopping an execution clears its pending timers and makes its awaits never
// resume, so an interrupted `for (;;) { await sleep(200); … }` ends where it waits.
//
// What is not ours cannot be stopped this way: a callback handed to a library's own event or
// timer (emitter.on, a Node stream) still runs; its output goes to the cell that ran last.

import { host } from '../host/index';

/** A timer handle of the host (an object in Node, a number in the browser). */
type Timer = unknown;
type Immediate = unknown;

export class CellExecution {
  /** Interrupted, or reset: nothing of this execution runs again. */
  stopped = false;
  readonly timeouts = new Set<Timer>();
  readonly immediates = new Set<Immediate>();
  /** Aborted on stop: for the cells' promise timers (an interval's async iterator). */
  readonly abort = new AbortController();
  /** Promises the execution awaited (a training job's `done`, for instance). */
  readonly awaited = new Set<unknown>();
  /** Awaits in flight (K.guard): floating async code of a finished cell is still live work. */
  pendingAwaits = 0;

  constructor(
    readonly executionId: string,
    /** "cell 3": how messages name the cell. */
    readonly label: string,
  ) {}

  /** Clears every pending timer; the awaits in flight never resume. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const timers = host().timers;
    for (const timer of this.timeouts) timers.clearTimeout(timer);
    for (const immediate of this.immediates) timers.clearImmediate(immediate);
    this.timeouts.clear();
    this.immediates.clear();
    this.awaited.clear();
    this.abort.abort(new Error(`${this.label} was interrupted`));
  }

  get hasPendingWork(): boolean {
    return this.timeouts.size > 0 || this.immediates.size > 0 || this.pendingAwaits > 0;
  }
}

export class ExecutionTracker {
  /** The execution whose code runs now, or ran last. */
  current: CellExecution | null = null;
  /** The execution whose timer callback runs now (still set if an interrupt terminated it). */
  inCallback: CellExecution | null = null;
  /** Executions that may still have work pending (timers, floating async code). */
  private readonly live = new Set<CellExecution>();

  /** `onEnter` is told whenever code of an execution starts or resumes (to route its output). */
  constructor(private readonly onEnter: (execution: CellExecution) => void = () => undefined) {}

  begin(executionId: string, label: string): CellExecution {
    for (const execution of this.live) if (!execution.hasPendingWork && execution !== this.current) this.live.delete(execution);
    const execution = new CellExecution(executionId, label);
    this.live.add(execution);
    this.enter(execution);
    return execution;
  }

  enter(execution: CellExecution): void {
    this.current = execution;
    this.onEnter(execution);
  }

  /** Reset: ends what every cell left behind. */
  stopAll(): void {
    for (const execution of this.live) execution.stop();
    this.live.clear();
  }
}
