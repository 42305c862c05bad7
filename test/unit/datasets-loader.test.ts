import { describe, expect, it } from 'vitest';
import { Generator } from '../../kernel/engine/rng';
import {
  addingProblemHochreiter,
  collate,
  copyMemory,
  createDataset,
  DataLoader,
  IGNORE_INDEX,
  randomSplit,
  reversalPairs,
  textClassification,
  timeSeries,
  trainValidationSplit,
} from '../../kernel/datasets';

describe('DataLoader', () => {
  it('pads feature inputs with zeros and reports lengths', () => {
    const ds = addingProblemHochreiter({ size: 40, length: 30, generator: new Generator(1) });
    const batch = collate(ds, [0, 1, 2, 3, 4, 5, 6, 7]);
    const T = Math.max(...batch.lengths);
    expect(batch.x.shape).toEqual([8, T, 2]);
    expect(batch.y.shape).toEqual([8, 1]);
    batch.indices.forEach((idx, n) => {
      const e = ds.get(idx);
      expect(batch.lengths[n]).toBe(e.input.length / 2);
      const row = batch.x.data.subarray(n * T * 2, (n + 1) * T * 2);
      expect(Array.from(row.subarray(0, e.input.length))).toEqual(Array.from(e.input));
      expect(row.subarray(e.input.length).every((v) => v === 0)).toBe(true);
      expect(batch.y.data[n]).toBe(e.target[0]);
    });
  });

  it('pads token inputs with padIndex and token targets with IGNORE_INDEX', () => {
    const ds = reversalPairs({ size: 20, minLength: 1, maxLength: 9, generator: new Generator(2) });
    const batch = collate(ds, [0, 1, 2, 3, 4, 5]);
    const T = Math.max(...batch.lengths);
    const Ty = Math.max(...batch.targetLengths);
    expect(batch.x.shape).toEqual([6, T]);
    expect(batch.y.shape).toEqual([6, Ty]);
    batch.indices.forEach((idx, n) => {
      const e = ds.get(idx);
      for (let t = 0; t < T; t++) expect(batch.x.data[n * T + t]).toBe(t < e.input.length ? e.input[t] : ds.padIndex);
      for (let t = 0; t < Ty; t++) expect(batch.y.data[n * Ty + t]).toBe(t < e.target.length ? e.target[t] : IGNORE_INDEX);
    });
  });

  it('collates class, value-sequence and one-hot shapes', () => {
    const cls = collate(textClassification(), [0, 1, 2]);
    expect(cls.y.shape).toEqual([3]);
    expect(cls.x.ndim).toBe(2);
    const seq = collate(timeSeries({ kind: 'sine', steps: 100, window: 10, target: 'shifted', generator: new Generator(1) }), [0, 1]);
    expect(seq.x.shape).toEqual([2, 10, 1]);
    expect(seq.y.shape).toEqual([2, 10, 1]);
    const oneHot = collate(copyMemory({ size: 2, delay: 5, oneHot: true, generator: new Generator(1) }), [0, 1]);
    expect(oneHot.x.shape).toEqual([2, 25, 10]);
    expect(oneHot.y.shape).toEqual([2, 25]);
  });

  it('visits every example once per epoch, shuffles reproducibly, and reshuffles each epoch', () => {
    const ds = textClassification({ size: 103 });
    const orders = (seed: number): number[][] => {
      const loader = new DataLoader(ds, { batchSize: 10, shuffle: true, generator: new Generator(seed) });
      expect(loader.length).toBe(11);
      return [0, 1].map(() => [...loader].flatMap((b) => b.indices));
    };
    const [first, second] = orders(5);
    expect([...first!].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect([...second!].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(first).not.toEqual(second);
    expect(orders(5)).toEqual([first, second]);
    const unshuffled = [...new DataLoader(ds, { batchSize: 10 })].flatMap((b) => b.indices);
    expect(unshuffled).toEqual(Array.from({ length: 103 }, (_, i) => i));
    const dropped = new DataLoader(ds, { batchSize: 10, dropLast: true });
    expect(dropped.length).toBe(10);
    expect([...dropped].every((b) => b.indices.length === 10)).toBe(true);
  });
});

describe('splits', () => {
  it('random train/validation split is disjoint, complete and seeded', () => {
    const ds = textClassification({ size: 200 });
    const { train, validation } = trainValidationSplit(ds, { validationFraction: 0.25, generator: new Generator(3) });
    expect(train.length).toBe(150);
    expect(validation.length).toBe(50);
    const all = [...train.indices, ...validation.indices];
    expect(new Set(all).size).toBe(200);
    expect(new Set(train.indices.map((i) => ds.sentences[i])).size).toBe(150);
    expect(validation.indices.some((i) => train.indices.includes(i))).toBe(false);
    expect(trainValidationSplit(ds, { validationFraction: 0.25, generator: new Generator(3) }).validation.indices).toEqual(validation.indices);
    expect(train.get(0)).toBe(ds.get(train.indices[0]!));
  });

  it('chronological split keeps order and leaves a gap', () => {
    const ds = timeSeries({ kind: 'sine', steps: 200, window: 10, generator: new Generator(1) });
    const { train, validation } = trainValidationSplit(ds, { validationFraction: 0.2, gap: 10 });
    expect(train.indices[train.length - 1]! + 10 + 1).toBe(validation.indices[0]);
    expect(validation.indices[validation.length - 1]).toBe(ds.length - 1);
  });

  it('randomSplit partitions by fractions', () => {
    const ds = textClassification({ size: 101 });
    const parts = randomSplit(ds, [0.5, 0.3, 0.2], new Generator(4));
    expect(parts.map((p) => p.length).reduce((a, b) => a + b, 0)).toBe(101);
    expect(new Set(parts.flatMap((p) => p.indices)).size).toBe(101);
  });
});

describe('createDataset', () => {
  it('rebuilds the same examples from a plain spec', () => {
    const spec = { dataset: 'addingArjovsky', size: 10, length: 20, seed: 11 } as const;
    const a = createDataset(spec);
    const b = createDataset(JSON.parse(JSON.stringify(spec)));
    expect(a.get(9).input).toEqual(b.get(9).input);
    expect(createDataset({ dataset: 'dates', size: 5, seed: 1 }).inputKind).toBe('tokens');
    expect(createDataset({ dataset: 'reber', size: 5 }).inputSize).toBe(7);
    expect(createDataset({ dataset: 'charCorpus', text: 'sonnets', sequenceLength: 20 }).targetKind).toBe('tokenSequence');
  });
});
