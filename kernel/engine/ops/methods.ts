// The method forms of the ops on Tensor.prototype, from one table. Its type is the declarations'
// (TensorMethods in tensor.ts): a method declared and not here, or here and not declared, or with
// other parameters, does not compile.

import { Tensor, type TensorMethods } from '../tensor';
import { add, div, exp, log, mul, neg, pow, relu, sigmoid, sub, tanh } from './elementwise';
import { matmul } from './matmul';
import { argmax, mean, sum } from './reduce';
import { narrow, reshape, select, squeeze, transpose, unsqueeze } from './shape';
import { logSoftmax, softmax } from './softmax';

type MethodTable = { [K in keyof TensorMethods]: (this: Tensor, ...args: Parameters<TensorMethods[K]>) => ReturnType<TensorMethods[K]> };

const methods: MethodTable = {
  add(other) { return add(this, other); },
  sub(other) { return sub(this, other); },
  mul(other) { return mul(this, other); },
  div(other) { return div(this, other); },
  neg() { return neg(this); },
  matmul(other) { return matmul(this, other); },
  sum(dim, keepDim) { return sum(this, dim, keepDim); },
  mean(dim, keepDim) { return mean(this, dim, keepDim); },
  reshape(...shape) { return reshape(this, shape); },
  view(...shape) { return reshape(this, shape); },
  transpose(dim0, dim1) { return transpose(this, dim0, dim1); },
  select(dim, index) { return select(this, dim, index); },
  narrow(dim, start, length) { return narrow(this, dim, start, length); },
  tanh() { return tanh(this); },
  sigmoid() { return sigmoid(this); },
  relu() { return relu(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  pow(exponent) { return pow(this, exponent); },
  softmax(dim) { return softmax(this, dim); },
  logSoftmax(dim) { return logSoftmax(this, dim); },
  argmax(dim) { return argmax(this, dim); },
  squeeze(dim) { return squeeze(this, dim); },
  unsqueeze(dim) { return unsqueeze(this, dim); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
