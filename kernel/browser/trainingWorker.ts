// A training worker in the browser (bundled as dist/web/worker.js; a kernel in a cross-origin
// isolated page starts it from a Blob URL the extension made, threads.ts): the browser host with a
// file port of its own (checkpoints), then the jobs the kernel posts (train/worker/worker.ts). Its
// console goes to the job's cell, posted beside the job's messages. Only the engine and the
// trainer: a tenth of the kernel's bundle, so a fit() that needs a fresh worker starts soon.
import type { BrowserTrainingWorkerInit, BrowserWorkerOutput } from '../browserProtocol';
import { installHost } from '../host/index';
import { serveTrainingJobs } from '../train/worker/worker';
import type { WorkerRequest } from '../train/worker/workerProtocol';
import { captureConsole } from './console';
import { browserHost } from './host';
import { browserInterrupt } from './interrupt';

/** The worker's global scope (the DOM typings have no worker scope). */
const scope = self as unknown as Worker;

function start(init: BrowserTrainingWorkerInit): void {
  const post = (message: unknown) => scope.postMessage(message);
  const output = (stream: 'stdout' | 'stderr', text: string) => post({ rnnLabOutput: { stream, text } } satisfies BrowserWorkerOutput);
  // No interrupt flag here: the kernel stops a job through its shared control words (JobControl).
  installHost(browserHost(init, browserInterrupt(undefined), (text) => output('stderr', text)));
  captureConsole({
    write: (name, text) => {
      output(name, text);
      return true;
    },
    log: (text) => output('stderr', text),
  });
  serveTrainingJobs({ post, onMessage: (handler) => void (self.onmessage = (event: MessageEvent<WorkerRequest>) => handler(event.data)) });
}

self.onmessage = (event: MessageEvent<BrowserTrainingWorkerInit | undefined>) => {
  if (event.data?.type !== 'rnnLab/trainingWorker') return;
  self.onmessage = null;
  start(event.data);
};
