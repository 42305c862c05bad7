// Writes the engine half of the PyTorch round trip: for each model kind, RNN Lab builds a model
// (seeded), saves it with saveModel (safetensors, PyTorch names) and stores inputs and the
// engine's eval-mode outputs beside it. scripts/interop/torch_roundtrip.py then loads each file
// into the equivalent torch.nn model and compares.
//
//   node scripts/interop/run_ts.mjs scripts/interop/write_engine_fixtures.ts
//
// Output: test/fixtures/interop/engine_<name>.{safetensors,json}. Regenerating is deterministic.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, manualSeed, Tensor } from '../../kernel/engine/index';
import { saveModel } from '../../kernel/interop/index';
import { buildModel, runModel, toJson, type InteropFixture, type ModelConfig } from './models';

// Run from the repository root (the bundle's __dirname is a temporary folder).
const OUT = join(process.cwd(), 'test', 'fixtures', 'interop');
if (!existsSync(OUT)) throw new Error(`run from the repository root: ${OUT} does not exist`);

const normal = (gen: Generator, shape: number[]): Tensor => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gen.normal()), shape);
const tokens = (gen: Generator, vocab: number, shape: number[], low = 0): Tensor =>
  new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gen.randint(low, vocab)), shape);

interface Case {
  name: string;
  config: ModelConfig;
  inputs: (gen: Generator) => InteropFixture['inputs'];
}

const cases: Case[] = [
  {
    name: 'rnn_tanh_bi',
    config: { model: 'recurrent', cell: 'rnn_tanh', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: false },
    inputs: (g) => ({ input: toJson(normal(g, [6, 4, 3])), lengths: [6, 2, 5, 1], h0: toJson(normal(g, [4, 4, 5])) }),
  },
  {
    name: 'rnn_relu',
    config: { model: 'recurrent', cell: 'rnn_relu', inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false, batchFirst: true },
    inputs: (g) => ({ input: toJson(normal(g, [4, 6, 3])), lengths: null }),
  },
  {
    name: 'lstm_bi_batch_first',
    config: { model: 'recurrent', cell: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: true },
    inputs: (g) => ({ input: toJson(normal(g, [4, 6, 3])), lengths: [3, 6, 1, 4], h0: toJson(normal(g, [4, 4, 5])), c0: toJson(normal(g, [4, 4, 5])) }),
  },
  {
    name: 'gru_3layer',
    config: { model: 'recurrent', cell: 'gru', inputSize: 3, hiddenSize: 5, numLayers: 3, bidirectional: false, batchFirst: false },
    inputs: (g) => ({ input: toJson(normal(g, [6, 4, 3])), lengths: null, h0: toJson(normal(g, [3, 4, 5])) }),
  },
  {
    name: 'lstm_model',
    config: { model: 'lstm_model', vocab: 20, embed: 8, hidden: 16, layers: 2, classes: 3, dropout: 0.3 },
    inputs: (g) => ({ tokens: toJson(tokens(g, 20, [3, 7])) }),
  },
  {
    name: 'gru_tagger',
    config: { model: 'tagger', vocab: 15, embed: 6, hidden: 7, layers: 2, tags: 4 },
    inputs: (g) => ({ tokens: toJson(tokens(g, 15, [3, 5])), lengths: [5, 2, 4] }),
  },
  {
    name: 'seq2seq_gru',
    config: { model: 'seq2seq', cell: 'gru', vocab: 12, embed: 6, hidden: 8, layers: 2 },
    inputs: (g) => ({ src: toJson(tokens(g, 12, [3, 6], 3)), lengths: [6, 4, 2], target: toJson(tokens(g, 12, [3, 5], 3)) }),
  },
  {
    name: 'seq2seq_lstm',
    config: { model: 'seq2seq', cell: 'lstm', vocab: 12, embed: 6, hidden: 8, layers: 1 },
    inputs: (g) => ({ src: toJson(tokens(g, 12, [3, 6], 3)), lengths: [6, 4, 2], target: toJson(tokens(g, 12, [3, 5], 3)) }),
  },
  {
    name: 'seq2seq_attention_lstm',
    config: { model: 'seq2seq', cell: 'lstm', vocab: 12, embed: 6, hidden: 8, layers: 2, attention: true },
    inputs: (g) => ({ src: toJson(tokens(g, 12, [3, 6], 3)), lengths: [6, 3, 5], target: toJson(tokens(g, 12, [3, 5], 3)) }),
  },
];

for (const [k, c] of cases.entries()) {
  manualSeed(100 + k);
  const model = buildModel(c.config);
  const inputs = c.inputs(new Generator(200 + k));
  const outputs = runModel(model, c.config, inputs);
  const fixture: InteropFixture = {
    name: c.name,
    config: c.config,
    producer: 'rnn-lab',
    inputs,
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, toJson(t)])),
  };
  saveModel(model, join(OUT, `engine_${c.name}.safetensors`));
  writeFileSync(join(OUT, `engine_${c.name}.json`), `${JSON.stringify(fixture)}\n`);
  console.log(`engine_${c.name}: ${Object.keys(outputs).join(', ')}`);
}
