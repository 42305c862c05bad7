// Entry of a training worker thread in Node (bundled as dist/worker.js): the Node host, then the
// jobs the kernel posts (train/worker/worker.ts).
import './install';
import { parentPort } from 'node:worker_threads';
import { serveTrainingJobs } from '../train/worker/worker';
import type { WorkerRequest } from '../train/worker/workerProtocol';

serveTrainingJobs({
  post: (message) => parentPort!.postMessage(message),
  onMessage: (handler) => void parentPort!.on('message', (message: WorkerRequest) => handler(message)),
});
