// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, torch.optim.AdamW.
// The decay multiplies the weights, θ ← θ·(1 − lr·λ), before the Adam update, instead of adding
// λ·θ to the gradient (which Adam's per-coordinate scaling would then undo for large gradients).

import { adamDefaults, adamStep, validateAdam, type AdamHyperparameters, type AdamOptions } from './adam';
import { Optimizer, withDefaults, type ParamGroup, type ParamsInput } from './optimizer';

export class AdamW extends Optimizer<AdamHyperparameters> {
  /** Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 1e-2. */
  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    super(params, withDefaults('AdamW', { ...adamDefaults(), weightDecay: 1e-2 }, options));
  }

  protected override validate(g: ParamGroup<AdamHyperparameters>): void {
    super.validate(g);
    validateAdam('AdamW', g);
  }

  step(): void {
    adamStep(this.paramGroups, (p, init) => this.stateOf(p, init), true);
  }
}
