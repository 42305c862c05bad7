// safetensors with whole models: PyTorch's LSTMModel checkpoint loads into the engine's model and
// gives PyTorch's logits; a file the engine wrote (committed, with the engine's logits) is
// re-checked byte for byte here. Outside the test run (they are not tests):
//   node scripts/interop/run_ts.mjs scripts/fixtures/write_engine_lstm_model.ts        rewrites the engine files
//   node scripts/interop/run_ts.mjs scripts/fixtures/check_engine_lstm_model_torch.ts  checks them in PyTorch
//     (needs Debian's python3-torch, which CI does not install)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { Linear } from '../../kernel/engine/layers/linear';
import { LSTM } from '../../kernel/engine/layers/recurrent';
import { Module } from '../../kernel/engine/module';
import { select } from '../../kernel/engine/ops';
import { loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '../../kernel/engine/safetensors';
import { noGrad, Tensor } from '../../kernel/engine/tensor';

const REPO = join(__dirname, '../..');
const PT_DIR = join(REPO, 'test/fixtures/pytorch');
const ENGINE_DIR = join(REPO, 'test/fixtures/engine');

interface FixtureTensor {
  shape: number[];
  data: number[];
}
const reference = JSON.parse(readFileSync(join(PT_DIR, 'lstm_model.json'), 'utf8')) as { stateDict: Record<string, number[]>; tokens: FixtureTensor; logits: FixtureTensor };

/** scripts/fixtures/lstm_model.py in the engine: Embedding(20,8) → LSTM(8,16,2 layers) → Linear(16,3) on h_n[-1]. */
class LSTMModel extends Module {
  embedding = new Embedding(20, 8);
  lstm = new LSTM(8, 16, { numLayers: 2, dropout: 0.3, batchFirst: true });
  fc = new Linear(16, 3);

  forward(tokens: Tensor): Tensor {
    const embedded = this.embedding.forward(tokens); // (N,T,E)
    const { h } = this.lstm.forward(embedded); // h is (L,N,H)
    return this.fc.forward(select(h, 0, -1)); // (N,C)
  }
}

const tokens = new Tensor(Float32Array.from(reference.tokens.data), reference.tokens.shape);
const logitsOf = (m: LSTMModel): Tensor => noGrad(() => m.eval().forward(tokens));

describe("PyTorch's checkpoint in the engine", () => {
  const bytes = new Uint8Array(readFileSync(join(PT_DIR, 'lstm_model.safetensors')));

  it('has the names, shapes and metadata PyTorch wrote', () => {
    const loaded = loadSafetensors(bytes);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(reference.stateDict).sort());
    for (const [name, shape] of Object.entries(reference.stateDict)) expect(loaded[name]!.shape, name).toEqual(shape);
    expect(readSafetensorsMetadata(bytes).metadata).toEqual({ format: 'pt' });
  });

  it("loads into the engine's model (strict) and gives PyTorch's logits", () => {
    const model = new LSTMModel();
    expect([...model.namedParameters()].map(([n]) => n)).toEqual(Object.keys(reference.stateDict));
    model.loadStateDict(loadSafetensors(bytes));
    const logits = logitsOf(model);
    expect(logits.shape).toEqual(reference.logits.shape);
    reference.logits.data.forEach((v, i) => expect(Math.abs(logits.data[i]! - v)).toBeLessThan(1e-5));
  });

  it("re-saving PyTorch's tensors keeps every value and the layout", () => {
    const loaded = loadSafetensors(bytes);
    const again = saveSafetensors(loaded, { format: 'pt' });
    const back = loadSafetensors(again);
    for (const [name, t] of Object.entries(loaded)) expect(back[name]!.data).toEqual(t.data);
    // Same tensors, same order and offsets as PyTorch's writer (both sort by name).
    expect(readSafetensorsMetadata(again).tensors).toEqual(readSafetensorsMetadata(bytes).tensors);
  });
});

describe('an engine-written checkpoint (committed)', () => {
  const stPath = join(ENGINE_DIR, 'lstm_model.safetensors');
  const jsonPath = join(ENGINE_DIR, 'lstm_model.json');

  it('is byte-identical to what saveSafetensors writes for its tensors now', () => {
    const bytes = new Uint8Array(readFileSync(stPath));
    const { metadata } = readSafetensorsMetadata(bytes);
    expect(metadata).toMatchObject({ format: 'pt', writer: 'rnn-lab saveSafetensors' });
    expect(Buffer.from(saveSafetensors(loadSafetensors(bytes), metadata)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('loads into a fresh model and reproduces the recorded logits', () => {
    const expected = JSON.parse(readFileSync(jsonPath, 'utf8')) as { logits: FixtureTensor };
    const model = new LSTMModel();
    model.loadStateDict(loadSafetensors(new Uint8Array(readFileSync(stPath))));
    const logits = logitsOf(model);
    expected.logits.data.forEach((v, i) => expect(Math.abs(logits.data[i]! - v)).toBeLessThan(1e-6));
  });
});
