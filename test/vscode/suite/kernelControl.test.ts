/// <reference types="mocha" />
// Interrupt and restart: a busy cell stops without losing the notebook's scope; a restart gives
// a fresh scope; the kernel state the extension reports follows along.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from './contract';
import {
  closeAllEditors,
  itemsOfMime,
  openScratchNotebook,
  outputItems,
  requireCommand,
  runCells,
  selectRnnLabKernel,
  extensionWithKernel,
  testApi,
  waitFor,
} from './helpers';

const ERROR = 'application/vnd.code.notebook.error';

/** Runs a cell that never ends, stops it with `stop`, and checks the scope survived. */
async function interruptBusyCell(name: string, stop: () => Thenable<unknown>): Promise<void> {
  const editor = await openScratchNotebook(name, [
    'let spins = 0;',
    'while (true) { spins++; }',
    'spins > 0',
  ]);
  await selectRnnLabKernel(editor);
  const [declare, busy, after] = editor.notebook.getCells();
  await runCells(editor, [declare]);
  const finished = runCells(editor, [busy], 60_000);
  // The cell has started when its execution got a number (the controller numbers a cell as it
  // starts it; VS Code reports timing only once a cell has ended).
  await waitFor('the busy cell to start', () => busy.executionSummary?.executionOrder !== undefined, 30_000);
  await new Promise((r) => setTimeout(r, 500)); // and is inside its loop
  await stop();
  await finished;
  assert.notEqual(busy.executionSummary?.success, true, 'the interrupted cell reports success');
  await runCells(editor, [after]);
  const plain = itemsOfMime(after, 'text/plain').map((i) => i.text);
  assert.deepEqual(plain, ['true'], `scope after interrupt: ${JSON.stringify(outputItems(after))}`);
}

suite('kernel control: interrupt and restart', () => {
  teardown(closeAllEditors);

  test(`${COMMANDS.interruptKernel} stops a busy cell and keeps the scope`, async function () {
    await extensionWithKernel();
    await requireCommand(COMMANDS.interruptKernel);
    await interruptBusyCell('interrupt-command', () => vscode.commands.executeCommand(COMMANDS.interruptKernel));
  });

  test("VS Code's own stop (notebook.cancelExecution) interrupts the kernel", async function () {
    await extensionWithKernel();
    await interruptBusyCell('interrupt-cancel', () => vscode.commands.executeCommand('notebook.cancelExecution'));
  });

  test('interrupt ends an awaiting loop: no tick after it, none in a later cell; names like performance and process are the cell\'s own', async function () {
    await extensionWithKernel();
    const editor = await openScratchNotebook('interrupt-await', [
      "const performance = { accuracy: 0.93 };\nfunction process(t: string) { return t.trim(); }\nlet ticks = 0;",
      "for (;;) { await new Promise((r) => setTimeout(r, 100)); console.log('tick', ++ticks); }",
      "await new Promise((r) => setTimeout(r, 600));\n[ticks, performance.accuracy, process('  ok  ')]",
    ]);
    await selectRnnLabKernel(editor);
    const [declare, loop, later] = editor.notebook.getCells();
    await runCells(editor, [declare]);
    const finished = runCells(editor, [loop], 60_000);
    const streamText = (cell: vscode.NotebookCell) => itemsOfMime(cell, 'application/vnd.code.notebook.stdout').map((i) => i.text).join('');
    await waitFor('the loop to tick', () => streamText(loop).includes('tick 2'), 30_000);
    await vscode.commands.executeCommand(COMMANDS.interruptKernel);
    await finished;
    assert.notEqual(loop.executionSummary?.success, true, 'the interrupted cell reports success');
    const ticksAtInterrupt = (streamText(loop).match(/tick/g) ?? []).length;
    await runCells(editor, [later]);
    assert.equal(streamText(later), '', `ticks leaked into a later cell: ${JSON.stringify(outputItems(later))}`);
    assert.equal((streamText(loop).match(/tick/g) ?? []).length, ticksAtInterrupt, 'the loop went on after the interrupt');
    const plain = itemsOfMime(later, 'text/plain').map((i) => i.text);
    assert.deepEqual(plain, [`[ ${ticksAtInterrupt}, 0.93, 'ok' ]`], JSON.stringify(outputItems(later)));
  });

  test(`${COMMANDS.restartKernel} gives a fresh scope and the kernel comes back idle`, async function () {
    await extensionWithKernel();
    const api = await testApi('kernelState');
    await requireCommand(COMMANDS.restartKernel);
    const editor = await openScratchNotebook('restart', ['const survivor = 7;', 'survivor']);
    await selectRnnLabKernel(editor);
    const [declare, read] = editor.notebook.getCells();
    await runCells(editor);
    assert.deepEqual(itemsOfMime(read, 'text/plain').map((i) => i.text), ['7']);
    await vscode.commands.executeCommand(COMMANDS.restartKernel);
    await waitFor('the kernel to be idle after restart', () => api.kernelState() === 'idle', 60_000);
    await runCells(editor, [read]);
    assert.equal(read.executionSummary?.success, false, 'a variable survived the restart');
    const [error] = itemsOfMime(read, ERROR);
    assert.ok(error, `no error output: ${JSON.stringify(outputItems(read))}`);
    assert.equal((JSON.parse(error.text) as { name: string }).name, 'ReferenceError');
    // And the fresh kernel runs code.
    await runCells(editor, [declare, read]);
    assert.deepEqual(itemsOfMime(read, 'text/plain').map((i) => i.text), ['7']);
  });
});
