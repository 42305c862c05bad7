// Every differentiable op in ops/: forward values, gradients by finite differences (broadcasting
// included), and error messages that name the shapes.

import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../kernel/engine/gradcheck';
import { dropout } from '../../kernel/engine/layers/dropout';
import * as ops from '../../kernel/engine/ops';
import { Generator } from '../../kernel/engine/rng';
import { Tensor, tensor } from '../../kernel/engine/tensor';

const gen = new Generator(42);
/** Normal values, kept at least `minAbs` away from 0 (for kinks such as relu and abs). */
function randn(shape: number[], options: { requiresGrad?: boolean; minAbs?: number; scale?: number } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const minAbs = options.minAbs ?? 0;
  for (let i = 0; i < n; i++) {
    let v = gen.normal(0, options.scale ?? 1);
    if (Math.abs(v) < minAbs) v = v < 0 ? -minAbs - Math.abs(v) : minAbs + Math.abs(v);
    data[i] = v;
  }
  return new Tensor(data, shape, options.requiresGrad ?? true);
}
function positive(shape: number[]): Tensor {
  const t = randn(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = 0.5 + Math.abs(t.data[i]!);
  return t;
}
function expectGradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs);
  expect(r.ok, r.summary).toBe(true);
}
const values = (t: Tensor): number[] => [...t.data];

describe('elementwise binary ops with broadcasting', () => {
  const cases: [string, number[], number[]][] = [
    ['same shape', [2, 3], [2, 3]],
    ['row vector (3,) against (2,3)', [2, 3], [3]],
    ['column (2,1) against row (1,3)', [2, 1], [1, 3]],
    ['scalar tensor () against (2,3)', [2, 3], []],
    ['(1,) against (2,3)', [2, 3], [1]],
    ['(3,) against (2,1,3) in front', [3], [2, 1, 3]],
    ['(4,1,3) against (2,1)', [4, 1, 3], [2, 1]],
  ];
  for (const name of ['add', 'sub', 'mul', 'div'] as const) {
    for (const [label, sa, sb] of cases) {
      it(`${name}: ${label}`, () => {
        const a = randn(sa);
        const b = name === 'div' ? positive(sb) : randn(sb);
        expectGradcheck((x, y) => ops[name](x, y), [a, b]);
      });
    }
    it(`${name} with a number on either side`, () => {
      expectGradcheck((x) => ops[name](x, 2.5), [randn([2, 2])]);
      expectGradcheck((x) => ops[name](-1.5, x), [positive([3])]);
    });
  }
  it('computes broadcast values', () => {
    const a = tensor([[1], [2]]);
    const b = tensor([10, 20, 30]);
    expect(ops.add(a, b).toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(ops.sub(a, b).shape).toEqual([2, 3]);
    expect(values(ops.div(tensor([1, 4]), 2))).toEqual([0.5, 2]);
    expect(values(ops.sub(3, tensor([1, 4])))).toEqual([2, -1]);
    expect(values(ops.neg(tensor([1, -2])))).toEqual([-1, 2]);
  });
  it('sums the gradient over broadcast dimensions', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const b = tensor([1, 1, 1], undefined, { requiresGrad: true });
    ops.sum(ops.mul(a, b)).backward();
    expect(values(b.grad!)).toEqual([5, 7, 9]);
  });
  it('a tensor used twice gets both contributions', () => {
    const a = tensor([3], undefined, { requiresGrad: true });
    ops.sum(ops.mul(a, a)).backward();
    expect(values(a.grad!)).toEqual([6]);
    const b = tensor([2], undefined, { requiresGrad: true });
    ops.sum(ops.add(b, b)).backward();
    expect(values(b.grad!)).toEqual([2]);
  });
  it('names both shapes when they cannot broadcast', () => {
    expect(() => ops.add(tensor([1, 2]), tensor([1, 2, 3]))).toThrow('add: shapes (2,) and (3,) cannot be broadcast together');
    expect(() => ops.mul(randn([2, 3]), randn([3, 2]))).toThrow('mul: shapes (2,3) and (3,2) cannot be broadcast together');
  });
  it('neg', () => {
    expectGradcheck((x) => ops.neg(x), [randn([2, 3])]);
  });
});

describe('elementwise unary ops', () => {
  const unary: [string, (x: Tensor) => Tensor, () => Tensor, (v: number) => number][] = [
    ['tanh', ops.tanh, () => randn([3, 4]), Math.tanh],
    ['sigmoid', ops.sigmoid, () => randn([3, 4], { scale: 3 }), (v) => 1 / (1 + Math.exp(-v))],
    ['relu', ops.relu, () => randn([3, 4], { minAbs: 0.05 }), (v) => Math.max(v, 0)],
    ['exp', ops.exp, () => randn([3, 4]), Math.exp],
    ['log', ops.log, () => positive([3, 4]), Math.log],
    ['abs', ops.abs, () => randn([3, 4], { minAbs: 0.05 }), Math.abs],
    ['sqrt', ops.sqrt, () => positive([3, 4]), Math.sqrt],
    ['pow 2', (x) => ops.pow(x, 2), () => randn([3, 4]), (v) => v * v],
    ['pow 3', (x) => ops.pow(x, 3), () => randn([3, 4]), (v) => v ** 3],
    ['pow 0.5', (x) => ops.pow(x, 0.5), () => positive([3, 4]), Math.sqrt],
    ['pow -1', (x) => ops.pow(x, -1), () => positive([3, 4]), (v) => 1 / v],
  ];
  for (const [name, fn, make, ref] of unary) {
    it(name, () => {
      const x = make();
      const y = fn(x);
      expect(y.shape).toEqual(x.shape);
      x.data.forEach((v, i) => expect(y.data[i]).toBeCloseTo(ref(v), 5));
      expectGradcheck(fn, [x]);
    });
  }
  it('sigmoid is stable for large |x|; relu and abs have derivative 0 at 0, as PyTorch', () => {
    expect(values(ops.sigmoid(tensor([-1000, 1000])))).toEqual([0, 1]);
    const x = tensor([0, 0], undefined, { requiresGrad: true });
    ops.sum(ops.add(ops.relu(x), ops.abs(x))).backward();
    expect(values(x.grad!)).toEqual([0, 0]);
  });
});

describe('reductions', () => {
  it('sum and mean over everything', () => {
    const x = randn([2, 3, 4]);
    expect(ops.sum(x).shape).toEqual([]);
    expect(ops.sum(tensor([[1, 2], [3, 4]])).item()).toBe(10);
    expect(ops.mean(tensor([[1, 2], [3, 4]])).item()).toBe(2.5);
    expectGradcheck((a) => ops.sum(a), [x]);
    expectGradcheck((a) => ops.mean(a), [x]);
  });
  for (const dim of [0, 1, 2, -1]) {
    for (const keepDim of [false, true]) {
      it(`sum and mean along dim ${dim}, keepDim ${keepDim}`, () => {
        const x = randn([2, 3, 4]);
        const s = ops.sum(x, dim, keepDim);
        const expectedShape = [2, 3, 4].map((d, i) => (i === (dim + 3) % 3 ? 1 : d)).filter((d, i) => keepDim || i !== (dim + 3) % 3);
        expect(s.shape).toEqual(expectedShape);
        expectGradcheck((a) => ops.sum(a, dim, keepDim), [x]);
        expectGradcheck((a) => ops.mean(a, dim, keepDim), [x]);
      });
    }
  }
  it('sum along a dim gives the right values', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(values(ops.sum(x, 0))).toEqual([5, 7, 9]);
    expect(ops.mean(x, 1, true).toArray()).toEqual([[2], [5]]);
  });
  it('argmax over everything and along a dim (not differentiable)', () => {
    const x = tensor([[1, 9, 3], [7, 5, 6]]);
    expect(ops.argmax(x).item()).toBe(1);
    expect(values(ops.argmax(x, 1))).toEqual([1, 0]);
    expect(values(ops.argmax(x, 0))).toEqual([1, 0, 1]);
    expect(ops.argmax(randn([2, 2])).requiresGrad).toBe(false);
  });
  it('errors name the dimension and shape', () => {
    expect(() => ops.sum(randn([2, 3]), 2)).toThrow('sum: dimension 2 is out of range for a tensor with 2 dimensions');
    expect(() => ops.mean(new Tensor(new Float32Array(0), [2, 0]), 1)).toThrow('mean: cannot average over an empty dimension of shape (2,0)');
  });
});

describe('softmax family', () => {
  for (const dim of [0, 1, -1]) {
    it(`softmax and logSoftmax along ${dim}`, () => {
      const x = randn([3, 4], { scale: 2 });
      const s = ops.softmax(x, dim);
      const rows = ops.sum(s, dim);
      rows.data.forEach((v) => expect(v).toBeCloseTo(1, 6));
      const ls = ops.logSoftmax(x, dim);
      ls.data.forEach((v, i) => expect(v).toBeCloseTo(Math.log(s.data[i]!), 5));
      expectGradcheck((a) => ops.softmax(a, dim), [x]);
      expectGradcheck((a) => ops.logSoftmax(a, dim), [x]);
    });
  }
  it('a middle dimension of a 3-D tensor', () => {
    expectGradcheck((a) => ops.softmax(a, 1), [randn([2, 3, 2])]);
    expectGradcheck((a) => ops.logSoftmax(a, 1), [randn([2, 3, 2])]);
  });
  it('is stable for large logits', () => {
    const ls = ops.logSoftmax(tensor([1000, 0, -1000]));
    expect(ls.data[0]).toBeCloseTo(0, 6);
    expect(ls.data[1]).toBeCloseTo(-1000, 3);
    expect(values(ops.softmax(tensor([1000, 1000])))).toEqual([0.5, 0.5]);
  });
});

describe('matrix products', () => {
  it('2-D @ 2-D', () => {
    expect(ops.matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])).toArray()).toEqual([[17], [39]]);
    expectGradcheck((a, b) => ops.matmul(a, b), [randn([3, 4]), randn([4, 2])]);
  });
  it('3-D @ 2-D (batch folded into rows)', () => {
    const y = ops.matmul(randn([2, 3, 4]), randn([4, 5]));
    expect(y.shape).toEqual([2, 3, 5]);
    expectGradcheck((a, b) => ops.matmul(a, b), [randn([2, 3, 4]), randn([4, 5])]);
  });
  it('batched 3-D @ 3-D', () => {
    expect(ops.matmul(randn([2, 3, 4]), randn([2, 4, 5])).shape).toEqual([2, 3, 5]);
    expectGradcheck((a, b) => ops.matmul(a, b), [randn([2, 3, 4]), randn([2, 4, 5])]);
  });
  it('matrix @ vector and vector @ matrix', () => {
    expect(ops.matmul(randn([3, 4]), randn([4])).shape).toEqual([3]);
    expect(ops.matmul(randn([4]), randn([4, 2])).shape).toEqual([2]);
    expectGradcheck((a, b) => ops.matmul(a, b), [randn([3, 4]), randn([4])]);
    expectGradcheck((a, b) => ops.matmul(a, b), [randn([4]), randn([4, 2])]);
  });
  it('names the shapes that do not align', () => {
    expect(() => ops.matmul(randn([3, 4]), randn([5, 2]))).toThrow('matmul: shapes (3,4) and (5,2) do not align (4 vs 5)');
    expect(() => ops.matmul(randn([2, 3, 4]), randn([3, 4, 5]))).toThrow('matmul: unsupported or mismatched shapes (2,3,4) and (3,4,5)');
  });
  it('linear with and without bias, 2-D and 3-D input', () => {
    const x = tensor([[1, 2]]);
    const w = tensor([[1, 0], [0, 1], [1, 1]]);
    expect(ops.linear(x, w, tensor([0.5, 0, -1])).toArray()).toEqual([[1.5, 2, 2]]);
    expectGradcheck((a, b, c) => ops.linear(a, b, c), [randn([4, 3]), randn([2, 3]), randn([2])]);
    expectGradcheck((a, b) => ops.linear(a, b, null), [randn([2, 4, 3]), randn([5, 3])]);
    expect(() => ops.linear(randn([4, 3]), randn([2, 5]), null)).toThrow('linear: input is (4,3) but the weight is (2,5) (expects last dimension 5)');
    expect(() => ops.linear(randn([4, 3]), randn([2, 3]), randn([3]))).toThrow('linear: weight (2,3) must be (out,in) and bias (3,) (out,) or null');
    expect(() => ops.linear(randn([4, 3]), randn([3]), null)).toThrow('linear: weight (3,) must be (out,in) and bias null (out,) or null');
  });
});

describe('shape ops', () => {
  it('reshape (with -1) and view share values and pass gradients', () => {
    const x = randn([2, 6]);
    expect(ops.reshape(x, [3, -1]).shape).toEqual([3, 4]);
    expect(x.view(4, 3).shape).toEqual([4, 3]);
    expectGradcheck((a) => ops.mul(ops.reshape(a, [3, 4]), ops.reshape(a, [3, 4])), [x]);
    expect(() => ops.reshape(x, [5, -1])).toThrow('reshape: cannot infer -1 in shape (5,-1) for 12 values');
    expect(() => ops.reshape(x, [5, 2])).toThrow('reshape: shape (5,2) is invalid for 12 values');
  });
  it('squeeze and unsqueeze', () => {
    const x = randn([2, 1, 3]);
    expect(ops.squeeze(x).shape).toEqual([2, 3]);
    expect(ops.squeeze(x, 1).shape).toEqual([2, 3]);
    expect(ops.squeeze(x, 0).shape).toEqual([2, 1, 3]);
    expect(ops.unsqueeze(x, -1).shape).toEqual([2, 1, 3, 1]);
    expect(ops.unsqueeze(x, 0).shape).toEqual([1, 2, 1, 3]);
    expectGradcheck((a) => ops.unsqueeze(ops.squeeze(a), 2), [x]);
  });
  it('permute and transpose', () => {
    const x = tensor([[[1, 2], [3, 4], [5, 6]]]); // (1,3,2)
    expect(ops.transpose(x, 1, 2).toArray()).toEqual([[[1, 3, 5], [2, 4, 6]]]);
    expect(ops.permute(x, [2, 0, 1]).shape).toEqual([2, 1, 3]);
    expectGradcheck((a) => ops.permute(a, [2, 0, 1]), [randn([2, 3, 4])]);
    expectGradcheck((a) => ops.transpose(a, 0, -1), [randn([2, 3, 4])]);
    expect(() => ops.permute(x, [0, 1])).toThrow('permute: 2 dims given for a tensor of shape (1,3,2)');
    expect(() => ops.permute(x, [0, 1, 1])).toThrow('permute: repeated dimension in [0,1,1]');
  });
  it('narrow and select', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(ops.narrow(x, 1, 1, 2).toArray()).toEqual([[2, 3], [5, 6]]);
    expect(values(ops.select(x, 0, -1))).toEqual([4, 5, 6]);
    expect(values(ops.select(x, 1, 0))).toEqual([1, 4]);
    expectGradcheck((a) => ops.narrow(a, 1, 1, 2), [randn([2, 4, 3])]);
    expectGradcheck((a) => ops.select(a, 2, 1), [randn([2, 4, 3])]);
    expect(() => ops.narrow(x, 1, 2, 2)).toThrow('narrow: [2, 4) is outside dimension 1 of size 3 (shape (2,3))');
    expect(() => ops.select(x, 0, 2)).toThrow('select: index 2 is out of range for dimension 0 of size 2 (shape (2,3))');
  });
  it('cat along each dimension, with different sizes, and stack', () => {
    const a = randn([2, 3]);
    const b = randn([2, 1]);
    expect(ops.cat([a, b], 1).shape).toEqual([2, 4]);
    expect(ops.cat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])], 0).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expectGradcheck((x, y) => ops.cat([x, y], 1), [a, b]);
    expectGradcheck((x, y) => ops.cat([x, y], 0), [randn([1, 3]), randn([2, 3])]);
    expectGradcheck((x, y, z) => ops.stack([x, y, z], 1), [randn([2, 3]), randn([2, 3]), randn([2, 3])]);
    expect(ops.stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(() => ops.cat([randn([2, 3]), randn([3, 3])], 1)).toThrow('cat: shapes (2,3), (3,3) differ outside dimension 1');
    expect(() => ops.stack([randn([2]), randn([3])])).toThrow('stack: shapes (2,), (3,) differ');
    expect(() => ops.cat([])).toThrow('cat: expected a non-empty list of tensors');
  });
  it('cat with one input not requiring grad', () => {
    const a = randn([2, 2]);
    const b = randn([2, 2], { requiresGrad: false });
    ops.sum(ops.cat([a, b], 0)).backward();
    expect(values(a.grad!)).toEqual([1, 1, 1, 1]);
    expect(b.grad).toBeNull();
  });
});

describe('embedding and dropout', () => {
  it('embedding gathers rows and scatters gradients (repeats add up, paddingIdx gets none)', () => {
    const w = tensor([[1, 2], [3, 4], [5, 6]], undefined, { requiresGrad: true });
    const idx = tensor([[2, 0], [2, 1]]);
    const y = ops.embedding(idx, w, 1);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([[[5, 6], [1, 2]], [[5, 6], [3, 4]]]);
    ops.sum(y).backward();
    expect(w.grad!.toArray()).toEqual([[1, 1], [0, 0], [2, 2]]);
    expectGradcheck((a) => ops.embedding(tensor([0, 2, 2, 1]), a), [randn([3, 4])]);
    expect(() => ops.embedding(tensor([3]), w)).toThrow('embedding: index 3 at position 0 is out of range for 3 embeddings');
  });
  it('dropout scales kept values by 1/(1-p) and passes gradient through the same mask', () => {
    const x = randn([50]);
    const y = dropout(x, 0.5, true, new Generator(3));
    const kept = [...y.data].filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(10);
    expect(kept).toBeLessThan(40);
    y.data.forEach((v, i) => expect(v === 0 || Math.abs(v - 2 * x.data[i]!) < 1e-6).toBe(true));
    expectGradcheck((a) => dropout(a, 0.3, true, new Generator(5)), [randn([20])]);
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(() => dropout(x, 1, true)).toThrow('dropout: probability must be in [0, 1), got 1');
  });
});

describe('method forms', () => {
  it('read as in PyTorch and build the same graph', () => {
    const a = randn([2, 3]);
    const b = randn([3]);
    const y = a.add(b).mul(2).sub(1).div(4).neg().tanh().sigmoid().exp().log().pow(2).relu();
    expect(y.shape).toEqual([2, 3]);
    expectGradcheck((p, q) => p.add(q).mul(q).sum(1).mean(), [a, b]);
    expectGradcheck((p) => p.transpose(0, 1).reshape(6).softmax(0), [a]);
    expectGradcheck((p) => p.unsqueeze(0).squeeze(0).select(0, 1).narrow(0, 1, 2).logSoftmax(0), [a]);
    expect(a.matmul(randn([3, 2])).shape).toEqual([2, 2]);
    expect(a.argmax(1).shape).toEqual([2]);
  });
});
