// Parameter initialisation, PyTorch's defaults.

import { defaultGenerator, type Generator } from './rng';
import { Parameter, shapeSize, type Shape } from './tensor';

/** A parameter filled from U(-bound, bound). */
export function uniformParameter(shape: Shape, bound: number, gen: Generator = defaultGenerator): Parameter {
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = gen.uniform(-bound, bound);
  return new Parameter(data, shape);
}

/** A parameter filled from N(mean, std²). */
export function normalParameter(shape: Shape, mean = 0, std = 1, gen: Generator = defaultGenerator): Parameter {
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = gen.normal(mean, std);
  return new Parameter(data, shape);
}
