/// <reference types="mocha" />
// "Export Model to ONNX" and "Export Model to safetensors" (the models view's context menu): the
// kernel writes the file; a model the exporter cannot handle is found out before the save dialog,
// and a modal names the model, why, and what a cell can do instead. Called with a target path, the
// commands skip the save dialog (as tests do).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, type ExportResult } from './contract';
import { closeAllEditors, extensionWithKernel, openScratchNotebook, outputItems, requireCommand, runCells, selectRnnLabKernel, testApi, waitFor, REGRESSOR_LINES } from './helpers';

/** ModelProto's first field is ir_version (field 1, varint): the byte 0x08. */
const ONNX_FIRST_BYTE = 0x08;

suite('export: models to ONNX and safetensors', () => {
  let dir = '';

  suiteSetup(async function () {
    this.timeout(120_000);
    await extensionWithKernel();
    await requireCommand(COMMANDS.exportOnnx);
    dir = mkdtempSync(path.join(tmpdir(), 'rnn-lab-export-'));
    const editor = await openScratchNotebook('export', [
      [
        "import { LSTM, Linear, Module, Tensor } from 'rnn-lab';",
        'class Tagger extends Module {',
        '  lstm = new LSTM(3, 4);',
        '  head = new Linear(4, 2);',
        '  forward(x: Tensor): Tensor { return this.head.forward(this.lstm.forward(x).output); }',
        '}',
        'const tagger = new Tagger();',
        'const plain = new Linear(2, 2);',
      ].join('\n'),
    ]);
    await selectRnnLabKernel(editor);
    await runCells(editor);
    const [cell] = editor.notebook.getCells();
    assert.equal(cell.executionSummary?.success, true, JSON.stringify(outputItems(cell)));
  });
  suiteTeardown(async () => {
    await closeAllEditors();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the models view lists the model with its layers', async function () {
    const api = await testApi('modelsTreeItems');
    const models = await waitFor('the models view to list tagger', async () => {
      const items = await api.modelsTreeItems();
      return items.some((m) => m.label === 'tagger') && items;
    }, 10_000);
    const tagger = models.find((m) => m.label === 'tagger')!;
    assert.match(tagger.description ?? '', /Tagger/);
    assert.deepEqual(tagger.children.map((c) => c.label), ['lstm', 'head']);
  });

  test(`${COMMANDS.exportOnnx} writes an ONNX file (model item from the context menu)`, async () => {
    const file = path.join(dir, 'tagger.onnx');
    // What the context menu passes: the tree element of the model.
    const node = { kind: 'model', model: 'tagger', className: 'Tagger', parameterCount: 154 };
    const result = await vscode.commands.executeCommand<ExportResult | undefined>(COMMANDS.exportOnnx, node, file);
    assert.ok(result, 'the command reported no export');
    assert.equal(result.path, file);
    const bytes = readFileSync(file);
    assert.equal(result.bytes, bytes.length);
    assert.equal(bytes[0], ONNX_FIRST_BYTE, `first byte 0x${bytes[0]?.toString(16)}`);
    const text = bytes.toString('latin1');
    assert.ok(text.includes('rnn-lab'), 'no producer_name rnn-lab in the file');
    assert.ok(text.includes('LSTM'), 'no LSTM node in the file');
  });

  test(`${COMMANDS.exportSafetensors} writes a safetensors file (model name)`, async () => {
    const file = path.join(dir, 'tagger.safetensors');
    const result = await vscode.commands.executeCommand<ExportResult | undefined>(COMMANDS.exportSafetensors, 'tagger', file);
    assert.ok(result, 'the command reported no export');
    const bytes = readFileSync(file);
    // u64 little-endian header length, then the JSON header.
    const headerLength = Number(bytes.readBigUInt64LE(0));
    assert.ok(headerLength > 2 && 8 + headerLength <= bytes.length, `header length ${headerLength} of ${bytes.length} bytes`);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { shape?: number[] }>;
    assert.deepEqual(header['lstm.weight_ih_l0']?.shape, [16, 3]);
    assert.deepEqual(header['head.weight']?.shape, [2, 4]);
  });

  test('a model the ONNX exporter does not know: checked before any save dialog, a modal says why and what a cell can do, no file', async function () {
    const api = await testApi('recentMessages', 'showModalMessages');
    api.showModalMessages(false);
    try {
      // No target: a save dialog would ask for one (and never return here) if the check came after it.
      const result = await withinSeconds(20, 'the command to return without a save dialog', vscode.commands.executeCommand<ExportResult | undefined>(COMMANDS.exportOnnx, 'plain'));
      assert.equal(result, undefined);
    } finally {
      api.showModalMessages(true);
    }
    const error = api.recentMessages().filter((m) => m.severity === 'error').pop();
    assert.ok(error, 'no error message was shown');
    assert.equal(error.text, 'plain (Linear) cannot be exported to ONNX');
    assert.match(error.detail ?? '', /^Cannot recognise Linear \(children: none\)\. The exporter supports /);
    assert.match(error.detail ?? '', /\n\nIn a cell: Pass \{ spec: \{ kind, embedding, recurrent, head, headOn \} \} to exportOnnx\(plain, …\)/);
    const file = path.join(dir, 'plain.onnx');
    assert.equal(await vscode.commands.executeCommand<ExportResult | undefined>(COMMANDS.exportOnnx, 'plain', file), undefined);
    assert.equal(existsSync(file), false, 'a file was written');
  });
});

/** Rejects naming `what` when `promise` takes longer than `seconds`. */
function withinSeconds<T>(seconds: number, what: string, promise: Thenable<T>): Promise<T> {
  return Promise.race([
    Promise.resolve(promise),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${seconds}s waiting for ${what}`)), seconds * 1000)),
  ]);
}

/** "Export Training to PyTorch…" (package.json, extension/exportModel.ts). */
const EXPORT_TORCH = 'rnnLab.exportTorch';

suite('export: training to PyTorch', () => {
  let dir = '';

  suiteSetup(async function () {
    this.timeout(120_000);
    await extensionWithKernel();
    await requireCommand(EXPORT_TORCH);
    dir = mkdtempSync(path.join(tmpdir(), 'rnn-lab-export-torch-'));
    const editor = await openScratchNotebook('export-torch', [
      [
        ...REGRESSOR_LINES,
        'const regressor = new Regressor();',
        'const untrained = new Regressor();',
        "await fit(regressor, { x, y }, { epochs: 2, batchSize: 4, optimizer: 'sgd', lr: 0.05, clipGradNorm: 1, display: false }).done;",
      ].join('\n'),
    ]);
    await selectRnnLabKernel(editor);
    await runCells(editor);
    const [cell] = editor.notebook.getCells();
    assert.equal(cell.executionSummary?.success, true, JSON.stringify(outputItems(cell)));
  });
  suiteTeardown(async () => {
    await closeAllEditors();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`${EXPORT_TORCH} writes the folder with the options of the model's last fit() job`, async () => {
    const folder = path.join(dir, 'regressor-torch');
    const node = { kind: 'model', model: 'regressor', className: 'Regressor', parameterCount: 89 };
    const result = await vscode.commands.executeCommand<ExportResult | undefined>(EXPORT_TORCH, node, folder);
    assert.ok(result, 'the command reported no export');
    assert.equal(result.path, folder);
    for (const file of ['model.py', 'train.py', 'safetensors_io.py', 'README.md', 'weights.safetensors', 'data.safetensors']) {
      assert.ok(existsSync(path.join(folder, file)), `${file} was not written`);
    }
    assert.match(readFileSync(path.join(folder, 'model.py'), 'utf8'), /class Regressor\(nn\.Module\):\n[\s\S]*self\.gru = nn\.GRU\(1, 4, batch_first=True\)/);
    const train = readFileSync(path.join(folder, 'train.py'), 'utf8');
    assert.match(train, /DistributedDataParallel\(model\)/);
    assert.match(train, /torch\.optim\.SGD\(model\.parameters\(\), lr=0\.05\)/);
    assert.match(train, /CLIP_GRAD_NORM = 1\.0/);
    assert.match(train, /EPOCHS = 2\nBATCH_SIZE = 4/);
  });

  test('a model without a fit() job: checked before any folder dialog, a modal says what the export needs, no folder', async () => {
    const api = await testApi('recentMessages', 'showModalMessages');
    api.showModalMessages(false);
    try {
      const result = await withinSeconds(20, 'the command to return without a folder dialog', vscode.commands.executeCommand<ExportResult | undefined>(EXPORT_TORCH, 'untrained'));
      assert.equal(result, undefined);
    } finally {
      api.showModalMessages(true);
    }
    const error = api.recentMessages().filter((m) => m.severity === 'error').pop();
    assert.ok(error, 'no error message was shown');
    assert.equal(error.text, 'untrained (Regressor) cannot be exported to PyTorch');
    assert.match(error.detail ?? '', /^It has not been trained with fit\(\) in this kernel[\s\S]*Run fit\(untrained, data, options\) first/);
    const folder = path.join(dir, 'untrained-torch');
    assert.equal(await vscode.commands.executeCommand<ExportResult | undefined>(EXPORT_TORCH, 'untrained', folder), undefined);
    assert.equal(existsSync(folder), false, 'a folder was written');
  });
});
