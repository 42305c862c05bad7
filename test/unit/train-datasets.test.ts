// Training on the datasets of kernel/datasets: padded batches with lengths, token-sequence
// targets with ignored padding, value targets; the same numbers in a worker and on this thread.

import { describe, expect, it } from 'vitest';
import { Embedding, Linear, LSTM, GRU, manualSeed, Module, select, Tensor } from '../../kernel/engine/index';
import { DataLoader } from '../../kernel/datasets/dataLoader';
import { createDataset } from '../../kernel/datasets/spec';
import { fit, trainSteps, type Batch } from '../../kernel/train/index';
import { weightsOf } from './train-helpers';

/** A character language model: logits (N,T,V) for the next character at every step. */
class CharLM extends Module {
  embedding: Embedding;
  rnn: GRU;
  head: Linear;
  constructor(vocab: number, hidden: number) {
    super();
    this.embedding = new Embedding(vocab, 8);
    this.rnn = new GRU(8, hidden, { batchFirst: true });
    this.head = new Linear(hidden, vocab);
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(this.embedding.forward(x)).output);
  }
}

/** Reads the sum at each sequence's real end (lengths), as the adding problem wants. */
class Adder extends Module {
  lstm = new LSTM(2, 12, { batchFirst: true });
  out = new Linear(12, 1);
  forward(x: Tensor, lengths?: readonly number[]): Tensor {
    const { h } = this.lstm.forward(x, { lengths });
    return this.out.forward(select(h, 0, 0)); // (N,1)
  }
}

describe('training on datasets', () => {
  it('a character LM on a DatasetSpec: sequence cross-entropy by default, same in a worker', async () => {
    const spec = { dataset: 'charCorpus', text: 'generated', sequenceLength: 16, size: 40, seed: 1 } as const;
    const vocab = createDataset(spec).inputSize;
    const make = (): CharLM => {
      manualSeed(5);
      return new CharLM(vocab, 24);
    };
    const options = { epochs: 2, batchSize: 10, lr: 0.01, seed: 2 };
    const onThread = make();
    const ref = trainSteps(onThread, spec, options);
    expect(ref.losses[0]).toBeCloseTo(Math.log(vocab), 0); // untrained: about uniform over the vocabulary
    const inWorker = make();
    const result = await fit(inWorker, spec, options).done;
    expect(result.losses).toEqual(ref.losses);
    expect(weightsOf(inWorker)).toEqual(weightsOf(onThread));
  });

  it('a DataLoader lends its batch size; forwardLoss (sent as source) passes lengths', async () => {
    const ds = createDataset({ dataset: 'addingArjovsky', size: 48, length: 12, seed: 3 });
    const loader = new DataLoader(ds, { batchSize: 12, shuffle: true });
    const forwardLoss = (model: Adder, { x, y, lengths }: Batch): Tensor => model.forward(x, lengths).sub(y).pow(2).mean();
    const make = (): Adder => {
      manualSeed(8);
      return new Adder();
    };
    const onThread = make();
    const ref = trainSteps(onThread, loader, { epochs: 2, forwardLoss, seed: 4 });
    expect(ref.steps).toBe(8);
    const inWorker = make();
    const job = fit(inWorker, loader, { epochs: 2, forwardLoss, seed: 4, validation: createDataset({ dataset: 'addingArjovsky', size: 12, length: 12, seed: 9 }) });
    const result = await job.done;
    expect(result.losses).toEqual(ref.losses);
    expect(weightsOf(inWorker)).toEqual(weightsOf(onThread));
    expect(result.valLosses).toHaveLength(2);
  });
});
