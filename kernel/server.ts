// The kernel process: JSON-RPC with LSP framing over stdio. The extension starts it with
// vscode-languageclient, the headless runner (cli.ts) the same way.
import { createConnection, ErrorCodes, ResponseError, StreamMessageReader, TextDocumentSyncKind } from 'vscode-languageserver/node';
import {
  ExecuteRequest,
  JobNotification,
  InterruptNotification,
  KernelStateNotification,
  ListJobsRequest,
  OutputNotification,
  ResetRequest,
  StopJobRequest,
  type ExecuteParams,
  type InterruptParams,
  type KernelStateParams,
  type StopJobParams,
} from './protocol';
import * as api from './api';
import { cellThreads, enableRelaxedSimd } from './engine/wasm/flags';
import * as trainer from './train/index';
import { NotebookRuntime } from './runtime/runtime';
import { protectKernelGlobals } from './runtime/kernelGlobals';
import { warmUpTranspiler } from './runtime/transpile';
import { boundOutputs } from './transport/outputLimits';
import { guardFraming } from './transport/boundedReader';
import { captureStdio } from './runtime/stdio';
import { ImmediateMessageWriter } from './transport/rpcWriter';
import { startInterruptWatcher } from './runtime/interrupt';
import { exitWhenOrphaned } from './runtime/orphanWatch';
import { LANGUAGE_FEATURE_CAPABILITIES, registerLanguageFeatures } from './runtime/languageFeatures';
import { registerInspectorRequests } from './runtime/inspector';

protectKernelGlobals(); // what the kernel and its transport call can never be replaced by a cell
enableRelaxedSimd(); // before the engine validates its wasm modules or any worker starts
api.setNumThreads(cellThreads());
trainer.keepWorkersWarm(); // the next fit() reuses a worker with a warm JIT

let sendRaw: (chunk: Uint8Array) => boolean = () => false;
let busy = false;
let lastState: KernelStateParams['state'] | null = null;
/** busy while a cell runs, training while a job trains in the background, else idle. */
function reportState(): void {
  const state: KernelStateParams['state'] = busy ? 'busy' : trainer.activeJobCount() > 0 ? 'training' : 'idle';
  if (state === lastState) return;
  lastState = state;
  runtime.router.notify(KernelStateNotification, { state });
}

// A header the reader could only wait on forever (Content-Length over 256 MB, not a number) ends the kernel.
const input = guardFraming(process.stdin, {
  onError: (error) => {
    process.stderr.write(`rnn-lab kernel: ${error.message}; exiting\n`);
    process.exit(1);
  },
});
const connection = createConnection(new StreamMessageReader(input), new ImmediateMessageWriter((chunk) => sendRaw(chunk)));

// Outputs are bounded per cell (outputLimits.ts): a 100 MB print or a huge heatmap is cut, saying so.
const runtime = new NotebookRuntime(
  boundOutputs({
    sendOutput: (params) => void connection.sendNotification(OutputNotification, params),
    sendNotification: (method, params) => void connection.sendNotification(method, params),
  }),
  {
    onBusy: (isBusy) => {
      busy = isBusy;
      reportState();
    },
    // Cells import the public API (engine, datasets, seq2seq, fit, interop) as one module: 'rnn-lab',
    // the same one `require('<checkout>')` gives.
    // fit() from a cell shows its job in that cell (live curve, the worker's output): the
    // runtime's sink rides along in the options (train/jobSink.ts).
    rnnLabModule: Object.freeze({
      ...api,
      fit: (model: api.Module, data: api.TrainingData, options: api.FitOptions = {}) =>
        api.fit(model, data, { ...options, [trainer.JOB_SINK]: runtime.jobSink() } as trainer.WithJobSink<api.FitOptions>),
    }),
    jobs: { activeJobWithDone: trainer.activeJobWithDone, activeJobs: trainer.activeJobs },
  },
);
// fit() names a job after the cell variable holding its model, and finds engine aliases there.
trainer.setCellScopeProvider(() => runtime.scope.object);
sendRaw = captureStdio(runtime.router).writeStdout;

const interrupts = startInterruptWatcher(() => runtime.interrupt(), () => runtime.isRunning);

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
// the handler itself: every message after \`initialized\` is answered after it (the runner relies
// on that so that a cell's --timeout counts the cell alone).
connection.onInitialized(() => warmUpTranspiler());

connection.onRequest(ExecuteRequest, (params: ExecuteParams) => interrupts.whileRunning(() => runtime.execute(params)));
connection.onRequest(ResetRequest, async () => {
  // Jobs train models of the old scope; they stop (keeping their last whole step) first.
  await trainer.stopAllJobs();
  runtime.reset();
  return null;
});
connection.onRequest(ListJobsRequest, () => trainer.listJobs());
connection.onRequest(StopJobRequest, (params: StopJobParams) => {
  const job = trainer.getJob(params.id);
  if (job) {
    job.stop();
    return job.summary();
  }
  // A finished job the registry only lists: nothing to stop.
  const finished = trainer.listJobs().find((j) => j.id === params.id);
  if (finished) return finished;
  throw new ResponseError(ErrorCodes.InvalidParams, `No training job '${params.id}'`);
});
trainer.onJobEvent((event) => runtime.router.notify(JobNotification, event));
trainer.onJobEvent(() => reportState());
connection.onNotification(InterruptNotification, (params?: InterruptParams | null) => {
  if (params?.executionId) runtime.interruptExecution(params.executionId);
  else interrupts.requestInterrupt();
});
registerInspectorRequests(connection, runtime);
registerLanguageFeatures(connection, runtime);

// A failure in code a cell left running (a timer, a rejected promise) is shown, not fatal.
process.on('uncaughtException', (error) => runtime.reportAsyncError(error));
process.on('unhandledRejection', (reason) => runtime.reportAsyncError(reason));
// process.exit() in a cell: what the cell printed before still reaches the client.
process.on('exit', () => runtime.router.flush());
// The client went away: nothing is left to serve (and if a cell holds the main thread, the
// orphan watch ends the process all the same).
process.stdin.on('end', () => process.exit(0));
exitWhenOrphaned();

connection.listen();
