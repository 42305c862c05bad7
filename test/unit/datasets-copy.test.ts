import { describe, expect, it } from 'vitest';
import { Generator } from '../../kernel/engine/rng';
import { COPY_BLANK, COPY_CATEGORIES, COPY_DELIMITER, copyMemory, copyMemoryBaseline } from '../../kernel/datasets';

describe('copy-memory task (Arjovsky et al. 2016)', () => {
  const T = 50;
  const ds = copyMemory({ size: 5000, delay: T, generator: new Generator(3) });

  it('lays out data, blanks, delimiter and the answer as defined', () => {
    expect(ds.inputKind).toBe('tokens');
    expect(ds.targetKind).toBe('tokenSequence');
    expect(ds.targetSize).toBe(COPY_CATEGORIES);
    for (let n = 0; n < 200; n++) {
      const { input, target } = ds.get(n);
      expect(input.length).toBe(T + 20);
      expect(target.length).toBe(T + 20);
      for (let k = 0; k < 10; k++) {
        expect(input[k]! >= 1 && input[k]! <= 8).toBe(true);
        expect(target[T + 10 + k]).toBe(input[k]);
      }
      for (let t = 10; t < T + 20; t++) expect(input[t]).toBe(t === T + 9 ? COPY_DELIMITER : COPY_BLANK);
      for (let t = 0; t < T + 10; t++) expect(target[t]).toBe(COPY_BLANK);
    }
  });

  it('the best memoryless predictor has cross-entropy 10·ln 8 / (T+20)', () => {
    // The best prediction without memory is the marginal distribution of the target at each
    // position; estimate it from the data and measure its cross-entropy on the data.
    const L = T + 20;
    const counts = Array.from({ length: L }, () => new Array<number>(COPY_CATEGORIES).fill(0));
    for (let n = 0; n < ds.length; n++) {
      const y = ds.get(n).target;
      for (let t = 0; t < L; t++) counts[t]![y[t]!]!++;
    }
    let ce = 0;
    for (let n = 0; n < ds.length; n++) {
      const y = ds.get(n).target;
      for (let t = 0; t < L; t++) ce -= Math.log(counts[t]![y[t]!]! / ds.length);
    }
    ce /= ds.length * L;
    const baseline = copyMemoryBaseline(T);
    expect(baseline).toBeCloseTo((10 * Math.log(8)) / 70, 10);
    expect(Math.abs(ce - baseline) / baseline).toBeLessThan(0.01);
  });

  it('one-hot inputs encode the same tokens', () => {
    const tokens = copyMemory({ size: 3, delay: 5, generator: new Generator(9) });
    const oneHot = copyMemory({ size: 3, delay: 5, oneHot: true, generator: new Generator(9) });
    expect(oneHot.inputKind).toBe('features');
    const a = tokens.get(2).input;
    const b = oneHot.get(2).input;
    for (let t = 0; t < a.length; t++) {
      const row = Array.from(b.subarray(t * COPY_CATEGORIES, (t + 1) * COPY_CATEGORIES));
      expect(row.indexOf(1)).toBe(a[t]);
      expect(row.reduce((s, v) => s + v, 0)).toBe(1);
    }
  });
});
