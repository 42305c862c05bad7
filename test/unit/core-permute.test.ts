import { describe, expect, it } from 'vitest';
import { permute, sum, mul, tensor, Tensor } from '../../kernel/engine/index';

/** Plain index arithmetic: out[idx] = a[idx permuted back]. */
function naivePermute(a: Tensor, perm: number[]): number[] {
  const outShape = perm.map((p) => a.shape[p]!);
  const inStrides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const out: number[] = [];
  const idx = outShape.map(() => 0);
  for (let o = 0; o < a.size; o++) {
    let offset = 0;
    perm.forEach((p, d) => (offset += idx[d]! * inStrides[p]!));
    out.push(a.data[offset]!);
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

const perms4 = [
  [0, 1, 2, 3],
  [1, 0, 2, 3], // the batchFirst swap: inner dimension stays contiguous
  [3, 2, 1, 0],
  [0, 2, 3, 1],
  [2, 0, 3, 1],
];

describe('permute', () => {
  const a = tensor(Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i * 0.5 - 7), [2, 3, 4, 5], { requiresGrad: true });

  it.each(perms4)('matches plain index arithmetic for [%i,%i,%i,%i], forward and backward', (...perm) => {
    const y = permute(a, perm);
    expect(y.shape).toEqual(perm.map((p) => a.shape[p]));
    expect(Array.from(y.data)).toEqual(naivePermute(a, perm));
    // backward of Σ w⊙y is w permuted back: check with w = 0,1,2,… in y's layout
    const w = tensor(Float32Array.from({ length: y.size }, (_, i) => i), y.shape);
    a.grad = null;
    sum(mul(y, w)).backward();
    const inverse = perm.map((_, i) => perm.indexOf(i));
    expect(Array.from(a.grad!.data)).toEqual(naivePermute(w, inverse));
  });

  it('handles 0-d and 1-d tensors', () => {
    expect(permute(tensor(3), []).item()).toBe(3);
    expect(Array.from(permute(tensor([1, 2, 3]), [0]).data)).toEqual([1, 2, 3]);
  });
});
