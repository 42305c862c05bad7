// The timers cells see: Node's own, registered with the execution that scheduled them, so that
// an interrupt or a reset clears them (cellExecution.ts), and their callbacks run as that
// execution (its output goes to its own cell). Cells get them as builtins of the notebook scope
// (`setTimeout(…)` in a cell) and as the modules 'timers' and 'timers/promises' (the resolver
// hands these out for `import … from 'node:timers'`). Outside a cell they are Node's.
import * as timers from 'node:timers';
import * as timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';
import type { CellExecution, ExecutionTracker } from './cellExecution';
import { interruptibleCallback } from './interrupt';
import type { CallbackChannel } from './callbackChannel';

type Callback = (...args: unknown[]) => void;
type Timer = ReturnType<typeof timers.setTimeout>;
type Immediate = ReturnType<typeof timers.setImmediate>;

interface PromiseTimerOptions {
  signal?: AbortSignal;
  ref?: boolean;
}

export interface CellTimerModules {
  /** The scope builtins: setTimeout, setInterval, setImmediate and their clear functions. */
  globals: Record<string, unknown>;
  /** What `import … from 'node:timers'` gives a cell. */
  timers: typeof timers;
  /** What `import … from 'node:timers/promises'` gives a cell. */
  promises: typeof timersPromises;
}

/**
 * `channel`: where the callbacks run. Not in the timer's own callback: an interrupt that
 * terminates a callback there would leave Node's timer bookkeeping half done (callbackChannel.ts).
 */
export function cellTimers(tracker: ExecutionTracker, channel: CallbackChannel): CellTimerModules {
  const owner = new WeakMap<object, CellExecution>();

  /** Runs a timer's callback as the execution that scheduled it, unless that one was stopped. */
  const asExecution = (execution: CellExecution, callback: Callback, args: unknown[], done?: () => void): (() => void) => () => {
    done?.();
    if (!execution.stopped) channel.run(() => runAs(execution, callback, args));
  };

  const runAs = (execution: CellExecution, callback: Callback, args: unknown[]) => {
    if (execution.stopped) return;
    tracker.enter(execution);
    tracker.inCallback = execution;
    try {
      interruptibleCallback(() => callback(...args));
    } finally {
      // Not reached when an interrupt terminates the callback: the runtime then finds it here.
      tracker.inCallback = null;
    }
  };

  function setTimeout(callback: Callback, ms?: number, ...args: unknown[]): Timer {
    const execution = tracker.current;
    if (typeof callback !== 'function' || !execution) return timers.setTimeout(callback, ms, ...args);
    const timer: Timer = timers.setTimeout(asExecution(execution, callback, args, () => execution.timeouts.delete(timer)), ms);
    return track(execution, execution.timeouts, timer);
  }

  function setInterval(callback: Callback, ms?: number, ...args: unknown[]): Timer {
    const execution = tracker.current;
    if (typeof callback !== 'function' || !execution) return timers.setInterval(callback, ms, ...args);
    return track(execution, execution.timeouts, timers.setInterval(asExecution(execution, callback, args), ms));
  }

  function setImmediate(callback: Callback, ...args: unknown[]): Immediate {
    const execution = tracker.current;
    if (typeof callback !== 'function' || !execution) return timers.setImmediate(callback, ...args);
    const immediate: Immediate = timers.setImmediate(asExecution(execution, callback, args, () => execution.immediates.delete(immediate)));
    return track(execution, execution.immediates, immediate);
  }

  function track<T extends object>(execution: CellExecution, into: Set<T>, handle: T): T {
    // Code of a stopped execution that still runs (a library's callback) schedules nothing.
    if (execution.stopped) clearAny(handle);
    else {
      into.add(handle);
      owner.set(handle, execution);
    }
    return handle;
  }

  function clearAny(handle: object): void {
    if (handle instanceof Object && '_onImmediate' in handle) timers.clearImmediate(handle as Immediate);
    else timers.clearTimeout(handle as Timer);
  }

  function clearTimeout(timer: Timer | string | number | undefined): void {
    timers.clearTimeout(timer);
    if (typeof timer === 'object' && timer !== null) owner.get(timer)?.timeouts.delete(timer);
  }

  function clearImmediate(immediate: Immediate | undefined): void {
    timers.clearImmediate(immediate);
    if (immediate) owner.get(immediate)?.immediates.delete(immediate);
  }

  /** A promise timer that never settles once its execution stops (nothing dangles, nothing throws). */
  function promiseTimer<T>(schedule: (fire: () => void) => object, value: T, options: PromiseTimerOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(abortError(signal));
      const onAbort = () => {
        clearAny(handle);
        reject(abortError(signal!));
      };
      const handle = schedule(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      });
      if (options.ref === false) (handle as Timer).unref();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  const promises = {
    ...timersPromises,
    setTimeout: <T = void>(ms?: number, value?: T, options?: PromiseTimerOptions) =>
      tracker.current ? promiseTimer((fire) => setTimeout(fire, ms), value as T, options) : timersPromises.setTimeout(ms, value, options),
    setImmediate: <T = void>(value?: T, options?: PromiseTimerOptions) =>
      tracker.current ? promiseTimer((fire) => setImmediate(fire), value as T, options) : timersPromises.setImmediate(value, options),
    // An async iterator: a stopped execution's loop never resumes (K.guardIterable), so the abort
    // that ends the interval rejects into a handler, never into an unhandled rejection.
    setInterval: <T = void>(ms?: number, value?: T, options?: PromiseTimerOptions) => {
      const stop = tracker.current?.abort.signal;
      const signal = stop && options?.signal ? AbortSignal.any([stop, options.signal]) : (stop ?? options?.signal);
      return timersPromises.setInterval(ms, value, { ...options, ...(signal ? { signal } : {}) });
    },
    scheduler: {
      wait: (ms: number, options?: PromiseTimerOptions) => promises.setTimeout(ms, undefined, options),
      yield: () => promises.setImmediate(),
    },
  } as unknown as typeof timersPromises;

  // util.promisify(setTimeout) in a cell gives the tracked promise version, as Node's does.
  Object.defineProperty(setTimeout, promisify.custom, { value: promises.setTimeout });
  Object.defineProperty(setImmediate, promisify.custom, { value: promises.setImmediate });

  const globals = { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval: clearTimeout, clearImmediate };
  return { globals, timers: { ...timers, ...globals, promises } as unknown as typeof timers, promises };
}

/** Node's AbortError, as timers/promises rejects with it. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason as unknown });
}
