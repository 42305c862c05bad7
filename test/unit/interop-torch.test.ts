// The JavaScript half of the PyTorch round trip, on committed files (CI has no Python):
//   RNN Lab → PyTorch: engine_*.safetensors were checked in torch.nn by
//     scripts/interop/torch_roundtrip.py (verdicts and file hashes in pytorch_check.json); here the
//     engine must still load them byte-exactly and compute the outputs torch agreed with.
//   PyTorch → RNN Lab: torch_*.safetensors are models trained in torch; loadModel must load them
//     and the engine (and the model exported to ONNX, in onnxruntime) reproduce torch's outputs.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manualSeed, stack, Tensor } from '../../kernel/engine/index';
import { exportOnnx, loadModel, modelToSafetensors } from '../../kernel/interop/index';
import { sourceMask } from '../../kernel/seq2seq/attention';
import type { Seq2Seq } from '../../kernel/seq2seq/model';
import { buildModel, runModel, toTensor, type InteropFixture, type JsonTensor } from '../../scripts/interop/models';
import { DiffLog, maxAbsDiff, runOnnx, toleranceRatio } from './interop-helpers';

const DIR = join(__dirname, '..', 'fixtures', 'interop');
const fixtures = (prefix: string): InteropFixture[] =>
  readdirSync(DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as InteropFixture);
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(join(DIR, file))).digest('hex');

const log = new DiffLog();
afterAll(() => console.log(`max |rnn-lab − torch| per case:\n${log.summary()}`));

function expectClose(label: string, got: Tensor | undefined, want: JsonTensor | null): void {
  expect(got, label).toBeDefined();
  const w = toTensor(want!);
  log.record(label, maxAbsDiff(got!, w));
  expect(toleranceRatio(got!, w), `${label}: max abs diff ${maxAbsDiff(got!, w)}`).toBeLessThanOrEqual(1);
}

interface TorchCheck {
  torch: string;
  cases: Record<string, { ok: boolean; safetensors_sha256: string; json_sha256: string; max_abs_diff: Record<string, number> }>;
}

describe('RNN Lab → PyTorch (engine-written files checked by torch_roundtrip.py)', () => {
  const check = JSON.parse(readFileSync(join(DIR, 'pytorch_check.json'), 'utf8')) as TorchCheck;
  const engine = fixtures('engine_');

  it('covers every model kind, and torch agreed on the committed bytes', () => {
    expect(new Set(engine.map((f) => f.config.model))).toEqual(new Set(['recurrent', 'lstm_model', 'tagger', 'seq2seq']));
    expect(check.torch).toMatch(/^\d+\.\d+/);
    for (const f of engine) {
      const verdict = check.cases[f.name];
      expect(verdict, `${f.name} is not in pytorch_check.json: rerun scripts/interop/torch_roundtrip.py`).toBeDefined();
      expect(verdict!.ok).toBe(true);
      expect(verdict!.safetensors_sha256, `engine_${f.name}.safetensors changed since torch checked it`).toBe(sha256(`engine_${f.name}.safetensors`));
      expect(verdict!.json_sha256, `engine_${f.name}.json changed since torch checked it`).toBe(sha256(`engine_${f.name}.json`));
      for (const d of Object.values(verdict!.max_abs_diff)) expect(d).toBeLessThan(1e-5);
    }
  });

  for (const f of engine) {
    it(`${f.name}: loads byte-exactly and still computes what torch agreed with`, () => {
      manualSeed(12345); // other initial weights than the writer's: all must come from the file
      const model = buildModel(f.config);
      const file = join(DIR, `engine_${f.name}.safetensors`);
      loadModel(model, file);
      expect(modelToSafetensors(model)).toEqual(new Uint8Array(readFileSync(file)));
      const outputs = runModel(model, f.config, f.inputs);
      for (const [name, want] of Object.entries(f.outputs)) expectClose(`engine ${f.name} ${name}`, outputs[name], want);
    });
  }
});

describe('PyTorch → RNN Lab (torch-trained files)', () => {
  const trained = fixtures('torch_');

  it('has the three torch-trained models, each trained (loss went down)', () => {
    expect(trained.map((f) => f.name)).toEqual(['gru_tagger', 'lstm_model', 'seq2seq_attention_lstm']);
    for (const f of trained) expect((f.notes!.loss_last as number) < (f.notes!.loss_first as number)).toBe(true);
  });

  for (const f of trained) {
    it(`${f.name}: loadModel and the engine reproduce torch's outputs`, () => {
      const model = buildModel(f.config);
      const result = loadModel(model, join(DIR, `torch_${f.name}.safetensors`));
      expect(result.metadata.format).toBe('pt');
      const outputs = runModel(model, f.config, f.inputs);
      for (const [name, want] of Object.entries(f.outputs)) expectClose(`torch ${f.name} ${name}`, outputs[name], want);
    });
  }

  it('a torch-trained LSTMModel exported to ONNX gives torch’s logits in onnxruntime', async () => {
    const f = trained.find((t) => t.name === 'lstm_model')!;
    const model = buildModel(f.config);
    loadModel(model, join(DIR, 'torch_lstm_model.safetensors'));
    const got = await runOnnx(exportOnnx(model), { input: { int64: toTensor(f.inputs.tokens as JsonTensor) } });
    expectClose('torch lstm_model → ONNX logits', got.logits, f.outputs.logits!);
    expectClose('torch lstm_model → ONNX h_n', got.h_n, f.outputs.h_n!);
  });

  it('a torch-trained tagger exported to ONNX with sequence_lens gives torch’s packed-sequence logits', async () => {
    const f = trained.find((t) => t.name === 'gru_tagger')!;
    const model = buildModel(f.config);
    loadModel(model, join(DIR, 'torch_gru_tagger.safetensors'));
    const bytes = exportOnnx(model, { lengths: true });
    const got = await runOnnx(bytes, { input: { int64: toTensor(f.inputs.tokens as JsonTensor) }, lengths: { int32: f.inputs.lengths as number[] } });
    expectClose('torch gru_tagger → ONNX logits', got.logits, f.outputs.logits!);
  });

  it('a torch-trained attention seq2seq, exported as encoder and decoder step, gives torch’s teacher-forced logits in onnxruntime', async () => {
    const f = trained.find((t) => t.name === 'seq2seq_attention_lstm')!;
    const model = buildModel(f.config) as Seq2Seq;
    loadModel(model, join(DIR, 'torch_seq2seq_attention_lstm.safetensors'));
    const src = toTensor(f.inputs.src as JsonTensor);
    const target = toTensor(f.inputs.target as JsonTensor); // (N,Ty)
    const lengths = f.inputs.lengths as number[];
    const [N, Ty] = target.shape as [number, number];
    const encoded = await runOnnx(exportOnnx(model.encoder, { lengths: true }), { input: { int64: src }, lengths: { int32: lengths } });
    expectClose('torch seq2seq → ONNX encoder outputs', encoded.output, f.outputs.encoder_outputs!);
    expectClose('torch seq2seq → ONNX encoder h_n', encoded.h_n, f.outputs.encoder_h_n!);
    const decoder = exportOnnx(model.decoder);
    const mask = sourceMask(lengths, src.shape[1]!);
    let state = { h: encoded.h_n!, c: encoded.c_n! };
    let input = new Tensor(new Float32Array(N).fill(model.sos), [N]);
    const logits: Tensor[] = [];
    for (let t = 0; t < Ty; t++) {
      const step = await runOnnx(decoder, { input: { int64: input }, h0: state.h, c0: state.c, memory: encoded.output!, mask });
      logits.push(step.logits!);
      state = { h: step.h_n!, c: step.c_n! };
      input = new Tensor(Float32Array.from({ length: N }, (_, n) => target.data[n * Ty + t]!), [N]); // teacher forcing
    }
    expectClose('torch seq2seq → ONNX decoder logits (teacher forced)', stack(logits, 1), f.outputs.logits!);
  });
});
