// Shared helpers for the recurrent-layer tests: fixture reading, layer construction from a
// fixture, closeness checks that report the worst element.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GRU, LSTM, RNN, type RNNBase, type RecurrentOptions } from '../../kernel/engine/layers/recurrent';
import { Tensor } from '../../kernel/engine/tensor';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'pytorch');

export interface JsonTensor {
  shape: number[];
  data: number[];
}

export interface RnnFixture {
  name: string;
  cell: 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';
  mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  lengths: number[] | null;
  params: Record<string, JsonTensor>;
  input: JsonTensor;
  h0: JsonTensor | null;
  c0: JsonTensor | null;
  output: JsonTensor;
  h_n: JsonTensor;
  c_n: JsonTensor | null;
  lossWeights: { output: JsonTensor; h_n: JsonTensor; c_n: JsonTensor | null };
  loss: number;
  grads: Record<string, JsonTensor | null>;
}

export function loadRnnFixtures(): RnnFixture[] {
  const dir = join(FIXTURE_DIR, 'rnn');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RnnFixture);
}

export function toTensor(t: JsonTensor, requiresGrad = false): Tensor {
  return new Tensor(Float32Array.from(t.data), t.shape, requiresGrad);
}

export function layerForFixture(fx: RnnFixture): RNNBase {
  const options = { numLayers: fx.numLayers, bidirectional: fx.bidirectional, batchFirst: fx.batchFirst };
  switch (fx.mode) {
    case 'LSTM':
      return new LSTM(fx.inputSize, fx.hiddenSize, options);
    case 'GRU':
      return new GRU(fx.inputSize, fx.hiddenSize, options);
    case 'RNN_TANH':
      return new RNN(fx.inputSize, fx.hiddenSize, options);
    case 'RNN_RELU':
      return new RNN(fx.inputSize, fx.hiddenSize, { ...options, nonlinearity: 'relu' });
  }
}

/** Largest |a−b| / (abs + rel·|b|) over all elements; ≤ 1 means within tolerance. */
export function toleranceRatio(actual: ArrayLike<number>, expected: ArrayLike<number>, abs = 1e-5, rel = 1e-4): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const r = Math.abs(actual[i]! - expected[i]!) / (abs + rel * Math.abs(expected[i]!));
    if (!(r <= worst)) worst = r; // NaN propagates as a failure
  }
  return worst;
}

export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

/** A deterministic pseudo-random fill in [lo, hi). */
export function seededValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}

/** The cells by name: LSTM, GRU in both forms, Elman RNN with tanh and relu. */
export type CellName = 'lstm' | 'gru' | 'gru-cho' | 'rnn-tanh' | 'rnn-relu';
export const CELL_NAMES: readonly CellName[] = ['lstm', 'gru', 'gru-cho', 'rnn-tanh', 'rnn-relu'];

export function makeLayer(cell: CellName, I: number, H: number, options: RecurrentOptions): RNNBase {
  switch (cell) {
    case 'lstm':
      return new LSTM(I, H, options);
    case 'gru':
      return new GRU(I, H, options);
    case 'gru-cho':
      return new GRU(I, H, { ...options, resetAfter: false });
    case 'rnn-tanh':
      return new RNN(I, H, options);
    case 'rnn-relu':
      return new RNN(I, H, { ...options, nonlinearity: 'relu' });
  }
}
