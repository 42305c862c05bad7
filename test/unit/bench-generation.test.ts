// The bench's text-generation timing (bench/callingThread.ts makeGenerationStep): it drives an lm
// workload's model one token per call through the parts languageModelParts finds, and refuses a
// workload that is not a language model.

import { describe, expect, it } from 'vitest';
import { makeGenerationStep } from '../../bench/callingThread';
import { buildModel, languageModelParts } from '../../bench/models';
import type { Workload } from '../../bench/workloads';

const tinyLm: Workload = { cell: 'gru', vocab: 7, embed: 4, hidden: 5, layers: 2, seq: 6, batch: 1, task: 'lm', train: false };

describe('text generation in the bench', () => {
  it("finds the language model's embedding, recurrent layer and head", () => {
    const parts = languageModelParts(buildModel(tinyLm));
    expect(parts.embedding.weight.shape).toEqual([7, 4]);
    expect(parts.rnn.hiddenSize).toBe(5);
    expect(parts.fc.weight.shape).toEqual([7, 5]);
  });

  it('generates a sequence token by token, and refuses a regression workload', () => {
    expect(() => makeGenerationStep(tinyLm)()).not.toThrow();
    expect(() => makeGenerationStep({ ...tinyLm, task: 'reg-last', input: 2 })).toThrow(/language-model workload/);
  });
});
