// The models of the PyTorch round trip, built from the JSON configs stored beside the fixtures
// (test/fixtures/interop/*.json). scripts/interop/torch_models.py builds the same models in
// torch.nn with the same state-dict names; the two files change together.

import { Embedding, GRU, Linear, LSTM, Module, noGrad, RNN, select, Tensor, type RNNBase } from '../../kernel/engine/index';
import { Seq2Seq } from '../../kernel/seq2seq/model';

export interface JsonTensor {
  shape: number[];
  data: number[];
}

export type ModelConfig =
  | { model: 'recurrent'; cell: 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru'; inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; batchFirst: boolean }
  | { model: 'lstm_model'; vocab: number; embed: number; hidden: number; layers: number; classes: number; dropout: number }
  | { model: 'tagger'; vocab: number; embed: number; hidden: number; layers: number; tags: number }
  | { model: 'seq2seq'; cell: 'lstm' | 'gru'; vocab: number; embed: number; hidden: number; layers: number; attention?: boolean };

/** A fixture: the model's config, its inputs, and the outputs some program computed from them. */
export interface InteropFixture {
  name: string;
  config: ModelConfig;
  /** Who wrote the weights and outputs: 'rnn-lab' or 'torch <version>'. */
  producer: string;
  inputs: Record<string, JsonTensor | number[] | null>;
  outputs: Record<string, JsonTensor | null>;
  /** Free notes (training loss of torch-trained models, …). */
  notes?: Record<string, unknown>;
}

/** Embedding → LSTM (batch first) → Linear on h_n[-1], the seed notebook's model. */
export class LSTMModel extends Module {
  embedding: Embedding;
  lstm: LSTM;
  fc: Linear;
  constructor(c: { vocab: number; embed: number; hidden: number; layers: number; classes: number; dropout: number }) {
    super();
    this.embedding = new Embedding(c.vocab, c.embed);
    this.lstm = new LSTM(c.embed, c.hidden, { numLayers: c.layers, dropout: c.dropout, batchFirst: true });
    this.fc = new Linear(c.hidden, c.classes);
  }
  forward(tokens: Tensor): { logits: Tensor; h: Tensor; c: Tensor } {
    const { h, c } = this.lstm.forward(this.embedding.forward(tokens));
    return { logits: this.fc.forward(select(h, 0, -1)), h, c };
  }
}

/** Embedding → bidirectional GRU (batch first) → Linear on every step. */
export class Tagger extends Module {
  embedding: Embedding;
  gru: GRU;
  out: Linear;
  constructor(c: { vocab: number; embed: number; hidden: number; layers: number; tags: number }) {
    super();
    this.embedding = new Embedding(c.vocab, c.embed);
    this.gru = new GRU(c.embed, c.hidden, { numLayers: c.layers, bidirectional: true, batchFirst: true });
    this.out = new Linear(2 * c.hidden, c.tags);
  }
  forward(tokens: Tensor, lengths?: readonly number[]): Tensor {
    return this.out.forward(this.gru.forward(this.embedding.forward(tokens), { lengths }).output); // (N,T,tags)
  }
}

export function buildModel(config: ModelConfig): Module {
  switch (config.model) {
    case 'recurrent': {
      const options = { numLayers: config.numLayers, bidirectional: config.bidirectional, batchFirst: config.batchFirst };
      if (config.cell === 'lstm') return new LSTM(config.inputSize, config.hiddenSize, options);
      if (config.cell === 'gru') return new GRU(config.inputSize, config.hiddenSize, options);
      return new RNN(config.inputSize, config.hiddenSize, { ...options, nonlinearity: config.cell === 'rnn_relu' ? 'relu' : 'tanh' });
    }
    case 'lstm_model':
      return new LSTMModel(config);
    case 'tagger':
      return new Tagger(config);
    case 'seq2seq':
      return new Seq2Seq({ sourceVocabSize: config.vocab, embeddingDim: config.embed, hiddenSize: config.hidden, numLayers: config.layers, cell: config.cell, attention: config.attention ?? false });
  }
}

export const toTensor = (t: JsonTensor): Tensor => new Tensor(Float32Array.from(t.data), t.shape);
export const toJson = (t: Tensor): JsonTensor => ({ shape: [...t.shape], data: Array.from(t.data) });

/** Runs a model on a fixture's inputs in eval mode: the outputs a fixture stores, by name. */
export function runModel(model: Module, config: ModelConfig, inputs: InteropFixture['inputs']): Record<string, Tensor> {
  const tensor = (k: string): Tensor | undefined => (inputs[k] ? toTensor(inputs[k] as JsonTensor) : undefined);
  const lengths = (inputs.lengths as number[] | null | undefined) ?? undefined;
  model.eval();
  return noGrad((): Record<string, Tensor> => {
    switch (config.model) {
      case 'recurrent': {
        const { output, h, c } = (model as RNNBase).forward(tensor('input')!, { h0: tensor('h0'), c0: tensor('c0'), lengths });
        return c ? { output, h_n: h, c_n: c } : { output, h_n: h };
      }
      case 'lstm_model': {
        const { logits, h, c } = (model as LSTMModel).forward(tensor('tokens')!);
        return { logits, h_n: h, c_n: c };
      }
      case 'tagger':
        return { logits: (model as Tagger).forward(tensor('tokens')!, lengths) };
      case 'seq2seq': {
        const s2s = model as Seq2Seq;
        const src = tensor('src')!;
        const encoded = s2s.encode(src, lengths!);
        const { logits } = s2s.forward(src, lengths!, tensor('target')!, { teacherForcingRatio: 1 });
        return { encoder_outputs: encoded.memory.outputs, encoder_h_n: encoded.state.h, logits };
      }
    }
  });
}
