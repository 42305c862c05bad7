// Where a job started from a notebook cell shows itself: its live loss curve (one display,
// replaced in place) and what the model prints in the worker. Whoever calls fit() for a cell hands
// it a sink under the JOB_SINK key of the options (the kernel's runtime does, for the cell running
// then); nothing in the trainer knows about notebooks or cells. A symbol key: not an option a
// person writes, so it is neither checked as one nor sent to a worker.

import type { LogStream, TrainingJob } from './job';
import { showLiveLossCurve, type DisplaySink } from './display';

export interface JobSink extends DisplaySink {
  /** What the model printed in the worker (console.log in forward). */
  log(stream: LogStream, text: string): void;
}

export const JOB_SINK: unique symbol = Symbol('rnnLab.jobSink');

/** fit()'s options as a caller with a sink passes them. */
export type WithJobSink<O> = O & { [JOB_SINK]?: JobSink | null };

/** Shows the job in its sink: the worker's output always, the live curve when `display` is on. */
export function attachToSink(job: TrainingJob, sink: JobSink, options: { display: boolean }): void {
  job.onLog((stream, text) => sink.log(stream, text));
  if (!options.display) return;
  const live = showLiveLossCurve(job, sink);
  void job.done.catch(() => undefined).finally(() => live.dispose());
}
