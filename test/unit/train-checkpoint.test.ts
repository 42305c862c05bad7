// Checkpoints: safetensors files written atomically during and after training, read back.

import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Adam, loadSafetensors } from '../../kernel/engine/index';
import { fit, loadCheckpoint, writeFileAtomic } from '../../kernel/train/index';
import { countingTask, makeModel, weightsOf } from './train-helpers';

const data = countingTask(48, 10);
const options = { epochs: 2, batchSize: 8, lr: 0.01, seed: 3 } as const;

describe('checkpoints', () => {
  it('are written every N steps and at the end, and round-trip into a fresh model and optimizer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-ck-'));
    const model = makeModel();
    const result = await fit(model, data, { ...options, checkpoint: { path: join(dir, 'model-{step}.safetensors'), everySteps: 5 } }).done;
    expect(result.checkpoints.map((p) => p.slice(dir.length + 1))).toEqual(['model-5.safetensors', 'model-10.safetensors', 'model-12.safetensors']);
    expect(readdirSync(dir).sort()).toEqual(['model-10.safetensors', 'model-12.safetensors', 'model-5.safetensors']); // no temp files left

    const ck = loadCheckpoint(join(dir, 'model-12.safetensors'));
    expect(ck.step).toBe(12);
    expect(ck.epoch).toBe(2);
    expect(ck.loss).toBe(result.losses[11]);
    const restored = makeModel(99);
    restored.loadStateDict(ck.stateDict);
    expect(weightsOf(restored)).toEqual(weightsOf(model));

    // The optimizer state loads into a fresh Adam over the same parameters.
    const adam = new Adam(restored.parameters(), { lr: 0.01 });
    adam.loadStateDict(ck.optimizer!);
    const state = adam.stateDict();
    expect(Object.keys(state.state)).toHaveLength(restored.parameters().length);
    expect(state.state['0']!.step).toBe(12);

    // A plain safetensors reader sees the PyTorch names.
    const tensors = loadSafetensors(new Uint8Array(readFileSync(join(dir, 'model-12.safetensors'))));
    expect(Object.keys(tensors)).toContain('lstm.weight_ih_l1');
  });

  it('are never seen half-written: a reader polling the file while the worker rewrites it every step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-ck-'));
    const path = join(dir, 'latest.safetensors');
    const job = fit(makeModel(), data, { ...options, epochs: 20, checkpoint: { path, everySteps: 1 } });
    let reads = 0;
    while (!job.finished) {
      if (existsSync(path)) {
        const ck = loadCheckpoint(path); // throws on a torn file
        expect(Object.keys(ck.stateDict)).toHaveLength(11);
        reads++;
      }
      await new Promise((r) => setImmediate(r));
    }
    await job.done;
    expect(loadCheckpoint(path).step).toBe(120);
    expect(reads).toBeGreaterThan(0);
  });

  it('writeFileAtomic replaces a file whole, and a failed write leaves the old one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-atomic-'));
    const path = join(dir, 'f.bin');
    writeFileSync(path, 'old');
    writeFileAtomic(path, new TextEncoder().encode('new'));
    expect(readFileSync(path, 'utf8')).toBe('new');
    // A directory in the way: the rename fails, the temp file is removed, nothing else changes.
    const blocked = join(dir, 'dir');
    mkdirSync(join(blocked, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(blocked, new Uint8Array([1]))).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['dir', 'f.bin']);
  });
});
