// Stochastic gradient descent with momentum (Polyak; Nesterov as in Sutskever et al. 2013), the
// update of torch.optim.SGD:
//   g ← ∇ + λ·θ                          (weightDecay λ)
//   b ← g on the first step, else μ·b + (1 − τ)·g   (momentum μ, dampening τ)
//   g ← g + μ·b (nesterov)  or  g ← b
//   θ ← θ − lr·g

import { flushed, flushThreshold } from '../denormal';
import { checkBoolean, checkNonNegative, gradOf, Optimizer, showValue, withDefaults, type ParamGroup, type ParamsInput } from './optimizer';

export interface SGDHyperparameters {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** Ascend instead of descend. */
  maximize: boolean;
}

export type SGDOptions = Partial<SGDHyperparameters>;

export class SGD extends Optimizer<SGDHyperparameters> {
  /** Defaults as PyTorch ≥ 2.2: lr 1e-3, no momentum, no weight decay. */
  constructor(params: ParamsInput<SGDHyperparameters>, options: SGDOptions = {}) {
    super(params, withDefaults('SGD', { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }, options));
  }

  protected override validate(g: ParamGroup<SGDHyperparameters>): void {
    super.validate(g);
    checkNonNegative('SGD', 'momentum', g.momentum);
    checkNonNegative('SGD', 'weightDecay', g.weightDecay);
    if (!(typeof g.dampening === 'number' && Number.isFinite(g.dampening))) throw new Error(`SGD: invalid dampening ${showValue(g.dampening)} (dampening must be a finite number)`);
    checkBoolean('SGD', 'nesterov', g.nesterov);
    checkBoolean('SGD', 'maximize', g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
  }

  step(): void {
    for (const group of this.paramGroups) {
      const { lr, momentum, dampening, nesterov, weightDecay, maximize } = group;
      for (const p of group.params) {
        const grad = gradOf(p);
        if (grad === null) continue;
        const theta = p.data;
        const first = !this.state.has(p) || !(this.state.get(p)!.momentumBuffer instanceof Float32Array);
        const s = this.stateOf(p, () => ({}));
        let buf: Float32Array | null = null;
        if (momentum !== 0) {
          if (first) s.momentumBuffer = new Float32Array(p.size);
          buf = s.momentumBuffer as Float32Array;
        }
        // The momentum buffer (it decays by μ where the gradient vanishes) below FLT_MIN flushed to
        // zero when setFlushDenormal is on (denormal.ts).
        const min = flushThreshold();
        for (let i = 0; i < theta.length; i++) {
          let d = maximize ? -grad[i]! : grad[i]!;
          if (weightDecay !== 0) d += weightDecay * theta[i]!;
          if (buf) {
            buf[i] = flushed(first ? d : momentum * buf[i]! + (1 - dampening) * d, min);
            d = nesterov ? d + momentum * buf[i]! : buf[i]!;
          }
          theta[i] = theta[i]! - lr * d;
        }
      }
    }
  }
}
