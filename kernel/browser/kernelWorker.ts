// The kernel in a browser Web Worker (VS Code for the Web), bundled as dist/web/kernel.js, a
// classic script the extension starts from a Blob URL. The extension posts BrowserKernelInit
// first; then the same JSON-RPC as the kernel process speaks over stdio runs over the worker's
// messages (vscode-jsonrpc's BrowserMessageReader/Writer), served by the same kernelService.ts.
// Cells compile with the same TypeScript transpile (bundled here), run in the worker's global
// scope, and their console goes to their own output. Where the page is cross-origin isolated,
// fit() trains in training workers (trainingWorker.ts, dist/web/worker.js; threads.ts).
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from 'vscode-languageserver/browser';
import type { BrowserKernelInit } from '../browserProtocol';
import { installHost } from '../host/index';
import { cellThreads } from '../engine/wasm/flags';
import { setNumThreads } from '../engine/wasm/team';
import { serveKernel } from '../kernelService';
import { keepWorkersWarm } from '../train/index';
import { protectKernelGlobals } from '../runtime/kernelGlobals';
import { warmUpTranspiler } from '../runtime/transpile';
import { captureConsole } from './console';
import { browserHost } from './host';
import { browserInterrupt, InterruptSignal } from './interrupt';

/** The worker's global scope as the JSON-RPC reader and writer use it (the DOM typings have no worker scope). */
const scope = self as unknown as Worker;

// The console of the worker itself (DevTools), before cells' console output is captured.
const devtools = { error: console.error.bind(console) };

function start(init: BrowserKernelInit): void {
  let log = (text: string) => devtools.error(text.trimEnd());
  const interrupt = browserInterrupt(init.interrupt);
  installHost(browserHost(init, interrupt, (text) => log(text)));
  protectKernelGlobals(); // what the kernel and its transport call can never be replaced by a cell
  setNumThreads(cellThreads());
  keepWorkersWarm(); // the next fit() reuses a training worker with a warm JIT

  const connection = createConnection(new BrowserMessageReader(scope), new BrowserMessageWriter(scope));
  log = (text) => connection.console.info(text.trimEnd());
  const runtime = serveKernel(connection, (rt) => {
    // A check that finds the flag set ends the running cell (or the timer callback holding the thread).
    interrupt.onInterrupt(() => void rt.interrupt());
    return {
      whileRunning: (fn) => fn(),
      requestInterrupt: () => void rt.interrupt(),
      // A request that came while no cell ran is not meant for the next one.
      cellStarts: () => interrupt.clear(),
    };
  });
  captureConsole({ write: (name, text) => runtime.router.write(name, text), log: (text) => log(text) });

  connection.onInitialize(() => ({
    // No text sync and no language features yet: IntelliSense needs TypeScript's library files in
    // the worker (issue 20).
    capabilities: {},
    serverInfo: { name: 'rnn-lab-kernel-web' },
  }));
  // The cells' compiler loads while the person reads the notebook, not when the first cell runs.
  connection.onInitialized(() => void setTimeout(warmUpTranspiler, 0));

  // A failure in code a cell left running (a timer, a rejected promise) is shown, not fatal. An
  // interrupt's own signal was reported by the interrupt already.
  self.addEventListener('error', (event: ErrorEvent) => {
    event.preventDefault();
    if (!(event.error instanceof InterruptSignal)) runtime.reportAsyncError(event.error ?? new Error(event.message));
  });
  self.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
    event.preventDefault();
    if (!(event.reason instanceof InterruptSignal)) runtime.reportAsyncError(event.reason);
  });
  connection.listen();
}

// The init message comes first; JSON-RPC's reader takes the worker's messages from then on.
self.onmessage = (event: MessageEvent<BrowserKernelInit | undefined>) => {
  if (event.data?.type !== 'rnnLab/init') return;
  self.onmessage = null;
  start(event.data);
};
