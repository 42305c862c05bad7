import { describe, expect, it } from 'vitest';
import { exactMatch, ScheduledSampling, sequenceScores, tokenAccuracy } from '../../kernel/seq2seq';

describe('ScheduledSampling (Bengio et al. 2015)', () => {
  it('linear: εᵢ = max(ε, k − c·i)', () => {
    const s = new ScheduledSampling({ kind: 'linear', k: 1, c: 0.01, epsilon: 0.2 });
    expect(s.ratio(0)).toBe(1);
    expect(s.ratio(30)).toBeCloseTo(0.7, 12);
    expect(s.ratio(80)).toBeCloseTo(0.2, 12);
    expect(s.ratio(1000)).toBe(0.2);
  });

  it('exponential: εᵢ = kⁱ', () => {
    const s = new ScheduledSampling({ kind: 'exponential', k: 0.99 });
    expect(s.ratio(0)).toBe(1);
    expect(s.ratio(100)).toBeCloseTo(0.99 ** 100, 12);
  });

  it('inverse sigmoid: εᵢ = k / (k + exp(i/k))', () => {
    const s = new ScheduledSampling({ kind: 'inverseSigmoid', k: 50 });
    expect(s.ratio(0)).toBeCloseTo(50 / 51, 12);
    expect(s.ratio(50 * Math.log(50))).toBeCloseTo(0.5, 12);
    expect(s.ratio(400)).toBeCloseTo(50 / (50 + Math.exp(8)), 12);
  });

  it('every decay is non-increasing and stays in [0, 1]', () => {
    for (const s of [
      new ScheduledSampling({ kind: 'linear', c: 0.002 }),
      new ScheduledSampling({ kind: 'exponential', k: 0.995 }),
      new ScheduledSampling({ kind: 'inverseSigmoid', k: 100 }),
    ]) {
      const v = s.values(2000);
      for (let i = 1; i < v.length; i++) expect(v[i]!).toBeLessThanOrEqual(v[i - 1]!);
      expect(v.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
  });

  it('rejects parameters outside the paper’s ranges', () => {
    expect(() => new ScheduledSampling({ kind: 'exponential', k: 1.5 })).toThrow(/0 < k < 1/);
    expect(() => new ScheduledSampling({ kind: 'inverseSigmoid', k: 0.5 })).toThrow(/k ≥ 1/);
    expect(() => new ScheduledSampling({ kind: 'linear', c: 0 })).toThrow(/c > 0/);
  });
});

describe('sequence metrics', () => {
  it('counts tokens at their positions and whole-sequence matches', () => {
    const targets = [
      [3, 4, 2],
      [5, 2],
      [6, 7, 8, 2],
    ];
    const predicted = [
      [3, 4, 2], // exact
      [5, 9, 2], // right length-wise for token accuracy on 1 of 2; too long for exact match
      [6, 7], // stopped early: misses 2 tokens
    ];
    const s = sequenceScores(predicted, targets);
    expect(s.tokens).toBe(9);
    expect(s.tokenAccuracy).toBeCloseTo((3 + 1 + 2) / 9, 12);
    expect(s.exactMatch).toBeCloseTo(1 / 3, 12);
    expect(tokenAccuracy(targets, targets)).toBe(1);
    expect(exactMatch(targets, targets)).toBe(1);
  });
});
