// The kernel process: JSON-RPC with LSP framing over stdio. The extension starts it with
// vscode-languageclient, the headless runner (cli.ts) the same way.
import { createConnection, StreamMessageReader, TextDocumentSyncKind } from 'vscode-languageserver/node';
import {
  ExecuteRequest,
  InterruptNotification,
  KernelStateNotification,
  OutputNotification,
  ResetRequest,
  type ExecuteParams,
  type KernelStateParams,
} from './protocol';
import { NotebookRuntime } from './runtime/runtime';
import { captureStdio } from './runtime/stdio';
import { ImmediateMessageWriter } from './runtime/rpcWriter';
import { setKernelChannel } from './runtime/channel';
import { startInterruptWatcher } from './runtime/interrupt';
import { registerLanguageFeatures } from './runtime/languageFeatures';
import { registerInspectorRequests } from './runtime/inspector';

let sendRaw: (chunk: Uint8Array) => boolean = () => false;
const connection = createConnection(new StreamMessageReader(process.stdin), new ImmediateMessageWriter((chunk) => sendRaw(chunk)));

const runtime = new NotebookRuntime(
  {
    sendOutput: (params) => void connection.sendNotification(OutputNotification, params),
    sendNotification: (method, params) => void connection.sendNotification(method, params),
  },
  {
    onBusy: (busy) => {
      const state: KernelStateParams = { state: busy ? 'busy' : 'idle' };
      runtime.router.notify(KernelStateNotification, state);
    },
  },
);
sendRaw = captureStdio(runtime.router).writeStdout;
setKernelChannel(runtime.router);

const interrupts = startInterruptWatcher(() => runtime.interrupt(), () => runtime.isRunning);

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'typescript' }] }] },
    completionProvider: { triggerCharacters: ['.'] },
    hoverProvider: true,
  },
  serverInfo: { name: 'rnn-lab-kernel' },
}));

connection.onRequest(ExecuteRequest, (params: ExecuteParams) => interrupts.whileRunning(() => runtime.execute(params)));
connection.onRequest(ResetRequest, () => {
  runtime.reset();
  return null;
});
connection.onNotification(InterruptNotification, () => interrupts.requestInterrupt());
registerInspectorRequests(connection, runtime);
registerLanguageFeatures(connection, runtime);

// A failure in code a cell left running (a timer, a rejected promise) is shown, not fatal.
process.on('uncaughtException', (error) => runtime.reportAsyncError(error));
process.on('unhandledRejection', (reason) => runtime.reportAsyncError(reason));
// process.exit() in a cell: what the cell printed before still reaches the client.
process.on('exit', () => runtime.router.flush());
// The client went away: nothing is left to serve.
process.stdin.on('end', () => process.exit(0));

connection.listen();
