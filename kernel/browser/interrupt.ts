// Interrupt in the browser worker. There is no SIGINT and nothing can terminate JavaScript from
// outside but Worker.terminate(), which ends the whole kernel. So:
//   - a cell that awaits (a timer, fit()'s job, a file) takes the interrupt as a JSON-RPC
//     notification between two turns, exactly as in Node (runtime.interruptExecution);
//   - a cell spinning in a synchronous loop polls a flag: where the page is cross-origin isolated
//     the extension shares one Int32 word with the kernel (BrowserKernelInit.interrupt) and stores 1
//     in it; compiled cells check it at every loop head (K.tick, cellRewrite.ts) and the engine at
//     trainSteps()'s step boundaries; the check ends the cell as an interrupt does in Node (its
//     variables so far stay), by throwing out of the loop;
//   - elsewhere no flag can reach a busy thread: the extension terminates the worker and says that
//     the kernel's state is lost (extension/web/).
// Nothing here can be cut short, so uninterruptible() and interruptibleCallback() just run.
import type { HostInterrupt } from '../host/index';

/** What a check throws: it unwinds the cell's synchronous code; the runtime reports the interrupt. */
export class InterruptSignal extends Error {
  constructor() {
    super('Execution interrupted.');
    this.name = 'Interrupted';
  }
}

export interface BrowserInterrupt extends HostInterrupt {
  /** Called on a check that found the flag set: the runtime's interrupt (it ends the cell's race). */
  onInterrupt(handler: () => void): void;
  /** Forgets a request that came when no cell ran (the next cell must not be interrupted by it). */
  clear(): void;
}

export function browserInterrupt(flag: SharedArrayBuffer | undefined): BrowserInterrupt {
  const words = flag ? new Int32Array(flag, 0, 1) : null;
  let handler: () => void = () => undefined;
  return {
    uninterruptible: (fn) => fn(),
    interruptibleCallback: (fn) => fn(),
    callbackTerminated: () => undefined,
    pollsInLoops: words !== null,
    check() {
      if (words === null || Atomics.load(words, 0) === 0) return;
      Atomics.store(words, 0, 0);
      handler();
      throw new InterruptSignal();
    },
    onInterrupt(h) {
      handler = h;
    },
    clear() {
      if (words) Atomics.store(words, 0, 0);
    },
  };
}
