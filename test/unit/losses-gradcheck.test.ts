// Loss gradients by finite differences, the (N,T,C) helper, edge cases, and error messages.

import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../kernel/engine/gradcheck';
import { bceWithLogits, crossEntropy, mseLoss, nllLoss, sequenceCrossEntropy, type Reduction } from '../../kernel/engine/losses';
import { logSoftmax, transpose } from '../../kernel/engine/ops';
import { Generator } from '../../kernel/engine/rng';
import { Tensor, tensor } from '../../kernel/engine/tensor';

const gen = new Generator(7);
function randn(shape: number[], scale = 1, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = gen.normal(0, scale);
  return new Tensor(data, shape, requiresGrad);
}
function rand(shape: number[], lo: number, hi: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = gen.uniform(lo, hi);
  return new Tensor(data, shape, requiresGrad);
}
function expectGradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs);
  expect(r.ok, r.summary).toBe(true);
  expect(r.checked).toBeGreaterThan(0);
}

const reductions: Reduction[] = ['mean', 'sum', 'none'];

describe('crossEntropy gradients (finite differences)', () => {
  for (const reduction of reductions) {
    it(`index targets, ${reduction}`, () => {
      expectGradcheck((x) => crossEntropy(x, tensor([0, 3, 1, 2, 3]), { reduction }), [randn([5, 4])]);
    });
    it(`ignoreIndex, class weights and label smoothing, ${reduction}`, () => {
      const target = tensor([0, -100, 1, 2, -100, 4]);
      const weight = tensor([0.5, 1, 2, 1.5, 0.7]);
      expectGradcheck((x) => crossEntropy(x, target, { reduction, weight, labelSmoothing: 0.2 }), [randn([6, 5])]);
    });
    it(`spatial (N,C,d1,d2) with a custom ignoreIndex, ${reduction}`, () => {
      const target = tensor([0, 2, 1, 1, 0, 2, 2, 1, 0, 1, 2, 0], [2, 2, 3]);
      expectGradcheck((x) => crossEntropy(x, target, { reduction, ignoreIndex: 1 }), [randn([2, 3, 2, 3])]);
    });
    it(`probability targets (both inputs differentiated), ${reduction}`, () => {
      const q = rand([4, 3], 0.05, 1, true);
      expectGradcheck((x, t) => crossEntropy(x, t, { reduction, labelSmoothing: 0.1, weight: tensor([1, 2, 0.5]) }), [randn([4, 3]), q]);
    });
  }
  it('unbatched (C,) logits with a scalar target', () => {
    expectGradcheck((x) => crossEntropy(x, tensor(2)), [randn([5])]);
  });
  it('through logSoftmax + nllLoss equals crossEntropy', () => {
    const x = randn([4, 6]);
    const t = tensor([5, 0, 2, 2]);
    const a = crossEntropy(x, t, { weight: tensor([1, 2, 3, 4, 5, 6]) }).item();
    const b = nllLoss(logSoftmax(x, 1), t, { weight: tensor([1, 2, 3, 4, 5, 6]) }).item();
    expect(a).toBeCloseTo(b, 5);
  });
});

describe('other losses (finite differences)', () => {
  for (const reduction of reductions) {
    it(`nllLoss with weight and ignoreIndex, ${reduction}`, () => {
      expectGradcheck((x) => nllLoss(x, tensor([1, -100, 0, 3]), { reduction, weight: tensor([1, 2, 3, 4]) }), [randn([4, 4])]);
    });
    it(`mseLoss, ${reduction}`, () => {
      expectGradcheck((x, y) => mseLoss(x, y, { reduction }), [randn([3, 4]), randn([3, 4])]);
    });
    it(`bceWithLogits with posWeight and weight, ${reduction}`, () => {
      const posWeight = tensor([0.5, 2, 3]);
      const weight = tensor([[1], [0.5]]);
      expectGradcheck((x, y) => bceWithLogits(x, y, { reduction, posWeight, weight }), [randn([2, 3], 2), rand([2, 3], 0, 1, true)]);
    });
  }
});

describe('sequenceCrossEntropy for (N,T,C) logits', () => {
  it('equals crossEntropy on the logits transposed to (N,C,T)', () => {
    const logits = randn([2, 5, 4]); // (N,T,C)
    const target = tensor([0, 1, 2, 3, -100, 3, 2, 1, 0, 0], [2, 5]);
    const a = sequenceCrossEntropy(logits, target, { reduction: 'none' });
    const b = crossEntropy(transpose(logits, 1, 2), target, { reduction: 'none' });
    expect(a.shape).toEqual([2, 5]);
    for (let i = 0; i < 10; i++) expect(a.data[i]).toBeCloseTo(b.data[i]!, 6);
    expect(sequenceCrossEntropy(logits, target).item()).toBeCloseTo(crossEntropy(transpose(logits, 1, 2), target).item(), 6);
    expectGradcheck((x) => sequenceCrossEntropy(x, target), [logits]);
  });
  it('names the shapes when targets do not fit', () => {
    expect(() => sequenceCrossEntropy(randn([2, 5, 4]), tensor([0, 1], [2]))).toThrow('sequenceCrossEntropy: logits (2,5,4) with classes last need targets of shape (2,5), got (2,)');
  });
});

describe('numerical stability and edge cases', () => {
  it('crossEntropy is finite for logits of ±1e4', () => {
    const x = tensor([[1e4, -1e4, 0], [-1e4, -1e4, 1e4]], undefined, { requiresGrad: true });
    const loss = crossEntropy(x, tensor([1, 2]));
    expect(loss.item()).toBeCloseTo(1e4, 0);
    loss.backward();
    expect([...x.grad!.data].every(Number.isFinite)).toBe(true);
  });
  it('bceWithLogits is finite and exact for large |x|', () => {
    const x = tensor([100, -100, 80], undefined, { requiresGrad: true });
    const loss = bceWithLogits(x, tensor([0, 1, 1]), { reduction: 'none' });
    expect(loss.data[0]).toBeCloseTo(100, 4);
    expect(loss.data[1]).toBeCloseTo(100, 4);
    expect(loss.data[2]).toBeGreaterThanOrEqual(0);
    expect(loss.data[2]).toBeLessThan(1e-30);
    loss.sum().backward();
    expect([...x.grad!.data]).toEqual([1, -1, expect.closeTo(0, 12) as unknown as number]);
  });
  it('mean over all-ignored targets is NaN, as in PyTorch; sum is 0', () => {
    const x = randn([2, 3]);
    expect(crossEntropy(x, tensor([-100, -100])).item()).toBeNaN();
    expect(crossEntropy(x, tensor([-100, -100]), { reduction: 'sum' }).item()).toBe(0);
  });
  it('ignored positions get zero gradient and zero loss', () => {
    const x = randn([3, 4]);
    const loss = crossEntropy(x, tensor([1, -100, 2]), { reduction: 'none' });
    expect(loss.data[1]).toBe(0);
    loss.sum().backward();
    expect([...x.grad!.data.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
  });
});

describe('loss errors name shapes and values', () => {
  it('crossEntropy with mismatched targets', () => {
    expect(() => crossEntropy(randn([4, 3]), tensor([0, 1, 2]))).toThrow(
      'crossEntropy: logits (4,3) (class dimension 1 of size 3) needs class-index targets of shape (4,) or class probabilities of shape (4,3), got target (3,)',
    );
  });
  it('crossEntropy on (N,T,C) logits suggests the helper', () => {
    expect(() => crossEntropy(randn([2, 5, 4]), tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1], [2, 5]))).toThrow(/got target \(2,5\)\. For sequence logits \(N,T,C\).*sequenceCrossEntropy/);
  });
  it('crossEntropy with an out-of-range or fractional class', () => {
    expect(() => crossEntropy(randn([2, 3]), tensor([0, 3]))).toThrow('crossEntropy: target 3 at position 1 is not a class index in [0, 3) (nor ignoreIndex -100)');
    expect(() => crossEntropy(randn([2, 3]), tensor([0.5, 1]))).toThrow('target 0.5 at position 0');
  });
  it('crossEntropy with a bad weight, smoothing or reduction', () => {
    expect(() => crossEntropy(randn([2, 3]), tensor([0, 1]), { weight: tensor([1, 2]) })).toThrow('crossEntropy: weight must have shape (3,) (one value per class), got (2,)');
    expect(() => crossEntropy(randn([2, 3]), tensor([0, 1]), { labelSmoothing: 1.5 })).toThrow('labelSmoothing must be in [0, 1], got 1.5');
    expect(() => crossEntropy(randn([2, 3]), tensor([0, 1]), { reduction: 'avg' as Reduction })).toThrow("reduction must be 'mean', 'sum' or 'none', got 'avg'");
  });
  it('mseLoss refuses to broadcast (N,1) against (N,)', () => {
    expect(() => mseLoss(randn([4, 1]), randn([4]))).toThrow('mseLoss: input (4,1) and target (4,) must have the same shape');
  });
  it('bceWithLogits with mismatched shapes or weights', () => {
    expect(() => bceWithLogits(randn([2, 3]), randn([3, 2]))).toThrow('bceWithLogits: logits (2,3) and target (3,2) must have the same shape');
    expect(() => bceWithLogits(randn([2, 3]), randn([2, 3]), { posWeight: tensor([1, 2]) })).toThrow("bceWithLogits: posWeight (2,) cannot be broadcast to the input's shape (2,3)");
  });
  it('nllLoss names its input', () => {
    expect(() => nllLoss(randn([4, 3]), tensor([0, 1]))).toThrow('nllLoss: input (4,3) (class dimension 1 of size 3) needs class-index targets of shape (4,), got target (2,)');
  });
});
