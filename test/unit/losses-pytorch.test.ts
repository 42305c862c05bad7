// Loss values and gradients against PyTorch (test/fixtures/pytorch/optim/losses.json, written by
// scripts/fixtures/gen_optim_fixtures.py).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bceWithLogits, crossEntropy, mseLoss, nllLoss, type Reduction } from '../../kernel/engine/losses';
import { Tensor } from '../../kernel/engine/tensor';

interface FixtureTensor {
  shape: number[];
  data: number[];
}
interface LossCase {
  name: string;
  fn: 'crossEntropy' | 'nllLoss' | 'mseLoss' | 'bceWithLogits';
  options: { reduction?: Reduction; labelSmoothing?: number; ignoreIndex?: number };
  inputs: Record<string, FixtureTensor>;
  upstream: FixtureTensor | null;
  loss: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/pytorch/optim/losses.json'), 'utf8')) as { cases: LossCase[] };

function toTensor(t: FixtureTensor, requiresGrad = false): Tensor {
  return new Tensor(Float32Array.from(t.data), t.shape, requiresGrad);
}

function expectClose(actual: Tensor, expected: FixtureTensor, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!;
    const a = actual.data[i]!;
    if (Math.abs(a - e) > 1e-5 + 1e-5 * Math.abs(e)) {
      expect.fail(`${what}[${i}]: engine ${a} vs PyTorch ${e}`);
    }
  }
}

describe('losses match PyTorch', () => {
  it('has the fixture cases', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const inputs: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) inputs[k] = toTensor(v, k in c.grads);
      const { reduction, labelSmoothing, ignoreIndex } = c.options;
      let loss: Tensor;
      if (c.fn === 'crossEntropy') loss = crossEntropy(inputs.logits!, inputs.target!, { reduction, labelSmoothing, ignoreIndex, weight: inputs.weight });
      else if (c.fn === 'nllLoss') loss = nllLoss(inputs.input!, inputs.target!, { reduction, ignoreIndex, weight: inputs.weight });
      else if (c.fn === 'mseLoss') loss = mseLoss(inputs.input!, inputs.target!, { reduction });
      else loss = bceWithLogits(inputs.logits!, inputs.target!, { reduction, weight: inputs.weight, posWeight: inputs.posWeight });
      expectClose(loss, c.loss, 'loss');
      expect(loss.gradFn).not.toBeNull();
      // One fused op on the tape: its inputs are the tensors themselves.
      expect(loss.gradFn!.inputs.every((t) => Object.values(inputs).includes(t))).toBe(true);
      loss.backward(c.upstream ? toTensor(c.upstream) : undefined);
      for (const [k, g] of Object.entries(c.grads)) {
        expect(inputs[k]!.grad, `grad of ${k}`).not.toBeNull();
        expectClose(inputs[k]!.grad!, g, `grad of ${k}`);
      }
    });
  }
});
