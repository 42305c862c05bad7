// The kernel side of the inspector's "Export Model to ONNX / safetensors": the requests write the
// file where asked and answer { path, bytes }; a model the ONNX exporter does not know fails with
// a message naming the model and why. Against the built kernel process (dist/kernel.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import { CheckExportRequest, ExportOnnxRequest, ExportSafetensorsRequest, type ExportCheck, type ExportResult } from '../../kernel/protocol';
import { decodeOnnxModel } from '../../kernel/interop/index';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
let kernel: KernelProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rnn-lab-export-'));
  kernel = new KernelProcess({ kernelPath });
  await kernel.initialize();
  const r = await kernel.execute(
    [
      "import { LSTM, GRU, Linear, Module, Tensor } from 'rnn-lab';",
      'class Tagger extends Module {',
      '  lstm = new LSTM(3, 4);',
      '  head = new Linear(4, 2);',
      '  forward(x: Tensor): Tensor { return this.head.forward(this.lstm.forward(x).output); }',
      '}',
      'const tagger = new Tagger();',
      'const gru = new GRU(2, 3);',
      'const plain = new Linear(2, 2);',
      'class Pair extends Module {',
      '  encoder = new Tagger();',
      '  decoder = new Tagger();',
      '}',
      'const pair = new Pair();',
    ].join('\n'),
  );
  expect(r.status).toBe('ok');
});
afterAll(() => {
  kernel.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('export requests', () => {
  it('writes an ONNX file of a recognised model and says where and how big', async () => {
    const file = path.join(dir, 'tagger.onnx');
    const result = await kernel.request<ExportResult>(ExportOnnxRequest, { model: 'tagger', path: file });
    expect(result).toEqual({ path: file, bytes: readFileSync(file).length });
    const onnx = decodeOnnxModel(readFileSync(file));
    expect(onnx.producer_name).toBe('rnn-lab');
    expect(onnx.graph.node.map((n) => n.op_type)).toContain('LSTM');
  });

  it('takes an opset version and relative paths (from the notebook folder)', async () => {
    // The notebook folder is the one of the last cell that ran.
    expect((await kernel.execute('gru.hiddenSize', { cwd: dir })).status).toBe('ok');
    const result = await kernel.request<ExportResult>(ExportOnnxRequest, { model: 'gru', path: 'gru.onnx', opsetVersion: 14 });
    expect(result.path).toBe(path.join(dir, 'gru.onnx'));
    expect(decodeOnnxModel(readFileSync(result.path)).opset_import[0]?.version).toBe(14);
  });

  it('names the model and the reason when the exporter does not know its shape', async () => {
    const file = path.join(dir, 'plain.onnx');
    await expect(kernel.request(ExportOnnxRequest, { model: 'plain', path: file })).rejects.toThrow(
      /^plain \(Linear\) cannot be exported to ONNX: cannot recognise Linear/,
    );
    expect(existsSync(file)).toBe(false);
    await expect(kernel.request(ExportOnnxRequest, { model: 'nothing', path: file })).rejects.toThrow(/'nothing' is not a model/);
  });

  it('says before any file is picked whether a model can be exported, why not, and what a cell can do', async () => {
    const check = (model: string, format: string) => kernel.request<ExportCheck>(CheckExportRequest, { model, format });
    expect(await check('tagger', 'onnx')).toEqual({ exportable: true });
    expect(await check('plain', 'safetensors')).toEqual({ exportable: true });
    const plain = await check('plain', 'onnx');
    expect(plain).toMatchObject({ exportable: false, title: 'plain (Linear) cannot be exported to ONNX' });
    expect(plain.exportable === false && plain.reason).toMatch(/^cannot recognise Linear \(children: none\)\. The exporter supports [^]*\.$/);
    expect(plain.exportable === false && plain.inCell).toBe(
      'In a cell: Pass { spec: { kind, embedding, recurrent, head, headOn } } to exportOnnx(plain, …) to say what its forward computes, if it is one of these compositions.',
    );
    const pair = await check('pair', 'onnx');
    expect(pair.exportable === false && pair.inCell).toBe('In a cell: Export its parts separately, e.g. exportOnnx(pair.encoder) and exportOnnx(pair.decoder).');
    expect(await check('tagger', 'torch')).toMatchObject({ exportable: false, title: 'tagger (Tagger) cannot be exported to PyTorch', inCell: 'Run fit(tagger, data, options) first, or call exportTorch(tagger, data, options, folder) in a cell.' });
    await expect(check('nothing', 'onnx')).rejects.toThrow(/'nothing' is not a model/);
  });

  it('writes safetensors with the model class in its metadata', async () => {
    const file = path.join(dir, 'tagger.safetensors');
    const result = await kernel.request<ExportResult>(ExportSafetensorsRequest, { model: 'tagger', path: file });
    const bytes = readFileSync(file);
    expect(result.bytes).toBe(bytes.length);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, unknown>;
    expect(header.__metadata__).toMatchObject({ format: 'pt', 'rnn-lab.model': 'Tagger' });
    expect(Object.keys(header)).toContain('lstm.weight_ih_l0');
  });
});
