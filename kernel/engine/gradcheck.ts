// Gradient checking: the gradients autograd computes, compared with central finite differences.
//
// For a scalar L = f(x), the numeric derivative of element i is
//     (L(x + ε·e_i) − L(x − ε·e_i)) / ((x_i + ε) − (x_i − ε)),
// where the denominator uses the perturbed values as float32 actually stores them, so rounding of
// x_i ± ε does not bias the quotient. A non-scalar output y is reduced to L = Σ v ⊙ y with a fixed
// random v (one backward pass checks vᵀJ instead of the whole Jacobian J; a wrong gradient is
// caught unless its error happens to be orthogonal to v, which a random v makes vanishingly unlikely).

import { Generator } from './rng';
import { formatShape, noGrad, Tensor } from './tensor';

export interface GradcheckOptions {
  /**
   * Perturbation size. The engine computes in float32 (unit roundoff u ≈ 6e-8), so the numeric
   * derivative carries a rounding error of about u·|L|/ε and a truncation error of about
   * ε²·|f'''|/6. ε = 1e-2 balances the two for inputs of order 1: both stay near 1e-5·|L|, far
   * below the O(1) relative errors a wrong backward formula produces. Keep inputs at least ε away
   * from kinks (relu, abs at 0) and singularities (log, sqrt near 0).
   */
  eps?: number;
  /** Absolute tolerance (default 1e-3: a few times the float32 noise of the numeric derivative). */
  atol?: number;
  /** Relative tolerance, on |numeric| (default 1e-2). */
  rtol?: number;
  /** Seed of the projection vector v for non-scalar outputs (own generator: the default RNG is untouched). */
  seed?: number;
}

/** One compared element. `position` is its multi-index inside input number `input`. */
export interface GradcheckElement {
  input: number;
  index: number;
  position: number[];
  analytic: number;
  numeric: number;
  /** |analytic − numeric| */
  error: number;
  /** atol + rtol·|numeric|: the element passes when error ≤ tolerance. */
  tolerance: number;
}

export interface GradcheckReport {
  ok: boolean;
  /** Number of elements compared (over all inputs that require grad). */
  checked: number;
  /** Number of elements outside tolerance. */
  failures: number;
  maxAbsError: number;
  /** The element with the largest error/tolerance ratio (null when nothing was checked). */
  worst: GradcheckElement | null;
  /** One line naming the worst element, for assertion messages. */
  summary: string;
}

/**
 * Compares autograd gradients of `fn(...inputs)` with finite differences for every element of
 * every input with requiresGrad. Inputs' data are perturbed in place and restored; their `.grad`
 * is left as it was. Other leaves `fn` uses (e.g. module parameters) accumulate one backward's
 * gradient. `fn` must be deterministic (no dropout in training mode).
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  if (!(eps > 0)) throw new Error(`gradcheck: eps must be positive, got ${eps}`);
  const checkedInputs = inputs.map((t, k) => [t, k] as const).filter(([t]) => t.requiresGrad);
  if (checkedInputs.length === 0) throw new Error('gradcheck: no input has requiresGrad set; nothing to check');

  // Analytic gradient of L = Σ v ⊙ y.
  const y = fn(...inputs);
  if (!y.requiresGrad) throw new Error(`gradcheck: the output ${formatShape(y.shape)} does not depend on any input that requires grad`);
  const v = new Float32Array(y.size);
  if (y.size === 1) v[0] = 1;
  else {
    const gen = new Generator(options.seed ?? 1234);
    for (let i = 0; i < v.length; i++) v[i] = gen.uniform(-1, 1);
  }
  const savedGrads = inputs.map((t) => t.grad);
  for (const t of inputs) t.grad = null;
  y.backward(new Tensor(v, y.shape));
  const analytic = inputs.map((t) => (t.grad === null ? new Float32Array(t.size) : new Float32Array(t.grad.data)));
  inputs.forEach((t, k) => {
    t.grad = savedGrads[k]!;
  });

  const project = (): number => {
    const out = noGrad(() => fn(...inputs));
    if (out.size !== v.length) throw new Error(`gradcheck: output shape changed from ${formatShape(y.shape)} to ${formatShape(out.shape)} between calls`);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * out.data[i]!;
    return s;
  };

  let checked = 0;
  let failures = 0;
  let maxAbsError = 0;
  let worst: GradcheckElement | null = null;
  let worstRatio = -1;
  for (const [x, k] of checkedInputs) {
    const data = x.data;
    for (let i = 0; i < data.length; i++) {
      const original = data[i]!;
      data[i] = original + eps;
      const xPlus = data[i]!;
      const lPlus = project();
      data[i] = original - eps;
      const xMinus = data[i]!;
      const lMinus = project();
      data[i] = original;
      const numeric = (lPlus - lMinus) / (xPlus - xMinus);
      const a = analytic[k]![i]!;
      const error = Math.abs(a - numeric);
      const tolerance = atol + rtol * Math.abs(numeric);
      checked++;
      if (!(error <= tolerance)) failures++;
      if (error > maxAbsError || Number.isNaN(error)) maxAbsError = Number.isNaN(error) ? NaN : error;
      const ratio = Number.isNaN(error) ? Infinity : error / tolerance;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worst = { input: k, index: i, position: unravel(i, x.shape), analytic: a, numeric, error, tolerance };
      }
    }
  }
  const ok = failures === 0;
  const where = worst ? `input ${worst.input} ${formatShape(inputs[worst.input]!.shape)} at [${worst.position.join(',')}]` : '';
  const summary = worst
    ? `gradcheck ${ok ? 'passed' : 'FAILED'}: ${failures} of ${checked} elements outside atol=${atol}, rtol=${rtol}; ` +
      `worst ${where}: analytic ${worst.analytic.toPrecision(6)} vs numeric ${worst.numeric.toPrecision(6)} (error ${worst.error.toPrecision(3)})`
    : 'gradcheck: nothing checked (inputs are empty)';
  return { ok, checked, failures, maxAbsError, worst, summary };
}

function unravel(index: number, shape: readonly number[]): number[] {
  const pos = new Array<number>(shape.length).fill(0);
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    pos[d] = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
  }
  return pos;
}
