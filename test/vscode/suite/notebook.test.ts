/// <reference types="mocha" />
// Running TypeScript cells through the RNN Lab controller: streams, results, errors and the
// scope that persists across cells, asserted on the cells' output items as VS Code stores them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionWithKernel, closeAllEditors, itemsOfMime, openScratchNotebook, outputItems, runCells, selectRnnLabKernel } from './helpers';

const STDOUT = 'application/vnd.code.notebook.stdout';
const ERROR = 'application/vnd.code.notebook.error';

suite('notebook: run cells with the RNN Lab kernel', () => {
  let cells: vscode.NotebookCell[] = [];

  suiteSetup(async function () {
    await extensionWithKernel();
    const editor = await openScratchNotebook('basics', [
      "console.log('hello from RNN Lab');",
      'const answer: number = 40;',
      'answer + 2',
      "throw new RangeError('boom in the last cell');",
    ]);
    await selectRnnLabKernel(editor);
    await runCells(editor);
    cells = editor.notebook.getCells();
  });
  suiteTeardown(closeAllEditors);

  test('console.log becomes a stdout stream output', () => {
    const text = itemsOfMime(cells[0], STDOUT).map((i) => i.text).join('');
    assert.equal(text.trim(), 'hello from RNN Lab', `outputs: ${JSON.stringify(outputItems(cells[0]))}`);
  });

  test('a TypeScript declaration runs and succeeds', () => {
    assert.equal(cells[1].executionSummary?.success, true);
  });

  test('the last expression is the result, as text/plain, seeing earlier cells', () => {
    const plain = itemsOfMime(cells[2], 'text/plain').map((i) => i.text);
    assert.deepEqual(plain, ['42'], `outputs: ${JSON.stringify(outputItems(cells[2]))}`);
  });

  test('a thrown error becomes an error output and a failed execution', () => {
    assert.equal(cells[3].executionSummary?.success, false);
    const [error] = itemsOfMime(cells[3], ERROR);
    assert.ok(error, `no ${ERROR} output: ${JSON.stringify(outputItems(cells[3]))}`);
    const { name, message } = JSON.parse(error.text) as { name: string; message: string };
    assert.equal(name, 'RangeError');
    assert.equal(message, 'boom in the last cell');
  });

  test('execution order counts up in run order', () => {
    const order = cells.map((c) => c.executionSummary?.executionOrder);
    assert.ok(order.every((o) => typeof o === 'number'), `execution orders: ${order.join(', ')}`);
    const numbers = order as number[];
    for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i] > numbers[i - 1], `execution orders: ${numbers.join(', ')}`);
  });
});
