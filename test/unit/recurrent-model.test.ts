// The seed's LSTMModel (scripts/fixtures/lstm_model.py) written as a Module subclass, loaded from
// PyTorch's safetensors, must reproduce PyTorch's eval-mode logits and final states.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { Linear } from '../../kernel/engine/layers/linear';
import { LSTM } from '../../kernel/engine/layers/recurrent';
import { Module } from '../../kernel/engine/module';
import { select } from '../../kernel/engine/ops';
import { Tensor } from '../../kernel/engine/tensor';
import { FIXTURE_DIR, toleranceRatio, toTensor, type JsonTensor } from './recurrent-helpers';

/**
 * A tiny safetensors reader (F32 only): u64 little-endian header length, JSON header
 * {name: {dtype, shape, data_offsets}}, then the data. Local to this test so that it does not
 * depend on kernel/engine/safetensors.ts, which is written separately.
 */
function readSafetensorsF32(bytes: Uint8Array): Record<string, Tensor> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const dataStart = 8 + headerLength;
  const out: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info.dtype !== 'F32') throw new Error(`${name}: dtype ${info.dtype} is not F32`);
    const [begin, end] = info.data_offsets;
    const values = new Float32Array((end - begin) / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    out[name] = new Tensor(values, info.shape);
  }
  return out;
}

class LSTMModel extends Module {
  embedding = new Embedding(20, 8);
  lstm = new LSTM(8, 16, { numLayers: 2, dropout: 0.3, batchFirst: true });
  fc = new Linear(16, 3);

  forward(tokens: Tensor): { logits: Tensor; h: Tensor; c: Tensor } {
    // tokens is (N,T) → embedded (N,T,8) → h (2,N,16) → logits (N,3) from the last layer's h
    const { h, c } = this.lstm.forward(this.embedding.forward(tokens));
    return { logits: this.fc.forward(select(h, 0, -1)), h, c };
  }
}

interface ModelFixture {
  stateDict: Record<string, number[]>;
  tokens: JsonTensor;
  logits: JsonTensor;
  h_n: JsonTensor;
  c_n: JsonTensor;
}

describe('LSTMModel from PyTorch safetensors', () => {
  it('reproduces the eval-mode logits, h_n and c_n', () => {
    const fx = JSON.parse(readFileSync(join(FIXTURE_DIR, 'lstm_model.json'), 'utf8')) as ModelFixture;
    const state = readSafetensorsF32(new Uint8Array(readFileSync(join(FIXTURE_DIR, 'lstm_model.safetensors'))));
    const model = new LSTMModel();
    expect([...model.namedParameters()].map(([k, p]) => [k, p.shape])).toEqual(Object.entries(fx.stateDict));
    model.loadStateDict(state);
    model.eval();
    const { logits, h, c } = model.forward(toTensor(fx.tokens));
    expect(logits.shape).toEqual(fx.logits.shape);
    expect(toleranceRatio(logits.data, fx.logits.data)).toBeLessThanOrEqual(1);
    expect(toleranceRatio(h.data, fx.h_n.data)).toBeLessThanOrEqual(1);
    expect(toleranceRatio(c.data, fx.c_n.data)).toBeLessThanOrEqual(1);
    expect(model.lstm.toString()).toBe('LSTM(8, 16, numLayers=2, batchFirst=true, dropout=0.3)');
  });

  it('uses dropout between layers only in training mode', () => {
    const fx = JSON.parse(readFileSync(join(FIXTURE_DIR, 'lstm_model.json'), 'utf8')) as ModelFixture;
    const model = new LSTMModel();
    model.loadStateDict(readSafetensorsF32(new Uint8Array(readFileSync(join(FIXTURE_DIR, 'lstm_model.safetensors')))));
    const tokens = toTensor(fx.tokens);
    model.train();
    const a = model.forward(tokens);
    const b = model.forward(tokens);
    expect(toleranceRatio(a.logits.data, fx.logits.data)).toBeGreaterThan(1); // masks change the result
    expect(toleranceRatio(a.logits.data, b.logits.data)).toBeGreaterThan(1); // and differ per call
    // Layer 0 sees no dropout (it is applied to a layer's output, not its input): its state is exact.
    expect(toleranceRatio(a.h.data.subarray(0, 2 * 16), fx.h_n.data.slice(0, 2 * 16))).toBeLessThanOrEqual(1);
  });
});
