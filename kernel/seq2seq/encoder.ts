// The encoder: embedding → multi-layer LSTM or GRU over the source, batch first.

import { Embedding } from '../engine/layers/embedding';
import { GRU, LSTM } from '../engine/layers/recurrent';
import { Module } from '../engine/module';
import type { Tensor } from '../engine/tensor';
import type { RecurrentState } from './state';

export type CellType = 'lstm' | 'gru';

export interface RecurrentStackOptions {
  /** 'lstm' (default) or 'gru'. */
  cell?: CellType;
  numLayers?: number;
  /** Dropout between stacked layers (training only). Default 0. */
  dropout?: number;
}

export function makeRecurrent(inputSize: number, hiddenSize: number, options: RecurrentStackOptions): LSTM | GRU {
  const common = { numLayers: options.numLayers ?? 1, dropout: options.dropout ?? 0, batchFirst: true };
  return (options.cell ?? 'lstm') === 'lstm' ? new LSTM(inputSize, hiddenSize, common) : new GRU(inputSize, hiddenSize, common);
}

export interface EncoderOutput {
  /** (N,S,H) top-layer output at every source step (zeros past each row's length). */
  outputs: Tensor;
  /** The final state of every layer, at each row's own last step. */
  state: RecurrentState;
}

export class Encoder extends Module {
  embedding: Embedding;
  rnn: LSTM | GRU;

  constructor(vocabSize: number, embeddingDim: number, hiddenSize: number, options: RecurrentStackOptions & { padIndex?: number } = {}) {
    super();
    this.embedding = new Embedding(vocabSize, embeddingDim, { paddingIdx: options.padIndex });
    this.rnn = makeRecurrent(embeddingDim, hiddenSize, options);
  }

  /** src is (N,S) token ids; lengths (N) the real source lengths. */
  forward(src: Tensor, lengths?: readonly number[]): EncoderOutput {
    const { output, h, c } = this.rnn.forward(this.embedding.forward(src), { lengths });
    return { outputs: output, state: { h, c } };
  }
}
