// Training against a clumsy notebook: fit() on part of a model that is training, a load into a
// model that is training, a checkpoint path that can never be written, loading fit()'s own
// checkpoint as a model file. Each fails at once naming what was wrong; nothing trained is lost.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Module, type Tensor } from '../../kernel/engine/index';
import { loadModel, saveModel } from '../../kernel/interop/files';
import { fit, loadCheckpoint } from '../../kernel/train/index';
import { countingTask, makeModel, type LSTMModel } from './train-helpers';

const data = countingTask(32, 8);
const long = { epochs: 1000, batchSize: 8, lr: 0.01, seed: 5, display: false } as const;

/** A model holding another: training the inner one trains part of the outer one. */
class Outer extends Module {
  constructor(readonly inner: LSTMModel) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.inner.forward(x);
  }
}

describe('a model that is training', () => {
  it('refuses fit() on a model sharing its parameters, both ways, and trains on', async () => {
    const outer = new Outer(makeModel());
    const job = fit(outer.inner, data, { ...long, worker: false });
    try {
      expect(() => fit(outer, data, long)).toThrow(`fit: this model shares parameters with ${job.name}, which is already training in ${job.id}`);
      expect(job.status).toBe('running');
    } finally {
      job.stop();
      await job.done;
    }
    const inner = makeModel();
    const outerJob = fit(new Outer(inner), data, { ...long, worker: false });
    try {
      expect(() => fit(inner, data, long)).toThrow(/shares parameters with .*already training/);
    } finally {
      outerJob.stop();
      await outerJob.done;
    }
  });

  it('refuses a load into it, naming the job; after the job ends the load works', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'rnn-lab-train-hostile-'));
    const file = path.join(folder, 'weights.safetensors');
    saveModel(makeModel(2), file);
    const model = makeModel();
    const job = fit(model, data, { ...long, worker: false });
    try {
      expect(() => loadModel(model, file)).toThrow(`Cannot load weights.safetensors into this model: it is training in ${job.id}`);
    } finally {
      job.stop();
      await job.done;
    }
    expect(loadModel(model, file).loaded.length).toBeGreaterThan(0);
  });
});

describe('checkpoints', () => {
  it('refuses a checkpoint path that is a folder, or inside a file, before the first step', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'rnn-lab-train-hostile-'));
    mkdirSync(path.join(folder, 'ck'));
    writeFileSync(path.join(folder, 'plain'), 'x');
    expect(() => fit(makeModel(), data, { ...long, checkpoint: { path: path.join(folder, 'ck') } })).toThrow(/checkpoint\.path '.*ck' is a folder; give a file in it/);
    expect(() => fit(makeModel(), data, { ...long, checkpoint: { path: path.join(folder, 'plain', 'ck.safetensors') } })).toThrow(/'.*plain' is a file, not a folder/);
  });

  it("says how to read fit()'s own checkpoint when it is loaded as a model file", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'rnn-lab-train-hostile-'));
    const file = path.join(folder, 'ck.safetensors');
    await fit(makeModel(), data, { epochs: 1, batchSize: 8, worker: false, display: false, checkpoint: { path: file } }).done;
    expect(() => loadModel(makeModel(), file)).toThrow(/this is a checkpoint fit\(\) wrote .*loadCheckpoint\(path\)/);
    expect(loadModel(makeModel(), file, { strict: false }).loaded.length).toBeGreaterThan(0);
  });
});

describe('files that are not what they should be', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'rnn-lab-train-hostile-'));

  it('names the file and what is in the way when loading', () => {
    expect(() => loadModel(makeModel(), path.join(folder, 'missing.safetensors'))).toThrow(/Cannot load .*missing\.safetensors: there is no such file/);
    expect(() => loadModel(makeModel(), folder)).toThrow(/Cannot load .*: it is a folder, not a \.safetensors file/);
    expect(() => loadCheckpoint(path.join(folder, 'missing.safetensors'))).toThrow(/Cannot load the checkpoint .*missing\.safetensors/);
  });

  it('refuses to save to an empty path', () => {
    expect(() => saveModel(makeModel(), '')).toThrow('saveModel: expected a file path, got ""');
  });

  it("names a checkpoint whose optimizer metadata is not an optimizer's state", () => {
    const file = path.join(folder, 'odd.safetensors');
    saveModel(makeModel(), file, { metadata: { optimizer: '{bad', loss: '' } });
    expect(() => loadCheckpoint(file)).toThrow(/Cannot load the checkpoint .*odd\.safetensors: its metadata 'optimizer' is not JSON/);
    saveModel(makeModel(), file, { metadata: { optimizer: '{"x":1}' } });
    expect(() => loadCheckpoint(file)).toThrow(/its metadata 'optimizer' is not an optimizer's state/);
    saveModel(makeModel(), file, { metadata: { loss: '' } });
    expect(() => loadCheckpoint(file)).toThrow(`its metadata 'loss' is "", not a number`);
  });
});
