import { Module } from '../module';
import { maskedScale } from '../ops';
import { defaultGenerator, type Generator } from '../rng';
import { Tensor } from '../tensor';

/** Inverted dropout mask: 0 with probability p, else 1/(1-p). */
export function dropoutMask(size: number, p: number, gen: Generator = defaultGenerator): Float32Array {
  const mask = new Float32Array(size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < size; i++) mask[i] = gen.random() < p ? 0 : scale;
  return mask;
}

/** Functional dropout: identity when not training or p = 0. */
export function dropout(x: Tensor, p: number, training: boolean, gen?: Generator): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: probability must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  return maskedScale(x, dropoutMask(x.size, p, gen));
}

export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: probability must be in [0, 1), got ${p}`);
    this.p = p;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
