// A recurrent layer fed by an embedding works on the table (kernel/engine/tableRows.ts): same
// outputs and the same gradients (table, weights, biases, initial states) as when the embedding's
// output is an ordinary tensor, for every cell, both layouts, two layers, both directions,
// variable lengths and a padding index; and it falls back when it must.

import { afterAll, describe, expect, it } from 'vitest';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { GRU, LSTM, RNN } from '../../kernel/engine/layers/recurrent';
import { manualSeed } from '../../kernel/engine/rng';
import { tableRowsOf } from '../../kernel/engine/tableRows';
import { tensor } from '../../kernel/engine/tensor';
import { useKernels } from '../../kernel/engine/wasm/instance';
import { toleranceRatio } from './recurrent-helpers';

afterAll(() => void useKernels('auto'));

type Layer = LSTM | GRU | RNN;
const makers: [string, (batchFirst: boolean) => Layer][] = [
  ['LSTM', (batchFirst) => new LSTM(6, 10, { numLayers: 2, bidirectional: true, batchFirst })],
  ['GRU', (batchFirst) => new GRU(6, 10, { batchFirst })],
  ['RNN', (batchFirst) => new RNN(6, 10, { batchFirst, bidirectional: true })],
];

/** Output and every gradient of embedding → layer, with the embedding output used as is or copied. */
function run(make: (bf: boolean) => Layer, batchFirst: boolean, copy: boolean, lengths?: number[]): Float32Array[] {
  manualSeed(5);
  const emb = new Embedding(11, 6, { paddingIdx: 0 });
  const layer = make(batchFirst);
  const [T, N] = [7, 3];
  const ids = Array.from({ length: T * N }, (_, i) => (i * 5 + 3) % 11); // includes 0 (padding)
  const tokens = tensor(ids, batchFirst ? [N, T] : [T, N]);
  const e = emb.forward(tokens);
  const x = copy ? e.mul(1) : e; // a copy has no table rows behind it
  expect(tableRowsOf(x) !== null).toBe(!copy);
  const { output, h } = layer.forward(x, lengths ? { lengths } : {});
  output.sum().add(h.mul(0.5).sum()).backward();
  return [output.data, emb.weight.grad!.data, ...layer.parameters().map((p) => p.grad!.data)];
}

describe('embedding → recurrent layer on the table', () => {
  for (const [name, make] of makers) {
    for (const batchFirst of [false, true]) {
      it(`${name}, batchFirst ${batchFirst}: outputs and gradients as from a plain input`, () => {
        useKernels('auto');
        const fused = run(make, batchFirst, false, [7, 4, 2]);
        const plain = run(make, batchFirst, true, [7, 4, 2]);
        expect(fused[0]).toEqual(plain[0]); // the same dot products in the same order
        fused.forEach((g, i) => expect(toleranceRatio(g, plain[i]!, 1e-6, 1e-5), `tensor ${i}`).toBeLessThanOrEqual(1));
        // paddingIdx 0 gets no gradient
        expect(Array.from(fused[1]!.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
      });
    }
  }

  it('a TypeScript backward of a table forward sums dx per table row', () => {
    useKernels('auto');
    manualSeed(2);
    const emb = new Embedding(5, 4);
    const lstm = new LSTM(4, 8);
    const loss = lstm.forward(emb.forward(tensor([1, 2, 3, 1, 4, 0], [3, 2]))).output.sum();
    useKernels('js');
    loss.backward();
    const viaJs = emb.weight.grad!.data;
    useKernels('auto');
    manualSeed(2);
    const emb2 = new Embedding(5, 4);
    const lstm2 = new LSTM(4, 8);
    lstm2.forward(emb2.forward(tensor([1, 2, 3, 1, 4, 0], [3, 2])).mul(1)).output.sum().backward();
    expect(toleranceRatio(viaJs, emb2.weight.grad!.data, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('on the TypeScript kernels alone, the table still gets the gradient of its rows', () => {
    useKernels('js');
    const fused = run(makers[0]![1], true, false, [7, 4, 2]);
    const plain = run(makers[0]![1], true, true, [7, 4, 2]);
    useKernels('auto');
    fused.forEach((g, i) => expect(toleranceRatio(g, plain[i]!, 1e-6, 1e-5), `tensor ${i}`).toBeLessThanOrEqual(1));
  });

  it('falls back to x when x changed after the lookup, or when x keeps its own gradient', () => {
    useKernels('auto');
    const emb = new Embedding(5, 4);
    const x = emb.forward(tensor([1, 2, 3], [3, 1]));
    expect(tableRowsOf(x)).not.toBeNull();
    x.data[0] = 42; // no longer the table's row
    expect(tableRowsOf(x)).toBeNull();
    const y = emb.forward(tensor([1, 2, 3], [3, 1]));
    y.retainGrad();
    new LSTM(4, 3).forward(y).output.sum().backward();
    expect(y.grad).not.toBeNull();
    expect(Math.max(...y.grad!.data.map(Math.abs))).toBeGreaterThan(0);
  });

  it('leaves a shared input alone: the embedding output used twice gets both gradients', () => {
    useKernels('auto');
    const grads = (copy: boolean): Float32Array => {
      manualSeed(9);
      const emb = new Embedding(6, 4);
      const lstm = new LSTM(4, 5);
      const e = emb.forward(tensor([0, 1, 2, 3, 4, 5], [3, 2]));
      const x = copy ? e.mul(1) : e;
      lstm.forward(x).output.sum().add(x.mul(x).sum()).backward();
      return emb.weight.grad!.data;
    };
    expect(toleranceRatio(grads(false), grads(true), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
  });
});

