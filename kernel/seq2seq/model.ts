// An encoder–decoder (Sutskever et al. 2014; Cho et al. 2014) with optional Luong attention,
// trained with teacher forcing: at each target step the decoder reads either the true previous
// token (probability `teacherForcingRatio`) or its own previous prediction. Ratio 1 is pure
// teacher forcing; ratio 0 trains free-running; a ScheduledSampling schedule moves between them
// (Bengio et al. 2015). The choice is made per example and per step, as in Bengio et al.

import { argmax, stack } from '../engine/ops';
import { Module } from '../engine/module';
import { defaultGenerator, type Generator } from '../engine/rng';
import { formatShape, noGrad, Tensor } from '../engine/tensor';
import { sourceMask } from './attention';
import type { Memory } from './decoder';
import { Decoder } from './decoder';
import { Encoder, type CellType } from './encoder';
import type { RecurrentState } from './state';

export interface Seq2SeqOptions {
  sourceVocabSize: number;
  /** Defaults to sourceVocabSize (one shared vocabulary, as the transduction datasets use). */
  targetVocabSize?: number;
  embeddingDim: number;
  hiddenSize: number;
  numLayers?: number;
  /** 'lstm' (default) or 'gru', for both encoder and decoder. */
  cell?: CellType;
  /** Luong dot-product attention over the encoder outputs. Default false. */
  attention?: boolean;
  dropout?: number;
  /** Token ids; defaults match datasets/vocabulary.ts: <pad> 0, <sos> 1, <eos> 2. */
  pad?: number;
  sos?: number;
  eos?: number;
}

export interface TeacherForcingOptions {
  /** Probability of feeding the true previous token at each step (per example). Default 1. */
  teacherForcingRatio?: number;
  /** When the model's own token is fed: its argmax (default) or a sample from its softmax. */
  feedback?: 'argmax' | 'sample';
  /** Source of the coin flips and samples. Default: the engine's default generator. */
  generator?: Generator;
}

export interface Seq2SeqOutput {
  /** (N,Ty,V) logits for every target step. */
  logits: Tensor;
  /** (N,Ty,S) attention weights (no gradient), or null without attention. */
  attention: Tensor | null;
}

export class Seq2Seq extends Module {
  encoder: Encoder;
  decoder: Decoder;
  readonly pad: number;
  readonly sos: number;
  readonly eos: number;
  readonly targetVocabSize: number;

  constructor(options: Seq2SeqOptions) {
    super();
    this.pad = options.pad ?? 0;
    this.sos = options.sos ?? 1;
    this.eos = options.eos ?? 2;
    this.targetVocabSize = options.targetVocabSize ?? options.sourceVocabSize;
    const recurrent = { cell: options.cell, numLayers: options.numLayers, dropout: options.dropout, padIndex: this.pad };
    this.encoder = new Encoder(options.sourceVocabSize, options.embeddingDim, options.hiddenSize, recurrent);
    this.decoder = new Decoder(this.targetVocabSize, options.embeddingDim, options.hiddenSize, { ...recurrent, attention: options.attention });
  }

  get attention(): boolean {
    return this.decoder.attention;
  }

  /** Runs the encoder; returns the decoder's initial state and the memory it attends over. */
  encode(src: Tensor, lengths: readonly number[]): { state: RecurrentState; memory: Memory } {
    if (src.ndim !== 2 || src.shape[0] !== lengths.length) throw new Error(`Seq2Seq.encode: src is ${formatShape(src.shape)} with ${lengths.length} lengths; expected (N,S) and N lengths`);
    const { outputs, state } = this.encoder.forward(src, lengths);
    return { state, memory: { outputs, mask: sourceMask(lengths, src.shape[1]!) } };
  }

  /**
   * src (N,S) token ids with lengths (N); target (N,Ty) the tokens to produce, ending with <eos>,
   * padded with anything negative (IGNORE_INDEX) or <pad>. The decoder's first input is <sos>;
   * after that the previous target token, or the model's own, per `teacherForcingRatio`.
   */
  override forward(src: Tensor, lengths: readonly number[], target: Tensor, options: TeacherForcingOptions = {}): Seq2SeqOutput {
    const ratio = options.teacherForcingRatio ?? 1;
    if (!(ratio >= 0 && ratio <= 1)) throw new Error(`Seq2Seq.forward: teacherForcingRatio must be in [0, 1], got ${ratio}`);
    const gen = options.generator ?? defaultGenerator;
    const feedback = options.feedback ?? 'argmax';
    const [N, Ty] = target.shape as [number, number];
    if (target.ndim !== 2 || N !== src.shape[0]) throw new Error(`Seq2Seq.forward: target is ${formatShape(target.shape)} for src ${formatShape(src.shape)}; expected (N,Ty)`);
    const encoded = this.encode(src, lengths);
    const memory = encoded.memory;
    let state = encoded.state;
    const steps: Tensor[] = [];
    const weights: Tensor[] = [];
    let input = new Tensor(new Float32Array(N).fill(this.sos), [N]); // (N,) previous tokens
    for (let t = 0; t < Ty; t++) {
      const step = this.decoder.forward(input, state, memory);
      state = step.state;
      steps.push(step.logits);
      if (step.attention) weights.push(step.attention.detach());
      if (t === Ty - 1) break;
      const next = new Float32Array(N);
      const predicted = ratio < 1 ? noGrad(() => this.feedbackTokens(step.logits, feedback, gen)) : null;
      for (let n = 0; n < N; n++) {
        const truth = target.data[n * Ty + t]!;
        const useTruth = ratio === 1 || (ratio > 0 && gen.random() < ratio);
        // Past the end of a target (padding) the input does not matter: its outputs are ignored.
        next[n] = useTruth || predicted === null ? (truth >= 0 ? truth : this.pad) : predicted[n]!;
      }
      input = new Tensor(next, [N]);
    }
    return {
      logits: stack(steps, 1), // (N,Ty,V)
      attention: weights.length ? stack(weights, 1) : null, // (N,Ty,S)
    };
  }

  /** The model's own next tokens (N,) from logits (N,V): argmax, or a sample from the softmax. */
  private feedbackTokens(logits: Tensor, feedback: 'argmax' | 'sample', gen: Generator): Float32Array {
    if (feedback === 'argmax') return argmax(logits, 1).data;
    const [N, V] = logits.shape as [number, number];
    const out = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      const row = logits.data.subarray(n * V, (n + 1) * V);
      let m = -Infinity;
      for (const v of row) m = Math.max(m, v);
      let total = 0;
      for (const v of row) total += Math.exp(v - m);
      let u = gen.random() * total;
      let k = 0;
      for (; k < V - 1; k++) {
        u -= Math.exp(row[k]! - m);
        if (u < 0) break;
      }
      out[n] = k;
    }
    return out;
  }
}
