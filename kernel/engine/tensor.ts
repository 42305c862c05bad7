// Tensors: a contiguous row-major Float32Array with a shape, and the reverse-mode autograd tape.
//
// Every differentiable op creates its output with a GradFn that knows its inputs and how to turn
// the output's gradient into the inputs' gradients. `backward()` walks the graph in reverse
// topological order. Gradients flow as plain Float32Arrays (no graph of their own), so there is
// no double backward; what a person sees in `t.grad` is a Tensor, as in PyTorch.

export type Shape = readonly number[];

/** How backward() runs, as seen by each op on the way. */
export interface GradFnOptions {
  /**
   * Keep what the op saved for a later backward through the same graph. Without it, ops that
   * hold large buffers (the recurrent layers' gates and states) free them, as PyTorch does.
   */
  retainGraph: boolean;
}

/** Options of Tensor.backward (PyTorch's retain_graph). */
export interface BackwardOptions {
  /** Keep the graph's saved buffers for another backward through it. Default false. */
  retainGraph?: boolean;
}

/** How an op's output turns its gradient into gradients for the op's inputs. */
export interface GradFn {
  /** Name shown in errors and reprs, e.g. "MatMulBackward". */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Returns one gradient per input (null where the input needs none). Must not modify `grad`. */
  backward(grad: Float32Array, options: GradFnOptions): (Float32Array | null)[];
}

let gradEnabled = true;

/** Runs `fn` without recording operations (like `torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `(${shape.join(',')}${shape.length === 1 ? ',' : ''})`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkShape(shape: Shape, where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${where}: invalid shape ${formatShape(shape)}`);
  }
}

/**
 * The method forms of the ops, so that `a.add(b).mul(c)` reads as in PyTorch. ops/methods.ts puts
 * them on Tensor.prototype from one table, typed against these declarations: neither can have a
 * method the other lacks.
 */
export interface TensorMethods {
  /** this + other elementwise, broadcasting as in PyTorch (other may be a number). */
  add(other: Tensor | number): Tensor;
  /** this − other elementwise, broadcasting. */
  sub(other: Tensor | number): Tensor;
  /** this · other elementwise, broadcasting. */
  mul(other: Tensor | number): Tensor;
  /** this / other elementwise, broadcasting. */
  div(other: Tensor | number): Tensor;
  /** −this. */
  neg(): Tensor;
  /** The matrix product: (…,M,K) @ (K,N) → (…,M,N), batched (B,M,K) @ (B,K,N), or with a 1-D vector on either side. */
  matmul(other: Tensor): Tensor;
  /** The sum of all values, or along `dim` (kept as a dimension of size 1 with keepDim). */
  sum(dim?: number, keepDim?: boolean): Tensor;
  /** The mean of all values, or along `dim` (kept as a dimension of size 1 with keepDim). */
  mean(dim?: number, keepDim?: boolean): Tensor;
  /** The same values in a new shape; one dimension may be -1 (inferred): `x.reshape(2, -1)`. */
  reshape(...shape: number[]): Tensor;
  /** The same as reshape. */
  view(...shape: number[]): Tensor;
  /** Swaps two dimensions (copies). */
  transpose(dim0: number, dim1: number): Tensor;
  /** The slice at `index` along `dim`, that dimension removed; a negative index counts from the end. */
  select(dim: number, index: number): Tensor;
  /** The slice [start, start + length) along `dim` (copies). */
  narrow(dim: number, start: number, length: number): Tensor;
  /** tanh elementwise. */
  tanh(): Tensor;
  /** The logistic function 1/(1 + e^−x) elementwise. */
  sigmoid(): Tensor;
  /** max(x, 0) elementwise. */
  relu(): Tensor;
  /** e^x elementwise. */
  exp(): Tensor;
  /** The natural logarithm elementwise. */
  log(): Tensor;
  /** x^exponent elementwise. */
  pow(exponent: number): Tensor;
  /** Softmax along `dim` (default the last), numerically stable. */
  softmax(dim?: number): Tensor;
  /** log(softmax) along `dim` (default the last), computed without forming the softmax. */
  logSoftmax(dim?: number): Tensor;
  /** The indices of the largest values along `dim`, or the flat index over all values (not differentiable). */
  argmax(dim?: number): Tensor;
  /** Removes the dimensions of size 1, or only `dim` when it has size 1. */
  squeeze(dim?: number): Tensor;
  /** Inserts a dimension of size 1 at `dim`. */
  unsqueeze(dim: number): Tensor;
}

// The class below and this interface are one type: a Tensor has the methods of TensorMethods.
export interface Tensor extends TensorMethods {}

export class Tensor {
  readonly data: Float32Array;
  readonly shape: number[];
  requiresGrad: boolean;
  /** Accumulated gradient, filled by backward() on leaves (and on tensors that called retainGrad). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for a leaf. */
  gradFn: GradFn | null = null;
  /** Set by retainGrad(): backward() keeps this non-leaf tensor's gradient. */
  retainsGrad = false;

  constructor(data: Float32Array, shape: Shape, requiresGrad = false) {
    checkShape(shape, 'Tensor');
    if (data.length !== shapeSize(shape)) {
      throw new Error(`Tensor: ${data.length} values do not fill shape ${formatShape(shape)} (${shapeSize(shape)} values)`);
    }
    this.data = data;
    this.shape = [...shape];
    this.requiresGrad = requiresGrad;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Size of one dimension; negative dims count from the end. */
  dim(d: number): number {
    return this.shape[normalizeDim(d, this.shape.length, 'Tensor.dim')]!;
  }

  item(): number {
    if (this.data.length !== 1) {
      throw new Error(`item(): tensor of shape ${formatShape(this.shape)} has ${this.data.length} values, expected 1`);
    }
    return this.data[0]!;
  }

  /** Nested arrays of numbers, like `tensor.tolist()`. */
  toArray(): NestedNumbers {
    return nest(this.data, this.shape, 0, 0);
  }

  /** A leaf outside the graph (requiresGrad false) that shares the values, as PyTorch's detach; clone() copies. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  clone(): Tensor {
    return new Tensor(new Float32Array(this.data), this.shape, false);
  }

  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) throw new Error('requiresGrad_(false) is only allowed on leaf tensors; use detach()');
    this.requiresGrad = flag;
    return this;
  }

  /** Keep the gradient of a non-leaf tensor after backward() (like PyTorch's retain_grad). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Back-propagates from this tensor. Without a gradient the tensor must hold one value (a
   * loss); otherwise `gradient` has the tensor's shape. `{ retainGraph: true }` (alone or after the
   * gradient) keeps the graph's saved buffers for another backward through it, as PyTorch's
   * retain_graph: without it, a second backward through a recurrent layer is an error.
   */
  backward(gradient?: Tensor | BackwardOptions, options: BackwardOptions = {}): void {
    if (gradient !== undefined && !(gradient instanceof Tensor)) return this.backward(undefined, gradient);
    if (!this.requiresGrad) {
      throw new Error('backward(): tensor does not require grad (no parameter or input with requiresGrad led to it)');
    }
    let seed: Float32Array;
    if (gradient === undefined) {
      if (this.data.length !== 1) {
        throw new Error(`backward(): grad can be implicitly created only for one value, but shape is ${formatShape(this.shape)}`);
      }
      seed = new Float32Array([1]);
    } else {
      if (!sameShape(gradient.shape, this.shape)) {
        throw new Error(`backward(): gradient shape ${formatShape(gradient.shape)} does not match tensor shape ${formatShape(this.shape)}`);
      }
      seed = new Float32Array(gradient.data);
    }
    runBackward(this, seed, { retainGraph: options.retainGraph ?? false });
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A tensor that a Module owns and an optimizer updates (requiresGrad by default). */
export class Parameter extends Tensor {
  constructor(data: Float32Array | Tensor, shape?: Shape) {
    if (data instanceof Tensor) super(new Float32Array(data.data), data.shape, true);
    else super(data, shape ?? [data.length], true);
  }
}

export type NestedNumbers = number | NestedNumbers[];

function nest(data: Float32Array, shape: Shape, axis: number, offset: number): NestedNumbers {
  if (shape.length === 0) return data[0]!;
  const n = shape[axis]!;
  const stride = shapeSize(shape.slice(axis + 1));
  const out: NestedNumbers[] = [];
  for (let i = 0; i < n; i++) {
    out.push(axis === shape.length - 1 ? data[offset + i]! : nest(data, shape, axis + 1, offset + i * stride));
  }
  return out;
}

export function normalizeDim(dim: number, ndim: number, where: string): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= ndim) {
    throw new Error(`${where}: dimension ${dim} is out of range for a tensor with ${ndim} dimensions`);
  }
  return d;
}

/** Creates an op output: records the GradFn when grad mode is on and any input requires grad. */
export function fromOp(data: Float32Array, shape: Shape, inputs: readonly Tensor[], makeGradFn: () => GradFn): Tensor {
  const out = new Tensor(data, shape, false);
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = makeGradFn();
  }
  return out;
}

/**
 * A gradient array known to be zero outside the index range [start, start + length) of one
 * dimension, the array seen as (outer, n, inner): narrow's (and select's) backward makes such
 * arrays, and a consumer may skip their zero parts (the recurrent op reads only the time steps of
 * y a select kept). The hint dies with any addition into the array.
 */
export interface ZeroOutside {
  outer: number;
  n: number;
  inner: number;
  start: number;
  length: number;
}

const zeroOutside = new WeakMap<Float32Array, ZeroOutside>();

export function markZeroOutside(gradient: Float32Array, range: ZeroOutside): void {
  zeroOutside.set(gradient, range);
}

/** The hint of markZeroOutside, if the array still carries it. */
export function zeroOutsideOf(gradient: Float32Array): ZeroOutside | undefined {
  return zeroOutside.get(gradient);
}

let backwardPasses = 0;

/**
 * Number of the backward pass running now (or the last one): an op whose outputs hand gradients
 * to each other outside the graph's edges tells stale ones (from an aborted pass) from this pass's.
 */
export function backwardPassNumber(): number {
  return backwardPasses;
}

function runBackward(root: Tensor, seed: Float32Array, options: GradFnOptions): void {
  backwardPasses++;
  // Reverse topological order by iterative DFS (graphs through long sequences are deep).
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    const inputs = node.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1] = next + 1;
      const child = inputs[next]!;
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }

  const grads = new Map<Tensor, Float32Array>();
  grads.set(root, seed);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const g = grads.get(node);
    if (g === undefined) continue;
    grads.delete(node);
    if (node.gradFn === null || node.retainsGrad) {
      accumulate(node, g);
    }
    if (node.gradFn === null) continue;
    const inputGrads = node.gradFn.backward(g, options);
    const inputs = node.gradFn.inputs;
    // g belongs to no one once its node is done (accumulate copies it): the first input an op
    // hands it back to (reshape, squeeze, add, …) may keep it; later ones get copies.
    let gTaken = false;
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k]!;
      const ig = inputGrads[k];
      if (!input.requiresGrad || ig === null || ig === undefined) continue;
      const existing = grads.get(input);
      if (existing === undefined) {
        if (ig === g) {
          grads.set(input, gTaken ? new Float32Array(ig) : ig);
          gTaken = true;
        } else {
          grads.set(input, ig);
        }
      } else {
        for (let j = 0; j < existing.length; j++) existing[j]! += ig[j]!;
        zeroOutside.delete(existing);
      }
    }
  }
}

/**
 * Gradient arrays a backward made fresh for its inputs and keeps no reference to (handOver). A
 * leaf whose .grad is unset takes such an array as it is instead of a copy: a fresh array's pages
 * are mapped at the first touch, a page fault each (~11 µs on the project's VMs: 48 ms to copy an
 * H = 1024 LSTM's 17 MB dW_hh, each step after zeroGrad()).
 */
const handedOver = new WeakSet<Float32Array>();

/** Marks a gradient a backward returns as its caller's to keep (see handedOver); returns it. */
export function handOver<G extends Float32Array | null>(gradient: G): G {
  if (gradient) handedOver.add(gradient);
  return gradient;
}

function accumulate(t: Tensor, g: Float32Array): void {
  if (t.grad === null) {
    // Only a leaf may keep the array: a node that retains its gradient passes g on to its inputs.
    const own = t.gradFn === null && handedOver.delete(g);
    t.grad = new Tensor(own ? g : new Float32Array(g), t.shape, false);
  } else {
    const acc = t.grad.data;
    for (let j = 0; j < acc.length; j++) acc[j]! += g[j]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Creation

type NestedInput = number | readonly NestedInput[];

function flattenNested(value: NestedInput, shape: number[], depth: number, out: number[]): void {
  if (typeof value === 'number') {
    if (depth !== shape.length) throw new Error('tensor(): ragged nested array');
    out.push(value);
    return;
  }
  if (depth === shape.length) shape.push(value.length);
  else if (shape[depth] !== value.length) throw new Error(`tensor(): ragged nested array at depth ${depth}`);
  for (const v of value) flattenNested(v, shape, depth + 1, out);
}

/**
 * `tensor([[1,2],[3,4]])`, or `tensor(flatData, shape)` with a flat array / Float32Array.
 * The Float32Array is used as is (not copied).
 */
export function tensor(data: NestedInput | Float32Array | ArrayLike<number>, shape?: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
  let flat: Float32Array;
  let finalShape: number[];
  if (data instanceof Float32Array) {
    flat = data;
    finalShape = shape ? [...shape] : [data.length];
  } else if (typeof data === 'number') {
    flat = new Float32Array([data]);
    finalShape = shape ? [...shape] : [];
  } else if (shape !== undefined) {
    flat = Float32Array.from(data as ArrayLike<number>);
    finalShape = [...shape];
  } else {
    const values: number[] = [];
    finalShape = [];
    flattenNested(data as NestedInput, finalShape, 0, values);
    flat = Float32Array.from(values);
  }
  if (flat.length !== shapeSize(finalShape)) {
    throw new Error(`tensor(): ${flat.length} values do not fill shape ${formatShape(finalShape)} (${shapeSize(finalShape)} values)`);
  }
  return new Tensor(flat, finalShape, options.requiresGrad ?? false);
}

export function zeros(shape: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
  return new Tensor(new Float32Array(shapeSize(shape)), shape, options.requiresGrad ?? false);
}

export function ones(shape: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
  return full(shape, 1, options);
}

export function full(shape: Shape, value: number, options: { requiresGrad?: boolean } = {}): Tensor {
  return new Tensor(new Float32Array(shapeSize(shape)).fill(value), shape, options.requiresGrad ?? false);
}

export function arange(start: number, end?: number, step = 1): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return new Tensor(data, [n]);
}

// ---------------------------------------------------------------------------------------------
// Printing

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0.';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-4) return v.toExponential(4);
  return v.toFixed(4);
}

/** PyTorch-like printing with edge items only for large tensors. */
export function formatTensor(t: Tensor, edgeItems = 3): string {
  const body = formatLevel(t.data, t.shape, 0, 0, edgeItems, 7);
  const extras: string[] = [];
  if (t.ndim !== 1 || t.size > 2 * edgeItems) extras.push(`shape=${formatShape(t.shape)}`);
  if (t.gradFn !== null) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}

function formatLevel(data: Float32Array, shape: Shape, axis: number, offset: number, edge: number, indent: number): string {
  if (shape.length === 0) return formatNumber(data[offset]!);
  const n = shape[axis]!;
  const stride = shapeSize(shape.slice(axis + 1));
  const indices: (number | null)[] = [];
  if (n > 2 * edge) {
    for (let i = 0; i < edge; i++) indices.push(i);
    indices.push(null);
    for (let i = n - edge; i < n; i++) indices.push(i);
  } else {
    for (let i = 0; i < n; i++) indices.push(i);
  }
  if (axis === shape.length - 1) {
    return '[' + indices.map((i) => (i === null ? '...' : formatNumber(data[offset + i]!))).join(', ') + ']';
  }
  const sep = ',' + '\n'.repeat(shape.length - axis - 1) + ' '.repeat(indent + axis + 1);
  return '[' + indices.map((i) => (i === null ? '...' : formatLevel(data, shape, axis + 1, offset + i * stride, edge, indent))).join(sep) + ']';
}
