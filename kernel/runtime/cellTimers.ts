// The timers cells see: the host's own (Node's, or the browser worker's), registered with the
// execution that scheduled them, so that an interrupt or a reset clears them (cellExecution.ts),
// and their callbacks run as that execution (its output goes to its own cell). Cells get them as
// builtins of the notebook scope (`setTimeout(…)` in a cell) and as the modules 'timers' and
// 'timers/promises' (the resolver hands these out for `import … from 'node:timers'`, in the
// browser too). Outside a cell they are the host's.
import { host, type HostTimers } from '../host/index';
import type { CellExecution, ExecutionTracker } from './cellExecution';
import type { CallbackChannel } from './callbackChannel';

type Callback = (...args: unknown[]) => void;
/** A timer handle of the host (an object in Node, a number in the browser). */
type Handle = unknown;

interface PromiseTimerOptions {
  signal?: AbortSignal;
  ref?: boolean;
}

/** What `import … from 'node:timers/promises'` gives a cell (Node's module has the same members). */
export interface CellTimerPromises {
  setTimeout<T = void>(ms?: number, value?: T, options?: PromiseTimerOptions): Promise<T>;
  setImmediate<T = void>(value?: T, options?: PromiseTimerOptions): Promise<T>;
  setInterval<T = void>(ms?: number, value?: T, options?: PromiseTimerOptions): AsyncIterableIterator<T>;
  scheduler: { wait(ms: number, options?: PromiseTimerOptions): Promise<void>; yield(): Promise<void> };
}

export interface CellTimerModules {
  /** The scope builtins: setTimeout, setInterval, setImmediate and their clear functions. */
  globals: Record<string, unknown>;
  /** What `import … from 'node:timers'` gives a cell. */
  timers: Record<string, unknown>;
  /** What `import … from 'node:timers/promises'` gives a cell. */
  promises: CellTimerPromises;
}

/** util.promisify's hook (a registered symbol): `promisify(setTimeout)` gives the promise version, as Node's does. */
const PROMISIFY_CUSTOM = Symbol.for('nodejs.util.promisify.custom');

/**
 * `channel`: where the callbacks run. Not in the timer's own callback: an interrupt that
 * terminates a callback there would leave Node's timer bookkeeping half done (callbackChannel.ts).
 */
export function cellTimers(tracker: ExecutionTracker, channel: CallbackChannel): CellTimerModules {
  const base: HostTimers = host().timers;
  const interrupt = host().interrupt;
  /** Which execution scheduled a live timer (handles may be numbers: a Map, emptied as timers end). */
  const owner = new Map<Handle, CellExecution>();

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
      interrupt.interruptibleCallback(() => callback(...args));
    } finally {
      // Not reached when an interrupt terminates the callback: the runtime then finds it here.
      tracker.inCallback = null;
    }
  };

  /** A timer outside any cell, or with a non-function (the host's own error then), as the host does it. */
  const untracked = (callback: Callback, args: unknown[]): (() => void) => (typeof callback === 'function' && args.length > 0 ? () => callback(...args) : (callback as () => void));

  function setTimeout(callback: Callback, ms?: number, ...args: unknown[]): Handle {
    const execution = tracker.current;
    if (typeof callback !== 'function' || !execution) return base.setTimeout(untracked(callback, args), ms);
    const timer: Handle = base.setTimeout(
      asExecution(execution, callback, args, () => {
        execution.timeouts.delete(timer);
        owner.delete(timer);
      }),
      ms,
    );
    return track(execution, execution.timeouts, timer, base.clearTimeout);
  }

  function setInterval(callback: Callback, ms?: number, ...args: unknown[]): Handle {
    const execution = tracker.current;
    if (typeof callback !== 'function' || !execution) return base.setInterval(untracked(callback, args), ms);
    return track(execution, execution.timeouts, base.setInterval(asExecution(execution, callback, args), ms), base.clearInterval);
  }

  function setImmediate(callback: Callback, ...args: unknown[]): Handle {
    const execution = tracker.current;
    if (typeof callback !== 'function' || !execution) return base.setImmediate(untracked(callback, args));
    const immediate: Handle = base.setImmediate(
      asExecution(execution, callback, args, () => {
        execution.immediates.delete(immediate);
        owner.delete(immediate);
      }),
    );
    return track(execution, execution.immediates, immediate, base.clearImmediate);
  }

  function track(execution: CellExecution, into: Set<Handle>, handle: Handle, clear: (handle: Handle) => void): Handle {
    // Code of a stopped execution that still runs (a library's callback) schedules nothing.
    if (execution.stopped) clear(handle);
    else {
      into.add(handle);
      owner.set(handle, execution);
    }
    return handle;
  }

  function clearTimeout(timer: Handle): void {
    base.clearTimeout(timer);
    owner.get(timer)?.timeouts.delete(timer);
    owner.delete(timer);
  }

  function clearImmediate(immediate: Handle): void {
    base.clearImmediate(immediate);
    owner.get(immediate)?.immediates.delete(immediate);
    owner.delete(immediate);
  }

  /** A promise timer that never settles once its execution stops (nothing dangles, nothing throws). */
  function promiseTimer<T>(schedule: (fire: () => void) => () => void, value: T, options: PromiseTimerOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(abortError(signal));
      const onAbort = () => {
        cancel();
        reject(abortError(signal!));
      };
      const cancel = schedule(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  const later = (ms: number | undefined, options: PromiseTimerOptions | undefined) => (fire: () => void) => {
    const handle = tracker.current ? setTimeout(fire, ms) : base.setTimeout(fire, ms);
    if (options?.ref === false) base.unref(handle);
    return () => clearTimeout(handle);
  };
  const soon = (fire: () => void) => {
    const handle = tracker.current ? setImmediate(fire) : base.setImmediate(fire);
    return () => clearImmediate(handle);
  };

  const promises: CellTimerPromises = {
    setTimeout: <T = void>(ms?: number, value?: T, options?: PromiseTimerOptions) => promiseTimer(later(ms, options), value as T, options),
    setImmediate: <T = void>(value?: T, options?: PromiseTimerOptions) => promiseTimer(soon, value as T, options),
    // An async iterator: a stopped execution's loop never resumes (K.guardIterable), so the abort
    // that ends the interval rejects into a handler, never into an unhandled rejection.
    setInterval: <T = void>(ms?: number, value?: T, options?: PromiseTimerOptions) => {
      const stop = tracker.current?.abort.signal;
      const signal = stop && options?.signal ? AbortSignal.any([stop, options.signal]) : (stop ?? options?.signal);
      return intervalIterator(base, ms, value as T, signal, options?.ref !== false);
    },
    scheduler: {
      wait: (ms: number, options?: PromiseTimerOptions) => promises.setTimeout(ms, undefined, options),
      yield: () => promises.setImmediate(),
    },
  };

  Object.defineProperty(setTimeout, PROMISIFY_CUSTOM, { value: promises.setTimeout });
  Object.defineProperty(setImmediate, PROMISIFY_CUSTOM, { value: promises.setImmediate });

  const globals = { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval: clearTimeout, clearImmediate };
  return { globals, timers: { ...globals, promises }, promises };
}

/**
 * Node's timers/promises setInterval: an async iterator yielding `value` at each tick; ticks that
 * come while nobody waits are counted and handed out at once; an abort rejects the waiting next().
 */
function intervalIterator<T>(base: HostTimers, ms: number | undefined, value: T, signal: AbortSignal | undefined, ref: boolean): AsyncIterableIterator<T> {
  let ticks = 0;
  let ended = false;
  let waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  const handle = base.setInterval(() => {
    if (waiting === null) ticks++;
    else {
      const w = waiting;
      waiting = null;
      w.resolve({ done: false, value });
    }
  }, ms);
  if (!ref) base.unref(handle);
  const end = () => {
    ended = true;
    base.clearInterval(handle);
  };
  signal?.addEventListener(
    'abort',
    () => {
      end();
      const w = waiting;
      waiting = null;
      w?.reject(abortError(signal));
    },
    { once: true },
  );
  if (signal?.aborted) end();
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      if (ended) return Promise.resolve({ done: true, value: undefined });
      if (ticks > 0) {
        ticks--;
        return Promise.resolve({ done: false, value });
      }
      return new Promise<IteratorResult<T>>((resolve, reject) => (waiting = { resolve, reject }));
    },
    return: () => {
      end();
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return iterator;
}

/** Node's AbortError, as timers/promises rejects with it. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason as unknown });
}
