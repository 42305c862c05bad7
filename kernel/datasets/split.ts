// Train/validation splits: a Subset is a view on another dataset through a list of indices.

import type { Generator } from '../engine/rng';
import type { Dataset, Example, InputKind, TargetKind } from './types';

export class Subset implements Dataset {
  readonly name: string;
  readonly inputKind: InputKind;
  readonly inputSize: number;
  readonly targetKind: TargetKind;
  readonly targetSize: number;
  readonly padIndex: number;

  constructor(
    readonly dataset: Dataset,
    readonly indices: readonly number[],
    label = 'subset',
  ) {
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= dataset.length) throw new Error(`Subset: index ${i} is out of range for ${dataset.name} (${dataset.length} examples)`);
    }
    this.name = `${dataset.name} [${label}]`;
    this.inputKind = dataset.inputKind;
    this.inputSize = dataset.inputSize;
    this.targetKind = dataset.targetKind;
    this.targetSize = dataset.targetSize;
    this.padIndex = dataset.padIndex;
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): Example {
    const i = this.indices[index];
    if (i === undefined) throw new Error(`${this.name}: index ${index} is out of range for ${this.indices.length} examples`);
    return this.dataset.get(i);
  }
}

export interface SplitOptions {
  /** Fraction of the examples that go to validation, in (0, 1). Default 0.2. */
  validationFraction?: number;
  /**
   * Draw the split at random from this generator. Without one the split is chronological: the
   * last examples are the validation set (right for windows cut from one time series).
   */
  generator?: Generator;
  /**
   * Examples dropped between train and validation in a chronological split, so that overlapping
   * windows do not leak validation values into training. Default 0.
   */
  gap?: number;
}

/** Splits a dataset into disjoint train and validation subsets. */
export function trainValidationSplit(dataset: Dataset, options: SplitOptions = {}): { train: Subset; validation: Subset } {
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`trainValidationSplit: validationFraction must be in (0, 1), got ${fraction}`);
  const n = dataset.length;
  const nValidation = Math.round(n * fraction);
  const gap = options.gap ?? 0;
  if (nValidation < 1 || n - nValidation - gap < 1) throw new Error(`trainValidationSplit: ${n} examples are too few for validationFraction ${fraction} and gap ${gap}`);
  let order: number[];
  if (options.generator) {
    if (gap !== 0) throw new Error('trainValidationSplit: gap only applies to a chronological split (no generator)');
    order = options.generator.permutation(n);
  } else {
    order = Array.from({ length: n }, (_, i) => i);
  }
  const trainCount = n - nValidation - gap;
  return {
    train: new Subset(dataset, order.slice(0, trainCount), 'train'),
    validation: new Subset(dataset, order.slice(n - nValidation), 'validation'),
  };
}

/** Splits into disjoint random subsets with the given fractions (which must sum to 1). */
export function randomSplit(dataset: Dataset, fractions: readonly number[], generator: Generator): Subset[] {
  const total = fractions.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-9 || fractions.some((f) => f < 0)) throw new Error(`randomSplit: fractions must be ≥ 0 and sum to 1, got [${fractions.join(', ')}]`);
  const n = dataset.length;
  const order = generator.permutation(n);
  // Largest-remainder rounding so the counts add up to n.
  const exact = fractions.map((f) => f * n);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (left === 0) break;
    counts[i]!++;
    left--;
  }
  const out: Subset[] = [];
  let start = 0;
  counts.forEach((c, k) => {
    out.push(new Subset(dataset, order.slice(start, start + c), `split ${k}`));
    start += c;
  });
  return out;
}
