// Loss functions with PyTorch's semantics and defaults. Each loss is one fused op on the tape:
// the forward keeps what the backward needs (e.g. the log-softmax), and both run in float64
// accumulators over the float32 data, so large logits neither overflow nor lose the small terms.

import { reshape } from './ops';
import { softmaxRows, softmaxRowsReference } from './softmaxRows';
import { formatShape, fromOp, sameShape, shapeSize, Tensor } from './tensor';

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Targets equal to this class index contribute nothing, and are left out of the mean. Default -100. */
  ignoreIndex?: number;
  /** Default 'mean': over the non-ignored targets (weighted by `weight` when given). */
  reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1−ε)·onehot + ε/C (Szegedy et al. 2016). Default 0. */
  labelSmoothing?: number;
  /** Per-class rescaling weight w, shape (C,). Not differentiated. */
  weight?: Tensor;
}

export type NllLossOptions = Omit<CrossEntropyOptions, 'labelSmoothing'>;

function checkReduction(reduction: string, where: string): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${where}: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
  }
  return reduction;
}

/**
 * Where the classes are in a (N,C,d1,…,dk) or (C,) tensor: element (n, c, s) of the flattened
 * (N, C, S) view is at (n·C + c)·S + s; there are N·S positions, each with C class scores.
 */
interface ClassLayout {
  N: number;
  C: number;
  S: number;
  /** Shape of one value per position: (N,d1,…,dk), or () for an unbatched (C,) input. */
  positionShape: number[];
  /** Target holds class probabilities (same shape as the input) rather than class indices. */
  probabilities: boolean;
}

function classLayout(input: Tensor, target: Tensor, where: string, inputName: string, allowProbabilities: boolean): ClassLayout {
  if (input.ndim === 0) throw new Error(`${where}: ${inputName} must have a class dimension, got a scalar`);
  const unbatched = input.ndim === 1;
  const C = unbatched ? input.shape[0]! : input.shape[1]!;
  const N = unbatched ? 1 : input.shape[0]!;
  const spatial = unbatched ? [] : input.shape.slice(2);
  const positionShape = unbatched ? [] : [N, ...spatial];
  const probabilities = allowProbabilities && sameShape(target.shape, input.shape);
  if (!probabilities && !sameShape(target.shape, positionShape)) {
    let message =
      `${where}: ${inputName} ${formatShape(input.shape)} (class dimension ${unbatched ? 0 : 1} of size ${C}) needs class-index targets of shape ` +
      `${formatShape(positionShape)}${allowProbabilities ? ` or class probabilities of shape ${formatShape(input.shape)}` : ''}, got target ${formatShape(target.shape)}`;
    if (input.ndim === 3 && sameShape(target.shape, input.shape.slice(0, 2))) {
      message += `. For sequence logits (N,T,C) with targets (N,T), use sequenceCrossEntropy or transpose the logits to (N,C,T)`;
    }
    throw new Error(message);
  }
  if (C === 0) throw new Error(`${where}: ${inputName} ${formatShape(input.shape)} has no classes`);
  return { N, C, S: shapeSize(spatial), positionShape, probabilities };
}

function classWeights(weight: Tensor | undefined, C: number, where: string): Float32Array | null {
  if (weight === undefined) return null;
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new Error(`${where}: weight must have shape (${C},) (one value per class), got ${formatShape(weight.shape)}`);
  }
  return weight.data;
}

/** The class index at `pos`, or -1 when it equals ignoreIndex. Throws on anything else out of range. */
function classIndex(target: Float32Array, pos: number, C: number, ignoreIndex: number, where: string): number {
  const t = target[pos]!;
  if (t === ignoreIndex) return -1;
  if (!Number.isInteger(t) || t < 0 || t >= C) {
    throw new Error(`${where}: target ${t} at position ${pos} is not a class index in [0, ${C}) (nor ignoreIndex ${ignoreIndex})`);
  }
  return t;
}

/** Output of a per-position loss: the reduced value and the scale each position's gradient gets. */
function reduce(losses: Float64Array, reduction: Reduction, denominator: number, positionShape: number[]): { data: Float32Array; shape: number[] } {
  if (reduction === 'none') return { data: Float32Array.from(losses), shape: positionShape };
  let s = 0;
  for (let i = 0; i < losses.length; i++) s += losses[i]!;
  return { data: new Float32Array([reduction === 'sum' ? s : s / denominator]), shape: [] };
}

/** d(output)/d(loss at position p) times the incoming gradient g. */
function positionScale(g: Float32Array, reduction: Reduction, denominator: number): (p: number) => number {
  if (reduction === 'none') return (p) => g[p]!;
  const s = reduction === 'sum' ? g[0]! : g[0]! / denominator;
  return () => s;
}

/**
 * Cross-entropy between logits and class-index targets, fused with a numerically stable
 * log-softmax (PyTorch's F.cross_entropy). The class dimension is 1, as in PyTorch:
 *
 *   logits (N,C) with target (N,), logits (N,C,d1,…) with target (N,d1,…), or (C,) with ().
 *   A target of the logits' own shape holds class probabilities instead of indices.
 *
 *   loss_n = −(1−ε)·w[t_n]·log p_n[t_n] − (ε/C)·Σ_c w[c]·log p_n[c],   p_n = softmax(x_n)
 *
 * 'mean' divides the sum by Σ w[t_n] over non-ignored targets (the count when there is no
 * weight); if every target is ignored the mean is NaN, as in PyTorch. Targets are float tensors
 * holding integers (the engine is float32 throughout). For sequence models whose logits are
 * (N,T,C), use `sequenceCrossEntropy`, or `crossEntropy(logits.transpose(1, 2), targets)`.
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const where = 'crossEntropy';
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`${where}: labelSmoothing must be in [0, 1], got ${eps}`);
  const layout = classLayout(logits, target, where, 'logits', true);
  const { N, C, S } = layout;
  const w = classWeights(options.weight, C, where);
  const X = logits.data;
  const T = target.data;
  const positions = N * S;

  // prob is the softmax over classes and lse the log-sum-exp per position, kept for the backward
  // pass: log p_c = x_c − lse, and the backward needs p_c itself (one exp per element in all).
  const prob = new Float32Array(X.length);
  const lses = new Float64Array(positions);
  const losses = new Float64Array(positions);
  const cls = new Int32Array(positions); // class index per position, -1 when ignored
  let denominator = 0;
  let weightSum = C;
  if (w) {
    weightSum = 0;
    for (let c = 0; c < C; c++) weightSum += w[c]!;
  }
  if (S === 1) softmaxRows(X, N, C, prob, lses);
  else softmaxRowsReference(X, N, C, prob, lses, S);
  for (let n = 0; n < N; n++)
    for (let s = 0; s < S; s++) {
      const p = n * S + s;
      const base = n * C * S + s;
      const lse = lses[p]!;

      if (layout.probabilities) {
        // −Σ_c w_c q'_c log p_c with q' = (1−ε) q + ε/C
        let l = 0;
        for (let c = 0; c < C; c++) {
          const q = (1 - eps) * T[base + c * S]! + eps / C;
          l -= (w ? w[c]! : 1) * q * (X[base + c * S]! - lse);
        }
        losses[p] = l;
        denominator++;
        continue;
      }
      const t = classIndex(T, p, C, ignoreIndex, where);
      cls[p] = t;
      if (t < 0) continue;
      const wt = w ? w[t]! : 1;
      let l = -(1 - eps) * wt * (X[base + t * S]! - lse);
      if (eps > 0) {
        let smooth = 0;
        for (let c = 0; c < C; c++) smooth -= (w ? w[c]! : 1) * (X[base + c * S]! - lse);
        l += (eps / C) * smooth;
      }
      losses[p] = l;
      denominator += wt;
    }

  const out = reduce(losses, reduction, denominator, layout.positionShape);
  const inputs = layout.probabilities ? [logits, target] : [logits];
  return fromOp(out.data, out.shape, inputs, () => ({
    name: 'CrossEntropyBackward',
    inputs,
    backward(g) {
      const scale = positionScale(g, reduction, denominator);
      const gx = logits.requiresGrad ? new Float32Array(X.length) : null;
      const gt = layout.probabilities && target.requiresGrad ? new Float32Array(T.length) : null;
      for (let n = 0; n < N; n++)
        for (let s = 0; s < S; s++) {
          const p = n * S + s;
          const base = n * C * S + s;
          const k = scale(p);
          if (layout.probabilities) {
            // d/dx_c = p_c·Σ_j w_j q'_j − w_c q'_c;  d/dq_c = −(1−ε)·w_c·log p_c
            let wq = 0;
            for (let c = 0; c < C; c++) wq += (w ? w[c]! : 1) * ((1 - eps) * T[base + c * S]! + eps / C);
            for (let c = 0; c < C; c++) {
              const i = base + c * S;
              const wc = w ? w[c]! : 1;
              if (gx) gx[i] = k * (prob[i]! * wq - wc * ((1 - eps) * T[i]! + eps / C));
              if (gt) gt[i] = -k * (1 - eps) * wc * (X[i]! - lses[p]!);
            }
            continue;
          }
          const t = cls[p]!;
          if (t < 0 || !gx) continue;
          // d/dx_c = (1−ε)·w_t·(p_c − [c=t]) + (ε/C)·(W·p_c − w_c),  W = Σ_c w_c
          const wt = w ? w[t]! : 1;
          if (eps === 0) {
            // The common case: k·w_t·(p − onehot(t)).
            const kw = k * wt;
            for (let i = base, end = base + C * S; i < end; i += S) gx[i] = kw * prob[i]!;
            gx[base + t * S] = kw * (prob[base + t * S]! - 1);
            continue;
          }
          for (let c = 0; c < C; c++) {
            const i = base + c * S;
            const pc = prob[i]!;
            let d = (1 - eps) * wt * (pc - (c === t ? 1 : 0));
            d += (eps / C) * (weightSum * pc - (w ? w[c]! : 1));
            gx[i] = k * d;
          }
        }
      return layout.probabilities ? [gx, gt] : [gx];
    },
  }));
}

/**
 * Cross-entropy for sequence logits laid out (N,T,C) (or (T,N,C)) with targets (N,T) (or (T,N)):
 * the classes are the last dimension. 'none' returns the per-step losses with the targets' shape.
 */
export function sequenceCrossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  if (logits.ndim < 2 || !sameShape(target.shape, logits.shape.slice(0, -1))) {
    throw new Error(`sequenceCrossEntropy: logits ${formatShape(logits.shape)} with classes last need targets of shape ${formatShape(logits.shape.slice(0, -1))}, got ${formatShape(target.shape)}`);
  }
  const C = logits.shape[logits.ndim - 1]!;
  const loss = crossEntropy(reshape(logits, [-1, C]), reshape(target, [-1]), options);
  return (options.reduction ?? 'mean') === 'none' ? reshape(loss, target.shape) : loss;
}

/**
 * Negative log-likelihood of class-index targets given log-probabilities (PyTorch's F.nll_loss):
 * loss_n = −w[t_n]·x_n[t_n]. Same layouts, ignoreIndex and weighted mean as crossEntropy.
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const where = 'nllLoss';
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const layout = classLayout(logProbs, target, where, 'input', false);
  const { N, C, S } = layout;
  const w = classWeights(options.weight, C, where);
  const X = logProbs.data;
  const positions = N * S;
  const losses = new Float64Array(positions);
  const cls = new Int32Array(positions);
  let denominator = 0;
  for (let n = 0; n < N; n++)
    for (let s = 0; s < S; s++) {
      const p = n * S + s;
      const t = classIndex(target.data, p, C, ignoreIndex, where);
      cls[p] = t;
      if (t < 0) continue;
      const wt = w ? w[t]! : 1;
      losses[p] = -wt * X[n * C * S + t * S + s]!;
      denominator += wt;
    }
  const out = reduce(losses, reduction, denominator, layout.positionShape);
  return fromOp(out.data, out.shape, [logProbs], () => ({
    name: 'NllLossBackward',
    inputs: [logProbs],
    backward(g) {
      const scale = positionScale(g, reduction, denominator);
      const gx = new Float32Array(X.length);
      for (let n = 0; n < N; n++)
        for (let s = 0; s < S; s++) {
          const p = n * S + s;
          const t = cls[p]!;
          if (t >= 0) gx[n * C * S + t * S + s] = -scale(p) * (w ? w[t]! : 1);
        }
      return [gx];
    },
  }));
}

/**
 * Mean squared error (x − y)², reduced as asked. Unlike PyTorch, which broadcasts mismatched
 * shapes with a warning, different shapes are an error here: (N,1) against (N,) silently
 * broadcasting to (N,N) is a classic bug.
 */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction(options.reduction ?? 'mean', 'mseLoss');
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`mseLoss: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  const X = input.data;
  const Y = target.data;
  const losses = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) {
    const d = X[i]! - Y[i]!;
    losses[i] = d * d;
  }
  const out = reduce(losses, reduction, X.length, [...input.shape]);
  return fromOp(out.data, out.shape, [input, target], () => ({
    name: 'MseLossBackward',
    inputs: [input, target],
    backward(g) {
      const scale = positionScale(g, reduction, X.length);
      const gx = new Float32Array(X.length);
      for (let i = 0; i < X.length; i++) gx[i] = 2 * scale(i) * (X[i]! - Y[i]!);
      const gy = target.requiresGrad ? gx.map((v) => -v) : null;
      return [input.requiresGrad ? gx : null, gy];
    },
  }));
}

export interface BceWithLogitsOptions {
  reduction?: Reduction;
  /** Weight of positive examples p, broadcast to the input's shape (usually (C,)). Not differentiated. */
  posWeight?: Tensor;
  /** Rescaling weight per element, broadcast to the input's shape. Not differentiated. */
  weight?: Tensor;
}

/**
 * Binary cross-entropy on logits x with targets y in [0, 1] (PyTorch's
 * F.binary_cross_entropy_with_logits), in the stable form
 *   loss = (1 − y)·x + (1 + (p − 1)·y)·softplus(−x),  softplus(−x) = log(1 + e^−|x|) + max(−x, 0),
 * which equals −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))] without overflowing for large |x|.
 */
export function bceWithLogits(logits: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const where = 'bceWithLogits';
  const reduction = checkReduction(options.reduction ?? 'mean', where);
  if (!sameShape(logits.shape, target.shape)) {
    throw new Error(`${where}: logits ${formatShape(logits.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  const pw = options.posWeight ? broadcastTo(options.posWeight, logits.shape, where, 'posWeight') : null;
  const w = options.weight ? broadcastTo(options.weight, logits.shape, where, 'weight') : null;
  const X = logits.data;
  const Y = target.data;
  const losses = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) {
    const x = X[i]!;
    const y = Y[i]!;
    const softplusNeg = Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0);
    const lw = pw ? 1 + (pw[i]! - 1) * y : 1;
    losses[i] = ((1 - y) * x + lw * softplusNeg) * (w ? w[i]! : 1);
  }
  const out = reduce(losses, reduction, X.length, [...logits.shape]);
  return fromOp(out.data, out.shape, [logits, target], () => ({
    name: 'BinaryCrossEntropyWithLogitsBackward',
    inputs: [logits, target],
    backward(g) {
      const scale = positionScale(g, reduction, X.length);
      const gx = logits.requiresGrad ? new Float32Array(X.length) : null;
      const gy = target.requiresGrad ? new Float32Array(X.length) : null;
      for (let i = 0; i < X.length; i++) {
        const x = X[i]!;
        const y = Y[i]!;
        const k = scale(i) * (w ? w[i]! : 1);
        const p = pw ? pw[i]! : 1;
        // dL/dx = (1 − y) − (1 + (p−1)y)·σ(−x);  dL/dy = −x + (p − 1)·softplus(−x)
        const sigNeg = x >= 0 ? Math.exp(-x) / (1 + Math.exp(-x)) : 1 / (1 + Math.exp(x));
        if (gx) gx[i] = k * (1 - y - (1 + (p - 1) * y) * sigNeg);
        if (gy) gy[i] = k * (-x + (p - 1) * (Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0)));
      }
      return [gx, gy];
    },
  }));
}

/** The values of `t` broadcast to exactly `shape` (numpy rules), as a new flat array. */
function broadcastTo(t: Tensor, shape: readonly number[], where: string, name: string): Float32Array {
  const n = shape.length;
  const ok = t.ndim <= n && t.shape.every((d, i) => d === 1 || d === shape[n - t.ndim + i]);
  if (!ok) throw new Error(`${where}: ${name} ${formatShape(t.shape)} cannot be broadcast to the input's shape ${formatShape(shape)}`);
  const strides = new Array<number>(n).fill(0);
  let stride = 1;
  for (let i = t.ndim - 1; i >= 0; i--) {
    if (t.shape[i] !== 1) strides[n - t.ndim + i] = stride;
    stride *= t.shape[i]!;
  }
  const size = shapeSize(shape);
  const out = new Float32Array(size);
  const idx = new Array<number>(n).fill(0);
  let src = 0;
  for (let o = 0; o < size; o++) {
    out[o] = t.data[src]!;
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}
