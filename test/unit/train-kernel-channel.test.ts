// fit() inside the kernel: the cell that started the job gets a live loss curve (updated in
// place) and the worker's console output, through the sink the runtime hands fit() (as the kernel's
// 'rnn-lab' module does); every job event goes out as an rnnLab/job notification.

import { afterEach, describe, expect, it } from 'vitest';
import { Linear, Module, Tensor } from '../../kernel/engine/index';
import { JobNotification, RnnLabMime, type JobEventParams, type OutputParams } from '../../kernel/protocol';
import { NotebookRuntime } from '../../kernel/runtime/runtime';
import type { OutputRouter } from '../../kernel/runtime/output';
import { fit as trainerFit, JOB_SINK, onJobEvent, type Disposable, type FitOptions, type TrainingData, type WithJobSink } from '../../kernel/train/index';
import type { Module as EngineModule } from '../../kernel/engine/index';
import { countingTask, makeModel } from './train-helpers';

let forwarding: Disposable | null = null;
let runtime: NotebookRuntime | null = null;
afterEach(() => {
  forwarding?.dispose();
  forwarding = null;
});

/** fit() as a cell calls it in the kernel: the runtime's sink for the cell running now. */
function fit<M extends EngineModule>(model: M, data: TrainingData, options: FitOptions<M> = {}) {
  return trainerFit(model, data, { ...options, [JOB_SINK]: runtime?.jobSink() ?? null } as WithJobSink<FitOptions<M>>);
}

function kernel(): { outputs: OutputParams[]; notifications: JobEventParams[]; router: OutputRouter } {
  const outputs: OutputParams[] = [];
  const notifications: JobEventParams[] = [];
  runtime = new NotebookRuntime({
    sendOutput: (p) => outputs.push(p),
    sendNotification: (method, params) => {
      if (method === JobNotification) notifications.push(params as JobEventParams);
    },
  });
  const router = runtime.router;
  // What server.ts does: every job event goes out as a notification.
  forwarding = onJobEvent((event) => router.notify(JobNotification, event));
  return { outputs, notifications, router };
}

describe('fit in the kernel', () => {
  it('shows a live loss curve in the calling cell and notifies job events', async () => {
    const { outputs, notifications, router } = kernel();
    const job = router.run('cell-1', () => fit(makeModel(), countingTask(32, 8), { epochs: 2, batchSize: 8, name: 'model' }));
    router.run('cell-2', () => undefined); // another cell runs meanwhile: the curve stays in cell 1
    await job.done;
    await new Promise((r) => setTimeout(r, 10));

    const mine = outputs.filter((o) => o.output.type === 'display' || o.output.type === 'update');
    expect(mine.every((o) => o.executionId === 'cell-1')).toBe(true);
    expect(mine[0]!.output.type).toBe('display');
    const last = mine[mine.length - 1]!.output;
    expect(last.type).toBe('update');
    if (last.type === 'update') {
      expect(last.displayId).toBe(`rnn-lab-loss-${job.uid}`);
      expect(job.uid).toMatch(new RegExp(`^[0-9a-f]{8}-${job.id}$`));
      expect(last.data['text/plain']).toMatch(/model: done, step 8\/8/);
      expect(last.data[RnnLabMime.lines]).toBeDefined();
    }
    const forJob = notifications.filter((n) => n.job.id === job.id);
    expect(forJob[forJob.length - 1]!.job.status).toBe('done');
    expect(forJob.some((n) => (n.metrics?.loss?.length ?? 0) > 0)).toBe(true);
  });

  it('sends what the model prints in the worker to the cell', async () => {
    const { outputs, router } = kernel();
    class Chatty extends Module {
      fc = new Linear(4, 3);
      forward(x: Tensor): Tensor {
        console.log(`batch of ${x.shape[0]}`);
        return this.fc.forward(x);
      }
    }
    const data = { x: new Tensor(new Float32Array(8 * 4), [8, 4]), y: new Tensor(new Float32Array(8), [8]) };
    const job = router.run('cell-3', () => fit(new Chatty(), data, { batchSize: 8, display: false }));
    await job.done;
    await new Promise((r) => setTimeout(r, 50));
    const text = outputs
      .filter((o) => o.executionId === 'cell-3' && o.output.type === 'stream')
      .map((o) => (o.output.type === 'stream' ? o.output.text : ''))
      .join('');
    expect(text).toContain('batch of 8');
    expect(outputs.some((o) => o.output.type === 'display')).toBe(false);
  });
});

// As a cell would have them after `import { Linear as Dense } from 'rnn-lab'; const myModel = …`:
// names on the kernel's global scope.
declare const Dense: typeof Linear;

describe('cell names', () => {
  it('names the job after the cell variable, and binds renamed engine imports in the worker', async () => {
    const scope = globalThis as Record<string, unknown>;
    scope.Dense = Linear;
    class Renamed extends Module {
      fc: Linear;
      constructor() {
        super();
        this.fc = new Dense(4, 3);
      }
      forward(x: Tensor): Tensor {
        return new Dense(4, 3).forward(x).mul(0).add(this.fc.forward(x)); // Dense is used in the worker too
      }
    }
    const myModel = new Renamed();
    scope.myModel = myModel;
    try {
      const data = { x: new Tensor(new Float32Array(8 * 4).fill(1), [8, 4]), y: new Tensor(new Float32Array(8), [8]) };
      const job = fit(myModel, data, { batchSize: 8 });
      expect(job.summary().model).toBe('myModel');
      const result = await job.done;
      expect(result.steps).toBe(1);
    } finally {
      delete scope.Dense;
      delete scope.myModel;
    }
  });
});
