// A cell-written model (the seed's LSTMModel, TypeScript compiled by the kernel's cell compiler)
// trained in a worker from a notebook cell of a real kernel process: the class crosses as its
// compiled source, and the losses equal those of the same training on the kernel thread.

import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelProcess } from '../../kernel/runner/kernelProcess';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
let kernel: KernelProcess;

beforeAll(async () => {
  kernel = new KernelProcess({ kernelPath });
  await kernel.initialize();
});
afterAll(() => kernel.dispose());

const textOf = (outputs: readonly unknown[]): string =>
  outputs.map((o) => ((o as { data?: Record<string, string> }).data?.['text/plain'] ?? (o as { text?: string }).text ?? '')).join('\n');

describe('a cell-written model in a worker', () => {
  it('trains from a notebook cell, bit-identical to the kernel thread', async () => {
    const define = await kernel.execute(
      [
        "import { Embedding, LSTM as Recurrent, Linear, Module, Tensor, select, tensor, manualSeed, fit } from 'rnn-lab';",
        'class LSTMModel extends Module {',
        '  embedding: Embedding; lstm: Recurrent; fc: Linear;',
        '  constructor(vocab: number, embed: number, hidden: number, classes: number) {',
        '    super();',
        '    this.embedding = new Embedding(vocab, embed);',
        '    this.lstm = new Recurrent(embed, hidden, { numLayers: 2, dropout: 0.3, batchFirst: true });',
        '    this.fc = new Linear(hidden, classes);',
        '  }',
        '  forward(x: Tensor): Tensor {',
        '    const { h } = this.lstm.forward(this.embedding.forward(x));',
        '    return this.fc.forward(select(h, 0, h.shape[0] - 1));',
        '  }',
        '}',
        'const xs = Array.from({ length: 40 }, (_, i) => Array.from({ length: 8 }, (_, t) => (i * 7 + t * 3) % 12));',
        'const data = { x: tensor(xs), y: tensor(xs.map((r) => r.filter((v) => v < 4).length % 3)) };',
        'const make = () => { manualSeed(3); return new LSTMModel(12, 8, 16, 3); };',
      ].join('\n'),
    );
    expect(define.error).toBeUndefined();
    const run = await kernel.execute(
      [
        'const model = make();',
        'const job = fit(model, data, { epochs: 2, batchSize: 8, seed: 4 });',
        'const inWorker = await job.done;',
        'const onThread = await fit(make(), data, { epochs: 2, batchSize: 8, seed: 4, worker: false, display: false }).done;',
        'JSON.stringify({ name: job.summary().model, steps: inWorker.steps, same: JSON.stringify(inWorker.losses) === JSON.stringify(onThread.losses) })',
      ].join('\n'),
      { executionId: 'train' },
    );
    expect(run.error).toBeUndefined();
    expect(textOf(run.outputs)).toContain('{"name":"model","steps":10,"same":true}');
  });

  it('names a variable from another cell that the worker cannot see, in the error of the cell', async () => {
    await kernel.execute('const scale = 0.5;');
    const run = await kernel.execute(
      [
        'class Scaled extends Module {',
        '  fc = new Linear(8, 3);',
        '  forward(x: Tensor): Tensor { return this.fc.forward(x).mul(scale); }',
        '}',
        'const feats = { x: tensor(xs), y: data.y };',
        'await fit(new Scaled(), feats, { batchSize: 8, display: false }).done;',
      ].join('\n'),
    );
    expect(run.error?.name).toBe('ReferenceError');
    expect(run.error?.message).toContain("class Scaled uses 'scale'");
    expect(run.error?.message).toContain('{ globals: { scale } }');
  });
});
