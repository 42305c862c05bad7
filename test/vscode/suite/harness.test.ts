/// <reference types="mocha" />
// The test harness itself, before anything of RNN Lab: the host VS Code satisfies the extension's
// engines.vscode, the test workspace is open, and VS Code's built-in .ipynb support opens a
// notebook written the way the tests write them (TypeScript cells, RNN Lab's kernelspec).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CELL_LANGUAGE, EXTENSION_ID, NOTEBOOK_TYPE } from './contract';
import { closeAllEditors, openScratchNotebook, rnnLabExtension } from './helpers';

/** a.b.c as numbers; enough for "^x.y.z" ranges. */
const versionOf = (v: string): number[] => v.replace(/^[\^~>=]+/, '').split(/[.-]/).slice(0, 3).map(Number);

suite('harness: VS Code, workspace and notebooks', () => {
  teardown(closeAllEditors);

  test(`the host VS Code satisfies ${EXTENSION_ID}'s engines.vscode`, () => {
    const ext = rnnLabExtension();
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    const range = String(ext.packageJSON.engines?.vscode ?? '');
    assert.match(range, /^\^\d+\.\d+\.\d+$/, `engines.vscode is ${range || 'missing'}`);
    const [major, minor, patch] = versionOf(range);
    const [hMajor, hMinor, hPatch] = versionOf(vscode.version);
    assert.equal(hMajor, major, `VS Code ${vscode.version} vs ${range}`);
    assert.ok(hMinor > minor || (hMinor === minor && hPatch >= patch), `VS Code ${vscode.version} is older than ${range}`);
    console.log(`[rnn-lab-test]   (VS Code ${vscode.version}, engines.vscode ${range})`);
  });

  test('the test workspace folder is open', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, `workspace folders: ${folders.map((f) => f.uri.toString()).join(', ')}`);
  });

  test('an .ipynb opens as a jupyter-notebook with TypeScript code cells', async () => {
    const editor = await openScratchNotebook('harness', ['const x: number = 1;', 'x + 1']);
    assert.equal(editor.notebook.notebookType, NOTEBOOK_TYPE);
    const cells = editor.notebook.getCells();
    assert.equal(cells.length, 2);
    for (const cell of cells) {
      assert.equal(cell.kind, vscode.NotebookCellKind.Code);
      assert.equal(cell.document.languageId, CELL_LANGUAGE);
    }
    assert.equal(cells[1].document.getText(), 'x + 1');
    const kernelspec = (editor.notebook.metadata as { metadata?: { kernelspec?: { name?: string } } }).metadata?.kernelspec;
    assert.equal(kernelspec?.name, 'rnn-lab');
  });
});
