/// <reference types="mocha" />
// A kernel per notebook, as in VS Code's Jupyter: two notebooks have separate variables, models and
// processes (each in its notebook's folder); the inspector, the dashboard and the status bar follow
// the notebook in view; Restart Kernel restarts one notebook's kernel and asks first when that
// would throw variables away (answered through the test API: a modal cannot be clicked here);
// closing a notebook ends its kernel process.
import * as assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, SETTING_CONFIRM_RESTART, type TestApi } from './contract';
import {
  closeAllEditors,
  closeNotebook,
  errorNameOf,
  extensionWithKernel,
  openScratchNotebook,
  outputItems,
  plainOf,
  runCells,
  selectRnnLabKernel,
  testApi,
  waitFor,
} from './helpers';
import { processAlive } from './nodeHelpers';

const say = (line: string): void => console.log(`[rnn-lab-test]     ${line}`);

/** rnnLab.kernel.confirmRestart as section and key. */
const SECTION = 'rnnLab';
const CONFIRM_KEY = SETTING_CONFIRM_RESTART.slice(SECTION.length + 1);

function kernelOf(api: TestApi, notebook: vscode.NotebookDocument) {
  return api.kernels().find((k) => k.notebook === notebook.uri.toString());
}

async function pidOf(api: TestApi, notebook: vscode.NotebookDocument): Promise<number> {
  return waitFor(`a kernel process for ${path.basename(notebook.uri.path)}`, () => kernelOf(api, notebook)?.pid, 30_000);
}

async function restart(notebook: vscode.NotebookDocument): Promise<void> {
  await vscode.commands.executeCommand(COMMANDS.restartKernel, notebook.uri);
}

suite('a kernel per notebook', () => {
  let api: TestApi;
  let a: vscode.NotebookEditor;
  let b: vscode.NotebookEditor;
  // Cells of notebook A (scratch/kernel-a.ipynb) and B (scratch/sub/kernel-b.ipynb, another folder).
  const A = {
    define: 0,
    read: 1,
    readOther: 2,
  };

  suiteSetup(async function () {
    this.timeout(180_000);
    await extensionWithKernel();
    api = await testApi();
    a = await openScratchNotebook('kernel-a', [
      "import { LSTM } from 'rnn-lab';\nconst onlyInA = 'a';\nconst netA = new LSTM(2, 4);",
      'onlyInA',
      'onlyInB',
    ]);
    await selectRnnLabKernel(a);
    b = await openScratchNotebook('sub/kernel-b', [
      "import { GRU } from 'rnn-lab';\nconst onlyInB = 'b';\nconst netB = new GRU(2, 3);",
      'onlyInB',
      'onlyInA',
    ]);
    await selectRnnLabKernel(b);
    await runCells(a, [a.notebook.cellAt(A.define)]);
    await runCells(b, [b.notebook.cellAt(A.define)]);
    for (const editor of [a, b]) {
      const cell = editor.notebook.cellAt(A.define);
      assert.equal(cell.executionSummary?.success, true, `${path.basename(editor.notebook.uri.path)}: ${JSON.stringify(outputItems(cell))}`);
    }
  });
  suiteTeardown(async () => {
    api?.answerRestartQuestions(undefined);
    await vscode.workspace.getConfiguration(SECTION).update(CONFIRM_KEY, undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
  });

  test('two notebooks have separate variables: a name defined in one is a ReferenceError in the other', async function () {
    await runCells(a, [a.notebook.cellAt(A.read), a.notebook.cellAt(A.readOther)]);
    await runCells(b, [b.notebook.cellAt(A.read), b.notebook.cellAt(A.readOther)]);
    assert.deepEqual(plainOf(a.notebook.cellAt(A.read)), ["'a'"]);
    assert.deepEqual(plainOf(b.notebook.cellAt(A.read)), ["'b'"]);
    assert.equal(errorNameOf(a.notebook.cellAt(A.readOther)), 'ReferenceError', JSON.stringify(outputItems(a.notebook.cellAt(A.readOther))));
    assert.equal(errorNameOf(b.notebook.cellAt(A.readOther)), 'ReferenceError', JSON.stringify(outputItems(b.notebook.cellAt(A.readOther))));
  });

  test("each notebook's kernel is a process of its own, working in the notebook's folder", async function () {
    const [pidA, pidB] = [await pidOf(api, a.notebook), await pidOf(api, b.notebook)];
    assert.notEqual(pidA, pidB);
    assert.ok(processAlive(pidA) && processAlive(pidB), 'both kernel processes run');
    if (process.platform === 'linux') {
      assert.equal(readlinkSync(`/proc/${pidA}/cwd`), path.dirname(a.notebook.uri.fsPath));
      assert.equal(readlinkSync(`/proc/${pidB}/cwd`), path.dirname(b.notebook.uri.fsPath));
    }
    if (process.platform === 'linux') {
      // What each kernel process holds (resident), for the record: the engine, the cells' compiler and the language service.
      const rss = (pid: number): string => `${Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024)} MB`;
      say(`kernel-a pid ${pidA}: ${rss(pidA)} resident; kernel-b pid ${pidB}: ${rss(pidB)}; the extension host: ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
    }
    const names = api.kernels().map((k) => k.name);
    assert.ok(names.includes('kernel-a') && names.includes('kernel-b'), `kernels: ${JSON.stringify(api.kernels())}`);
  });

  test('the inspector lists the models of the notebook in view only, and the status bar names its kernel', async function () {
    for (const [editor, model, name] of [
      [a, 'netA', 'kernel-a'],
      [b, 'netB', 'kernel-b'],
      [a, 'netA', 'kernel-a'],
    ] as const) {
      await vscode.window.showNotebookDocument(editor.notebook);
      await waitFor(`the views to follow ${name}`, () => api.followedNotebook() === editor.notebook.uri.toString(), 10_000);
      const models = await waitFor(
        `the models view to list ${model} alone`,
        async () => {
          const items = await api.modelsTreeItems();
          return items.map((m) => m.label).join() === model && items;
        },
        10_000,
      ).catch(async () => assert.fail(`models view for ${name}: ${JSON.stringify(await api.modelsTreeItems())}`));
      assert.ok(models[0]!.children.length > 0, `${model} has no parameters in the view`);
      const status = api.statusBar();
      assert.ok(status.visible, 'the kernel status bar item is hidden');
      assert.match(status.text, new RegExp(`RNN Lab: ${name} · idle`), `status bar: ${status.text}`);
    }
  });

  test('Restart Kernel asks first when the kernel has variables; Cancel keeps them', async function () {
    const pidA = await pidOf(api, a.notebook);
    const asked = api.restartQuestions().length;
    api.answerRestartQuestions('cancel');
    await restart(a.notebook);
    const questions = api.restartQuestions();
    assert.equal(questions.length, asked + 1, 'Restart Kernel did not ask');
    assert.match(questions.at(-1)!.message, /^Restart the RNN Lab kernel of kernel-a\? Its variables \(3\) and running training jobs \(0\) will be lost\.$/);
    assert.equal(kernelOf(api, a.notebook)?.pid, pidA, 'the kernel restarted although the question was cancelled');
    await runCells(a, [a.notebook.cellAt(A.read)]);
    assert.deepEqual(plainOf(a.notebook.cellAt(A.read)), ["'a'"], 'a variable was lost');
  });

  test("restarting one notebook's kernel leaves the other's variables", async function () {
    const [pidA, pidB] = [await pidOf(api, a.notebook), await pidOf(api, b.notebook)];
    api.answerRestartQuestions('restart');
    await restart(a.notebook);
    await waitFor('the restarted kernel of kernel-a', () => {
      const k = kernelOf(api, a.notebook);
      return k?.state === 'idle' && k.pid !== undefined && k.pid !== pidA;
    }, 60_000);
    assert.equal(kernelOf(api, b.notebook)?.pid, pidB, "kernel-b's process changed");
    await runCells(a, [a.notebook.cellAt(A.read)]);
    assert.equal(errorNameOf(a.notebook.cellAt(A.read)), 'ReferenceError', 'a variable survived the restart of kernel-a');
    await runCells(b, [b.notebook.cellAt(A.read)]);
    assert.deepEqual(plainOf(b.notebook.cellAt(A.read)), ["'b'"], "kernel-b lost its variables when kernel-a restarted");
  });

  test('no question when nothing would be lost, or with rnnLab.kernel.confirmRestart off; "Don\'t Ask Again" turns it off', async function () {
    // kernel-a was just restarted: no variables, so no question.
    api.answerRestartQuestions('cancel');
    let asked = api.restartQuestions().length;
    let pid = await pidOf(api, a.notebook);
    await restart(a.notebook);
    assert.equal(api.restartQuestions().length, asked, `asked although the kernel has no variables: ${JSON.stringify(api.restartQuestions().at(-1))}`);
    pid = await waitFor('kernel-a to restart without asking', () => {
      const k = kernelOf(api, a.notebook);
      return k?.state === 'idle' && k.pid !== undefined && k.pid !== pid && k.pid;
    }, 60_000);

    // The setting off: kernel-b has variables, yet restarts at once.
    const config = vscode.workspace.getConfiguration(SECTION);
    await config.update(CONFIRM_KEY, false, vscode.ConfigurationTarget.Global);
    try {
      asked = api.restartQuestions().length;
      const pidB = await pidOf(api, b.notebook);
      await restart(b.notebook);
      assert.equal(api.restartQuestions().length, asked, 'asked although rnnLab.kernel.confirmRestart is false');
      await waitFor('kernel-b to restart without asking', () => {
        const k = kernelOf(api, b.notebook);
        return k?.state === 'idle' && k.pid !== undefined && k.pid !== pidB;
      }, 60_000);
    } finally {
      await config.update(CONFIRM_KEY, undefined, vscode.ConfigurationTarget.Global);
    }

    // "Don't Ask Again": restarts, and the setting is off from then on.
    await runCells(a, [a.notebook.cellAt(A.define)]);
    api.answerRestartQuestions('dontAskAgain');
    asked = api.restartQuestions().length;
    await restart(a.notebook);
    assert.equal(api.restartQuestions().length, asked + 1, 'did not ask with variables in the kernel');
    await waitFor('kernel-a to restart after "Don\'t Ask Again"', () => {
      const k = kernelOf(api, a.notebook);
      return k?.state === 'idle' && k.pid !== undefined && k.pid !== pid;
    }, 60_000);
    assert.equal(vscode.workspace.getConfiguration(SECTION).get(CONFIRM_KEY), false);
    await vscode.workspace.getConfiguration(SECTION).update(CONFIRM_KEY, undefined, vscode.ConfigurationTarget.Global);
    assert.equal(vscode.workspace.getConfiguration(SECTION).get(CONFIRM_KEY), true);
  });

  test("closing a notebook ends its kernel process; the other notebook's kernel runs on", async function () {
    const [pidA, pidB] = [await pidOf(api, a.notebook), await pidOf(api, b.notebook)];
    await closeNotebook(a.notebook);
    await waitFor(`kernel-a's process ${pidA} to end`, () => !processAlive(pidA), 20_000);
    assert.equal(kernelOf(api, a.notebook), undefined, 'the closed notebook still has a kernel');
    assert.ok(processAlive(pidB), "kernel-b's process ended with kernel-a's notebook");
    await runCells(b, [b.notebook.cellAt(A.define), b.notebook.cellAt(A.read)]);
    assert.deepEqual(plainOf(b.notebook.cellAt(A.read)), ["'b'"]);
    await waitFor('the views to follow kernel-b', () => api.followedNotebook() === b.notebook.uri.toString(), 10_000);
  });
});
