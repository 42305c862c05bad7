// Scheduled sampling (Bengio, Vinyals, Jaitly & Shazeer 2015): the probability εᵢ of feeding the
// true previous token decays with the training step i, from teacher forcing towards feeding
// the model's own predictions. The paper's three decays:
//   linear            εᵢ = max(ε, k − c·i)        (0 ≤ ε < 1, k ≤ 1, c > 0)
//   exponential       εᵢ = kⁱ                      (0 < k < 1)
//   inverse sigmoid   εᵢ = k / (k + exp(i/k))      (k ≥ 1)

export type ScheduledSamplingDecay =
  | { kind: 'linear'; /** start value, default 1 */ k?: number; /** slope */ c: number; /** floor ε, default 0 */ epsilon?: number }
  | { kind: 'exponential'; k: number }
  | { kind: 'inverseSigmoid'; k: number };

export class ScheduledSampling {
  readonly decay: ScheduledSamplingDecay;

  constructor(decay: ScheduledSamplingDecay) {
    switch (decay.kind) {
      case 'linear': {
        const k = decay.k ?? 1;
        const eps = decay.epsilon ?? 0;
        if (!(decay.c > 0) || !(k <= 1) || !(eps >= 0 && eps < 1)) throw new Error(`ScheduledSampling: linear decay needs c > 0, k ≤ 1 and 0 ≤ ε < 1, got c=${decay.c}, k=${k}, ε=${eps}`);
        break;
      }
      case 'exponential':
        if (!(decay.k > 0 && decay.k < 1)) throw new Error(`ScheduledSampling: exponential decay needs 0 < k < 1, got ${decay.k}`);
        break;
      case 'inverseSigmoid':
        if (!(decay.k >= 1)) throw new Error(`ScheduledSampling: inverse sigmoid decay needs k ≥ 1, got ${decay.k}`);
        break;
      default:
        throw new Error(`ScheduledSampling: unknown decay ${JSON.stringify((decay as { kind: unknown }).kind)}`);
    }
    this.decay = decay;
  }

  /** εᵢ: the teacher-forcing ratio to use at training step i (i = 0, 1, …). */
  ratio(i: number): number {
    if (!(i >= 0)) throw new Error(`ScheduledSampling.ratio: step must be ≥ 0, got ${i}`);
    const d = this.decay;
    switch (d.kind) {
      case 'linear':
        return Math.min(1, Math.max(d.epsilon ?? 0, (d.k ?? 1) - d.c * i));
      case 'exponential':
        return d.k ** i;
      case 'inverseSigmoid':
        return d.k / (d.k + Math.exp(i / d.k));
    }
  }

  /** ε₀ … ε_{n−1}, e.g. to plot the schedule. */
  values(n: number): number[] {
    return Array.from({ length: n }, (_, i) => this.ratio(i));
  }
}
