// Text generation feeds a model one token per call, carrying the state: embedding → recurrent
// layers at T = N = 1, where the layers read their weights in place (wasm/weightOperand.ts) and
// project the embedding's rows rather than its whole table (recurrent.ts timeMajorTableRows).
// Token by token must give what one call over the whole sequence gives, and a backward through a
// few rows (fewer than the table has) the gradients of the TypeScript kernels.

import { afterAll, describe, expect, it } from 'vitest';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { GRU, LSTM, RNN } from '../../kernel/engine/layers/recurrent';
import { manualSeed } from '../../kernel/engine/rng';
import { noGrad, tensor, type Tensor } from '../../kernel/engine/tensor';
import { useKernels } from '../../kernel/engine/wasm/instance';
import { toleranceRatio } from './recurrent-helpers';

afterAll(() => void useKernels('auto'));

type Layer = LSTM | GRU | RNN;
const V = 20;
const makers: [string, () => Layer][] = [
  ['LSTM, 2 layers', () => new LSTM(12, 40, { numLayers: 2, batchFirst: true })],
  ['GRU', () => new GRU(12, 33, { batchFirst: true })],
  ['RNN', () => new RNN(12, 30, { batchFirst: true })],
];
const ids = [3, 17, 0, 9, 9, 12, 5, 1, 19, 4, 7, 2];
/** V token ids, every table row once. */
const allIds = Array.from({ length: V }, (_, i) => (i * 7 + 3) % V);

describe('one token per call', () => {
  for (const [name, make] of makers) {
    it(`${name}: token by token with the state carried equals the whole sequence at once`, () => {
      useKernels('auto');
      manualSeed(3);
      const emb = new Embedding(V, 12);
      const layer = make();
      const whole = noGrad(() => layer.forward(emb.forward(tensor(ids, [1, ids.length]))));
      let h: Tensor | undefined;
      let c: Tensor | undefined;
      const steps: number[] = [];
      for (const id of ids) {
        const run = noGrad(() => layer.forward(emb.forward(tensor([id], [1, 1])), h ? { h0: h, ...(c ? { c0: c } : {}) } : {}));
        steps.push(...run.output.data);
        h = run.h;
        c = run.c ?? undefined;
      }
      expect(toleranceRatio(Float32Array.from(steps), whole.output.data, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      expect(toleranceRatio(h!.data, whole.h.data, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    });

    it.each([5, V])(`${name}: %i rows for a table of ${V} — outputs and gradients as on the TypeScript kernels`, (rows) => {
      const grads = (kernels: 'js' | 'auto'): Float32Array[] => {
        useKernels(kernels);
        manualSeed(4);
        const emb = new Embedding(V, 12);
        const layer = make();
        const { output, h } = layer.forward(emb.forward(tensor(allIds.slice(0, rows), [1, rows]))); // rows < 20 table rows, or as many
        output.sum().add(h.mul(0.5).sum()).backward();
        return [output.data, emb.weight.grad!.data, ...layer.parameters().map((p) => p.grad!.data)];
      };
      const fast = grads('auto');
      const ref = grads('js');
      fast.forEach((g, i) => expect(toleranceRatio(g, ref[i]!, 1e-6, 1e-5), `tensor ${i}`).toBeLessThanOrEqual(1));
    });
  }
});
