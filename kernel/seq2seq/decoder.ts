// The decoder, run one step at a time: embedding of the previous token → LSTM/GRU step (state
// carried in h0/c0) → optional Luong dot attention over the encoder outputs → logits.

import { Embedding } from '../engine/layers/embedding';
import { Linear } from '../engine/layers/linear';
import type { GRU, LSTM } from '../engine/layers/recurrent';
import { Module } from '../engine/module';
import { cat, select, tanh, unsqueeze } from '../engine/ops';
import type { Tensor } from '../engine/tensor';
import { luongDotAttention } from './attention';
import { makeRecurrent, type RecurrentStackOptions } from './encoder';
import type { RecurrentState } from './state';

/** What the decoder attends over: encoder outputs (N,S,H) and an additive source mask (N,S). */
export interface Memory {
  outputs: Tensor;
  mask: Tensor;
}

export interface DecoderStep {
  /** (N,V) unnormalised scores for the next token. */
  logits: Tensor;
  state: RecurrentState;
  /** (N,S) attention weights of this step, or null without attention. */
  attention: Tensor | null;
}

export class Decoder extends Module {
  embedding: Embedding;
  rnn: LSTM | GRU;
  /** W_c of Luong et al.: (H, 2H), present with attention only. */
  combine: Linear | null;
  /** W_s: (V, H). */
  out: Linear;
  readonly attention: boolean;

  constructor(vocabSize: number, embeddingDim: number, hiddenSize: number, options: RecurrentStackOptions & { attention?: boolean; padIndex?: number } = {}) {
    super();
    this.attention = options.attention ?? false;
    this.embedding = new Embedding(vocabSize, embeddingDim, { paddingIdx: options.padIndex });
    this.rnn = makeRecurrent(embeddingDim, hiddenSize, options);
    this.combine = this.attention ? new Linear(2 * hiddenSize, hiddenSize) : null;
    this.out = new Linear(hiddenSize, vocabSize);
  }

  /** tokens (N,) are the previous tokens; returns the next-token logits and the new state. */
  forward(tokens: Tensor, state: RecurrentState, memory?: Memory): DecoderStep {
    const x = unsqueeze(this.embedding.forward(tokens), 1); // (N,1,E)
    const { h, c } = this.rnn.forward(x, { h0: state.h, c0: state.c ?? undefined });
    const top = select(h, 0, h.shape[0]! - 1); // (N,H): the last layer's h_t
    if (!this.attention || this.combine === null) return { logits: this.out.forward(top), state: { h, c }, attention: null };
    if (!memory) throw new Error('Decoder.forward: this decoder attends, so it needs the encoder memory');
    const { context, weights } = luongDotAttention(top, memory.outputs, memory.mask);
    const attentional = tanh(this.combine.forward(cat([context, top], 1))); // h̃_t = tanh(W_c [c_t; h_t]), (N,H)
    return { logits: this.out.forward(attentional), state: { h, c }, attention: weights };
  }
}
