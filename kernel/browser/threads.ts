// Threads in the browser: nested Web Workers started from Blob URLs (a worker's script cannot
// come from the extension's own URI, see shared/vscode-web.md). They share memory only where the
// page is cross-origin isolated; elsewhere the kernel helper does not start (the kernel works on
// one thread) and fit() trains on the kernel's own thread. Training workers run dist/web/worker.js
// (trainingWorker.ts; the extension passes its Blob URL) with a file port of their own for checkpoints.
import type { BrowserTrainingWorkerInit, BrowserWorkerOutput } from '../browserProtocol';
import type { HostThreads, HostWorker } from '../host/index';

/** What starting a training worker takes: the bundle, and what its init carries. */
export interface TrainingWorkerSource {
  url: string;
  cwd: string;
  env: Record<string, string>;
  openFilesPort(): Promise<MessagePort>;
}

const isOutput = (data: unknown): data is BrowserWorkerOutput => typeof data === 'object' && data !== null && 'rnnLabOutput' in data;

/**
 * A Web Worker as the core sees threads. `ready`: messages wait until it settles (a training
 * worker's init goes first). A Web Worker reports no exit: terminate() is the only end seen.
 */
function webWorker(worker: Worker, ready: Promise<void> = Promise.resolve()): HostWorker {
  let queue = ready;
  return {
    postMessage: (message) => void (queue = queue.then(() => worker.postMessage(message))),
    onMessage: (handler) => worker.addEventListener('message', (event: MessageEvent) => void (isOutput(event.data) || handler(event.data))),
    onError: (handler) => worker.addEventListener('error', (event) => handler(new Error(event.message))),
    onExit: () => undefined,
    onOutput: (handler) =>
      worker.addEventListener('message', (event: MessageEvent) => {
        if (isOutput(event.data)) handler(event.data.rnnLabOutput.stream, event.data.rnnLabOutput.text);
      }),
    ref: () => undefined,
    unref: () => undefined,
    terminate: () => worker.terminate(),
  };
}

export function browserThreads(sharedMemory: boolean, training: TrainingWorkerSource | null): HostThreads {
  const trainingWorkers = sharedMemory && training !== null;
  return {
    cores: typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1,
    sharedMemory,
    trainingWorkers,
    startHelper(body, data) {
      if (!sharedMemory) return null;
      const source = `self.onmessage = (event) => { self.onmessage = null; const workerData = event.data;\n${body}\n};`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { name: 'rnn-lab kernel helper' });
      worker.postMessage(data);
      return webWorker(worker);
    },
    startTrainingWorker() {
      if (!trainingWorkers || training === null) return null;
      const worker = new Worker(training.url, { name: 'rnn-lab training worker' });
      const ready = training.openFilesPort().then((files) => {
        const init: BrowserTrainingWorkerInit = { type: 'rnnLab/trainingWorker', cwd: training.cwd, files, env: training.env };
        worker.postMessage(init, [files]);
      });
      return webWorker(worker, ready);
    },
    trainingWorkerScript: () => training?.url ?? 'browser',
  };
}
