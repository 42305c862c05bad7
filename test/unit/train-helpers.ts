// Shared pieces of the trainer tests: the seed notebook's LSTMModel (a user class, as written in
// a cell) and small deterministic datasets.

import { Embedding, Generator, Linear, LSTM, manualSeed, Module, select, Tensor, tensor } from '../../kernel/engine/index';

/** Embedding → 2-layer LSTM (dropout 0.3) → Linear on the last layer's final hidden state. */
export class LSTMModel extends Module {
  embedding: Embedding;
  lstm: LSTM;
  fc: Linear;

  constructor(vocabSize: number, embeddingDim: number, hiddenSize: number, numClasses: number, dropout = 0.3) {
    super();
    this.embedding = new Embedding(vocabSize, embeddingDim);
    this.lstm = new LSTM(embeddingDim, hiddenSize, { numLayers: 2, dropout, batchFirst: true });
    this.fc = new Linear(hiddenSize, numClasses);
  }

  forward(x: Tensor): Tensor {
    const { h } = this.lstm.forward(this.embedding.forward(x)); // h is (2,N,H)
    return this.fc.forward(select(h, 0, 1)); // (N,C)
  }
}

export function makeModel(seed = 1, dropout = 0.3): LSTMModel {
  manualSeed(seed);
  return new LSTMModel(12, 8, 16, 3, dropout);
}

/** Token sequences (N,T) labelled by which of three tokens occurs most: learnable, deterministic. */
export function countingTask(n: number, T: number, seed = 7): { x: Tensor; y: Tensor } {
  const gen = new Generator(seed);
  const x = new Float32Array(n * T);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const counts = [0, 0, 0];
    for (let t = 0; t < T; t++) {
      const tok = gen.randint(0, 12);
      x[i * T + t] = tok;
      if (tok < 3) counts[tok]!++;
    }
    y[i] = counts.indexOf(Math.max(...counts));
  }
  return { x: tensor(x, [n, T]), y: tensor(y, [n]) };
}

export function weightsOf(model: Module): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, p] of model.namedParameters()) out[name] = Array.from(p.data);
  return out;
}
