// The softmax family along one dimension, numerically stable (each lane's maximum subtracted
// before the exponentials). A tensor seen as (outer, n, inner) around that dimension has
// outer·inner lanes of n values, inner apart.

import { fromOp, normalizeDim, Tensor } from '../tensor';
import { around } from './shape';

/** Calls fn(base) for every lane: its values are at base + k·inner, k < n. */
function forEachLane(outer: number, n: number, inner: number, fn: (base: number) => void): void {
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * n * inner + i);
}

function laneMax(X: Float32Array, base: number, n: number, inner: number): number {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, X[base + k * inner]!);
  return m;
}

export function softmax(a: Tensor, dim = -1): Tensor {
  const d = normalizeDim(dim, a.ndim, 'softmax');
  const [outer, n, inner] = around(a.shape, d);
  const X = a.data;
  const Y = new Float32Array(X.length);
  forEachLane(outer, n, inner, (base) => {
    const m = laneMax(X, base, n, inner);
    let s = 0;
    for (let k = 0; k < n; k++) {
      const e = Math.exp(X[base + k * inner]! - m);
      Y[base + k * inner] = e;
      s += e;
    }
    for (let k = 0; k < n; k++) Y[base + k * inner]! /= s;
  });
  return fromOp(Y, a.shape, [a], () => ({
    name: 'SoftmaxBackward',
    inputs: [a],
    backward(g) {
      // dx = y ⊙ (g − Σ g⊙y)
      const gx = new Float32Array(g.length);
      forEachLane(outer, n, inner, (base) => {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += g[base + k * inner]! * Y[base + k * inner]!;
        for (let k = 0; k < n; k++) gx[base + k * inner] = Y[base + k * inner]! * (g[base + k * inner]! - dot);
      });
      return [gx];
    },
  }));
}

export function logSoftmax(a: Tensor, dim = -1): Tensor {
  const d = normalizeDim(dim, a.ndim, 'logSoftmax');
  const [outer, n, inner] = around(a.shape, d);
  const X = a.data;
  const Y = new Float32Array(X.length);
  forEachLane(outer, n, inner, (base) => {
    const m = laneMax(X, base, n, inner);
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(X[base + k * inner]! - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < n; k++) Y[base + k * inner] = X[base + k * inner]! - lse;
  });
  return fromOp(Y, a.shape, [a], () => ({
    name: 'LogSoftmaxBackward',
    inputs: [a],
    backward(g) {
      // dx = g − softmax ⊙ Σ g
      const gx = new Float32Array(g.length);
      forEachLane(outer, n, inner, (base) => {
        let s = 0;
        for (let k = 0; k < n; k++) s += g[base + k * inner]!;
        for (let k = 0; k < n; k++) gx[base + k * inner] = g[base + k * inner]! - Math.exp(Y[base + k * inner]!) * s;
      });
      return [gx];
    },
  }));
}
