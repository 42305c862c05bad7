import { describe, expect, it } from 'vitest';
import { Generator } from '../../kernel/engine/rng';
import {
  addingProblemArjovsky,
  addingProblemHochreiter,
  ARJOVSKY_ADDING_BASELINE_MSE,
  hochreiterAddingBaselineMse,
} from '../../kernel/datasets';

describe('adding problem, Arjovsky et al. 2016 form', () => {
  const T = 100;
  const ds = addingProblemArjovsky({ size: 20_000, length: T, generator: new Generator(1) });

  it('has values in [0,1), exactly one marker in each half, and the sum of the marked values as target', () => {
    expect(ds.inputKind).toBe('features');
    expect(ds.inputSize).toBe(2);
    for (let n = 0; n < 200; n++) {
      const { input, target } = ds.get(n);
      expect(input.length).toBe(T * 2);
      const marked: number[] = [];
      for (let t = 0; t < T; t++) {
        const v = input[t * 2]!;
        expect(v >= 0 && v < 1).toBe(true);
        const m = input[t * 2 + 1]!;
        expect(m === 0 || m === 1).toBe(true);
        if (m === 1) marked.push(t);
      }
      expect(marked.length).toBe(2);
      expect(marked[0]!).toBeLessThan(T / 2);
      expect(marked[1]!).toBeGreaterThanOrEqual(T / 2);
      expect(target[0]).toBeCloseTo(input[marked[0]! * 2]! + input[marked[1]! * 2]!, 6);
    }
  });

  it('constant prediction of the mean has MSE ≈ 1/6 ≈ 0.167 (Var of the sum of two U[0,1])', () => {
    let sum = 0;
    for (let n = 0; n < ds.length; n++) sum += ds.get(n).target[0]!;
    const mean = sum / ds.length;
    expect(mean).toBeCloseTo(1, 1);
    let mseOfOne = 0;
    for (let n = 0; n < ds.length; n++) mseOfOne += (ds.get(n).target[0]! - 1) ** 2;
    mseOfOne /= ds.length;
    // Standard error of this estimate is about 0.0014 at n = 20 000.
    expect(Math.abs(mseOfOne - ARJOVSKY_ADDING_BASELINE_MSE)).toBeLessThan(0.006);
    expect(ARJOVSKY_ADDING_BASELINE_MSE).toBeCloseTo(0.1667, 4);
  });

  it('places the markers uniformly within each half', () => {
    const firstCounts = new Array<number>(T / 2).fill(0);
    for (let n = 0; n < ds.length; n++) {
      const input = ds.get(n).input;
      for (let t = 0; t < T / 2; t++) if (input[t * 2 + 1] === 1) firstCounts[t]!++;
    }
    // Chi-square with 49 degrees of freedom: mean 49, the 99.9th percentile is about 86.
    const expected = ds.length / (T / 2);
    const chi2 = firstCounts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(90);
  });

  it('is reproducible from the seed', () => {
    const a = addingProblemArjovsky({ size: 50, length: 20, generator: new Generator(7) });
    const b = addingProblemArjovsky({ size: 50, length: 20, generator: new Generator(7) });
    const c = addingProblemArjovsky({ size: 50, length: 20, generator: new Generator(8) });
    expect(a.get(49).input).toEqual(b.get(49).input);
    expect(a.get(0).input).not.toEqual(c.get(0).input);
  });
});

describe('adding problem, Hochreiter & Schmidhuber 1997 form', () => {
  const T = 100;
  const ds = addingProblemHochreiter({ size: 20_000, length: T, generator: new Generator(2) });

  it('follows the definition: lengths in [T, T+T/10], markers, −1 at both ends, target 0.5+(X1+X2)/4', () => {
    // Problems are collected and asserted once: an expect per value would be slow at this size.
    const problems: string[] = [];
    let zeroMarked = 0;
    const lengthsSeen = new Set<number>();
    for (let n = 0; n < ds.length; n++) {
      const { input, target } = ds.get(n);
      const len = input.length / 2;
      lengthsSeen.add(len);
      if (len < T || len > T + T / 10) problems.push(`#${n}: length ${len}`);
      const marked: number[] = [];
      for (let t = 0; t < len; t++) {
        const v = input[t * 2]!;
        if (!(v >= -1 && v <= 1)) problems.push(`#${n}: value ${v} at ${t}`);
        const m = input[t * 2 + 1]!;
        if (m === 1) marked.push(t);
        else if (m !== (t === 0 || t === len - 1 ? -1 : 0)) problems.push(`#${n}: marker ${m} at ${t}`);
      }
      // Two marks: one of the first ten, both among the first T/2 − 1.
      if (marked.length !== 2) problems.push(`#${n}: ${marked.length} marks`);
      if (!marked.some((t) => t < 10) || !marked.every((t) => t < T / 2 - 1)) problems.push(`#${n}: marks at ${marked.join(',')}`);
      if (marked[0] === 0) {
        zeroMarked++;
        if (input[0] !== 0) problems.push(`#${n}: marked first value is ${input[0]}, not 0`);
      }
      const sum = input[marked[0]! * 2]! + input[marked[1]! * 2]!;
      if (Math.abs(target[0]! - (0.5 + sum / 4)) > 1e-6) problems.push(`#${n}: target ${target[0]} for sum ${sum}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(lengthsSeen.size).toBe(T / 10 + 1);
    // Position 0 is marked with probability 1/10 + (9/10)/(T/2 − 2) = 0.11875.
    expect(zeroMarked / ds.length).toBeGreaterThan(0.11);
    expect(zeroMarked / ds.length).toBeLessThan(0.128);
  });

  it('constant prediction of 0.5 has the MSE of the definition (≈ 0.0392 at T=100)', () => {
    let mse = 0;
    for (let n = 0; n < ds.length; n++) mse += (ds.get(n).target[0]! - 0.5) ** 2;
    mse /= ds.length;
    const baseline = hochreiterAddingBaselineMse(T);
    expect(baseline).toBeCloseTo((0.9 / 3 + (1 - 0.9 / 48) / 3) / 16, 10);
    // Standard error of the estimate is about 0.0003 at n = 20 000.
    expect(Math.abs(mse - baseline)).toBeLessThan(0.0012);
  });
});
