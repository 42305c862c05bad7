// Timers in a Web Worker: the worker's own setTimeout/setInterval (taken at start, before any cell
// could replace them), and setImmediate, which browsers lack, as a message on a channel of its own:
// it runs after the messages already queued (a JSON-RPC request, an interrupt) and is not clamped to
// 4 ms the way nested setTimeout(0) calls are (fit() on this thread yields once per ~20 ms slice).
import type { HostTimers } from '../host/index';

/** An immediate's handle: an object, so that it never equals a timer's number. */
interface Immediate {
  readonly id: number;
}

export function browserTimers(): HostTimers {
  const setTimeoutNative = globalThis.setTimeout.bind(globalThis);
  const clearTimeoutNative = globalThis.clearTimeout.bind(globalThis);
  const setIntervalNative = globalThis.setInterval.bind(globalThis);
  const clearIntervalNative = globalThis.clearInterval.bind(globalThis);
  const queued = new Map<number, () => void>();
  const channel = new MessageChannel();
  let next = 1;
  channel.port1.onmessage = (event: MessageEvent<number>) => {
    const callback = queued.get(event.data);
    if (callback === undefined) return; // cleared meanwhile
    queued.delete(event.data);
    callback();
  };
  return {
    setTimeout: (callback, ms) => setTimeoutNative(callback, ms),
    clearTimeout: (handle) => clearTimeoutNative(handle as number | undefined),
    setInterval: (callback, ms) => setIntervalNative(callback, ms),
    clearInterval: (handle) => clearIntervalNative(handle as number | undefined),
    setImmediate(callback) {
      const handle: Immediate = { id: next++ };
      queued.set(handle.id, callback);
      channel.port2.postMessage(handle.id);
      return handle;
    },
    clearImmediate(handle) {
      if (handle !== null && typeof handle === 'object' && 'id' in handle) queued.delete((handle as Immediate).id);
    },
    // Nothing keeps a worker alive or lets it go: it lives until it is terminated.
    unref: (handle) => handle,
  };
}
