// Token accuracy and exact match, measured two ways so that exposure bias shows:
// - teacher-forced: the decoder reads the true previous tokens; the prediction at each step is
//   the argmax of its logits. This is what the training loss sees.
// - free-running: the decoder reads its own previous outputs (greedy decoding), as at test time.
// A model can score high teacher-forced and much lower free-running: its errors compound once it
// has to condition on its own mistakes (Ranzato et al. 2016, "exposure bias").
// Token accuracy is where the gap shows. Exact match is the same in both modes under greedy
// decoding: if every teacher-forced step is right, greedy decoding feeds exactly the true tokens.

import { argmax } from '../engine/ops';
import { noGrad } from '../engine/tensor';
import { collate } from '../datasets/dataLoader';
import type { Batch, Dataset } from '../datasets/types';
import { greedyDecode } from './decode';
import type { Seq2Seq } from './model';

export interface SequenceScores {
  /** Fraction of target tokens (the <eos> included) predicted at their position. */
  tokenAccuracy: number;
  /** Fraction of examples whose whole target (through <eos>) is reproduced exactly. */
  exactMatch: number;
  /** Examples and target tokens counted. */
  examples: number;
  tokens: number;
}

/**
 * Compares predicted sequences with targets position by position. A prediction shorter than its
 * target misses the remaining tokens; anything it produced past the target's length is ignored
 * for token accuracy but breaks an exact match.
 */
export function sequenceScores(predicted: readonly (readonly number[])[], targets: readonly (readonly number[])[]): SequenceScores {
  if (predicted.length !== targets.length) throw new Error(`sequenceScores: ${predicted.length} predictions for ${targets.length} targets`);
  let correct = 0;
  let tokens = 0;
  let exact = 0;
  targets.forEach((target, i) => {
    const p = predicted[i]!;
    let allRight = p.length === target.length;
    for (let t = 0; t < target.length; t++) {
      if (p[t] === target[t]) correct++;
      else allRight = false;
    }
    tokens += target.length;
    if (allRight) exact++;
  });
  return { tokenAccuracy: tokens ? correct / tokens : 0, exactMatch: targets.length ? exact / targets.length : 0, examples: targets.length, tokens };
}

export function tokenAccuracy(predicted: readonly (readonly number[])[], targets: readonly (readonly number[])[]): number {
  return sequenceScores(predicted, targets).tokenAccuracy;
}

export function exactMatch(predicted: readonly (readonly number[])[], targets: readonly (readonly number[])[]): number {
  return sequenceScores(predicted, targets).exactMatch;
}

/** The real target tokens of each example of a batch (padding removed). */
export function batchTargets(batch: Batch): number[][] {
  const Ty = batch.y.shape[1]!;
  return batch.targetLengths.map((len, n) => Array.from(batch.y.data.subarray(n * Ty, n * Ty + len)));
}

export type DecodingMode = 'teacherForced' | 'freeRunning';

/** Predictions for one batch in the given mode (greedy when free-running). */
export function predictBatch(model: Seq2Seq, batch: Batch, mode: DecodingMode, maxLength?: number): number[][] {
  return noGrad(() => {
    if (mode === 'freeRunning') {
      const longest = Math.max(...batch.targetLengths);
      return greedyDecode(model, batch.x, batch.lengths, { maxLength: maxLength ?? longest + 5 }).sequences;
    }
    const { logits } = model.forward(batch.x, batch.lengths, batch.y, { teacherForcingRatio: 1 });
    const best = argmax(logits, 2); // (N,Ty)
    const Ty = batch.y.shape[1]!;
    return batch.targetLengths.map((len, n) => Array.from(best.data.subarray(n * Ty, n * Ty + len)));
  });
}

/** Scores a model on a whole dataset of token sequences in one mode. The model is put in eval mode. */
export function evaluateSeq2Seq(model: Seq2Seq, dataset: Dataset, options: { mode: DecodingMode; batchSize?: number; maxLength?: number }): SequenceScores {
  if (dataset.inputKind !== 'tokens' || dataset.targetKind !== 'tokenSequence') {
    throw new Error(`evaluateSeq2Seq: ${dataset.name} does not map token sequences to token sequences`);
  }
  const batchSize = options.batchSize ?? 64;
  const wasTraining = model.training;
  model.eval();
  const predicted: number[][] = [];
  const targets: number[][] = [];
  try {
    for (let start = 0; start < dataset.length; start += batchSize) {
      const indices = Array.from({ length: Math.min(batchSize, dataset.length - start) }, (_, i) => start + i);
      const batch = collate(dataset, indices);
      predicted.push(...predictBatch(model, batch, options.mode, options.maxLength));
      targets.push(...batchTargets(batch));
    }
  } finally {
    model.train(wasTraining);
  }
  return sequenceScores(predicted, targets);
}
