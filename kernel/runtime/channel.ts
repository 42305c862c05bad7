// The door for kernel code outside the runtime (the trainer in kernel/train) to reach the client:
// displays and updates for the running or an earlier cell, and any notification (job events).
//
//   const id = currentExecutionId();            // remember the cell that started the job
//   emitOutput({ type: 'update', data, displayId }, id);
//   notify(JobNotification, { job });
import type { CellOutput } from '../protocol';
import type { OutputRouter } from './output';

let router: OutputRouter | null = null;

/** Set once by the kernel process; without it (e.g. unit tests of the trainer) calls do nothing. */
export function setKernelChannel(target: OutputRouter | null): void {
  router = target;
}

/** The cell whose code is running now (or ran last); null before any cell ran. */
export function currentExecutionId(): string | null {
  return router?.currentExecutionId() ?? null;
}

/** Sends a cell output; it may arrive after the cell finished (routed by executionId/displayId). */
export function emitOutput(output: CellOutput, executionId: string | null = currentExecutionId()): void {
  router?.emit(output, executionId);
}

/** Sends any kernel → client notification, in order with the cells' outputs. */
export function notify(method: string, params: unknown): void {
  router?.notify(method, params);
}
