// How many kernel threads training workers and the kernel process ask for (kernel/runtime/
// engine/wasm/flags.ts), and that a kernel process computes with them: a cell sees getNumThreads() and
// gets the same numbers with 1 and 2 threads.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellThreads, kernelThreads } from '../../kernel/engine/wasm/flags';

describe('kernelThreads', () => {
  it('is 2 on a machine with two cores or more, 1 otherwise', () => {
    expect(kernelThreads({})).toBe(availableParallelism() >= 2 ? 2 : 1);
  });

  it('is 1 for cells unless RNN_LAB_THREADS=2', () => {
    expect(cellThreads({})).toBe(1);
    expect(cellThreads({ RNN_LAB_THREADS: '2' })).toBe(2);
    expect(cellThreads({ RNN_LAB_THREADS: '1' })).toBe(1);
  });

  it('follows RNN_LAB_THREADS=1|2 and ignores other values', () => {
    expect(kernelThreads({ RNN_LAB_THREADS: '1' })).toBe(1);
    expect(kernelThreads({ RNN_LAB_THREADS: '2' })).toBe(2);
    expect(kernelThreads({ RNN_LAB_THREADS: '8' })).toBe(availableParallelism() >= 2 ? 2 : 1);
  });
});

describe('a kernel process', () => {
  it('computes with RNN_LAB_THREADS=2 kernel threads, the same numbers as one thread', async () => {
    const { KernelProcess } = await import('../../kernel/runner/kernelProcess');
    const before = process.env.RNN_LAB_THREADS;
    process.env.RNN_LAB_THREADS = '2'; // the kernel process inherits it
    const kernel = new KernelProcess({ kernelPath: resolve(__dirname, '../../dist/kernel.js') });
    if (before === undefined) delete process.env.RNN_LAB_THREADS;
    else process.env.RNN_LAB_THREADS = before;
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
      expect(text).toContain('2 true');
    } finally {
      kernel.dispose();
    }
  }, 60_000);
});
