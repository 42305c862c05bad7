/// <reference types="mocha" />
// Run by `run-web.mjs --trust`: the folder is opened with workspace trust on and never trusted
// (Restricted Mode). RNN Lab's kernel runs the person's code, so it must not run here.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './contract';
import { activatedExtension, closeAllEditors, itemsOfMime, openScratchNotebook, outputItems, runCells, selectRnnLabKernel, rnnLabExtension } from './helpers';

suite('workspace trust: Restricted Mode', () => {
  suiteTeardown(closeAllEditors);

  test('the test folder is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('the kernel does not run code in an untrusted folder', async function () {
    if (!rnnLabExtension()) {
      // VS Code itself keeps an extension without untrusted-workspace support disabled here.
      console.log(`[rnn-lab-test]   (${EXTENSION_ID} is disabled by VS Code in Restricted Mode)`);
      return;
    }
    await activatedExtension(this);
    const editor = await openScratchNotebook('untrusted', ["console.log('ran'); 6 * 7"]);
    let offered = true;
    await selectRnnLabKernel(editor).catch(() => (offered = false));
    if (!offered) return; // no controller offered: nothing can run
    const [cell] = editor.notebook.getCells();
    await runCells(editor, [cell], 30_000).catch(() => undefined);
    assert.deepEqual(itemsOfMime(cell, 'text/plain').map((i) => i.text).filter((t) => t === '42'), [],
      `the cell ran in an untrusted folder: ${JSON.stringify(outputItems(cell))}`);
    assert.notEqual(cell.executionSummary?.success, true, 'the cell reports success in an untrusted folder');
    // Refused, the cell says why (a person must learn what to change).
    const said = outputItems(cell).map((i) => i.text).join('\n');
    assert.match(said, /trust/i, `the refused cell does not mention workspace trust: ${said || '(no output)'}`);
  });
});
