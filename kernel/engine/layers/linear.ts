import { uniformParameter } from '../init';
import { Module } from '../module';
import { linear } from '../ops';
import { formatShape, type Parameter, type Tensor } from '../tensor';

/**
 * y = x Wᵀ + b. x is (…, inFeatures), W is (outFeatures, inFeatures), b is (outFeatures).
 * Init as PyTorch: W and b from U(-1/√in, 1/√in).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    if (!(inFeatures > 0 && outFeatures > 0)) throw new Error(`Linear(${inFeatures}, ${outFeatures}): sizes must be positive integers`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParameter([outFeatures, inFeatures], bound);
    this.bias = options.bias === false ? null : uniformParameter([outFeatures], bound);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`Linear.forward: input is ${formatShape(x.shape)} but inFeatures is ${this.inFeatures}`);
    }
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
