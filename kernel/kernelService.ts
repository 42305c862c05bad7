// The kernel's requests and notifications on a JSON-RPC connection, whatever carries it: the
// kernel process's stdio (server.ts) or a browser Worker's messages (browser/kernelWorker.ts).
// The host is installed before this runs; the caller brings what differs (how an interrupt reaches
// a spinning cell, where stdout goes, the language features).
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
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
  type ExecuteResult,
  type InterruptParams,
  type KernelStateParams,
  type StopJobParams,
} from './protocol';
import * as api from './api';
import * as trainer from './train/index';
import { NotebookRuntime } from './runtime/runtime';
import { boundOutputs } from './transport/outputLimits';
import { registerInspectorRequests } from './runtime/inspector';

/** How interrupts reach the running cell (Node: a watcher thread and SIGINT; the browser: a shared flag). */
export interface KernelInterrupts {
  /** Marks a cell as running while fn's promise is pending. */
  whileRunning<T>(fn: () => Promise<T>): Promise<T>;
  /** An interrupt asked for over the protocol, for no execution in particular. */
  requestInterrupt(): void;
  /** A cell starts running (the browser forgets an interrupt flag set while none ran). */
  cellStarts?(): void;
}

/** The runtime serving `connection`, with every kernel request registered on it. */
export function serveKernel(connection: Connection, interruptsFor: (runtime: NotebookRuntime) => KernelInterrupts): NotebookRuntime {
  let busy = false;
  let lastState: KernelStateParams['state'] | null = null;
  /** busy while a cell runs, training while a job trains in the background, else idle. */
  function reportState(): void {
    const state: KernelStateParams['state'] = busy ? 'busy' : trainer.activeJobCount() > 0 ? 'training' : 'idle';
    if (state === lastState) return;
    lastState = state;
    runtime.router.notify(KernelStateNotification, { state });
  }

  // Outputs are bounded per cell (outputLimits.ts): a 100 MB print or a huge heatmap is cut, saying so.
  const runtime: NotebookRuntime = new NotebookRuntime(
    boundOutputs({
      sendOutput: (params) => void connection.sendNotification(OutputNotification, params),
      sendNotification: (method, params) => void connection.sendNotification(method, params),
    }),
    {
      onBusy: (isBusy) => {
        busy = isBusy;
        if (isBusy) interrupts.cellStarts?.();
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
  // Assigned before any request can arrive (onBusy, below, runs only for requests).
  const interrupts: KernelInterrupts = interruptsFor(runtime);

  connection.onRequest(ExecuteRequest, (params: ExecuteParams): Promise<ExecuteResult> => interrupts.whileRunning(() => runtime.execute(params)));
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
  return runtime;
}
