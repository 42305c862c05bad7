// A kernel whose client is gone (VS Code's extension host or the headless runner crashed, was
// killed or closed) has nobody left to answer, and must not keep a core busy. stdin's end says so
// on the main thread, but never while a cell holds that thread in a synchronous loop (`for (;;)
// {}`, a long training step with `worker: false`): the kernel would spin on as an orphan for good.
// So a small worker thread watches the parent process: when the kernel's parent is no longer the
// one that started it (it was re-parented to init or a subreaper), the process ends at once,
// its threads (training workers, the kernel-thread helper) with it.
import { Worker } from 'node:worker_threads';

/** How often the parent is looked at, ms: an orphan spins at most this long. */
const PARENT_POLL_MS = 1000;

const watcherSource = `
const { workerData } = require('node:worker_threads');
const tick = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  Atomics.wait(tick, 0, 0, workerData.pollMs);
  if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL');
}
`;

/** Ends this process when its parent goes away, even while its main thread is held. */
export function exitWhenOrphaned(): void {
  const parent = process.ppid;
  if (parent <= 1) return; // started by init itself: no parent to lose
  const watcher = new Worker(watcherSource, { eval: true, workerData: { parent, pollMs: PARENT_POLL_MS } });
  watcher.on('error', (error) => process.stderr.write(`rnn-lab kernel: orphan watch failed: ${String(error)}\n`));
  watcher.unref();
}
