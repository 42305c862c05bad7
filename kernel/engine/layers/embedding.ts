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
    this.paddingIdx = options.paddingIdx === undefined ? undefined : paddingRow(numEmbeddings, options.paddingIdx);
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

/** PyTorch's padding_idx: an integer in [−numEmbeddings, numEmbeddings), a negative one counted from the end. */
function paddingRow(numEmbeddings: number, paddingIdx: number): number {
  if (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
    throw new Error(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}) (a row of the table, negative from the end), got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? numEmbeddings + paddingIdx : paddingIdx;
}
