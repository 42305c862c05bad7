import { normalParameter } from '../init';
import { Module } from '../module';
import { embedding } from '../ops';
import { type Parameter, type Tensor } from '../tensor';

/** A lookup table: integer indices (any shape) → (…, embeddingDim). Init N(0, 1) as PyTorch. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | undefined;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: { paddingIdx?: number } = {}) {
    super();
    if (!(numEmbeddings > 0 && embeddingDim > 0)) throw new Error(`Embedding(${numEmbeddings}, ${embeddingDim}): sizes must be positive integers`);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = options.paddingIdx;
    this.weight = normalParameter([numEmbeddings, embeddingDim]);
    if (this.paddingIdx !== undefined) this.weight.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== undefined ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
