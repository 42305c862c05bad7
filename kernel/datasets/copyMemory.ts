// The copy-memory task of Arjovsky, Shah & Bengio 2016.
//
// Ten categories a₀…a₉: a₀ is the blank, a₁…a₈ are data symbols, a₉ is the delimiter.
// Input (length T+20): 10 symbols drawn uniformly with replacement from a₁…a₈, then T−1 blanks,
// the delimiter, and 10 blanks. Target (length T+20): T+10 blanks, then the 10 data symbols
// in order. The loss is the cross-entropy averaged over all T+20 steps.

import { defaultGenerator, type Generator } from '../engine/rng';
import { ArrayDataset, checkInteger } from './arrayDataset';
import type { Example } from './types';

export const COPY_BLANK = 0;
export const COPY_DELIMITER = 9;
export const COPY_CATEGORIES = 10;

export interface CopyMemoryOptions {
  size: number;
  /** The delay T between the end of the data and the delimiter's answer window. */
  delay: number;
  /** Length of the sequence to copy (10 in the paper). */
  copyLength?: number;
  /** Inputs as one-hot features (T+20, 10) instead of token ids (T+20). Default false. */
  oneHot?: boolean;
  generator?: Generator;
}

export function copyMemory(options: CopyMemoryOptions): ArrayDataset {
  const { size, delay: T } = options;
  const K = options.copyLength ?? 10;
  checkInteger('copyMemory', 'size', size);
  checkInteger('copyMemory', 'delay', T);
  checkInteger('copyMemory', 'copyLength', K);
  const gen = options.generator ?? defaultGenerator;
  const oneHot = options.oneHot ?? false;
  const L = T + 2 * K; // T+20 in the paper
  const examples: Example[] = [];
  for (let n = 0; n < size; n++) {
    const tokens = new Float32Array(L).fill(COPY_BLANK);
    const target = new Float32Array(L).fill(COPY_BLANK);
    for (let k = 0; k < K; k++) {
      const symbol = gen.randint(1, 9); // a₁…a₈
      tokens[k] = symbol;
      target[T + K + k] = symbol;
    }
    tokens[K + T - 1] = COPY_DELIMITER;
    let input = tokens;
    if (oneHot) {
      input = new Float32Array(L * COPY_CATEGORIES); // (L,10)
      for (let t = 0; t < L; t++) input[t * COPY_CATEGORIES + tokens[t]!] = 1;
    }
    examples.push({ input, target });
  }
  return new ArrayDataset(
    {
      name: `copy memory (Arjovsky 2016, T=${T})`,
      inputKind: oneHot ? 'features' : 'tokens',
      inputSize: COPY_CATEGORIES,
      targetKind: 'tokenSequence',
      targetSize: COPY_CATEGORIES,
      padIndex: COPY_BLANK,
    },
    examples,
  );
}

/**
 * Cross-entropy of the memoryless strategy (blank for T+K steps, then uniform over the 8 data
 * symbols), averaged over the T+2K steps: K·ln 8 / (T + 2K), i.e. 10·ln 8 / (T+20).
 */
export function copyMemoryBaseline(delay: number, copyLength = 10): number {
  return (copyLength * Math.log(8)) / (delay + 2 * copyLength);
}
