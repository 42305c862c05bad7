import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSafetensors, saveSafetensors, tensor } from '../../kernel/engine/index';

describe('loadSafetensors from a Node Buffer', () => {
  it('reads a file read with fs.readFileSync (a Buffer whose slice() is a view)', () => {
    const record = loadSafetensors(readFileSync('test/fixtures/pytorch/lstm_model.safetensors'));
    expect(record['embedding.weight']!.shape).toEqual([20, 8]);
    expect(record['fc.bias']!.shape).toEqual([3]);
  });

  it('round-trips through a Buffer that sits inside a larger pool', () => {
    const bytes = saveSafetensors({ w: tensor([[1, 2, 3], [4, 5, 6]]) });
    const pooled = Buffer.concat([Buffer.from([7, 7, 7]), Buffer.from(bytes)]).subarray(3);
    expect(Array.from(loadSafetensors(pooled)['w']!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
