// Batching: shuffling (seeded), padding to the longest example of the batch, and lengths.

import { defaultGenerator, type Generator } from '../engine/rng';
import { Tensor } from '../engine/tensor';
import { inputSteps, targetSteps } from './arrayDataset';
import { IGNORE_INDEX, type Batch, type Dataset } from './types';

export interface DataLoaderOptions {
  batchSize?: number;
  /** Reshuffle the order at the start of every pass (epoch). Default false. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** Source of the shuffling order; the default generator when omitted. */
  generator?: Generator;
}

/**
 * Iterates over a dataset in batches: `for (const { x, lengths, y } of loader) …`.
 * Each `for … of` is one epoch; with `shuffle`, each epoch draws a new order from the generator,
 * so a seeded generator makes the whole sequence of epochs reproducible.
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator;

  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    this.dataset = dataset;
    this.batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? defaultGenerator;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const n = this.dataset.length;
    const order = this.shuffle ? this.generator.permutation(n) : Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += this.batchSize) {
      const indices = order.slice(start, start + this.batchSize);
      if (this.dropLast && indices.length < this.batchSize) break;
      yield collate(this.dataset, indices);
    }
  }
}

/**
 * Builds a padded batch from the examples at `indices`. Token inputs are padded with
 * `dataset.padIndex`, features and value targets with 0, token targets with IGNORE_INDEX.
 */
export function collate(dataset: Dataset, indices: readonly number[]): Batch {
  if (indices.length === 0) throw new Error(`collate: no examples given for ${dataset.name}`);
  const examples = indices.map((i) => dataset.get(i));
  const N = examples.length;
  const lengths = examples.map((e) => inputSteps(dataset, e));
  const targetLengths = examples.map((e) => targetSteps(dataset, e));
  const T = Math.max(...lengths);
  const Ty = Math.max(...targetLengths);

  let x: Tensor;
  if (dataset.inputKind === 'tokens') {
    // x is (N,T)
    const data = new Float32Array(N * T).fill(dataset.padIndex);
    examples.forEach((e, n) => data.set(e.input, n * T));
    x = new Tensor(data, [N, T]);
  } else {
    // x is (N,T,I)
    const I = dataset.inputSize;
    const data = new Float32Array(N * T * I);
    examples.forEach((e, n) => data.set(e.input, n * T * I));
    x = new Tensor(data, [N, T, I]);
  }

  let y: Tensor;
  const O = dataset.targetSize;
  switch (dataset.targetKind) {
    case 'class': {
      const data = new Float32Array(N);
      examples.forEach((e, n) => (data[n] = e.target[0]!));
      y = new Tensor(data, [N]);
      break;
    }
    case 'value': {
      const data = new Float32Array(N * O);
      examples.forEach((e, n) => data.set(e.target, n * O));
      y = new Tensor(data, [N, O]);
      break;
    }
    case 'tokenSequence': {
      const data = new Float32Array(N * Ty).fill(IGNORE_INDEX);
      examples.forEach((e, n) => data.set(e.target, n * Ty));
      y = new Tensor(data, [N, Ty]);
      break;
    }
    case 'valueSequence': {
      const data = new Float32Array(N * Ty * O);
      examples.forEach((e, n) => data.set(e.target, n * Ty * O));
      y = new Tensor(data, [N, Ty, O]);
      break;
    }
  }
  return { x, lengths, y, targetLengths, indices: [...indices] };
}
