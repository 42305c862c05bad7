// Routes what a cell produces (stream text, displays, results, errors) to the client, in order.
//
// Output goes to the cell whose code produces it: the running cell, or an earlier one whose timer
// or awaited continuation resumed (the runtime retargets the router then, cellExecution.ts);
// otherwise to the cell that ran last, as in Jupyter. Not AsyncLocalStorage: its promise hooks
// leave Node's async-id stack inconsistent when an interrupt terminates a cell's JavaScript
// (kernel/node/interrupt.ts), and Node then aborts. Code that must reach an earlier cell passes its
// executionId explicitly.
// Stream text is buffered briefly and always flushed before any other output, which keeps stdout
// and displays in the order the cell produced them.
import type { CellOutput } from '../protocol';
import type { OutputTransport } from '../transport/outputTransport';
import { host } from '../host/index';

type StreamName = 'stdout' | 'stderr';

/**
 * Stream text is sent at once, unless more than FLOOD_FLUSHES chunks went out within
 * FLUSH_AFTER_MS; then it is gathered until it is that old or FLUSH_AFTER_CHARS large, the event
 * loop is free, or anything else is sent.
 */
const FLUSH_AFTER_MS = 50;
const FLOOD_FLUSHES = 20;
const FLUSH_AFTER_CHARS = 16_384;

export class OutputRouter {
  private lastExecutionId: string | null = null;
  private pending: { executionId: string; name: StreamName; text: string } | null = null;
  private pendingSince = 0;
  private windowStart = 0;
  private flushesInWindow = 0;
  private flushTimer: unknown = null;

  constructor(private readonly transport: OutputTransport) {}

  /** Runs fn with executionId as the target of outputs from now on. */
  run<T>(executionId: string, fn: () => T): T {
    this.flush();
    this.lastExecutionId = executionId;
    return fn();
  }

  /** From now on, output goes to this cell (code of an earlier cell resumed). */
  retarget(executionId: string): void {
    if (executionId === this.lastExecutionId) return;
    this.flush();
    this.lastExecutionId = executionId;
  }

  /** The cell outputs go to right now: the running cell, else the last one run. */
  currentExecutionId(): string | null {
    return this.lastExecutionId;
  }

  emit(output: CellOutput, executionId: string | null = this.currentExecutionId()): void {
    this.flush();
    if (executionId !== null) this.transport.sendOutput({ executionId, output });
  }

  notify(method: string, params: unknown): void {
    this.flush();
    this.transport.sendNotification(method, params);
  }

  /** Text written to stdout or stderr; returns false when no cell has run yet (nowhere to go). */
  write(name: StreamName, text: string): boolean {
    const executionId = this.currentExecutionId();
    if (executionId === null) return false;
    if (this.pending && (this.pending.executionId !== executionId || this.pending.name !== name)) this.flush();
    if (this.pending) this.pending.text += text;
    else {
      this.pending = { executionId, name, text };
      this.pendingSince = Date.now();
    }
    // A synchronous loop never lets a timer run and the next write may be far away, so text goes
    // out at once unless writes come in a flood; then it is gathered, its age checked per write.
    const now = Date.now();
    if (now - this.windowStart >= FLUSH_AFTER_MS) {
      this.windowStart = now;
      this.flushesInWindow = 0;
    }
    const isFlood = this.flushesInWindow >= FLOOD_FLUSHES;
    const isOld = now - this.pendingSince >= FLUSH_AFTER_MS;
    if (!isFlood || isOld || this.pending.text.length >= FLUSH_AFTER_CHARS) this.flush();
    else this.flushTimer ??= host().timers.setImmediate(() => this.flush());
    return true;
  }

  flush(): void {
    if (this.flushTimer !== null) {
      host().timers.clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.flushesInWindow++;
    this.transport.sendOutput({ executionId: pending.executionId, output: { type: 'stream', name: pending.name, text: pending.text } });
  }
}
