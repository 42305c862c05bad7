// Arguments PyTorch reads in a way of its own, or that would poison everything after them.
import { describe, expect, it } from 'vitest';
import { defaultGenerator, Embedding, ExponentialLR, GRU, Linear, manualSeed, MultiStepLR, SGD, StepLR } from '../../kernel/engine/index';
import { exportOnnx, type OnnxExportOptions } from '../../kernel/interop/exportOnnx';

describe('Embedding paddingIdx', () => {
  it('counts a negative index from the end, as PyTorch does', () => {
    const e = new Embedding(5, 3, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(4);
    expect([...e.weight.data.subarray(12, 15)]).toEqual([0, 0, 0]);
    expect(e.weight.data.subarray(0, 12).some((v) => v !== 0)).toBe(true);
  });

  it.each([5, -6, 1.5, Number.NaN])('refuses %s, naming the range', (paddingIdx) => {
    expect(() => new Embedding(5, 3, { paddingIdx })).toThrow(`Embedding: paddingIdx must be an integer in [-5, 5) (a row of the table, negative from the end), got ${paddingIdx}`);
  });
});

describe('schedulers', () => {
  const optimizer = () => new SGD(new Linear(2, 1).parameters(), { lr: 0.1 });
  it.each([Number.NaN, Number.POSITIVE_INFINITY, -0.5])('refuse gamma %s', (gamma) => {
    expect(() => new StepLR(optimizer(), { stepSize: 1, gamma })).toThrow(`StepLR: gamma must be a finite number ≥ 0, got ${gamma}`);
    expect(() => new ExponentialLR(optimizer(), { gamma })).toThrow('ExponentialLR: gamma must be a finite number ≥ 0');
    expect(() => new MultiStepLR(optimizer(), { milestones: [1], gamma })).toThrow('MultiStepLR: gamma must be a finite number ≥ 0');
  });
});

describe('manualSeed', () => {
  const first = (seed: number): number => {
    manualSeed(seed);
    return defaultGenerator.random();
  };
  it('tells seeds past 2^32 from the small ones', () => {
    const small = new Set([0, 1, 2].map(first));
    for (const big of [2 ** 32, 2 ** 32 + 1, 2 ** 33]) expect(small.has(first(big))).toBe(false);
    expect(first(2 ** 32)).not.toBe(first(2 ** 33));
  });
  it('cuts a fraction off, as torch.manual_seed(int(seed))', () => {
    expect(first(1.5)).toBe(first(1));
  });
});

describe('exportOnnx options', () => {
  it('refuses an unknown option, with the nearest name: a typo must not export without what it asked for', () => {
    expect(() => exportOnnx(new GRU(3, 2), { length: true } as OnnxExportOptions)).toThrow("ONNX export: unknown option 'length' (did you mean 'lengths'?)");
    expect(exportOnnx(new GRU(3, 2), { lengths: true }).length).toBeGreaterThan(0);
  });
});
