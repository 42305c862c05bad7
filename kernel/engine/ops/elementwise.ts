// Elementwise ops: the binary ones, broadcasting as PyTorch does (add, sub, mul, div, neg), the
// unary ones (tanh, sigmoid, relu, exp, log, abs, sqrt, pow), and a product with a fixed mask
// (dropout). Each op computes its output and, when grad is on, records a GradFn that maps the
// output gradient to the inputs' gradients (tensor.ts).

import { sigmoid as logistic } from '../rnn/blas';
import { formatShape, fromOp, sameShape, shapeSize, Tensor, type Shape } from '../tensor';

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
// Unary ops: forward f(x) and derivative from (x, y).

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
export const sigmoid = (a: Tensor): Tensor => unary('SigmoidBackward', a, logistic, (_x, y) => y * (1 - y));
export const relu = (a: Tensor): Tensor => unary('ReluBackward', a, (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
export const exp = (a: Tensor): Tensor => unary('ExpBackward', a, Math.exp, (_x, y) => y);
export const log = (a: Tensor): Tensor => unary('LogBackward', a, Math.log, (x) => 1 / x);
export const abs = (a: Tensor): Tensor => unary('AbsBackward', a, Math.abs, (x) => Math.sign(x));
export const sqrt = (a: Tensor): Tensor => unary('SqrtBackward', a, Math.sqrt, (_x, y) => 0.5 / y);
export const pow = (a: Tensor, p: number): Tensor => unary('PowBackward', a, (x) => x ** p, (x) => p * x ** (p - 1));

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
