/// <reference types="mocha" />
// Run by `run-web.mjs --trust`: the folder is opened with workspace trust on and never trusted
// (Restricted Mode). RNN Lab's kernel runs the person's code with their full rights, so nothing
// may start it here: neither running a cell nor the kernel commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from './contract';
import { closeAllEditors, itemsOfMime, openScratchNotebook, outputItems, requireCommand, runCells, selectRnnLabKernel, testApi } from './helpers';

suite('workspace trust: Restricted Mode', () => {
  suiteTeardown(closeAllEditors);

  test('the test folder is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  // The commands first: the "not trusted" notification shows once per window, and a command that
  // waited for its answer would hang only while it is still to be shown.
  test(`${COMMANDS.restartKernel} returns without starting the kernel`, async function () {
    const api = await testApi('kernelState', 'recentMessages');
    await requireCommand(COMMANDS.restartKernel);
    // The command tells the person why in a notification, but must not wait for an answer.
    const returned = Promise.resolve(vscode.commands.executeCommand(COMMANDS.restartKernel)).then(() => 'returned' as const);
    const outcome = await Promise.race([returned, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    assert.equal(outcome, 'returned', `${COMMANDS.restartKernel} did not return within 10 s`);
    assert.equal(api.kernelState(), 'stopped');
    const warning = api.recentMessages().find((m) => m.severity === 'warning');
    assert.match(warning?.text ?? '(none)', /untrusted workspace/, 'no "not trusted" notification');
  });

  test(`${COMMANDS.exportOnnx} returns without starting the kernel`, async function () {
    const api = await testApi('kernelState');
    await requireCommand(COMMANDS.exportOnnx);
    const returned = Promise.resolve(vscode.commands.executeCommand(COMMANDS.exportOnnx, 'model', '/nonexistent/model.onnx')).then(() => 'returned' as const);
    const outcome = await Promise.race([returned, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    assert.equal(outcome, 'returned', `${COMMANDS.exportOnnx} did not return within 10 s`);
    assert.equal(api.kernelState(), 'stopped');
  });

  test('running a cell does not run it and does not start the kernel', async function () {
    const api = await testApi('kernelState');
    const editor = await openScratchNotebook('untrusted', ["console.log('ran'); 6 * 7"]);
    await selectRnnLabKernel(editor);
    const [cell] = editor.notebook.getCells();
    // VS Code asks for trust before executing (a dialog that tests refuse); if the run got through
    // to the extension, its own guard must refuse. Either way the cell must not run.
    await runCells(editor, [cell], 15_000).catch(() => undefined);
    assert.deepEqual(itemsOfMime(cell, 'text/plain').map((i) => i.text).filter((t) => t === '42'), [],
      `the cell ran in an untrusted folder: ${JSON.stringify(outputItems(cell))}`);
    assert.notEqual(cell.executionSummary?.success, true, 'the cell reports success in an untrusted folder');
    const said = outputItems(cell).map((i) => i.text).join('\n');
    if (said) assert.match(said, /trust/i, `the refused cell does not say why: ${said}`);
    assert.equal(api.kernelState(), 'stopped');
  });
});
