// Inspector requests and LSP completion/hover from live values, against the built kernel process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import {
  ExportSafetensorsRequest,
  InspectModelRequest,
  ListModelsRequest,
  ParameterValuesRequest,
  type ModelListItem,
  type ModuleSummary,
  type ParameterValues,
} from '../../kernel/protocol';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
let kernel: KernelProcess;

interface CompletionItem {
  label: string;
  detail?: string;
}
interface Hover {
  contents: { kind: string; value: string };
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

beforeAll(async () => {
  kernel = new KernelProcess({ kernelPath });
  await kernel.initialize();
  const r = await kernel.execute(
    [
      "import { LSTM, Linear, Module, Tensor, tensor, mseLoss } from 'rnn-lab';",
      'class Tagger extends Module {',
      '  lstm = new LSTM(3, 4);',
      '  head = new Linear(4, 2);',
      '  forward(x: Tensor): Tensor { return this.head.forward(this.lstm.forward(x).output); }',
      '}',
      'const tagger = new Tagger();',
      'const plain = new Linear(2, 2);',
      'const t = tensor([[1, 2, 3], [4, 5, 6]]);',
      'const notAModel = 5;',
      'const x = tensor([[[0.1, 0.2, 0.3]], [[0.3, 0.2, 0.1]]]); // (T=2, N=1, 3)',
      'mseLoss(tagger.forward(x), tensor([[[1, 0]], [[0, 1]]])).backward();',
    ].join('\n'),
  );
  expect(r.status).toBe('ok');
});
afterAll(() => kernel.dispose());

describe('inspector requests', () => {
  it('lists the models in scope with class and parameter count', async () => {
    const models = await kernel.request<ModelListItem[]>(ListModelsRequest, null);
    expect(models).toEqual([
      { name: 'tagger', className: 'Tagger', parameterCount: 4 * 4 * (3 + 4 + 2) + 4 * 2 + 2 },
      { name: 'plain', className: 'Linear', parameterCount: 6 },
    ]);
  });

  it("gives a model's layers and parameter statistics, with gradient norms after backward()", async () => {
    const summary = await kernel.request<ModuleSummary>(InspectModelRequest, { name: 'tagger' });
    expect(summary.layers.map((l) => [l.path, l.className])).toEqual([
      ['', 'Tagger'],
      ['lstm', 'LSTM'],
      ['head', 'Linear'],
    ]);
    const weight = summary.parameters.find((p) => p.name === 'lstm.weight_ih_l0')!;
    expect(weight.shape).toEqual([16, 3]);
    expect(weight.count).toBe(48);
    expect(weight.min).toBeLessThanOrEqual(weight.mean);
    expect(weight.max).toBeGreaterThanOrEqual(weight.mean);
    expect(weight.std).toBeGreaterThan(0);
    expect(weight.gradNorm).toBeGreaterThan(0);
  });

  it("returns a parameter's values row-major, and errors for unknown names", async () => {
    const values = await kernel.request<ParameterValues>(ParameterValuesRequest, { model: 'plain', parameter: 'weight' });
    expect(values.shape).toEqual([2, 2]);
    expect(values.values).toHaveLength(4);
    const check = await kernel.execute('Array.from(plain.weight.data)');
    expect(check.outputs[0]).toMatchObject({ type: 'result' });
    await expect(kernel.request(InspectModelRequest, { name: 'notAModel' })).rejects.toThrow(/not a model/);
    await expect(kernel.request(ParameterValuesRequest, { model: 'plain', parameter: 'nope' })).rejects.toThrow(/no parameter 'nope'/);
  });

  it("names the gate blocks of a recurrent layer's weights and biases (LSTM i, f, g, o), nothing for other parameters", async () => {
    const gates = async (model: string, parameter: string) => (await kernel.request<ParameterValues>(ParameterValuesRequest, { model, parameter })).gates;
    expect(await gates('tagger', 'lstm.weight_ih_l0')).toEqual(['i', 'f', 'g', 'o']);
    expect(await gates('tagger', 'lstm.bias_hh_l0')).toEqual(['i', 'f', 'g', 'o']);
    expect(await gates('tagger', 'head.weight')).toBeUndefined();
    expect(await gates('plain', 'weight')).toBeUndefined();
  });

  it('exports a model as safetensors', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rnn-lab-st-')), 'tagger.safetensors');
    await kernel.request(ExportSafetensorsRequest, { model: 'tagger', path: file });
    const bytes = readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { shape: number[] }>;
    expect(header['lstm.weight_ih_l0']?.shape).toEqual([16, 3]);
  });
});

describe('completion and hover from live values', () => {
  const uri = 'vscode-notebook-cell:/demo.ipynb#cell2';
  const text = 'tagger.\nt.sh\nconst y = t;\nplotL';

  beforeAll(async () => {
    // Cells arrive the way vscode-languageclient sends them: notebook document sync.
    await kernel.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: 'file:///demo.ipynb', notebookType: 'jupyter-notebook', version: 1, cells: [{ kind: 2, document: uri }] },
      cellTextDocuments: [{ uri, languageId: 'typescript', version: 1, text: 'tag' }],
    });
    await kernel.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: 'file:///demo.ipynb', version: 2 },
      change: { cells: { textContent: [{ document: { uri, version: 2 }, changes: [{ range: { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } }, text: text.slice(3) }] }] } },
    });
  });

  const complete = (line: number, character: number) =>
    kernel.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } });

  it("offers a model's members after 'model.'", async () => {
    const items = await complete(0, 7);
    const labels = items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['lstm', 'head', 'forward', 'parameters', 'namedParameters', 'training']));
    expect(items.find((i) => i.label === 'lstm')?.detail).toBe('LSTM · 144 parameters');
  });

  it("offers a tensor's members with its shape", async () => {
    const items = await complete(1, 4);
    expect(items.find((i) => i.label === 'shape')?.detail).toBe('Array(2)');
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['data', 'grad', 'backward', 'matmul', 'size']));
  });

  it('offers variables and helpers at the start of an expression', async () => {
    const items = await complete(3, 5);
    const byLabel = new Map(items.map((i) => [i.label, i.detail]));
    expect(byLabel.get('t')).toBe('Tensor (2, 3)');
    expect(byLabel.get('tagger')).toBe('Tagger · 154 parameters');
    expect(byLabel.get('Tensor')).toBe('class Tensor'); // the bundle keeps class names (not esbuild's _Tensor)
    expect(byLabel.has('plotLoss')).toBe(true);
  });

  it("shows a tensor's shape and values on hover", async () => {
    const hover = await kernel.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 10 } });
    expect(hover?.contents.value).toContain('t: Tensor (2, 3)');
    expect(hover?.contents.value).toContain('tensor([[1.0000, 2.0000, 3.0000]');
    expect(hover?.range).toEqual({ start: { line: 2, character: 10 }, end: { line: 2, character: 11 } });
  });

  it('shows a nested member on hover, and nothing for unknown names', async () => {
    const hover = await kernel.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
    expect(hover?.contents.value).toContain('tagger: Tagger · 154 parameters');
    const none = await kernel.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 2 } });
    expect(none).toBeNull();
  });
});
