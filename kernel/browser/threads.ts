// Threads in the browser: nested Web Workers started from Blob URLs (a worker's script cannot
// come from the extension's own URI, see shared/vscode-web.md). They share memory only where the
// page is cross-origin isolated; elsewhere the kernel helper does not start (the kernel works on
// one thread) and fit() trains on the kernel's own thread.
import type { HostThreads, HostWorker } from '../host/index';

/** A Web Worker as the core sees threads; its console is its own (DevTools). */
function webWorker(worker: Worker): HostWorker {
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.addEventListener('message', (event) => handler(event.data)),
    onError: (handler) => worker.addEventListener('error', (event) => handler(new Error(event.message))),
    // A Web Worker reports no exit: terminate() is the only end the kernel sees.
    onExit: () => undefined,
    onOutput: () => undefined,
    ref: () => undefined,
    unref: () => undefined,
    terminate: () => worker.terminate(),
  };
}

export function browserThreads(sharedMemory: boolean): HostThreads {
  return {
    cores: typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1,
    sharedMemory,
    // Training workers in the browser are not there yet (issue 20): fit() trains on this thread.
    trainingWorkers: false,
    startHelper(body, data) {
      if (!sharedMemory) return null;
      const source = `self.onmessage = (event) => { self.onmessage = null; const workerData = event.data;\n${body}\n};`;
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const worker = new Worker(url, { name: 'rnn-lab kernel helper' });
      worker.postMessage(data);
      return webWorker(worker);
    },
    startTrainingWorker: () => null,
    trainingWorkerScript: () => 'browser',
  };
}
