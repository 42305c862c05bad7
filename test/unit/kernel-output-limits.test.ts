// Output bounds (kernel/transport/outputLimits.ts): what a cell prints beyond its budget is cut and
// counted in one note per execution, too large displays become notes naming their size, errors
// are shortened, and nothing is dropped without the count saying so.
import { describe, expect, it, vi } from 'vitest';
import { boundOutputs, estimateJsonChars, truncationNoteId, type OutputLimits } from '../../kernel/transport/outputLimits';
import type { CellOutput, OutputParams } from '../../kernel/protocol';

const small: OutputLimits = { streamChars: 100, bundleChars: 1000, richChars: 3000, errorChars: 500, errorTextChars: 50, outputs: 10 };

function recorder(limits: Partial<OutputLimits> = small) {
  const sent: (OutputParams | { method: string })[] = [];
  const transport = boundOutputs({ sendOutput: (p) => sent.push(p), sendNotification: (method) => sent.push({ method }) }, limits);
  const outputs = (executionId = 'e1'): CellOutput[] => sent.filter((s): s is OutputParams => 'executionId' in s && s.executionId === executionId).map((s) => s.output);
  /** The note as the client shows it: the display with its last update applied. */
  const note = (executionId = 'e1'): string | undefined => {
    let text: string | undefined;
    for (const o of outputs(executionId)) {
      if ((o.type === 'display' || o.type === 'update') && o.displayId === truncationNoteId(executionId)) text = o.data['text/plain'] as string;
    }
    return text;
  };
  const streamText = (executionId = 'e1', name = 'stdout') =>
    outputs(executionId)
      .filter((o): o is Extract<CellOutput, { type: 'stream' }> => o.type === 'stream' && o.name === name)
      .map((o) => o.text)
      .join('');
  return { transport, sent, outputs, note, streamText };
}

const print = (text: string, name: 'stdout' | 'stderr' = 'stdout', executionId = 'e1'): OutputParams => ({ executionId, output: { type: 'stream', name, text } });

describe('stream text', () => {
  it('passes text within the budget unchanged and sends no note', () => {
    const r = recorder();
    r.transport.sendOutput(print('hello\n'));
    r.transport.sendOutput(print('x'.repeat(94)));
    expect(r.streamText()).toBe(`hello\n${'x'.repeat(94)}`);
    expect(r.note()).toBeUndefined();
  });

  it('keeps the first characters, counts every one it drops, and says so in one note updated in place', () => {
    const r = recorder();
    r.transport.sendOutput(print('a'.repeat(60)));
    r.transport.sendOutput(print('b'.repeat(60)));
    r.transport.sendOutput(print('c'.repeat(1000)));
    r.transport.sendOutput(print('d'.repeat(7), 'stderr'));
    r.transport.flush();
    expect(r.streamText()).toBe('a'.repeat(60) + 'b'.repeat(40));
    expect(r.note()).toContain('… output truncated: 1,020 more characters of stdout not shown');
    expect(r.note()).toContain('7 more characters of stderr not shown');
    expect(r.note()).toContain('the first 100 characters');
    // One note display, the rest updates of it.
    expect(r.outputs().filter((o) => o.type === 'display')).toHaveLength(1);
  });

  it('cuts at a line end near the limit and never inside a surrogate pair', () => {
    const r = recorder();
    r.transport.sendOutput(print(`${'a'.repeat(70)}\n${'b'.repeat(100)}`));
    expect(r.streamText()).toBe(`${'a'.repeat(70)}\n`);
    const s = recorder({ ...small, streamChars: 5 });
    s.transport.sendOutput(print('abcd😀xyz'));
    expect(s.streamText()).toBe('abcd');
    expect(s.note()).toContain('5 more characters of stdout');
  });

  it('budgets each execution on its own', () => {
    const r = recorder();
    r.transport.sendOutput(print('x'.repeat(150), 'stdout', 'e1'));
    r.transport.sendOutput(print('y'.repeat(80), 'stdout', 'e2'));
    expect(r.streamText('e2')).toBe('y'.repeat(80));
    expect(r.note('e2')).toBeUndefined();
    expect(r.note('e1')).toContain('50 more characters');
  });

  it('sends a pending note update before the next output or notification, in order', () => {
    const r = recorder();
    r.transport.sendOutput(print('x'.repeat(150)));
    r.transport.sendOutput(print('x'.repeat(10)));
    expect(r.note()).toContain('50 more'); // the update is still pending
    r.transport.sendNotification('rnnLab/state', { state: 'idle' });
    expect(r.note()).toContain('60 more');
    expect(r.sent.at(-1)).toEqual({ method: 'rnnLab/state' });
  });

  it('sends a pending note update by itself after a short while', async () => {
    vi.useFakeTimers();
    try {
      const r = recorder();
      r.transport.sendOutput(print('x'.repeat(150)));
      r.transport.sendOutput(print('x'.repeat(10)));
      await vi.advanceTimersByTimeAsync(500);
      expect(r.note()).toContain('60 more');
    } finally {
      vi.useRealTimers();
    }
  });

  it('handles two 270 M-character prints, keeping only the budget (no copy of the rest)', () => {
    const r = recorder({ streamChars: 8 * 1024 * 1024 });
    const huge = 'z'.repeat(270_000_000);
    r.transport.sendOutput(print(huge));
    r.transport.sendOutput(print(huge));
    r.transport.flush();
    expect(r.streamText().length).toBe(8 * 1024 * 1024);
    expect(r.note()).toContain(`${(540_000_000 - 8 * 1024 * 1024).toLocaleString('en-US')} more characters of stdout`);
  });
});

describe('displays and results', () => {
  it('replaces a bundle larger than the limit with a note naming its size, the limit and its text', () => {
    const r = recorder({ bundleChars: 1024 * 1024 });
    const z = Array.from({ length: 2000 }, (_, i) => Array.from({ length: 2000 }, (_, j) => Math.sin(i * j)));
    r.transport.sendOutput({ executionId: 'e1', output: { type: 'display', data: { 'application/vnd.rnn-lab.heatmap+json': { kind: 'heatmap', z }, 'text/plain': 'heatmap 2000×2000' } } });
    const [shown] = r.outputs();
    expect(shown!.type).toBe('display');
    const text = (shown as { data: Record<string, string> }).data['text/plain']!;
    expect(Object.keys((shown as { data: object }).data)).toEqual(['text/plain']);
    expect(text).toMatch(/^heatmap 2000×2000\n… output not shown: its data is about (7[5-9]|8\d) MB, more than the 1\.0 MB one output may hold \(application\/vnd\.rnn-lab\.heatmap\+json, text\/plain\)$/);
  });

  it('checks updates too, and lets bundles within the limit through unchanged', () => {
    const r = recorder();
    const data = { 'text/plain': 'ok' };
    r.transport.sendOutput({ executionId: 'e1', output: { type: 'result', data } });
    r.transport.sendOutput({ executionId: 'e1', output: { type: 'update', displayId: 'd', data: { 'text/plain': 'y'.repeat(5000) } } });
    expect(r.outputs()[0]).toEqual({ type: 'result', data });
    expect((r.outputs()[1] as { data: Record<string, string> }).data['text/plain']).toMatch(/^… output not shown: its data is about 5 KB/);
  });

  it('drops displays beyond the per-execution budget and counts them in the note', () => {
    const r = recorder();
    const display = (n: number): OutputParams => ({ executionId: 'e1', output: { type: 'display', data: { 'text/plain': String(n).padStart(900, '.') } } });
    for (let n = 0; n < 6; n++) r.transport.sendOutput(display(n));
    r.transport.flush();
    expect(r.outputs().filter((o) => o.type === 'display' && o.displayId === undefined)).toHaveLength(3);
    expect(r.note()).toMatch(/… 3 more outputs not shown \(about 3 KB; a cell keeps 3 KB of displays and results\)/);
  });

  it("keeps a cell's errors when its displays used up their budget, and bounds errors on their own", () => {
    const r = recorder();
    for (let n = 0; n < 5; n++) r.transport.sendOutput({ executionId: 'e1', output: { type: 'display', data: { 'text/plain': 'd'.repeat(900) } } });
    const error: CellOutput = { type: 'error', error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at cell 1:1' } };
    r.transport.sendOutput({ executionId: 'e1', output: error });
    expect(r.outputs().filter((o) => o.type === 'error')).toHaveLength(1);
    for (let n = 0; n < 20; n++) r.transport.sendOutput({ executionId: 'e1', output: error });
    r.transport.flush();
    const kept = r.outputs().filter((o) => o.type === 'error').length;
    expect(kept).toBeLessThan(10);
    expect(r.note()).toContain(`… ${21 - kept} more errors not shown (a cell keeps 1 KB of errors)`);
  });
});

describe('errors', () => {
  it('shortens long messages and stacks, saying how much was left out', () => {
    const r = recorder();
    r.transport.sendOutput({ executionId: 'e1', output: { type: 'error', error: { name: 'Error', message: 'm'.repeat(500), stack: 's'.repeat(70) } } });
    const error = (r.outputs()[0] as { error: { message: string; stack: string } }).error;
    expect(error.message).toBe(`${'m'.repeat(50)}… (450 more characters not shown)`);
    expect(error.stack).toBe(`${'s'.repeat(50)}… (20 more characters not shown)`);
  });
});

describe('estimateJsonChars', () => {
  it('is exact for small values', () => {
    const values = [null, true, 'a"b', 1.25, [1, 2, [3]], { a: 1, b: 'x', c: undefined, d: [null] }, { 'text/plain': ['a', 'b'] }];
    for (const v of values) expect(estimateJsonChars(v)).toBe(JSON.stringify(v).length - (JSON.stringify(v).match(/\\/g)?.length ?? 0));
  });

  it('estimates large arrays within a few percent without looking at every element', () => {
    const z = Array.from({ length: 3000 }, (_, i) => Array.from({ length: 1000 }, (_, j) => Math.cos(i + j / 7)));
    const exact = JSON.stringify(z).length;
    const estimate = estimateJsonChars(z);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.03);
  });
});
