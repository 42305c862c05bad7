// The data contract between datasets, the DataLoader, notebooks and the trainer.
//
// Convention: batch first. A batch's inputs are (N,T) token ids or (N,T,I) features, so models
// use `batchFirst: true` (as the seed's LSTMModel does). Class targets are float tensors holding
// integer indices, which is what the engine's crossEntropy expects.

import type { Tensor } from '../engine/tensor';

/** PyTorch's default ignore_index: padded positions of token targets hold it. */
export const IGNORE_INDEX = -100;

/**
 * What one step of the input is.
 * - 'tokens': one integer id per step; a batch's x is (N,T); `inputSize` is the vocabulary size.
 * - 'features': I numbers per step; a batch's x is (N,T,I); `inputSize` is I.
 */
export type InputKind = 'tokens' | 'features';

/**
 * What the target is.
 * - 'class': one class index per example; y is (N,); `targetSize` is the number of classes.
 * - 'value': O numbers per example (regression at the sequence end); y is (N,O).
 * - 'tokenSequence': one class index per target step; y is (N,Ty) padded with IGNORE_INDEX;
 *   `targetSize` is the number of classes (vocabulary size).
 * - 'valueSequence': O numbers per target step; y is (N,Ty,O) padded with 0.
 */
export type TargetKind = 'class' | 'value' | 'tokenSequence' | 'valueSequence';

/** One example, flat and row-major. */
export interface Example {
  /** tokens: (T) ids; features: (T·I) values. T may differ between examples. */
  readonly input: Float32Array;
  /** class: (1); value: (O); tokenSequence: (Ty); valueSequence: (Ty·O). */
  readonly target: Float32Array;
}

/** A finite, indexable collection of examples with a fixed description of their shapes. */
export interface Dataset {
  /** Short human name, e.g. "adding (Arjovsky 2016, T=100)". */
  readonly name: string;
  readonly length: number;
  readonly inputKind: InputKind;
  /** Vocabulary size for tokens, features per step otherwise. */
  readonly inputSize: number;
  readonly targetKind: TargetKind;
  /** Number of classes for class/tokenSequence targets, O for value/valueSequence targets. */
  readonly targetSize: number;
  /** Token id used to pad token inputs (positions past `lengths[i]`; masked by the RNN anyway). */
  readonly padIndex: number;
  get(index: number): Example;
}

/** A padded, collated batch. */
export interface Batch {
  /** (N,T) token ids or (N,T,I) features, padded to the batch's longest input. */
  readonly x: Tensor;
  /** Real input length of each example: pass as `lengths` to the recurrent layers. */
  readonly lengths: number[];
  /** (N,) | (N,O) | (N,Ty) | (N,Ty,O), see TargetKind. */
  readonly y: Tensor;
  /** Real target length of each example (sequence targets only; 1 otherwise). */
  readonly targetLengths: number[];
  /** Indices of the examples in the dataset, in batch order. */
  readonly indices: number[];
}
