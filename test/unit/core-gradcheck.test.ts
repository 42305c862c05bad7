// gradcheck itself: it must pass correct gradients, catch wrong ones and say where.

import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../kernel/engine/gradcheck';
import { mul, sum, tanh } from '../../kernel/engine/ops';
import { fromOp, Tensor, tensor } from '../../kernel/engine/tensor';

/** x² with a deliberately wrong derivative at one element. */
function squareWithBug(x: Tensor, badIndex: number): Tensor {
  const y = x.data.map((v) => v * v);
  return fromOp(y, x.shape, [x], () => ({
    name: 'BuggySquareBackward',
    inputs: [x],
    backward: (g) => [g.map((gi, i) => gi * 2 * x.data[i]! * (i === badIndex ? 1.5 : 1))],
  }));
}

describe('gradcheck', () => {
  it('passes a correct gradient, with scalar and non-scalar outputs', () => {
    const x = tensor([[0.3, -0.7], [1.2, 0.1]], undefined, { requiresGrad: true });
    expect(gradcheck((a) => sum(tanh(a)), [x]).ok).toBe(true);
    const r = gradcheck((a) => mul(tanh(a), a), [x]);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(4);
    expect(r.failures).toBe(0);
    expect(r.summary).toMatch(/^gradcheck passed: 0 of 4 elements outside atol=0.001, rtol=0.01/);
  });

  it('catches a wrong gradient and names the worst element', () => {
    const x = tensor([[0.5, -1], [2, 1.5]], undefined, { requiresGrad: true });
    const r = gradcheck((a) => sum(squareWithBug(a, 2)), [x]);
    expect(r.ok).toBe(false);
    expect(r.failures).toBe(1);
    expect(r.worst).toMatchObject({ input: 0, index: 2, position: [1, 0] });
    expect(r.worst!.analytic).toBeCloseTo(6, 5); // 1.5 · 2 · 2
    expect(r.worst!.numeric).toBeCloseTo(4, 2);
    // Through the random projection of a non-scalar output as well.
    expect(gradcheck((a) => squareWithBug(a, 2), [x]).ok).toBe(false);
    expect(r.summary).toMatch(/^gradcheck FAILED: 1 of 4 elements outside .*worst input 0 \(2,2\) at \[1,0\]: analytic 6\.00000 vs numeric 4\.00\d+/);
  });

  it('checks only inputs that require grad, and restores their data and grad', () => {
    const x = tensor([0.2, 0.4], undefined, { requiresGrad: true });
    const c = tensor([3, 4]);
    const before = new Float32Array(x.data);
    const prior = tensor([9, 9]);
    x.grad = prior;
    const r = gradcheck((a, b) => sum(mul(a, b)), [x, c]);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(2);
    expect(x.data).toEqual(before);
    expect(x.grad).toBe(prior);
    expect([...prior.data]).toEqual([9, 9]);
  });

  it('explains misuse', () => {
    expect(() => gradcheck((a) => a, [tensor([1])])).toThrow('gradcheck: no input has requiresGrad set; nothing to check');
    const x = tensor([1], undefined, { requiresGrad: true });
    expect(() => gradcheck(() => tensor([1, 2]), [x])).toThrow('gradcheck: the output (2,) does not depend on any input that requires grad');
    expect(() => gradcheck((a) => a, [x], { eps: 0 })).toThrow('gradcheck: eps must be positive, got 0');
  });
});
