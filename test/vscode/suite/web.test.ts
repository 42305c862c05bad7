/// <reference types="mocha" />
// VS Code for the Web (issue 20): run by test/vscode/run-web.mjs --web, with the setting
// remote.extensionKind moving RNN Lab into the web worker extension host, where the extension's
// browser entry (dist/web/extension.js) runs and each notebook's kernel is a Web Worker
// (dist/web/kernel.js). The samples vanishing-gradients and teacher-forcing run to the end there,
// with well-formed RNN Lab outputs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, exists, extensionWithKernel, openNotebook, runCells, selectRnnLabKernel, testApi, waitFor, workspaceUri } from './helpers';
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

suite('VS Code for the Web: RNN Lab in the web worker extension host', () => {
  teardown(closeAllEditors);

  test('the extension runs in the web worker extension host, with its kernel bundle for a Web Worker', async () => {
    // The web worker extension host has no Node: no process, and the extension's browser entry runs.
    assert.equal(typeof (globalThis as { process?: unknown }).process, 'undefined', 'the suite does not run in the web worker extension host (is remote.extensionKind set?)');
    const ext = await extensionWithKernel();
    assert.equal((ext.packageJSON as { browser?: string }).browser, './dist/web/extension.js');
    assert.ok(await exists(vscode.Uri.joinPath(ext.extensionUri, 'dist/web/kernel.js')), 'dist/web/kernel.js is not built (npm run build)');
    say(`crossOriginIsolated: ${String((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)}`);
  });

  test('vanishing-gradients.ipynb runs to the end with its kernel in a Web Worker', async () => runsToTheEnd('vanishing-gradients'));

  test('teacher-forcing.ipynb runs to the end with its kernel in a Web Worker', async () => runsToTheEnd('teacher-forcing'));
});
