// Stochastic gradient descent with momentum (Polyak; Nesterov as in Sutskever et al. 2013), the
// update of torch.optim.SGD:
//   g ← ∇ + λ·θ                          (weightDecay λ)
//   b ← g on the first step, else μ·b + (1 − τ)·g   (momentum μ, dampening τ)
//   g ← g + μ·b (nesterov)  or  g ← b
//   θ ← θ − lr·g

import { gradOf, Optimizer, type ParamGroup, type ParamsInput } from './optimizer';

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
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, ...options });
  }

  protected override validate(g: ParamGroup<SGDHyperparameters>): void {
    super.validate(g);
    if (!(g.momentum >= 0)) throw new Error(`SGD: invalid momentum ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new Error(`SGD: invalid weightDecay ${g.weightDecay}`);
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
        for (let i = 0; i < theta.length; i++) {
          let d = maximize ? -grad[i]! : grad[i]!;
          if (weightDecay !== 0) d += weightDecay * theta[i]!;
          if (buf) {
            buf[i] = first ? d : momentum * buf[i]! + (1 - dampening) * d;
            d = nesterov ? d + momentum * buf[i]! : buf[i]!;
          }
          theta[i] = theta[i]! - lr * d;
        }
      }
    }
  }
}
