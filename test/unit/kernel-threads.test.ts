// How many kernel threads the kernel process asks for (kernel/runtime/wasmFlags.ts), and that a
// kernel process really computes with them: a cell sees getNumThreads() and the same numbers.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelThreads } from '../../kernel/runtime/wasmFlags';

describe('kernelThreads', () => {
  it('is 2 on a machine with two cores or more, 1 otherwise', () => {
    expect(kernelThreads({})).toBe(availableParallelism() >= 2 ? 2 : 1);
  });

  it('follows RNN_LAB_THREADS=1|2 and ignores other values', () => {
    expect(kernelThreads({ RNN_LAB_THREADS: '1' })).toBe(1);
    expect(kernelThreads({ RNN_LAB_THREADS: '2' })).toBe(2);
    expect(kernelThreads({ RNN_LAB_THREADS: '8' })).toBe(availableParallelism() >= 2 ? 2 : 1);
  });
});

describe('a kernel process', () => {
  it('computes with two kernel threads (same results as one thread) where the machine has two cores', async () => {
    const { KernelProcess } = await import('../../kernel/runtime/runner/kernelProcess');
    const kernel = new KernelProcess({ kernelPath: resolve(__dirname, '../../dist/kernel.js') });
    try {
      await kernel.initialize();
      const code = [
        "import { LSTM, tensor, manualSeed, getNumThreads, setNumThreads } from 'rnn-lab';",
        'const run = () => { manualSeed(1); const l = new LSTM(16, 128); const x = tensor(Array.from({ length: 50 * 8 * 16 }, (_, i) => Math.sin(i)), [50, 8, 16]); const y = l.forward(x).output; y.sum().backward(); return [y.data, l.weight_hh_l0.grad!.data]; };',
        'const threads = getNumThreads();',
        'const a = run(); setNumThreads(1); const b = run(); setNumThreads(threads);',
        '`${threads} ${a.every((v, i) => v.every((x, j) => x === b[i]![j]))}`',
      ].join('\n');
      const r = await kernel.execute(code);
      expect(r.status).toBe('ok');
      const text = r.outputs.map((o) => ('data' in o ? String(o.data['text/plain']) : '')).join('');
      expect(text).toContain(`${availableParallelism() >= 2 ? 2 : 1} true`);
    } finally {
      kernel.dispose();
    }
  }, 60_000);
});
