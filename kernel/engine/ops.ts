// Differentiable tensor operations. Each op computes its output and, when grad is on, records
// a GradFn that maps the output gradient to the inputs' gradients.

import { markTableRows, scatterAddRows } from './tableRows';
import { gemm, WASM_MIN_WORK } from './gemm';
import { wasmKernels } from './wasm/instance';
import { wasmLinearBackward, wasmLinearForward, type LinearGrads } from './wasm/linear';
import { formatShape, fromOp, markZeroOutside, normalizeDim, sameShape, shapeSize, Tensor, type Shape } from './tensor';

// ---------------------------------------------------------------------------------------------
// Broadcasting

function broadcastShapes(a: Shape, b: Shape, where: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${where}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` seen inside `outShape`, 0 along broadcast dimensions. */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const n = outShape.length;
  const strides = new Array<number>(n).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = n - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** Calls fn(outIndex, aIndex, bIndex) for every output element of a broadcast binary op. */
function forEachBroadcast(outShape: Shape, aStrides: number[], bStrides: number[], fn: (o: number, a: number, b: number) => void): void {
  const n = outShape.length;
  const size = shapeSize(outShape);
  const idx = new Array<number>(n).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < size; o++) {
    fn(o, ai, bi);
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      ai += aStrides[d]!;
      bi += bStrides[d]!;
      if (idx[d]! < outShape[d]!) break;
      ai -= aStrides[d]! * outShape[d]!;
      bi -= bStrides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Sums a gradient of shape outShape down to `shape` (the reverse of broadcasting). */
function reduceToShape(grad: Float32Array, outShape: Shape, shape: Shape): Float32Array {
  if (sameShape(outShape, shape)) return grad;
  const out = new Float32Array(shapeSize(shape));
  const strides = broadcastStrides(shape, outShape);
  forEachBroadcast(outShape, strides, strides, (o, i) => {
    out[i]! += grad[o]!;
  });
  return out;
}

function asTensor(x: Tensor | number): Tensor {
  return x instanceof Tensor ? x : new Tensor(new Float32Array([x]), []);
}

type BinaryKind = 'add' | 'sub' | 'mul' | 'div';

function binary(kind: BinaryKind, aIn: Tensor | number, bIn: Tensor | number): Tensor {
  const a = asTensor(aIn);
  const b = asTensor(bIn);
  const A = a.data;
  const B = b.data;
  let outShape: number[];
  let out: Float32Array;
  const same = sameShape(a.shape, b.shape);
  if (same || b.size === 1) {
    outShape = same ? [...a.shape] : broadcastShapes(a.shape, b.shape, kind);
    out = new Float32Array(A.length);
    if (same) {
      if (kind === 'add') for (let i = 0; i < out.length; i++) out[i] = A[i]! + B[i]!;
      else if (kind === 'sub') for (let i = 0; i < out.length; i++) out[i] = A[i]! - B[i]!;
      else if (kind === 'mul') for (let i = 0; i < out.length; i++) out[i] = A[i]! * B[i]!;
      else for (let i = 0; i < out.length; i++) out[i] = A[i]! / B[i]!;
    } else {
      const s = B[0]!;
      if (kind === 'add') for (let i = 0; i < out.length; i++) out[i] = A[i]! + s;
      else if (kind === 'sub') for (let i = 0; i < out.length; i++) out[i] = A[i]! - s;
      else if (kind === 'mul') for (let i = 0; i < out.length; i++) out[i] = A[i]! * s;
      else for (let i = 0; i < out.length; i++) out[i] = A[i]! / s;
    }
  } else {
    outShape = broadcastShapes(a.shape, b.shape, kind);
    out = new Float32Array(shapeSize(outShape));
    const as = broadcastStrides(a.shape, outShape);
    const bs = broadcastStrides(b.shape, outShape);
    const f =
      kind === 'add' ? (x: number, y: number) => x + y : kind === 'sub' ? (x: number, y: number) => x - y : kind === 'mul' ? (x: number, y: number) => x * y : (x: number, y: number) => x / y;
    forEachBroadcast(outShape, as, bs, (o, i, j) => {
      out[o] = f(A[i]!, B[j]!);
    });
  }
  const name = { add: 'AddBackward', sub: 'SubBackward', mul: 'MulBackward', div: 'DivBackward' }[kind];
  return fromOp(out, outShape, [a, b], () => ({
    name,
    inputs: [a, b],
    backward(g) {
      let ga: Float32Array | null = null;
      let gb: Float32Array | null = null;
      const full = (src: Tensor): ((o: number) => number) => {
        if (src.size === g.length) return (o) => src.data[o]!;
        if (src.size === 1) return () => src.data[0]!;
        const strides = broadcastStrides(src.shape, outShape);
        const map = new Int32Array(g.length);
        forEachBroadcast(outShape, strides, strides, (o, i) => {
          map[o] = i;
        });
        return (o) => src.data[map[o]!]!;
      };
      if (a.requiresGrad) {
        if (kind === 'add' || kind === 'sub') ga = g;
        else {
          const bv = full(b);
          const t = new Float32Array(g.length);
          if (kind === 'mul') for (let o = 0; o < g.length; o++) t[o] = g[o]! * bv(o);
          else for (let o = 0; o < g.length; o++) t[o] = g[o]! / bv(o);
          ga = t;
        }
        ga = reduceToShape(ga, outShape, a.shape);
      }
      if (b.requiresGrad) {
        const t = new Float32Array(g.length);
        if (kind === 'add') t.set(g);
        else if (kind === 'sub') for (let o = 0; o < g.length; o++) t[o] = -g[o]!;
        else {
          const av = full(a);
          if (kind === 'mul') for (let o = 0; o < g.length; o++) t[o] = g[o]! * av(o);
          else {
            const bv = full(b);
            for (let o = 0; o < g.length; o++) {
              const y = bv(o);
              t[o] = (-g[o]! * av(o)) / (y * y);
            }
          }
        }
        gb = reduceToShape(t, outShape, b.shape);
      }
      return [ga, gb];
    },
  }));
}

export const add = (a: Tensor | number, b: Tensor | number): Tensor => binary('add', a, b);
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => binary('sub', a, b);
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => binary('mul', a, b);
export const div = (a: Tensor | number, b: Tensor | number): Tensor => binary('div', a, b);
export const neg = (a: Tensor): Tensor => binary('mul', a, -1);

// ---------------------------------------------------------------------------------------------
// Elementwise unary ops: forward f(x) and derivative from (x, y).

function unary(name: string, a: Tensor, f: (x: number) => number, df: (x: number, y: number) => number): Tensor {
  const X = a.data;
  const Y = new Float32Array(X.length);
  for (let i = 0; i < X.length; i++) Y[i] = f(X[i]!);
  return fromOp(Y, a.shape, [a], () => ({
    name,
    inputs: [a],
    backward(g) {
      const gx = new Float32Array(g.length);
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! * df(X[i]!, Y[i]!);
      return [gx];
    },
  }));
}

export const tanh = (a: Tensor): Tensor => unary('TanhBackward', a, Math.tanh, (_x, y) => 1 - y * y);
export const sigmoid = (a: Tensor): Tensor => unary('SigmoidBackward', a, sigmoidScalar, (_x, y) => y * (1 - y));
export const relu = (a: Tensor): Tensor => unary('ReluBackward', a, (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
export const exp = (a: Tensor): Tensor => unary('ExpBackward', a, Math.exp, (_x, y) => y);
export const log = (a: Tensor): Tensor => unary('LogBackward', a, Math.log, (x) => 1 / x);
export const abs = (a: Tensor): Tensor => unary('AbsBackward', a, Math.abs, (x) => Math.sign(x));
export const sqrt = (a: Tensor): Tensor => unary('SqrtBackward', a, Math.sqrt, (_x, y) => 0.5 / y);
export const pow = (a: Tensor, p: number): Tensor => unary('PowBackward', a, (x) => x ** p, (x) => p * x ** (p - 1));

export function sigmoidScalar(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

// ---------------------------------------------------------------------------------------------
// Reductions

/** Splits a shape around `dim` into (outer, n, inner) so that index = (o*n + k)*inner + i. */
function around(shape: Shape, dim: number): [number, number, number] {
  return [shapeSize(shape.slice(0, dim)), shape[dim]!, shapeSize(shape.slice(dim + 1))];
}

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

// ---------------------------------------------------------------------------------------------
// Softmax family (along one dimension, numerically stable)

export function softmax(a: Tensor, dim = -1): Tensor {
  const d = normalizeDim(dim, a.ndim, 'softmax');
  const [outer, n, inner] = around(a.shape, d);
  const X = a.data;
  const Y = new Float32Array(X.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, X[base + k * inner]!);
      let s = 0;
      for (let k = 0; k < n; k++) {
        const e = Math.exp(X[base + k * inner]! - m);
        Y[base + k * inner] = e;
        s += e;
      }
      for (let k = 0; k < n; k++) Y[base + k * inner]! /= s;
    }
  return fromOp(Y, a.shape, [a], () => ({
    name: 'SoftmaxBackward',
    inputs: [a],
    backward(g) {
      // dx = y ⊙ (g − Σ g⊙y)
      const gx = new Float32Array(g.length);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let dot = 0;
          for (let k = 0; k < n; k++) dot += g[base + k * inner]! * Y[base + k * inner]!;
          for (let k = 0; k < n; k++) gx[base + k * inner] = Y[base + k * inner]! * (g[base + k * inner]! - dot);
        }
      return [gx];
    },
  }));
}

export function logSoftmax(a: Tensor, dim = -1): Tensor {
  const d = normalizeDim(dim, a.ndim, 'logSoftmax');
  const [outer, n, inner] = around(a.shape, d);
  const X = a.data;
  const Y = new Float32Array(X.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, X[base + k * inner]!);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(X[base + k * inner]! - m);
      const lse = m + Math.log(s);
      for (let k = 0; k < n; k++) Y[base + k * inner] = X[base + k * inner]! - lse;
    }
  return fromOp(Y, a.shape, [a], () => ({
    name: 'LogSoftmaxBackward',
    inputs: [a],
    backward(g) {
      // dx = g − softmax ⊙ Σ g
      const gx = new Float32Array(g.length);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let s = 0;
          for (let k = 0; k < n; k++) s += g[base + k * inner]!;
          for (let k = 0; k < n; k++) gx[base + k * inner] = g[base + k * inner]! - Math.exp(Y[base + k * inner]!) * s;
        }
      return [gx];
    },
  }));
}

// ---------------------------------------------------------------------------------------------
// Matrix products

/**
 * a (…,M,K) @ b (K,N) → (…,M,N), or batched a (B,M,K) @ b (B,K,N) → (B,M,N); 1-D b is a vector.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 1 || b.ndim < 1) throw new Error('matmul: both arguments need at least one dimension');
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  const K = a.shape[a.ndim - 1]!;
  if (b.ndim === 2) {
    if (b.shape[0] !== K) throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not align (${K} vs ${b.shape[0]})`);
    const N = b.shape[1]!;
    const M = a.size / K;
    const out = new Float32Array(M * N);
    gemm(false, false, M, N, K, a.data, 0, b.data, 0, out, 0, 0);
    const outShape = [...a.shape.slice(0, -1), N];
    return fromOp(out, outShape, [a, b], () => ({
      name: 'MatMulBackward',
      inputs: [a, b],
      backward(g) {
        let ga: Float32Array | null = null;
        let gb: Float32Array | null = null;
        if (a.requiresGrad) {
          ga = new Float32Array(M * K); // dA (M,K) = dC (M,N) · Bᵀ
          gemm(false, true, M, K, N, g, 0, b.data, 0, ga, 0, 0);
        }
        if (b.requiresGrad) {
          gb = new Float32Array(K * N); // dB (K,N) = Aᵀ · dC
          gemm(true, false, K, N, M, a.data, 0, g, 0, gb, 0, 0);
        }
        return [ga, gb];
      },
    }));
  }
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || b.shape[1] !== K) {
    throw new Error(`matmul: unsupported or mismatched shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [Bt, M] = [a.shape[0]!, a.shape[1]!];
  const N = b.shape[2]!;
  const out = new Float32Array(Bt * M * N);
  for (let i = 0; i < Bt; i++) gemm(false, false, M, N, K, a.data, i * M * K, b.data, i * K * N, out, i * M * N, 0);
  return fromOp(out, [Bt, M, N], [a, b], () => ({
    name: 'BmmBackward',
    inputs: [a, b],
    backward(g) {
      const ga = a.requiresGrad ? new Float32Array(a.size) : null;
      const gb = b.requiresGrad ? new Float32Array(b.size) : null;
      for (let i = 0; i < Bt; i++) {
        if (ga) gemm(false, true, M, K, N, g, i * M * N, b.data, i * K * N, ga, i * M * K, 0);
        if (gb) gemm(true, false, K, N, M, a.data, i * M * K, g, i * M * N, gb, i * K * N, 0);
      }
      return [ga, gb];
    },
  }));
}

/** y = x Wᵀ + b with x (…,in), weight (out,in), bias (out): PyTorch's F.linear. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const [O, I] = [weight.shape[0]!, weight.shape[1]!];
  if (weight.ndim !== 2 || (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== O))) {
    throw new Error(`linear: weight ${formatShape(weight.shape)} must be (out,in) and bias ${bias ? formatShape(bias.shape) : 'null'} (out,) or null`);
  }
  if (x.shape[x.ndim - 1] !== I) {
    throw new Error(`linear: input is ${formatShape(x.shape)} but the weight is ${formatShape(weight.shape)} (expects last dimension ${I})`);
  }
  const M = x.size / I;
  // The wasm kernels when this thread has them and the product pays for the copies; the loops below otherwise.
  const w = M * O * I >= WASM_MIN_WORK ? wasmKernels() : null;
  const out = w ? wasmLinearForward(w, x.data, M, I, weight.data, O, bias?.data ?? null) : linearForwardReference(x.data, M, I, weight.data, O, bias?.data ?? null);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return fromOp(out, [...x.shape.slice(0, -1), O], inputs, () => ({
    name: 'LinearBackward',
    inputs,
    backward(g) {
      // g is (M,O)
      const want = { gx: x.requiresGrad, gw: weight.requiresGrad, gb: bias?.requiresGrad === true };
      const { gx, gw, gb } = w ? wasmLinearBackward(w, g, M, O, x.data, I, weight.data, want) : linearBackwardReference(g, M, O, x.data, I, weight.data, want);
      return bias ? [gx, gw, gb] : [gx, gw];
    },
  }));
}

/** y (M,O) = x (M,I)·weightᵀ + bias: linear's plain loops (the reference of wasm/linear.ts). */
export function linearForwardReference(x: Float32Array, M: number, I: number, weight: Float32Array, O: number, bias: Float32Array | null): Float32Array {
  const out = new Float32Array(M * O);
  gemm(false, true, M, O, I, x, 0, weight, 0, out, 0, 0);
  if (bias) for (let row = 0; row < M * O; row += O) for (let o = 0; o < O; o++) out[row + o]! += bias[o]!;
  return out;
}

/** linear's gradients with plain loops (the reference of wasm/linear.ts). */
export function linearBackwardReference(g: Float32Array, M: number, O: number, x: Float32Array, I: number, weight: Float32Array, want: { gx: boolean; gw: boolean; gb: boolean }): LinearGrads {
  const gx = want.gx ? new Float32Array(M * I) : null;
  if (gx) gemm(false, false, M, I, O, g, 0, weight, 0, gx, 0, 0); // (M,O)·(O,I)
  const gw = want.gw ? new Float32Array(O * I) : null;
  if (gw) gemm(true, false, O, I, M, g, 0, x, 0, gw, 0, 0); // gᵀ(O,M)·x(M,I)
  let gb: Float32Array | null = null;
  if (want.gb) {
    // Column sums in float64, row by row (the rows are contiguous).
    const sums = new Float64Array(O);
    for (let row = 0; row < M * O; row += O) for (let o = 0; o < O; o++) sums[o]! += g[row + o]!;
    gb = Float32Array.from(sums);
  }
  return { gx, gw, gb };
}

// ---------------------------------------------------------------------------------------------
// Shape ops

function resolveShape(shape: number[], size: number, where: string): number[] {
  const inferred = shape.indexOf(-1);
  if (inferred >= 0) {
    const known = shape.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
    const out = [...shape];
    out[inferred] = known === 0 ? 0 : size / known;
    if (!Number.isInteger(out[inferred])) throw new Error(`${where}: cannot infer -1 in shape ${formatShape(shape)} for ${size} values`);
    return out;
  }
  if (shapeSize(shape) !== size) throw new Error(`${where}: shape ${formatShape(shape)} is invalid for ${size} values`);
  return shape;
}

/** Same values, new shape (one dimension may be -1). Shares no buffer with the input's gradient. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape([...shape], a.size, 'reshape');
  return fromOp(a.data, s, [a], () => ({ name: 'ReshapeBackward', inputs: [a], backward: (g) => [g] }));
}

export function squeeze(a: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(a, a.shape.filter((d) => d !== 1));
  const d = normalizeDim(dim, a.ndim, 'squeeze');
  return a.shape[d] === 1 ? reshape(a, a.shape.filter((_, i) => i !== d)) : a;
}

export function unsqueeze(a: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, a.ndim + 1, 'unsqueeze');
  const s = [...a.shape];
  s.splice(d, 0, 1);
  return reshape(a, s);
}

/** General permutation of dimensions (copies). */
export function permute(a: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== a.ndim) throw new Error(`permute: ${dims.length} dims given for a tensor of shape ${formatShape(a.shape)}`);
  const perm = dims.map((d) => normalizeDim(d, a.ndim, 'permute'));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: repeated dimension in [${dims.join(',')}]`);
  const outShape = perm.map((p) => a.shape[p]!);
  const inStrides = stridesOf(a.shape);
  const permStrides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(a.size);
  gatherStrided(a.data, out, outShape, permStrides, false);
  return fromOp(out, outShape, [a], () => ({
    name: 'PermuteBackward',
    inputs: [a],
    backward(g) {
      const gx = new Float32Array(a.size);
      gatherStrided(gx, g, outShape, permStrides, true);
      return [gx];
    },
  }));
}

/**
 * Walks `shape` in row-major order; element o of the dense side sits at offset Σ idx·strides on
 * the strided side. Copies strided → dense, or dense → strided with `scatter`. The innermost
 * dimension runs as a plain loop (a contiguous copy when its stride is 1, as in the batchFirst
 * (N,T,I) ↔ (T,N,I) transposes of the recurrent layers), so there is no per-element call.
 */
function gatherStrided(strided: Float32Array, dense: Float32Array, shape: Shape, strides: readonly number[], scatter: boolean): void {
  const n = shape.length;
  if (n === 0 || dense.length === 0) {
    if (dense.length === 1) scatter ? (strided[0] = dense[0]!) : (dense[0] = strided[0]!);
    return;
  }
  const inner = shape[n - 1]!;
  const innerStride = strides[n - 1]!;
  const rows = dense.length / inner;
  const idx = new Array<number>(n - 1).fill(0);
  let base = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * inner;
    if (innerStride === 1 && inner >= 32) {
      // A subarray pair per row costs ~100 ns: worth it for long rows only.
      if (scatter) strided.set(dense.subarray(o, o + inner), base);
      else dense.set(strided.subarray(base, base + inner), o);
    } else if (scatter) {
      for (let k = 0; k < inner; k++) strided[base + k * innerStride] = dense[o + k]!;
    } else {
      for (let k = 0; k < inner; k++) dense[o + k] = strided[base + k * innerStride]!;
    }
    for (let d = n - 2; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  const perm = a.shape.map((_, i) => i);
  const d0 = normalizeDim(dim0, a.ndim, 'transpose');
  const d1 = normalizeDim(dim1, a.ndim, 'transpose');
  perm[d0] = d1;
  perm[d1] = d0;
  return permute(a, perm);
}

function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The slice [start, start+length) along `dim` (copies). */
export function narrow(a: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, a.ndim, 'narrow');
  const n = a.shape[d]!;
  if (start < 0 || length < 0 || start + length > n || !Number.isInteger(start) || !Number.isInteger(length)) {
    throw new Error(`narrow: [${start}, ${start + length}) is outside dimension ${dim} of size ${n} (shape ${formatShape(a.shape)})`);
  }
  const [outer, , inner] = around(a.shape, d);
  const out = new Float32Array(outer * length * inner);
  for (let o = 0; o < outer; o++) out.set(a.data.subarray((o * n + start) * inner, (o * n + start + length) * inner), o * length * inner);
  const shape = a.shape.map((s, i) => (i === d ? length : s));
  return fromOp(out, shape, [a], () => ({
    name: 'NarrowBackward',
    inputs: [a],
    backward(g) {
      const gx = new Float32Array(a.size);
      for (let o = 0; o < outer; o++) gx.set(g.subarray(o * length * inner, (o + 1) * length * inner), (o * n + start) * inner);
      markZeroOutside(gx, { outer, n, inner, start, length });
      return [gx];
    },
  }));
}

/** Index `index` along `dim`, removing that dimension (like `t.select(dim, index)`). */
export function select(a: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, a.ndim, 'select');
  const n = a.shape[d]!;
  const i = index < 0 ? index + n : index;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`select: index ${index} is out of range for dimension ${dim} of size ${n} (shape ${formatShape(a.shape)})`);
  return squeeze(narrow(a, d, i, 1), d);
}

/** Concatenates along an existing dimension. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  const d = normalizeDim(dim, first.ndim, 'cat');
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`cat: shapes ${tensors.map((x) => formatShape(x.shape)).join(', ')} differ outside dimension ${dim}`);
    }
  }
  const [outer, , inner] = around(first.shape, d);
  const total = tensors.reduce((s, t) => s + t.shape[d]!, 0);
  const out = new Float32Array(outer * total * inner);
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const n = t.shape[d]!;
    offsets.push(offset);
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * n * inner, (o + 1) * n * inner), (o * total + offset) * inner);
    offset += n;
  }
  const shape = first.shape.map((s, i) => (i === d ? total : s));
  return fromOp(out, shape, tensors, () => ({
    name: 'CatBackward',
    inputs: tensors,
    backward(g) {
      return tensors.map((t, k) => {
        if (!t.requiresGrad) return null;
        const n = t.shape[d]!;
        const gx = new Float32Array(t.size);
        for (let o = 0; o < outer; o++) gx.set(g.subarray((o * total + offsets[k]!) * inner, (o * total + offsets[k]! + n) * inner), o * n * inner);
        return gx;
      });
    },
  }));
}

/** Stacks equal-shaped tensors along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected a non-empty list of tensors');
  const d = normalizeDim(dim, tensors[0]!.ndim + 1, 'stack');
  for (const t of tensors) {
    if (!sameShape(t.shape, tensors[0]!.shape)) throw new Error(`stack: shapes ${tensors.map((x) => formatShape(x.shape)).join(', ')} differ`);
  }
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Rows of `weight` (V,D) picked by integer `indices` (any shape) → (...indices.shape, D). */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number): Tensor {
  const [V, D] = [weight.shape[0]!, weight.shape[1]!];
  const n = indices.size;
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const idx = indices.data[i]!;
    if (!Number.isInteger(idx) || idx < 0 || idx >= V) {
      throw new Error(`embedding: index ${idx} at position ${i} is out of range for ${V} embeddings`);
    }
    out.set(weight.data.subarray(idx * D, (idx + 1) * D), i * D);
  }
  const rows = { table: weight, index: Int32Array.from(indices.data), paddingIdx: paddingIdx ?? -1 };
  const result = fromOp(out, [...indices.shape, D], [weight], () => ({
    name: 'EmbeddingBackward',
    inputs: [weight],
    backward: (g) => [scatterAddRows(g, rows.index, rows.paddingIdx, V, D)],
  }));
  markTableRows(result, rows);
  return result;
}

/** Multiplies by a fixed mask (used by dropout). mask has the shape of a. */
export function maskedScale(a: Tensor, mask: Float32Array): Tensor {
  const out = new Float32Array(a.size);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i]! * mask[i]!;
  return fromOp(out, a.shape, [a], () => ({
    name: 'DropoutBackward',
    inputs: [a],
    backward(g) {
      const gx = new Float32Array(g.length);
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! * mask[i]!;
      return [gx];
    },
  }));
}

/** Installs method forms (`a.add(b)`) on Tensor.prototype. */
export function installTensorMethods(): void {
  const p = Tensor.prototype as unknown as Record<string, unknown>;
  const methods: Record<string, (this: Tensor, ...args: never[]) => Tensor> = {
    add(this: Tensor, o: Tensor | number) {
      return add(this, o);
    },
    sub(this: Tensor, o: Tensor | number) {
      return sub(this, o);
    },
    mul(this: Tensor, o: Tensor | number) {
      return mul(this, o);
    },
    div(this: Tensor, o: Tensor | number) {
      return div(this, o);
    },
    neg(this: Tensor) {
      return neg(this);
    },
    matmul(this: Tensor, o: Tensor) {
      return matmul(this, o);
    },
    sum(this: Tensor, dim?: number, keepDim?: boolean) {
      return sum(this, dim, keepDim);
    },
    mean(this: Tensor, dim?: number, keepDim?: boolean) {
      return mean(this, dim, keepDim);
    },
    reshape(this: Tensor, ...shape: number[]) {
      return reshape(this, shape);
    },
    view(this: Tensor, ...shape: number[]) {
      return reshape(this, shape);
    },
    transpose(this: Tensor, d0: number, d1: number) {
      return transpose(this, d0, d1);
    },
    select(this: Tensor, dim: number, index: number) {
      return select(this, dim, index);
    },
    narrow(this: Tensor, dim: number, start: number, length: number) {
      return narrow(this, dim, start, length);
    },
    tanh(this: Tensor) {
      return tanh(this);
    },
    sigmoid(this: Tensor) {
      return sigmoid(this);
    },
    relu(this: Tensor) {
      return relu(this);
    },
    exp(this: Tensor) {
      return exp(this);
    },
    log(this: Tensor) {
      return log(this);
    },
    pow(this: Tensor, e: number) {
      return pow(this, e);
    },
    softmax(this: Tensor, dim?: number) {
      return softmax(this, dim);
    },
    logSoftmax(this: Tensor, dim?: number) {
      return logSoftmax(this, dim);
    },
    argmax(this: Tensor, dim?: number) {
      return argmax(this, dim);
    },
    squeeze(this: Tensor, dim?: number) {
      return squeeze(this, dim);
    },
    unsqueeze(this: Tensor, dim: number) {
      return unsqueeze(this, dim);
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(p, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
installTensorMethods();
