// When an interrupt may send SIGINT. SIGINT is what stops a cell spinning in a synchronous loop,
// but it only reaches a cell the kernel has started: one sent before (a fresh kernel may still be
// busy checking the cells' types when a person presses Stop) finds nothing to stop, and the loop
// then never reads the protocol's notification queued behind it. So a cell is signalled once the
// kernel said it started (rnnLab/executionStarted), and only then. Two SIGINTs close together can
// end the kernel process (between two waits of its watcher the signal has Node's default action),
// so a second one waits a while. Pure: the kernel client supplies the sender.

export interface InterruptSender {
  /** The protocol's notification naming the cell (or any cell): in order with the requests. */
  notify(executionId: string | undefined): void;
  /** SIGINT to the kernel process. */
  signal(): void;
}

/** The shortest time between two SIGINTs, ms. */
export const SIGNAL_GAP_MS = 2000;

export class CellInterrupts {
  /** Cells sent and not answered yet, oldest first. */
  private readonly inFlight: string[] = [];
  private readonly started = new Set<string>();
  /** Cells an interrupt was asked for before they started: signalled when they start. */
  private readonly wanted = new Set<string>();
  private lastSignal = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly sender: InterruptSender,
    private readonly now: () => number = Date.now,
  ) {}

  sent(executionId: string): void {
    this.inFlight.push(executionId);
  }

  settled(executionId: string): void {
    const at = this.inFlight.indexOf(executionId);
    if (at >= 0) this.inFlight.splice(at, 1);
    this.started.delete(executionId);
    this.wanted.delete(executionId);
  }

  didStart(executionId: string): void {
    if (!this.inFlight.includes(executionId)) return;
    this.started.add(executionId);
    if (this.wanted.delete(executionId)) this.signal();
  }

  /** Interrupts the cell named, else the oldest one in flight, else whatever runs (a cell's leftover timer). */
  interrupt(executionId: string | undefined = this.inFlight[0]): void {
    this.sender.notify(executionId);
    if (executionId === undefined || this.started.has(executionId) || !this.inFlight.includes(executionId)) this.signal();
    else this.wanted.add(executionId);
  }

  private signal(): void {
    const now = this.now();
    if (now - this.lastSignal < SIGNAL_GAP_MS) return;
    this.lastSignal = now;
    this.sender.signal();
  }
}
