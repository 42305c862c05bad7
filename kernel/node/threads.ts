// Threads in Node: worker_threads. A kernel helper is a worker evaluated from source (the engine is
// bundled into several files, and the helper must not depend on where); a training worker runs
// dist/worker.js (trainingWorkerScript.ts) with its console piped, never onto the kernel's stdout
// (the JSON-RPC stream).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HostThreads, HostWorker } from '../host/index';
import { resolveWorkerScript } from './trainingWorkerScript';

/** A worker_threads Worker as the core sees threads. */
export function nodeWorker(worker: Worker): HostWorker {
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (handler) => void worker.on('message', handler),
    onError: (handler) => void worker.on('error', handler),
    onExit: (handler) => void worker.on('exit', handler),
    onOutput: (handler) => {
      worker.stdout?.on('data', (chunk: Buffer) => handler('stdout', chunk.toString()));
      worker.stderr?.on('data', (chunk: Buffer) => handler('stderr', chunk.toString()));
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => void worker.terminate(),
  };
}

export function nodeThreads(): HostThreads {
  return {
    cores: availableParallelism(),
    sharedMemory: true,
    trainingWorkers: true,
    startHelper(body, data) {
      const worker = new Worker(`const { workerData } = require('node:worker_threads');\n${body}`, { eval: true, workerData: data });
      return nodeWorker(worker);
    },
    startTrainingWorker(script) {
      // stdout/stderr piped: a worker must never write to the kernel's stdout (the JSON-RPC stream).
      return nodeWorker(new Worker(resolveWorkerScript(script), { stdout: true, stderr: true }));
    },
    trainingWorkerScript: (explicit) => resolveWorkerScript(explicit),
  };
}
