// Tensor creation, the autograd tape (ordering, accumulation, retainGrad, noGrad), and printing.

import { describe, expect, it } from 'vitest';
import { add, mul, sum, tanh } from '../../kernel/engine/ops';
import { arange, fromOp, full, handOver, isGradEnabled, noGrad, ones, Parameter, Tensor, tensor, zeros } from '../../kernel/engine/tensor';

describe('creation', () => {
  it('tensor() from nested arrays, flat data with a shape, a Float32Array (not copied), a number', () => {
    expect(tensor([[1, 2, 3], [4, 5, 6]]).shape).toEqual([2, 3]);
    expect(tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    const f = new Float32Array([1, 2]);
    expect(tensor(f).data).toBe(f);
    const s = tensor(3);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3);
    expect(tensor([], [0]).size).toBe(0);
  });
  it('zeros, ones, full, arange', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect([...ones([3]).data]).toEqual([1, 1, 1]);
    expect([...full([2], 7).data]).toEqual([7, 7]);
    expect([...arange(4).data]).toEqual([0, 1, 2, 3]);
    expect([...arange(1, 2, 0.25).data]).toEqual([1, 1.25, 1.5, 1.75]);
    expect(zeros([1], { requiresGrad: true }).requiresGrad).toBe(true);
  });
  it('errors name the shape', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor(): ragged nested array at depth 1');
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor(): 3 values do not fill shape (2,2) (4 values)');
    expect(() => new Tensor(new Float32Array(3), [2])).toThrow('Tensor: 3 values do not fill shape (2,) (2 values)');
    expect(() => new Tensor(new Float32Array(0), [-1])).toThrow('Tensor: invalid shape (-1,)');
    expect(() => tensor([1, 2]).item()).toThrow('item(): tensor of shape (2,) has 2 values, expected 1');
    expect(() => tensor([1, 2]).dim(2)).toThrow('Tensor.dim: dimension 2 is out of range for a tensor with 1 dimensions');
  });
  it('size, ndim, dim(-1), isLeaf; Parameter copies a tensor and requires grad', () => {
    const t = tensor([[1, 2, 3]]);
    expect([t.size, t.ndim, t.dim(-1), t.isLeaf]).toEqual([3, 2, 3, true]);
    const p = new Parameter(t);
    expect(p.requiresGrad).toBe(true);
    expect(p.data).not.toBe(t.data);
    expect(p.shape).toEqual([1, 3]);
    expect(new Parameter(new Float32Array(4)).shape).toEqual([4]);
  });
});

describe('autograd', () => {
  it('handles a diamond: y = (2x)(3x) gives dy/dx = 12x', () => {
    const x = tensor([1, -2], undefined, { requiresGrad: true });
    const y = sum(mul(mul(x, 2), mul(x, 3)));
    y.backward();
    expect([...x.grad!.data]).toEqual([12, -24]);
    expect(y.gradFn!.name).toBe('SumBackward');
    expect(x.isLeaf).toBe(true);
    expect(y.isLeaf).toBe(false);
  });
  it('accumulates gradients over backward calls until they are cleared', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    sum(mul(x, x)).backward();
    sum(mul(x, x)).backward();
    expect([...x.grad!.data]).toEqual([4, 8]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });
  it('keeps non-leaf gradients only with retainGrad', () => {
    const x = tensor([0.5], undefined, { requiresGrad: true });
    const h = tanh(x).retainGrad();
    const h2 = mul(h, 3);
    sum(mul(h2, h2)).backward();
    expect(h.grad!.data[0]).toBeCloseTo(18 * Math.tanh(0.5), 5);
    expect(h2.grad).toBeNull();
  });
  it('backward with an explicit gradient, and its errors', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = mul(x, 3);
    expect(() => y.backward()).toThrow('backward(): grad can be implicitly created only for one value, but shape is (2,)');
    expect(() => y.backward(tensor([1, 2, 3]))).toThrow('backward(): gradient shape (3,) does not match tensor shape (2,)');
    y.backward(tensor([1, 10]));
    expect([...x.grad!.data]).toEqual([3, 30]);
    expect(() => tensor([1]).backward()).toThrow('backward(): tensor does not require grad');
  });
  it('does not record inside noGrad, restores the mode after an exception', () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    const y = noGrad(() => mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    noGrad(() => noGrad(() => undefined));
    expect(isGradEnabled()).toBe(true);
  });
  it('only tensors that need it get gradients', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const c = tensor([5, 6]);
    sum(mul(x, c)).backward();
    expect(c.grad).toBeNull();
    expect(mul(c, c).requiresGrad).toBe(false);
  });
  it('detach shares values but leaves the graph; requiresGrad_(false) only on leaves', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = mul(x, 2);
    const d = y.detach();
    expect(d.data).toBe(y.data);
    expect(d.requiresGrad).toBe(false);
    expect(() => y.requiresGrad_(false)).toThrow('requiresGrad_(false) is only allowed on leaf tensors; use detach()');
    expect(x.clone().data).not.toBe(x.data);
  });
  it('a leaf keeps a gradient its op handed over as it is; other gradients, and non-leaves, get copies', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const w = tensor([3, 4], undefined, { requiresGrad: true });
    const h = mul(x, 1).retainGrad();
    const made: Float32Array[] = [];
    // An op over (h, w) that hands over its gradient for h and w but keeps one of them.
    const kept = new Float32Array([5, 6]);
    const op = (): Tensor =>
      fromOp(new Float32Array([0]), [1], [h, w], () => ({
        name: 'TestBackward',
        inputs: [h, w],
        backward: (g) => {
          made.push(new Float32Array([g[0]!, 2 * g[0]!]));
          return [handOver(made[made.length - 1]!), kept];
        },
      }));
    op().backward(undefined, { retainGraph: true });
    expect(h.grad!.data).not.toBe(made[0]); // h retains its gradient and passes it on to x
    expect([...h.grad!.data]).toEqual([1, 2]);
    expect([...x.grad!.data]).toEqual([1, 2]);
    expect(w.grad!.data).not.toBe(kept); // not handed over: copied
    expect([...w.grad!.data]).toEqual([5, 6]);
    // A leaf whose gradient is unset takes the handed-over array itself, then adds into it.
    const v = tensor([0, 0], undefined, { requiresGrad: true });
    const fresh: Float32Array[] = [];
    const opV = (): Tensor => fromOp(new Float32Array([0]), [1], [v], () => ({ name: 'TestBackward', inputs: [v], backward: () => [handOver(fresh[fresh.push(new Float32Array([7, 8])) - 1]!)] }));
    opV().backward();
    expect(v.grad!.data).toBe(fresh[0]);
    opV().backward();
    expect(v.grad!.data).toBe(fresh[0]);
    expect([...v.grad!.data]).toEqual([14, 16]);
    expect([...fresh[1]!]).toEqual([7, 8]);
  });
  it('back-propagates through a 20000-op chain without overflowing the stack', () => {
    const x = tensor([0.1], undefined, { requiresGrad: true });
    let h: Tensor = x;
    for (let i = 0; i < 20000; i++) h = add(h, 1e-4);
    sum(h).backward();
    expect(x.grad!.data[0]).toBe(1);
  });
});

describe('printing', () => {
  it('formats like PyTorch, with shape for non-vectors and the grad function', () => {
    expect(tensor([1, 2.5]).toString()).toBe('tensor([1.0000, 2.5000])');
    expect(tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=(2,2))');
    expect(tensor(3).toString()).toBe('tensor(3.0000, shape=())');
    expect(tensor([0, 1e-6, 123456]).toString()).toBe('tensor([0., 1.0000e-6, 1.2346e+5])');
    expect(tensor([NaN, Infinity, -Infinity]).toString()).toBe('tensor([nan, inf, -inf])');
    expect(tensor([1], undefined, { requiresGrad: true }).toString()).toBe('tensor([1.0000], requiresGrad=true)');
    expect(mul(tensor([1], undefined, { requiresGrad: true }), 2).toString()).toBe('tensor([2.0000], gradFn=<MulBackward>)');
  });
  it('shows edge items of long tensors', () => {
    expect(arange(10).toString()).toBe('tensor([0., 1.0000, 2.0000, ..., 7.0000, 8.0000, 9.0000], shape=(10,))');
  });
});
