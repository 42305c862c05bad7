// Weights in shared memory: the kernel's parameters become views, and publishing is all-or-nothing
// for readers that hold the read lock.

import { describe, expect, it } from 'vitest';
import { Linear, manualSeed } from '../../kernel/engine/index';
import { SharedWeights, withConsistentWeights } from '../../kernel/train/worker/sharedWeights';

describe('shared weights', () => {
  it('moves parameters onto one SharedArrayBuffer, keeping their values, once', () => {
    manualSeed(1);
    const model = new Linear(3, 2);
    const before = model.parameters().map((p) => Array.from(p.data));
    const shared = SharedWeights.forModel(model);
    expect(model.weight.data.buffer).toBe(shared.buffer);
    expect(model.bias!.data.buffer).toBe(shared.buffer);
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expect(shared.slots.map((s) => [s.name, s.offset, s.size])).toEqual([
      ['weight', 0, 6],
      ['bias', 6, 2],
    ]);
    expect(SharedWeights.forModel(model)).toBe(shared);
    expect(SharedWeights.of(model)).toBe(shared);
    expect(shared.publishedStep).toBe(-1);
  });

  it('publishes whole steps: never while a reader holds the lock', () => {
    const model = new Linear(3, 2);
    const shared = SharedWeights.forModel(model);
    const next = [new Float32Array(6).fill(1), new Float32Array(2).fill(2)];
    const seen = withConsistentWeights(model, () => {
      expect(shared.tryPublish(next, 7)).toBe(false); // the worker would publish a later step
      return Array.from(model.weight.data);
    });
    expect(seen).not.toEqual(Array.from(next[0]!));
    expect(shared.tryPublish(next, 7)).toBe(true);
    expect(Array.from(model.weight.data)).toEqual(Array.from(next[0]!));
    expect(Array.from(model.bias!.data)).toEqual([2, 2]);
    expect(shared.publishedStep).toBe(7);
  });

  it('a new parameter layout gets a new buffer', () => {
    const model = new Linear(3, 2);
    const first = SharedWeights.forModel(model);
    model.bias = null;
    const second = SharedWeights.forModel(model);
    expect(second).not.toBe(first);
    expect(second.slots).toHaveLength(1);
  });
});
