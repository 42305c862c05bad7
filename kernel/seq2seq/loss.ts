// The training loss of a sequence-to-sequence batch: cross-entropy over every real target token.

import { sequenceCrossEntropy } from '../engine/losses';
import type { Tensor } from '../engine/tensor';
import { IGNORE_INDEX, type Batch } from '../datasets/types';
import type { Seq2Seq, Seq2SeqOutput, TeacherForcingOptions } from './model';

/**
 * Runs the model on a batch (teacher forcing per `options`) and returns the mean cross-entropy
 * over the non-padded target tokens, with the model's outputs.
 */
export function seq2seqLoss(model: Seq2Seq, batch: Batch, options: TeacherForcingOptions = {}): { loss: Tensor } & Seq2SeqOutput {
  const out = model.forward(batch.x, batch.lengths, batch.y, options);
  const loss = sequenceCrossEntropy(out.logits, batch.y, { ignoreIndex: IGNORE_INDEX });
  return { loss, ...out };
}
