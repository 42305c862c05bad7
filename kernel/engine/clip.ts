// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. Rescaling the whole
// gradient when its norm exceeds a threshold (Pascanu, Mikolov & Bengio 2013, "On the difficulty
// of training recurrent neural networks") keeps its direction while taming exploding gradients.

import { Tensor } from './tensor';

type GradHolders = Tensor | Iterable<Tensor>;

function withGrads(params: GradHolders): Float32Array[] {
  const list = params instanceof Tensor ? [params] : [...params];
  const grads: Float32Array[] = [];
  for (const p of list) if (p.grad !== null) grads.push(p.grad.data);
  return grads;
}

/**
 * The norm of all gradients taken together, as if concatenated into one vector:
 * (Σ |g|ᵖ)^(1/p) for normType p, max |g| for Infinity. Parameters without a gradient are skipped.
 */
export function gradNorm(params: GradHolders, normType = 2): number {
  return normOf(withGrads(params), normType, 'gradNorm');
}

function normOf(grads: Float32Array[], normType: number, where: string): number {
  if (!(normType > 0)) throw new Error(`${where}: normType must be positive (or Infinity), got ${normType}`);
  if (normType === Infinity) {
    let m = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) m = Math.max(m, Math.abs(g[i]!));
    return m;
  }
  let s = 0;
  for (const g of grads) {
    if (normType === 2) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
    else if (normType === 1) for (let i = 0; i < g.length; i++) s += Math.abs(g[i]!);
    else for (let i = 0; i < g.length; i++) s += Math.abs(g[i]!) ** normType;
  }
  return normType === 2 ? Math.sqrt(s) : normType === 1 ? s : s ** (1 / normType);
}

/**
 * Scales all gradients in place so that their total norm is at most `maxNorm`, and returns the
 * total norm before clipping. As PyTorch: the factor is maxNorm / (norm + 1e-6), clamped to 1, so
 * a norm just above maxNorm lands just below it. With `errorIfNonfinite` a NaN or infinite norm
 * throws instead of spreading NaN into every gradient.
 */
export function clipGradNorm(params: GradHolders, maxNorm: number, normType = 2, options: { errorIfNonfinite?: boolean } = {}): number {
  if (!(maxNorm >= 0)) throw new Error(`clipGradNorm: maxNorm must be non-negative, got ${maxNorm}`);
  const grads = withGrads(params); // read once: `params` may be a one-shot iterator
  const total = normOf(grads, normType, 'clipGradNorm');
  if (grads.length === 0) return 0;
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(`clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped`);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  if (coef < 1 || Number.isNaN(coef)) {
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  }
  return total;
}

/** Clamps every gradient value into [−clipValue, clipValue] in place. */
export function clipGradValue(params: GradHolders, clipValue: number): void {
  if (!(clipValue >= 0)) throw new Error(`clipGradValue: clipValue must be non-negative, got ${clipValue}`);
  for (const g of withGrads(params)) {
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!;
      if (v > clipValue) g[i] = clipValue;
      else if (v < -clipValue) g[i] = -clipValue;
    }
  }
}
