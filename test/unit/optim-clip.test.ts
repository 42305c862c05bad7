// Gradient clipping against PyTorch (test/fixtures/pytorch/optim/clip.json) and its edge cases.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, gradNorm } from '../../kernel/engine/clip';
import { Parameter, Tensor } from '../../kernel/engine/tensor';

interface FixtureTensor {
  shape: number[];
  data: number[];
}
interface ClipCase {
  name: string;
  kind: 'norm' | 'value';
  normType?: number | 'inf';
  maxNorm?: number;
  clipValue?: number;
  grads: (FixtureTensor | null)[];
  total?: number;
  clipped: (FixtureTensor | null)[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/pytorch/optim/clip.json'), 'utf8')) as { cases: ClipCase[] };

function paramsWithGrads(grads: (FixtureTensor | null)[]): Parameter[] {
  return grads.map((g, i) => {
    const p = new Parameter(new Float32Array(g ? g.data.length : 2), g ? g.shape : [2]);
    p.grad = g ? new Tensor(Float32Array.from(g.data), g.shape) : null;
    return p;
  });
}

describe('clipping matches PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const ps = paramsWithGrads(c.grads);
      if (c.kind === 'norm') {
        const normType = c.normType === 'inf' ? Infinity : c.normType!;
        const total = clipGradNorm(ps, c.maxNorm!, normType);
        expect(Math.abs(total - c.total!)).toBeLessThan(1e-5 * c.total!);
      } else clipGradValue(ps, c.clipValue!);
      c.clipped.forEach((e, i) => {
        if (e === null) return expect(ps[i]!.grad).toBeNull();
        e.data.forEach((v, j) => expect(Math.abs(ps[i]!.grad!.data[j]! - v), `${i}[${j}]`).toBeLessThan(1e-6 + 1e-6 * Math.abs(v)));
      });
    });
  }
});

describe('clipGradNorm', () => {
  const p = (values: number[]): Parameter => {
    const q = new Parameter(new Float32Array(values.length), [values.length]);
    q.grad = new Tensor(Float32Array.from(values), [values.length]);
    return q;
  };
  it('returns the norm before clipping and scales by maxNorm/(norm + 1e-6)', () => {
    const a = p([3, 0]);
    const b = p([0, 4]);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(a.grad!.data[0]).toBeCloseTo((3 * 1) / (5 + 1e-6), 7);
    expect(gradNorm([a, b])).toBeCloseTo(1, 5);
  });
  it('leaves small gradients untouched, accepts one tensor or a one-shot iterator', () => {
    const a = p([0.3, 0.4]);
    expect(clipGradNorm(a, 1)).toBeCloseTo(0.5, 6);
    expect([...a.grad!.data]).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    function* once(): Generator<Parameter> {
      yield p([30, 40]);
    }
    expect(clipGradNorm(once(), 1)).toBeCloseTo(50, 4);
  });
  it('returns 0 when no parameter has a gradient', () => {
    expect(clipGradNorm([new Parameter(new Float32Array(2), [2])], 1)).toBe(0);
  });
  it('spreads NaN as PyTorch does, or throws with errorIfNonfinite', () => {
    const a = p([NaN, 1]);
    expect(() => clipGradNorm([a], 1, 2, { errorIfNonfinite: true })).toThrow('clipGradNorm: the total norm of order 2 of the gradients is NaN, so they cannot be clipped');
    expect(clipGradNorm([a], 1)).toBeNaN();
    expect(a.grad!.data[1]).toBeNaN();
  });
  it('rejects bad arguments', () => {
    expect(() => clipGradNorm([p([1])], -1)).toThrow('clipGradNorm: maxNorm must be non-negative, got -1');
    expect(() => clipGradNorm([p([1])], 1, 0)).toThrow('clipGradNorm: normType must be positive (or Infinity), got 0');
    expect(() => clipGradValue([p([1])], -1)).toThrow('clipGradValue: clipValue must be non-negative, got -1');
  });
});
