// Model files: saveModel/loadModel (safetensors with PyTorch names, atomic writes), saveOnnx, and
// the errors a mismatched file gives: every missing, unexpected and mis-shaped key, with hints.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Embedding, GRU, Linear, LSTM, manualSeed, Module, saveSafetensors, select, Tensor } from '../../kernel/engine/index';
import { decodeOnnxModel, loadModel, loadModelFromBytes, loadStateDictInto, modelToSafetensors, saveModel, saveOnnx, StateDictMismatchError } from '../../kernel/interop/index';

const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class LSTMModel extends Module {
  embedding = new Embedding(20, 8);
  lstm = new LSTM(8, 16, { numLayers: 2, batchFirst: true });
  fc = new Linear(16, 3);
  forward(tokens: Tensor): Tensor {
    return this.fc.forward(select(this.lstm.forward(this.embedding.forward(tokens)).h, 0, -1));
  }
}

const snapshot = (m: Module) => Object.fromEntries([...m.namedParameters()].map(([k, p]) => [k, Array.from(p.data)]));

describe('saveModel / loadModel', () => {
  it('round-trips every parameter and records the class in the metadata', () => {
    manualSeed(1);
    const a = new LSTMModel();
    const path = join(dir, 'sub', 'model.safetensors');
    saveModel(a, path, { metadata: { note: 'trained 3 epochs' } });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['model.safetensors']); // no temporary file left
    manualSeed(2);
    const b = new LSTMModel();
    const result = loadModel(b, path);
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(result.loaded).toHaveLength(11);
    expect(result.metadata).toEqual({ format: 'pt', 'rnn-lab.model': 'LSTMModel', note: 'trained 3 epochs' });
  });

  it('overwrites an existing file in one step', () => {
    const path = join(dir, 'overwrite.safetensors');
    writeFileSync(path, 'old contents');
    const model = new LSTM(2, 3);
    saveModel(model, path);
    expect(new Uint8Array(readFileSync(path))).toEqual(modelToSafetensors(model));
  });

  it('saveOnnx writes a model that decodes', () => {
    const path = join(dir, 'model.onnx');
    saveOnnx(new LSTMModel(), path, { lengths: true });
    const proto = decodeOnnxModel(new Uint8Array(readFileSync(path)));
    expect(proto.graph.input.map((i) => i.name)).toEqual(['input', 'lengths']);
    expect(proto.graph.output.map((o) => o.name)).toEqual(['logits', 'h_n', 'c_n']);
  });
});

describe('loading a file that does not fit', () => {
  const catchError = (fn: () => unknown): StateDictMismatchError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(StateDictMismatchError);
      return e as StateDictMismatchError;
    }
    throw new Error('expected an error');
  };

  it('names missing, unexpected and mis-shaped keys at once, and leaves the model unchanged', () => {
    class GRUModel extends Module {
      embedding = new Embedding(20, 8);
      lstm = new GRU(8, 16, { numLayers: 2, batchFirst: true }); // a GRU saved under the LSTM's name
      head = new Linear(16, 3);
      forward(): void {}
    }
    const path = join(dir, 'gru.safetensors');
    saveModel(new GRUModel(), path);
    const model = new LSTMModel();
    const before = snapshot(model);
    const e = catchError(() => loadModel(model, path));
    expect(e.missing).toEqual(['fc.weight', 'fc.bias']);
    expect(e.unexpected).toEqual(['head.bias', 'head.weight']);
    expect(e.misShaped.map((m) => m.key)).toEqual([
      'lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0',
      'lstm.weight_ih_l1', 'lstm.weight_hh_l1', 'lstm.bias_ih_l1', 'lstm.bias_hh_l1',
    ]);
    expect(e.message).toContain('Cannot load gru.safetensors into LSTMModel:');
    expect(e.message).toContain('missing (in the model, not in the file): fc.weight (3,16), fc.bias (3,)');
    expect(e.message).toContain('unexpected (in the file, not in the model): head.bias (3,), head.weight (3,16)');
    expect(e.message).toContain("mis-shaped: lstm.weight_ih_l0 is (64,8) in the model but (48,8) in the file (3·16 rows: the file holds a GRU (r,z,n) where the model's lstm is an LSTM with 4·16)");
    expect(e.message).toContain('mis-shaped: lstm.weight_hh_l0 is (64,16) in the model but (48,16) in the file\n');
    expect(e.message).toContain('hint: same shapes under other names, perhaps a renamed attribute: head.bias → fc.bias, head.weight → fc.weight');
    expect(snapshot(model)).toEqual(before);
  });

  it("suggests stripPrefix for a wrapper's prefix, and loads with it", () => {
    const source = new LSTMModel();
    const prefixed = Object.fromEntries(Object.entries(source.stateDict()).map(([k, t]) => [`module.${k}`, t]));
    const bytes = saveSafetensors(prefixed);
    const model = new LSTMModel();
    expect(() => loadModelFromBytes(model, bytes)).toThrow(/hint: the file's keys start with 'module\.'; pass \{ stripPrefix: 'module\.' \}/);
    loadModelFromBytes(model, bytes, { stripPrefix: 'module.' });
    expect(snapshot(model)).toEqual(snapshot(source));
  });

  it('explains weight_hr (LSTM proj_size)', () => {
    const lstm = new LSTM(2, 3);
    const state = { ...lstm.stateDict(), weight_hr_l0: new Tensor(new Float32Array(6), [2, 3]) };
    expect(() => loadStateDictInto(lstm, state)).toThrow(/weight_hr_\* comes from an LSTM with proj_size/);
  });

  it('with strict: false loads what matches and reports the rest; shapes must still match', () => {
    const source = new LSTMModel();
    const { fc_weight: _, ...rest } = { fc_weight: 0, ...source.stateDict() };
    const partial = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('fc.')));
    const model = new LSTMModel();
    const result = loadStateDictInto(model, { ...partial, extra: new Tensor(new Float32Array(1), [1]) }, { strict: false });
    expect(result.missing).toEqual(['fc.weight', 'fc.bias']);
    expect(result.unexpected).toEqual(['extra']);
    expect(model.lstm.weight_ih_l1.data).toEqual(source.lstm.weight_ih_l1.data);
    const bad = { ...partial, 'embedding.weight': new Tensor(new Float32Array(16), [2, 8]) };
    expect(() => loadStateDictInto(model, bad, { strict: false })).toThrow(/mis-shaped: embedding\.weight is \(20,8\) in the model but \(2,8\) in the file/);
  });

  it('names the file when it is not safetensors', () => {
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, new Uint8Array([1, 2, 3]));
    expect(() => loadModel(new LSTM(2, 3), path)).toThrow(/Cannot load broken\.safetensors: safetensors: 3 bytes is too short/);
  });
});
