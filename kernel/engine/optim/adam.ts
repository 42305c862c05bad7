// Adam (Kingma & Ba 2015) with optional AMSGrad (Reddi et al. 2018), the update of torch.optim.Adam:
//   g ← ∇ + λ·θ                                  (weightDecay λ, L2 penalty in the gradient)
//   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
//   v̂ ← max(v̂, v) with amsgrad, else v̂ = v
//   θ ← θ − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
// AdamW (adamw.ts) shares this update but decays θ directly instead of adding λ·θ to g.

import { flushed, flushThreshold } from '../denormal';
import { type Tensor } from '../tensor';
import { wasmKernels } from '../wasm/instance';
import { adamUpdateWasm } from './adamWasm';
import { checkBoolean, checkNonNegative, gradOf, Optimizer, showValue, withDefaults, type ParamGroup, type ParamsInput, type ParamState } from './optimizer';

export interface AdamHyperparameters {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export type AdamOptions = Partial<AdamHyperparameters>;

export function validateAdam(name: string, g: ParamGroup<AdamHyperparameters>): void {
  checkNonNegative(name, 'eps', g.eps, 'epsilon');
  const betas: unknown = g.betas;
  if (!Array.isArray(betas) || betas.length !== 2) throw new Error(`${name}: invalid betas ${showValue(betas)} (betas must be two numbers in [0, 1))`);
  betas.forEach((b: unknown, i) => {
    if (!(typeof b === 'number' && b >= 0 && b < 1)) throw new Error(`${name}: invalid beta parameter at index ${i}: ${showValue(b)} (betas must be two numbers in [0, 1))`);
  });
  checkNonNegative(name, 'weightDecay', g.weightDecay);
  checkBoolean(name, 'amsgrad', g.amsgrad);
  checkBoolean(name, 'maximize', g.maximize);
}

/** torch.optim.Adam's defaults (AdamW's differ in weightDecay); a fresh betas array each time. */
export function adamDefaults(): AdamHyperparameters {
  return { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
}

/** One Adam/AdamW step over every parameter of every group; `decoupled` selects AdamW's decay. */
export function adamStep(groups: readonly ParamGroup<AdamHyperparameters>[], stateOf: (p: Tensor, init: () => ParamState) => ParamState, decoupled: boolean): void {
  const w = wasmKernels();
  for (const group of groups) {
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      const grad = gradOf(p);
      if (grad === null) continue;
      const n = p.size;
      const s = stateOf(p, () => ({ step: 0, expAvg: new Float32Array(n), expAvgSq: new Float32Array(n) }));
      if (amsgrad && !(s.maxExpAvgSq instanceof Float32Array)) s.maxExpAvgSq = new Float32Array(n);
      const step = (s.step as number) + 1;
      s.step = step;
      const m = s.expAvg as Float32Array;
      const v = s.expAvgSq as Float32Array;
      const vMax = amsgrad ? (s.maxExpAvgSq as Float32Array) : null;
      const stepSize = lr / (1 - beta1 ** step);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      const theta = p.data;
      const decay = decoupled ? 1 - lr * weightDecay : 1;
      if (w) {
        adamUpdateWasm(w, theta, grad, m, v, vMax, { l2: !decoupled && weightDecay !== 0, sign: maximize ? -1 : 1, decay, weightDecay, beta1, beta2, bc2Sqrt, eps, stepSize });
        continue;
      }
      // m, v and θ below FLT_MIN flushed to zero when setFlushDenormal is on, as the wasm kernel does
      const min = flushThreshold();
      for (let i = 0; i < n; i++) {
        let g = maximize ? -grad[i]! : grad[i]!;
        if (decoupled) theta[i] = theta[i]! * decay;
        else if (weightDecay !== 0) g += weightDecay * theta[i]!;
        m[i] = flushed(beta1 * m[i]! + (1 - beta1) * g, min);
        v[i] = flushed(beta2 * v[i]! + (1 - beta2) * g * g, min);
        let second = v[i]!;
        if (vMax) {
          if (second > vMax[i]!) vMax[i] = second;
          second = vMax[i]!;
        }
        const denom = Math.sqrt(second) / bc2Sqrt + eps;
        theta[i] = flushed(theta[i]! - (stepSize * m[i]!) / denom, min);
      }
    }
  }
}

export class Adam extends Optimizer<AdamHyperparameters> {
  /** Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    super(params, withDefaults('Adam', adamDefaults(), options));
  }

  protected override validate(g: ParamGroup<AdamHyperparameters>): void {
    super.validate(g);
    validateAdam('Adam', g);
  }

  step(): void {
    adamStep(this.paramGroups, (p, init) => this.stateOf(p, init), false);
  }
}
