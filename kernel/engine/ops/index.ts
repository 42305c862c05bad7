// Differentiable tensor operations, one family a file. Each op computes its output and, when grad
// is on, records a GradFn that maps the output gradient to the inputs' gradients (tensor.ts).
// Importing them puts their method forms on Tensor (methods.ts).

export * from './elementwise';
export * from './reduce';
export * from './softmax';
export * from './matmul';
export * from './shape';
export * from './embedding';
import './methods';
