// Reductions, over all values or along one dimension: sum, mean, argmax.

import { formatShape, fromOp, normalizeDim, Tensor } from '../tensor';
import { mul } from './elementwise';
import { around } from './shape';

/** Sum of all values (dim undefined) or along one dimension. */
export function sum(a: Tensor, dim?: number, keepDim = false): Tensor {
  if (dim === undefined) {
    let s = 0;
    const X = a.data;
    for (let i = 0; i < X.length; i++) s += X[i]!;
    return fromOp(new Float32Array([s]), [], [a], () => ({
      name: 'SumBackward',
      inputs: [a],
      backward: (g) => [new Float32Array(a.size).fill(g[0]!)],
    }));
  }
  const d = normalizeDim(dim, a.ndim, 'sum');
  const [outer, n, inner] = around(a.shape, d);
  const out = new Float32Array(outer * inner);
  const X = a.data;
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < n; k++) {
      const base = (o * n + k) * inner;
      for (let i = 0; i < inner; i++) out[o * inner + i]! += X[base + i]!;
    }
  const shape = keepDim ? a.shape.map((s, i) => (i === d ? 1 : s)) : a.shape.filter((_, i) => i !== d);
  return fromOp(out, shape, [a], () => ({
    name: 'SumBackward',
    inputs: [a],
    backward(g) {
      const gx = new Float32Array(a.size);
      for (let o = 0; o < outer; o++)
        for (let k = 0; k < n; k++) {
          const base = (o * n + k) * inner;
          for (let i = 0; i < inner; i++) gx[base + i] = g[o * inner + i]!;
        }
      return [gx];
    },
  }));
}

export function mean(a: Tensor, dim?: number, keepDim = false): Tensor {
  const count = dim === undefined ? a.size : a.dim(dim);
  if (count === 0) throw new Error(`mean: cannot average over an empty dimension of shape ${formatShape(a.shape)}`);
  return mul(sum(a, dim, keepDim), 1 / count);
}

/** Indices of the largest values (not differentiable); dim undefined means over all values. */
export function argmax(a: Tensor, dim?: number): Tensor {
  if (dim === undefined) {
    let best = 0;
    for (let i = 1; i < a.size; i++) if (a.data[i]! > a.data[best]!) best = i;
    return new Tensor(new Float32Array([best]), []);
  }
  const d = normalizeDim(dim, a.ndim, 'argmax');
  const [outer, n, inner] = around(a.shape, d);
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bestV = -Infinity;
      for (let k = 0; k < n; k++) {
        const v = a.data[(o * n + k) * inner + i]!;
        if (v > bestV) {
          bestV = v;
          best = k;
        }
      }
      out[o * inner + i] = best;
    }
  return new Tensor(out, a.shape.filter((_, i) => i !== d));
}
