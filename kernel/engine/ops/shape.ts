// Shape ops: reshape, squeeze, unsqueeze, permute, transpose, narrow, select, cat, stack. They move
// values without changing them; their backward moves the gradient back.

import { formatShape, fromOp, markZeroOutside, normalizeDim, sameShape, shapeSize, Tensor, type Shape } from '../tensor';

/** Splits a shape around `dim` into (outer, n, inner) so that index = (o*n + k)*inner + i. */
export function around(shape: Shape, dim: number): [number, number, number] {
  return [shapeSize(shape.slice(0, dim)), shape[dim]!, shapeSize(shape.slice(dim + 1))];
}

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
      // A subarray pair per row has a cost of its own: worth it for long rows only.
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
