// fit() from a cell in the kernel process: the trainer comes with 'rnn-lab', job events reach the
// client, the kernel reports 'training' while a job runs, and ListJobs / StopJob answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import { JobNotification, ListJobsRequest, StopJobRequest, type JobEventParams, type JobSummary } from '../../kernel/protocol';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
let kernel: KernelProcess;
const jobEvents: JobEventParams[] = [];

beforeAll(async () => {
  kernel = new KernelProcess({ kernelPath });
  kernel.connection.onNotification(JobNotification, (p: JobEventParams) => jobEvents.push(p));
  await kernel.initialize();
  const setup = await kernel.execute(
    [
      "import { Linear, tensor, manualSeed, fit } from 'rnn-lab';",
      'manualSeed(1);',
      'const model = new Linear(4, 1);',
      'const xs = Array.from({ length: 64 }, (_, i) => [0, 1, 2, 3].map((j) => Math.sin(i * 1.7 + j)));',
      'const data = { x: tensor(xs), y: tensor(xs.map((r) => [r[0]! - 2 * r[1]!])) };',
    ].join('\n'),
  );
  expect(setup.status).toBe('ok');
});
afterAll(() => kernel.dispose());

describe('training from a cell', () => {
  it('runs fit() in a worker, shows the live loss curve in the cell and sends job events', async () => {
    const r = await kernel.execute("const job = fit(model, data, { epochs: 20, batchSize: 16, lr: 0.05, loss: 'mse' });\nconst result = await job.done;\nresult.reason", { executionId: 'fit' });
    expect(r.status).toBe('ok');
    const outputs = kernel.outputs.get('fit')!;
    expect(outputs.at(-1)).toEqual({ type: 'result', data: { 'text/plain': "'completed'" } });
    expect(outputs.some((o) => o.type === 'display' && 'application/vnd.rnn-lab.lines+json' in o.data)).toBe(true);
    const last = jobEvents.at(-1)!.job;
    expect(last.status).toBe('done');
    expect(last.step).toBe(80);
    expect(kernel.states.at(-1)).toBe('idle');
    const jobs = await kernel.request<JobSummary[]>(ListJobsRequest, null);
    expect(jobs.map((j) => j.status)).toEqual(['done']);
  });

  it('stops a running job on request, the cell having finished long before', async () => {
    const started = await kernel.execute("const long = fit(model, data, { epochs: 100000, batchSize: 16, lr: 0.01, loss: 'mse', display: false });\nlong.id");
    expect(started.error).toBeUndefined();
    const id = (started.outputs[0] as { data: Record<string, string> }).data['text/plain']!.replace(/'/g, '');
    while ((await kernel.request<JobSummary[]>(ListJobsRequest, null)).find((j) => j.id === id)?.step === 0) await new Promise((r) => setTimeout(r, 10));
    // The cell is over and the job goes on: the kernel says it is training.
    expect(kernel.states.at(-1)).toBe('training');
    await kernel.request(StopJobRequest, { id });
    const end = await kernel.execute('(await long.done).reason');
    expect((end.outputs[0] as { data: Record<string, string> }).data['text/plain']).toBe("'stopped'");
    await expect(kernel.request(StopJobRequest, { id: 'nope' })).rejects.toThrow(/No training job/);
  });
});
