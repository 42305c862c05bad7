// The trainer's small adapter to the kernel runtime (kernel/runtime/channel.ts): job events go
// to the client as rnnLab/job notifications (dashboard, inspector), and a job started from a
// cell shows its live loss curve and its worker's console output in that cell. Outside a kernel
// (unit tests, scripts) the channel is unset and all of this does nothing.

import { JobNotification } from '../protocol';
import { currentExecutionId, emitOutput, notify } from '../runtime/channel';
import { showLiveLossCurve, type DisplaySink } from './display';
import { onJobEvent, type Disposable, type TrainingJob } from './job';

let forwarding: Disposable | null = null;

/** Forwards every job's events as rnnLab/job notifications (installed once). */
export function forwardJobEvents(): void {
  forwarding ??= onJobEvent((event) => notify(JobNotification, event));
}

/** Ties a job to the cell running now: its loss curve and its worker's output go there. */
export function attachToCell(job: TrainingJob, options: { display: boolean }): void {
  forwardJobEvents();
  const executionId = currentExecutionId();
  if (executionId === null) return;
  job.onLog((name, text) => emitOutput({ type: 'stream', name, text }, executionId));
  if (!options.display) return;
  const sink: DisplaySink = {
    display: (data, displayId) => emitOutput({ type: 'display', data, displayId }, executionId),
    update: (data, displayId) => emitOutput({ type: 'update', data, displayId }, executionId),
  };
  const live = showLiveLossCurve(job, sink);
  void job.done.catch(() => undefined).finally(() => live.dispose());
}
