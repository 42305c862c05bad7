/// <reference types="mocha" />
// VS Code for the Web (issue 20): run by test/vscode/run-web.mjs --web, with the setting
// remote.extensionKind moving RNN Lab into the web worker extension host, where the extension's
// browser entry (dist/web/extension.js) runs and each notebook's kernel is a Web Worker
// (dist/web/kernel.js). The samples vanishing-gradients and teacher-forcing run to the end there,
// with well-formed RNN Lab outputs; interrupt and restart work as the README's "In the browser"
// says (a synchronous loop keeps the scope only where the page is cross-origin isolated); a model
// saved in a cell lands in the workspace.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from './contract';
import {
  closeAllEditors,
  errorNameOf,
  exists,
  extensionWithKernel,
  itemsOfMime,
  openNotebook,
  openScratchNotebook,
  outputItems,
  plainOf,
  runCells,
  selectRnnLabKernel,
  testApi,
  waitFor,
  workspaceUri,
} from './helpers';
import { checkNotebookRan } from './outputShapes';

const say = (line: string): void => console.log(`[rnn-lab-test]     ${line}`);

/** Opens a sample, runs all its cells with the RNN Lab kernel and checks that every one succeeded. */
async function runsToTheEnd(sample: string): Promise<void> {
  await extensionWithKernel();
  const api = await testApi('kernels');
  const editor = await openNotebook(workspaceUri(`samples/${sample}.ipynb`));
  await selectRnnLabKernel(editor);
  const started = Date.now();
  await runCells(editor, undefined, 900_000);
  const outputs = checkNotebookRan(editor.notebook, sample);
  assert.ok(outputs.length > 0, `${sample} showed no RNN Lab output`);
  const kernel = await waitFor(`the kernel of ${sample}`, () => api.kernels().find((k) => k.notebook === editor.notebook.uri.toString()));
  say(`${sample}: ${editor.notebook.cellCount} cells in ${((Date.now() - started) / 1000).toFixed(1)} s, ${outputs.length} RNN Lab outputs, kernel ${kernel.name} (worker ${kernel.pid ?? '?'})`);
}

const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

/** Starts `cell`, waits until it runs, interrupts it with the command, and waits for it to end. */
async function interruptRunning(editor: vscode.NotebookEditor, cell: vscode.NotebookCell): Promise<void> {
  const finished = runCells(editor, [cell], 60_000);
  await waitFor('the cell to start', () => cell.executionSummary?.executionOrder !== undefined, 30_000);
  await new Promise((r) => setTimeout(r, 500)); // and is inside its loop
  await vscode.commands.executeCommand(COMMANDS.interruptKernel);
  await finished;
  assert.notEqual(cell.executionSummary?.success, true, 'the interrupted cell reports success');
}

suite('VS Code for the Web: RNN Lab in the web worker extension host', () => {
  teardown(closeAllEditors);

  test('the extension runs in the web worker extension host, with its kernel bundle for a Web Worker', async () => {
    // The web worker extension host has no Node: no process, and the extension's browser entry runs.
    assert.equal(typeof (globalThis as { process?: unknown }).process, 'undefined', 'the suite does not run in the web worker extension host (is remote.extensionKind set?)');
    const ext = await extensionWithKernel();
    assert.equal((ext.packageJSON as { browser?: string }).browser, './dist/web/extension.js');
    assert.ok(await exists(vscode.Uri.joinPath(ext.extensionUri, 'dist/web/kernel.js')), 'dist/web/kernel.js is not built (npm run build)');
    // The driver says whether it put the workbench behind the isolating proxy (run-web.mjs --isolated).
    const settings = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceUri('.rnn-lab-test.json')))) as { isolated?: boolean };
    assert.equal(isolated, settings.isolated === true, `crossOriginIsolated is ${String(isolated)} in the extension host`);
    say(`crossOriginIsolated: ${String(isolated)}`);
  });

  test('the kernel in the Web Worker computes with the WebAssembly SIMD kernels', async () => {
    await extensionWithKernel();
    const editor = await openScratchNotebook('web-engine', [
      [
        "import { kernelFlavour, LSTM, Adam, mseLoss, manualSeed, Generator, Tensor, zeros } from 'rnn-lab';",
        'manualSeed(0);',
        'const net = new LSTM(16, 64, { batchFirst: true });',
        'const opt = new Adam(net.parameters(), { lr: 1e-3 });',
        'const gen = new Generator(1);',
        'const x = new Tensor(Float32Array.from({ length: 32 * 50 * 16 }, () => gen.normal()), [32, 50, 16]);',
        'const y = zeros([32, 50, 64]);',
        'const times: number[] = [];',
        'for (let i = 0; i < 20; i++) {',
        '  const t0 = performance.now();',
        '  const loss = mseLoss(net.forward(x).output, y);',
        '  opt.zeroGrad(); loss.backward(); opt.step();',
        '  times.push(performance.now() - t0);',
        '}',
        "`${kernelFlavour()} ${times.slice(5).sort((a, b) => a - b)[7]!.toFixed(2)}`",
      ].join('\n'),
    ]);
    await selectRnnLabKernel(editor);
    await runCells(editor);
    const [cell] = editor.notebook.getCells();
    const [shown] = plainOf(cell);
    assert.match(shown ?? '', /^'(relaxed|simd) [\d.]+'$/, JSON.stringify(outputItems(cell)));
    say(`kernels and median LSTM step (N=32, T=50, 16→64, Adam): ${shown}`);
  });

  test('vanishing-gradients.ipynb runs to the end with its kernel in a Web Worker', async () => runsToTheEnd('vanishing-gradients'));

  test('teacher-forcing.ipynb runs to the end with its kernel in a Web Worker', async () => runsToTheEnd('teacher-forcing'));

  test('interrupt ends an awaiting loop and keeps the scope', async () => {
    await extensionWithKernel();
    const editor = await openScratchNotebook('web-interrupt-await', ['let ticks = 0;', 'for (;;) { await new Promise((r) => setTimeout(r, 50)); ticks++; }', 'ticks > 0']);
    await selectRnnLabKernel(editor);
    const [declare, loop, after] = editor.notebook.getCells();
    await runCells(editor, [declare]);
    await interruptRunning(editor, loop);
    await runCells(editor, [after]);
    assert.deepEqual(plainOf(after), ['true'], `scope after interrupt: ${JSON.stringify(outputItems(after))}`);
  });

  test('interrupt stops a synchronous loop: the scope stays where the page is cross-origin isolated, else the kernel is ended and says so', async () => {
    await extensionWithKernel();
    const api = await testApi('kernels');
    const editor = await openScratchNotebook('web-interrupt-sync', ['let spins = 0;', 'while (true) { spins++; }', 'typeof spins']);
    await selectRnnLabKernel(editor);
    const [declare, busy, after] = editor.notebook.getCells();
    await runCells(editor, [declare]);
    const before = api.kernels().find((k) => k.notebook === editor.notebook.uri.toString())?.pid;
    await interruptRunning(editor, busy);
    if (!isolated) {
      const [error] = itemsOfMime(busy, 'application/vnd.code.notebook.error');
      assert.ok(error, `no error output: ${JSON.stringify(outputItems(busy))}`);
      const { name, message } = JSON.parse(error.text) as { name: string; message: string };
      assert.equal(name, 'KernelDied');
      assert.match(message, /only ending the kernel stops that \(the page is not cross-origin isolated.*Its variables are gone/);
    }
    await runCells(editor, [after]);
    assert.equal(after.executionSummary?.success, true, JSON.stringify(outputItems(after)));
    // Isolated: the same kernel, spins kept. Not isolated: a fresh kernel (a new worker), spins gone.
    assert.deepEqual(plainOf(after), [isolated ? "'number'" : "'undefined'"]);
    const now = api.kernels().find((k) => k.notebook === editor.notebook.uri.toString())?.pid;
    assert.ok(isolated ? now === before : now !== before, `kernel ${String(before)} → ${String(now)}`);
    say(`the synchronous loop was stopped ${isolated ? 'by the shared flag, scope kept' : 'by ending the worker'}`);
  });

  test('Restart Kernel starts a fresh kernel in a new worker', async () => {
    await extensionWithKernel();
    const api = await testApi('kernels', 'kernelState', 'answerRestartQuestions');
    const editor = await openScratchNotebook('web-restart', ['const survivor = 7;', 'survivor']);
    await selectRnnLabKernel(editor);
    const [declare, read] = editor.notebook.getCells();
    await runCells(editor);
    assert.deepEqual(plainOf(read), ['7']);
    const kernelOf = () => api.kernels().find((k) => k.notebook === editor.notebook.uri.toString());
    const pid = kernelOf()?.pid;
    api.answerRestartQuestions('restart');
    try {
      await vscode.commands.executeCommand(COMMANDS.restartKernel);
    } finally {
      api.answerRestartQuestions(undefined);
    }
    await waitFor('the kernel to be idle after restart', () => api.kernelState() === 'idle' && kernelOf()?.pid !== pid, 60_000);
    await runCells(editor, [read]);
    assert.equal(errorNameOf(read), 'ReferenceError', 'a variable survived the restart');
    await runCells(editor, [declare]);
    await runCells(editor, [read]);
    // The run of `read` may count as finished from the summary of its run before (runCells); its new output follows.
    await waitFor('the fresh kernel to show 7', () => plainOf(read)[0] === '7' || undefined, 30_000).catch(() => undefined);
    assert.deepEqual(plainOf(read), ['7'], JSON.stringify(outputItems(read)));
  });

  test('saveModel writes into the workspace, and loadModel reads what the kernel saved', async () => {
    await extensionWithKernel();
    const editor = await openScratchNotebook('web-files', [
      "import { LSTM, saveModel, loadModel, loadModelAsync } from 'rnn-lab';\nconst saved = new LSTM(2, 3);\nsaveModel(saved, 'models/saved.safetensors');",
      "const back = new LSTM(2, 3);\nloadModel(back, 'models/saved.safetensors');\nconst again = new LSTM(2, 3);\n(await loadModelAsync(again, 'models/saved.safetensors')).loaded.length + ' ' + (back.weight_hh_l0.data[2] === saved.weight_hh_l0.data[2])",
    ]);
    await selectRnnLabKernel(editor);
    await runCells(editor);
    const [, read] = editor.notebook.getCells();
    assert.deepEqual(plainOf(read), ["'4 true'"], JSON.stringify(outputItems(read)));
    const file = workspaceUri('scratch/models/saved.safetensors');
    await waitFor('the model file in the workspace', () => exists(file), 10_000);
    const bytes = await vscode.workspace.fs.readFile(file);
    assert.ok(bytes.length > 100, `${file.path}: ${bytes.length} bytes`);
  });
});
