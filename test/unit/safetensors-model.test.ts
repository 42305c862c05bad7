// safetensors with whole models: PyTorch's LSTMModel checkpoint loads into the engine's model and
// gives PyTorch's logits; a file the engine wrote (committed, with the engine's logits) is
// re-checked byte for byte here and can be re-checked in PyTorch with
//   /usr/bin/python3 scripts/fixtures/check_safetensors_roundtrip.py test/fixtures/engine/lstm_model.safetensors \
//       --reference test/fixtures/engine/lstm_model.json --tol 1e-5
// Set RNN_LAB_WRITE_FIXTURES=1 to rewrite the engine files, RNN_LAB_PYTHON_CHECKS=1 to also run
// that PyTorch check from here (needs Debian's python3-torch; not run in CI).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { Linear } from '../../kernel/engine/layers/linear';
import { LSTM } from '../../kernel/engine/layers/recurrent';
import { Module } from '../../kernel/engine/module';
import { select } from '../../kernel/engine/ops';
import { manualSeed } from '../../kernel/engine/rng';
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

  if (process.env.RNN_LAB_WRITE_FIXTURES === '1') {
    it('writes the fixture from a seeded engine model', () => {
      manualSeed(20240607);
      const model = new LSTMModel();
      const logits = logitsOf(model);
      writeFileSync(stPath, saveSafetensors(model.stateDict(), { format: 'pt', writer: 'rnn-lab saveSafetensors', seed: '20240607' }));
      const fixture = {
        note: 'Written by test/unit/safetensors-model.test.ts (RNN_LAB_WRITE_FIXTURES=1): an engine-initialised LSTMModel and its eval-mode logits for the tokens of ../pytorch/lstm_model.json.',
        tokens: reference.tokens,
        logits: { shape: logits.shape, data: [...logits.data] },
      };
      writeFileSync(jsonPath, JSON.stringify(fixture, null, 1) + '\n');
    });
  }

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

  it.runIf(process.env.RNN_LAB_PYTHON_CHECKS === '1')('is read by PyTorch with the same logits (local check, needs python3-torch)', () => {
    const script = join(REPO, 'scripts/fixtures/check_safetensors_roundtrip.py');
    const run = (file: string, ref: string): ReturnType<typeof spawnSync> =>
      spawnSync('/usr/bin/python3', [script, file, '--reference', ref, '--tol', '1e-5'], { encoding: 'utf8', cwd: join(REPO, 'scripts/fixtures') });
    const committed = run(stPath, jsonPath);
    expect(committed.status, `${committed.stdout}${committed.stderr}`).toBe(0);
    // And a fresh engine write of PyTorch's weights against PyTorch's own logits.
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-st-'));
    const resaved = join(dir, 'resaved.safetensors');
    writeFileSync(resaved, saveSafetensors(loadSafetensors(new Uint8Array(readFileSync(join(PT_DIR, 'lstm_model.safetensors')))), { format: 'pt' }));
    const fresh = run(resaved, join(PT_DIR, 'lstm_model.json'));
    expect(fresh.status, `${fresh.stdout}${fresh.stderr}`).toBe(0);
  });
});
