// The public API of RNN Lab: what notebook cells import as 'rnn-lab' and what
// `require('<checkout>')` returns after `npm run build`. The engine (pure tensors and layers)
// plus the training side built on it: datasets, seq2seq, and fit() in worker threads.

export * from './engine/index';
export * from './datasets/index';
export * from './seq2seq/index';
export * from './train/index';
export * from './interop/index';
