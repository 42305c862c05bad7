// Gradients through a recurrent layer's final states: h_n and c_n hand their gradients to the
// layer's op directly (rnn/op.ts), with or without a gradient on the output y — an encoder uses
// only h_n (and c_n). Checked against the step-by-step reference (forwardReference), which builds
// the same computation from small autograd ops.

import { afterAll, describe, expect, it } from 'vitest';
import { GRU, LSTM, type RNNBase } from '../../kernel/engine/layers/recurrent';
import { manualSeed } from '../../kernel/engine/rng';
import { Tensor } from '../../kernel/engine/tensor';
import { useKernels } from '../../kernel/engine/wasm/instance';
import { seededValues, toleranceRatio } from './recurrent-helpers';

afterAll(() => useKernels('auto'));

type Use = 'h' | 'c' | 'y+h' | 'y+h+c';
const weighted = (t: Tensor, seed: number): Tensor => t.mul(new Tensor(seededValues(t.size, seed), t.shape)).sum();

function grads(kind: 'LSTM' | 'GRU', use: Use, path: 'forward' | 'forwardReference', kernels: 'auto' | 'js'): Float32Array[] {
  useKernels(kernels);
  manualSeed(5);
  const layer: RNNBase = kind === 'LSTM' ? new LSTM(4, 6, { numLayers: 2, bidirectional: true }) : new GRU(4, 6, { numLayers: 2, bidirectional: true });
  const x = new Tensor(seededValues(7 * 3 * 4, 1), [7, 3, 4]);
  const r = (layer as LSTM)[path](x, { lengths: [7, 4, 6] });
  let loss = weighted(r.h, 2);
  if (use === 'c') loss = weighted(r.c!, 3);
  if (use.startsWith('y')) loss = loss.add(weighted(r.output, 4));
  if (use === 'y+h+c') loss = loss.add(weighted(r.c!, 3));
  loss.backward();
  return layer.parameters().map((p) => p.grad!.data);
}

describe('gradients through the final states', () => {
  const cases: ['LSTM' | 'GRU', Use][] = [
    ['LSTM', 'h'],
    ['LSTM', 'c'],
    ['LSTM', 'y+h'],
    ['LSTM', 'y+h+c'],
    ['GRU', 'h'],
    ['GRU', 'y+h'],
  ];
  for (const kernels of ['auto', 'js'] as const) {
    it.each(cases)(`%s, loss on %s (${kernels} kernels) matches the reference`, (kind, use) => {
      const fused = grads(kind, use, 'forward', kernels);
      const reference = grads(kind, use, 'forwardReference', kernels);
      fused.forEach((g, i) => expect(toleranceRatio(g, reference[i]!, 1e-5, 1e-4), `parameter ${i}`).toBeLessThanOrEqual(1));
    });
  }

  it('with retainGraph a second backward through h_n alone adds the same gradients again', () => {
    useKernels('auto');
    manualSeed(6);
    const lstm = new LSTM(3, 5);
    const { h } = lstm.forward(new Tensor(seededValues(6 * 2 * 3, 7), [6, 2, 3]));
    const loss = weighted(h, 8);
    loss.backward({ retainGraph: true });
    const once = lstm.parameters().map((p) => new Float32Array(p.grad!.data));
    loss.backward();
    lstm.parameters().forEach((p, i) => expect(toleranceRatio(p.grad!.data, once[i]!.map((v) => 2 * v), 1e-6, 1e-6)).toBeLessThanOrEqual(1));
  });
});

describe('an output gradient that a select made (zero outside one time step)', () => {
  // The fast kernels read only the selected step of dy; the reference sees the whole zero-padded dy.
  const cases: [string, boolean, boolean][] = [
    ['batchFirst, last step', true, false],
    ['time-major, last step', false, false],
    ['batchFirst, last step plus the whole output', true, true],
  ];
  for (const kernels of ['auto', 'js'] as const) {
    it.each(cases)(`%s (${kernels} kernels) matches the reference`, (_name, batchFirst, alsoWhole) => {
      const run = (path: 'forward' | 'forwardReference'): Float32Array[] => {
        useKernels(kernels);
        manualSeed(9);
        const rnn = new LSTM(3, 7, { batchFirst });
        const x = new Tensor(seededValues(5 * 8 * 3, 2), batchFirst ? [5, 8, 3] : [8, 5, 3]);
        const { output } = rnn[path](x);
        const last = output.select(batchFirst ? 1 : 0, 7); // (5,7)
        let loss = weighted(last, 3);
        if (alsoWhole) loss = loss.add(weighted(output, 4));
        loss.backward();
        return rnn.parameters().map((p) => p.grad!.data);
      };
      const fused = run('forward');
      const reference = run('forwardReference');
      fused.forEach((g, i) => expect(toleranceRatio(g, reference[i]!, 1e-5, 1e-4), `parameter ${i}`).toBeLessThanOrEqual(1));
    });
  }
});
