// RMSprop (Hinton, Coursera lecture 6e; centered form from Graves 2013), torch.optim.RMSprop:
//   g ← ∇ + λ·θ
//   s ← α·s + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g,  d = √(s − ḡ²) + ε;  otherwise d = √s + ε
//   momentum μ > 0: b ← μ·b + g/d,  θ ← θ − lr·b;  otherwise θ ← θ − lr·g/d
// Note ε is added outside the square root, as PyTorch does (TensorFlow adds it inside).

import { flushed, flushThreshold } from '../denormal';
import { checkBoolean, checkNonNegative, gradOf, Optimizer, withDefaults, type ParamGroup, type ParamsInput } from './optimizer';

export interface RMSpropHyperparameters {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export type RMSpropOptions = Partial<RMSpropHyperparameters>;

export class RMSprop extends Optimizer<RMSpropHyperparameters> {
  /** Defaults as PyTorch: lr 1e-2, alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. */
  constructor(params: ParamsInput<RMSpropHyperparameters>, options: RMSpropOptions = {}) {
    super(params, withDefaults('RMSprop', { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options));
  }

  protected override validate(g: ParamGroup<RMSpropHyperparameters>): void {
    super.validate(g);
    checkNonNegative('RMSprop', 'eps', g.eps, 'epsilon');
    checkNonNegative('RMSprop', 'momentum', g.momentum);
    checkNonNegative('RMSprop', 'weightDecay', g.weightDecay);
    checkNonNegative('RMSprop', 'alpha', g.alpha);
    checkBoolean('RMSprop', 'centered', g.centered);
    checkBoolean('RMSprop', 'maximize', g.maximize);
  }

  step(): void {
    for (const group of this.paramGroups) {
      const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
      for (const p of group.params) {
        const grad = gradOf(p);
        if (grad === null) continue;
        const n = p.size;
        const s = this.stateOf(p, () => ({ step: 0, squareAvg: new Float32Array(n) }));
        if (momentum > 0 && !(s.momentumBuffer instanceof Float32Array)) s.momentumBuffer = new Float32Array(n);
        if (centered && !(s.gradAvg instanceof Float32Array)) s.gradAvg = new Float32Array(n);
        s.step = (s.step as number) + 1;
        const sq = s.squareAvg as Float32Array;
        const avgG = centered ? (s.gradAvg as Float32Array) : null;
        const buf = momentum > 0 ? (s.momentumBuffer as Float32Array) : null;
        const theta = p.data;
        // The averages (they decay by α where the gradient vanishes) below FLT_MIN flushed to
        // zero when setFlushDenormal is on (denormal.ts).
        const min = flushThreshold();
        for (let i = 0; i < n; i++) {
          let g = maximize ? -grad[i]! : grad[i]!;
          if (weightDecay !== 0) g += weightDecay * theta[i]!;
          sq[i] = flushed(alpha * sq[i]! + (1 - alpha) * g * g, min);
          let d: number;
          if (avgG) {
            avgG[i] = flushed(alpha * avgG[i]! + (1 - alpha) * g, min);
            d = Math.sqrt(sq[i]! - avgG[i]! * avgG[i]!) + eps;
          } else d = Math.sqrt(sq[i]!) + eps;
          if (buf) {
            buf[i] = flushed(momentum * buf[i]! + g / d, min);
            theta[i] = theta[i]! - lr * buf[i]!;
          } else theta[i] = theta[i]! - (lr * g) / d;
        }
      }
    }
  }
}

