// The public engine API: what `require('rnn-lab')` returns and what notebook cells import
// as 'rnn-lab'. PyTorch names in TypeScript idiom.

export { Generator, manualSeed, defaultGenerator } from './rng';
export {
  Tensor,
  Parameter,
  tensor,
  zeros,
  ones,
  full,
  arange,
  noGrad,
  isGradEnabled,
  formatShape,
  shapeSize,
  type Shape,
  type GradFn,
  type NestedNumbers,
} from './tensor';
export {
  add,
  sub,
  mul,
  div,
  neg,
  tanh,
  sigmoid,
  relu,
  exp,
  log,
  abs,
  sqrt,
  pow,
  sum,
  mean,
  argmax,
  softmax,
  logSoftmax,
  matmul,
  linear,
  reshape,
  squeeze,
  unsqueeze,
  permute,
  transpose,
  narrow,
  select,
  cat,
  stack,
  embedding,
} from './ops';
export { gemm } from './gemm';
export { Module, type StateDict } from './module';
export { uniformParameter, normalParameter } from './init';
export { Linear } from './layers/linear';
export { Embedding } from './layers/embedding';
export { Dropout, dropout } from './layers/dropout';
export * from './layers/recurrent';
export * from './losses';
export * from './optim/index';
export * from './clip';
export * from './schedulers';
export * from './safetensors';
export * from './gradcheck';
export { useKernels, kernelFlavour, type KernelChoice } from './wasm/instance';
export { setNumThreads, getNumThreads } from './wasm/team';
export { setFlushDenormal, getFlushDenormal } from './denormal';
