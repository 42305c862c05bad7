// The number of outputs one execution adds to its cell is bounded (kernel/transport/outputLimits.ts):
// displays past the limit, and stream text that would start a new output, are dropped before
// anything is done with them and counted in the execution's one note; updates of a display, the
// cell's result and its errors are not counted. Part of it spawns the built kernel (npm run build first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { boundOutputs, DEFAULT_OUTPUT_LIMITS, scaledLimits, truncationNoteId, type OutputLimits } from '../../kernel/transport/outputLimits';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import type { CellOutput, OutputParams } from '../../kernel/protocol';

const limits: OutputLimits = { ...DEFAULT_OUTPUT_LIMITS, outputs: 5 };

function recorder(max: Partial<OutputLimits> = limits) {
  const sent: OutputParams[] = [];
  const transport = boundOutputs({ sendOutput: (p) => sent.push(p), sendNotification: () => undefined }, max);
  const outputs = (): CellOutput[] => sent.filter((s) => s.executionId === 'e1').map((s) => s.output);
  const isNote = (o: CellOutput) => (o.type === 'display' || o.type === 'update') && o.displayId === truncationNoteId('e1');
  const note = (): string | undefined => {
    transport.flush();
    return outputs().filter(isNote).map((o) => (o as { data: Record<string, string> }).data['text/plain']).at(-1);
  };
  const send = (output: CellOutput) => transport.sendOutput({ executionId: 'e1', output });
  return { transport, outputs, note, send, shown: () => outputs().filter((o) => !isNote(o)) };
}

const display = (text: string): CellOutput => ({ type: 'display', data: { 'text/plain': text } });
const print = (text: string, name: 'stdout' | 'stderr' = 'stdout'): CellOutput => ({ type: 'stream', name, text });

describe('the number of outputs of one execution', () => {
  it('keeps the first displays and counts the rest in the note', () => {
    const r = recorder();
    for (let i = 0; i < 50; i++) r.send(display(`step ${i}`));
    expect(r.shown().map((o) => (o as { data: Record<string, string> }).data['text/plain'])).toEqual(['step 0', 'step 1', 'step 2', 'step 3', 'step 4']);
    expect(r.note()).toBe('… 45 more displays not shown (a cell keeps its first 5 outputs; updating a display adds none)');
  });

  it('does not count updates, the result or errors, and keeps them past the limit', () => {
    const r = recorder();
    r.send({ type: 'display', displayId: 'live', data: { 'text/plain': '0' } });
    for (let i = 1; i < 100; i++) r.send({ type: 'update', displayId: 'live', data: { 'text/plain': String(i) } });
    for (let i = 0; i < 10; i++) r.send(display(`d${i}`));
    r.send({ type: 'update', displayId: 'live', data: { 'text/plain': 'last' } });
    r.send({ type: 'result', data: { 'text/plain': 'the value' } });
    r.send({ type: 'error', error: { name: 'Error', message: 'boom', stack: 'Error: boom' } });
    const shown = r.shown();
    expect(shown.filter((o) => o.type === 'display')).toHaveLength(5);
    expect(shown.filter((o) => o.type === 'update')).toHaveLength(100);
    expect(shown.some((o) => o.type === 'result')).toBe(true);
    expect(shown.some((o) => o.type === 'error')).toBe(true);
    expect(r.note()).toContain('… 6 more displays not shown');
  });

  it('counts stream text only where it starts a new output, and drops such text past the limit', () => {
    const r = recorder();
    // One stream output however many chunks it comes in.
    for (let i = 0; i < 100; i++) r.send(print(`line ${i}\n`));
    for (let i = 0; i < 4; i++) r.send(display(`d${i}`)); // 5 outputs now
    r.send(print('new output\n')); // would be a sixth
    r.send(print('err\n', 'stderr'));
    expect(r.shown().filter((o) => o.type === 'stream')).toHaveLength(100);
    expect(r.note()).toContain('… 11 more characters of stdout not shown (a cell keeps its first 5 outputs');
    expect(r.note()).toContain('… 4 more characters of stderr not shown');
  });

  it('keeps a print-and-display loop to the limit, counting what it drops of both', () => {
    const r = recorder();
    for (let i = 0; i < 20; i++) {
      r.send(print(`${i}\n`));
      r.send(display(`after ${i}`));
    }
    // stdout, display, stdout, display, stdout: 5 outputs; the note follows.
    expect(r.shown().map((o) => (o.type === 'stream' ? o.text : o.type))).toEqual(['0\n', 'display', '1\n', 'display', '2\n']);
    expect(r.note()).toBe(
      '… 18 more displays not shown (a cell keeps its first 5 outputs; updating a display adds none)\n' +
        '… 44 more characters of stdout not shown (a cell keeps its first 5 outputs; updating a display adds none)',
    );
  });

  it('does not look at the data of a dropped display (no estimate, no serialising)', () => {
    const r = recorder();
    for (let i = 0; i < 5; i++) r.send(display(String(i)));
    const hostile = new Proxy({}, {
      ownKeys: () => {
        throw new Error('the data of a dropped display was read');
      },
    });
    expect(() => r.send({ type: 'display', data: hostile })).not.toThrow();
    expect(r.note()).toContain('… 1 more display not shown');
  });

  it('is one of the limits scaledLimits scales (the runner is looser than the kernel)', () => {
    expect(DEFAULT_OUTPUT_LIMITS.outputs).toBe(2000);
    expect(scaledLimits(1.25).outputs).toBe(2500);
    const r = recorder(scaledLimits(0.001)); // 2 outputs
    for (let i = 0; i < 4; i++) r.send(display(String(i)));
    expect(r.note()).toContain('… 2 more displays not shown (a cell keeps its first 2 outputs');
  });
});

describe('in the kernel process', () => {
  const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
  let kernel: KernelProcess;
  beforeAll(async () => {
    kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
  });
  afterAll(() => kernel.dispose());

  /** The execution's note as the client shows it (its last update may follow the answer). */
  async function noteOf(executionId: string): Promise<string | undefined> {
    for (let waited = 0; waited < 2000; waited += 50) {
      const notes = (kernel.outputs.get(executionId) ?? []).filter((o) => (o.type === 'display' || o.type === 'update') && o.displayId === truncationNoteId(executionId));
      const text = (notes.at(-1) as { data: Record<string, string> } | undefined)?.data['text/plain'];
      if (text?.includes('48,000')) return text;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  }

  it('shows the first 2,000 of 50,000 displays of a loop and says how many more there were', async () => {
    const r = await kernel.execute('for (let step = 0; step < 50000; step++) display(`step ${step}`)');
    expect(r.status).toBe('ok');
    const displays = r.outputs.filter((o) => o.type === 'display' && o.displayId !== truncationNoteId(r.executionId));
    expect(displays).toHaveLength(2000);
    expect(await noteOf(r.executionId)).toBe('… 48,000 more displays not shown (a cell keeps its first 2,000 outputs; updating a display adds none)');
  });

  it('lets a loop update one display as often as it likes', async () => {
    const r = await kernel.execute('const h = display(0);\nfor (let i = 1; i <= 5000; i++) h.update(i)');
    expect(r.status).toBe('ok');
    expect(r.outputs.filter((o) => o.type === 'display')).toHaveLength(1);
    expect(r.outputs.filter((o) => o.type === 'update')).toHaveLength(5000);
  });
});
