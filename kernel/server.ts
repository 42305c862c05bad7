// The kernel process: JSON-RPC with LSP framing over stdio. The extension starts it with
// vscode-languageclient, the headless runner (cli.ts) the same way. Node's side of the kernel:
// the Node host, stdio, SIGINT and the interrupt watcher; the requests are kernelService.ts's.
import './node/install';
import { createConnection, StreamMessageReader, TextDocumentSyncKind } from 'vscode-languageserver/node';
import * as api from './api';
import { cellThreads } from './engine/wasm/flags';
import * as trainer from './train/index';
import { protectKernelGlobals } from './runtime/kernelGlobals';
import { warmUpTranspiler } from './runtime/transpile';
import { LANGUAGE_FEATURE_CAPABILITIES, registerLanguageFeatures } from './runtime/languageFeatures';
import { serveKernel } from './kernelService';
import { guardFraming } from './node/boundedReader';
import { captureStdio } from './node/stdio';
import { ImmediateMessageWriter } from './node/rpcWriter';
import { startInterruptWatcher } from './node/interrupt';
import { exitWhenOrphaned } from './node/orphanWatch';
import { guardHostObjects } from './node/hostGuards';
import { enableRelaxedSimd } from './node/relaxedSimd';

protectKernelGlobals(); // what the kernel and its transport call can never be replaced by a cell
enableRelaxedSimd(); // before the engine validates its wasm modules or any worker starts
api.setNumThreads(cellThreads());
trainer.keepWorkersWarm(); // the next fit() reuses a worker with a warm JIT

let sendRaw: (chunk: Uint8Array) => boolean = () => false;

// A header the reader could only wait on forever (Content-Length over 256 MB, not a number) ends the kernel.
const input = guardFraming(process.stdin, {
  onError: (error) => {
    process.stderr.write(`rnn-lab kernel: ${error.message}; exiting\n`);
    process.exit(1);
  },
});
const connection = createConnection(new StreamMessageReader(input), new ImmediateMessageWriter((chunk) => sendRaw(chunk)));

const runtime = serveKernel(connection, (rt) => startInterruptWatcher(() => rt.interrupt(), () => rt.isRunning));
const stdio = captureStdio(runtime.router);
sendRaw = stdio.writeStdout;
/** A cell broke what the kernel's own messages need: nothing more is sent, the client hears of it from stderr and the exit. */
let broken = false;
runtime.onBroken = (message) => {
  broken = true;
  stdio.writeStderr(`rnn-lab kernel: ${message}\n`);
  process.exit(70);
};

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'typescript' }] }] },
    // Completion (with resolve), hover and signature help; diagnostics are pushed per cell.
    ...LANGUAGE_FEATURE_CAPABILITIES,
  },
  serverInfo: { name: 'rnn-lab-kernel' },
}));

// The cells' compiler loads while the person reads the notebook, not when the first cell runs. In
// the handler itself: every message after `initialized` is answered after it (the runner relies
// on that so that a cell's --timeout counts the cell alone).
connection.onInitialized(() => warmUpTranspiler());
registerLanguageFeatures(connection, runtime);

// A failure in code a cell left running (a timer, a rejected promise) is shown, not fatal.
process.on('uncaughtException', (error) => runtime.reportAsyncError(error));
process.on('unhandledRejection', (reason) => runtime.reportAsyncError(reason));
// process.exit() in a cell: what the cell printed before still reaches the client.
process.on('exit', () => broken || runtime.router.flush());
// The client went away: nothing is left to serve (and if a cell holds the main thread, the
// orphan watch ends the process all the same).
process.stdin.on('end', () => process.exit(0));
exitWhenOrphaned();

connection.listen();
// Last: what is kept is the kernel as it is now set up (its stdout capture, its listeners).
guardHostObjects(runtime);
