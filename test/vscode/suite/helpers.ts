/// <reference types="mocha" />
// What the tests do with VS Code: find and activate the extension, open notebooks from the test
// workspace, pick the RNN Lab kernel, run cells and wait for them, read outputs. Runs in the web
// worker extension host too (the --web suite): what needs Node is in nodeHelpers.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CONTROLLER_ID, EXTENSION_ID, TEST_API_METHODS, type TestApi } from './contract';


/**
 * A cell's lines declaring a small GRU regressor (class Regressor: GRU(1,4) and Linear(4,1) on
 * the last step) and its data x (8,5,1), y (8,1): the suites that need a model to train use it.
 */
export const REGRESSOR_LINES: readonly string[] = [
  "import { fit, GRU, Linear, Module, select, Tensor } from 'rnn-lab';",
  'class Regressor extends Module {',
  '  gru = new GRU(1, 4, { batchFirst: true });',
  '  head = new Linear(4, 1);',
  '  forward(x: Tensor): Tensor { return this.head.forward(select(this.gru.forward(x).h, 0, -1)); }',
  '}',
  'const x = new Tensor(Float32Array.from({ length: 8 * 5 }, (_, i) => Math.sin(i / 2)), [8, 5, 1]);',
  'const y = new Tensor(Float32Array.from({ length: 8 }, (_, i) => Math.sin((5 * i + 5) / 2)), [8, 1]);',
];

/** Polls `probe` every 100 ms until it returns something other than undefined/false. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function rnnLabExtension(): vscode.Extension<unknown> | undefined {
  return vscode.extensions.getExtension(EXTENSION_ID);
}

/**
 * The extension, not activated, after checking that it is built: package.json's main (which may
 * be a shim loading dist/extension.js, the build of extension/extension.ts) and dist/extension.js
 * must exist. A missing file fails the calling test with its name.
 */
export async function builtExtension(): Promise<vscode.Extension<unknown>> {
  const ext = rnnLabExtension();
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath wrong?)`);
  const main = (ext.packageJSON as { main?: string }).main ?? '';
  for (const file of new Set([main, 'dist/extension.js'].filter(Boolean))) {
    assert.ok(
      await exists(vscode.Uri.joinPath(ext.extensionUri, file)),
      `${EXTENSION_ID} has no ${file} in ${ext.extensionUri.path}: run npm run build (extension/extension.ts → dist/extension.js)`,
    );
  }
  return ext;
}

/** The extension, built (see builtExtension) and activated. */
export async function activatedExtension(): Promise<vscode.Extension<unknown>> {
  const ext = await builtExtension();
  await ext.activate();
  return ext;
}

/** The extension, activated, with its kernel built: a missing dist/kernel.js fails the test. */
export async function extensionWithKernel(): Promise<vscode.Extension<unknown>> {
  const ext = await activatedExtension();
  assert.ok(
    await exists(vscode.Uri.joinPath(ext.extensionUri, 'dist/kernel.js')),
    `the kernel is not built: no dist/kernel.js in ${ext.extensionUri.path} (npm run build builds it from kernel/server.ts)`,
  );
  return ext;
}

/**
 * The test API that activate() returns (extension/testApi.ts); fails the test, naming them, when
 * methods it needs (default: all of the contract's) are missing.
 */
export async function testApi(...needs: (keyof TestApi)[]): Promise<TestApi> {
  const ext = await activatedExtension();
  const api = ext.exports as Partial<TestApi> | undefined;
  const missing = (needs.length ? needs : TEST_API_METHODS).filter((m) => typeof api?.[m] !== 'function');
  assert.deepEqual(missing, [], `activate() of ${EXTENSION_ID} returned no test API method(s) ${missing.join(', ')} (extension/testApi.ts)`);
  return api as TestApi;
}

/** Fails unless the command is registered (contributed in package.json and registered on activation). */
export async function requireCommand(command: string): Promise<void> {
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes(command), `command ${command} is not registered`);
}

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export function workspaceUri(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace folder is not open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

export async function openNotebook(uri: vscode.Uri): Promise<vscode.NotebookEditor> {
  const doc = await vscode.workspace.openNotebookDocument(uri);
  return vscode.window.showNotebookDocument(doc);
}

/**
 * Writes an .ipynb with RNN Lab's kernelspec and the given TypeScript code cells into the test
 * workspace and opens it.
 */
export async function openScratchNotebook(name: string, cells: string[]): Promise<vscode.NotebookEditor> {
  const ipynb = {
    cells: cells.map((source) => ({
      cell_type: 'code',
      execution_count: null,
      metadata: { vscode: { languageId: 'typescript' } },
      outputs: [],
      source: source.split(/(?<=\n)/),
    })),
    metadata: {
      kernelspec: { name: 'rnn-lab', display_name: 'RNN Lab (TypeScript)', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const uri = workspaceUri(`scratch/${name}.ipynb`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(ipynb, null, 1)));
  return openNotebook(uri);
}

/**
 * Selects the RNN Lab controller for the editor's notebook. `notebook.selectKernel` with a
 * wanted id that does not exist opens a quick pick instead of failing: the timeout catches that.
 */
export async function selectRnnLabKernel(editor: vscode.NotebookEditor): Promise<void> {
  await vscode.window.showNotebookDocument(editor.notebook);
  // Acts on the active notebook editor (an API NotebookEditor cannot be passed to the command).
  const selected = vscode.commands.executeCommand('notebook.selectKernel', {
    id: CONTROLLER_ID,
    extension: EXTENSION_ID,
  });
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000));
  if ((await Promise.race([selected, timeout])) === 'timeout') {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    throw new Error(`controller ${EXTENSION_ID}/${CONTROLLER_ID} was not offered for ${editor.notebook.uri.path}`);
  }
}

function codeCells(notebook: vscode.NotebookDocument): vscode.NotebookCell[] {
  return notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

/**
 * Runs the given cells (default: all code cells) and resolves when they have finished: when each
 * reported success or failure, or, since a controller may end cells without a verdict (cells
 * cancelled after a failing one, as Jupyter does), when the execute command has returned and the
 * notebook has had no change for a second.
 */
export async function runCells(
  editor: vscode.NotebookEditor,
  cells: readonly vscode.NotebookCell[] = codeCells(editor.notebook),
  timeoutMs = 90_000,
): Promise<void> {
  const pending = new Set(cells.map((c) => c.index));
  let lastChange = Date.now();
  let verdicts = 0;
  const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
    if (e.notebook !== editor.notebook) return;
    lastChange = Date.now();
    for (const change of e.cellChanges) {
      if (change.executionSummary?.success !== undefined && pending.delete(change.cell.index)) verdicts++;
    }
  });
  try {
    await vscode.window.showNotebookDocument(editor.notebook);
    const ranges = cells.map((c) => ({ start: c.index, end: c.index + 1 }));
    let commandReturned = false;
    const command =
      cells.length === codeCells(editor.notebook).length
        ? vscode.commands.executeCommand('notebook.execute', editor.notebook.uri)
        : vscode.commands.executeCommand('notebook.cell.execute', { ranges, document: editor.notebook.uri });
    void Promise.resolve(command).then(() => (commandReturned = true));
    await waitFor(
      `cells ${cells.map((c) => c.index + 1).join(', ')} to finish`,
      // Cells queued after one that failed are cancelled without a verdict (as in Jupyter): once one
      // cell has its verdict, the command has returned and the notebook is quiet, the run is over.
      // (The command can return before a kernel that starts has run anything.)
      () => pending.size === 0 || (verdicts > 0 && commandReturned && Date.now() - lastChange > 1_000),
      timeoutMs,
    );
  } finally {
    sub.dispose();
  }
}

export interface DecodedItem {
  mime: string;
  text: string;
}

/** Every output item of a cell, its bytes decoded as UTF-8. */
export function outputItems(cell: vscode.NotebookCell): DecodedItem[] {
  const decoder = new TextDecoder();
  return cell.outputs.flatMap((o) => o.items.map((item) => ({ mime: item.mime, text: decoder.decode(item.data) })));
}

export function itemsOfMime(cell: vscode.NotebookCell, mime: string): DecodedItem[] {
  return outputItems(cell).filter((i) => i.mime === mime);
}

/** Reverts and closes every editor so the next test starts clean (no save prompts). */
export async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.notebookDocuments) {
    if (doc.isDirty) {
      await vscode.window.showNotebookDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** The text/plain items of a cell's outputs. */
export function plainOf(cell: vscode.NotebookCell): string[] {
  return itemsOfMime(cell, 'text/plain').map((i) => i.text);
}

/** The name of the error a cell's outputs show (e.g. 'ReferenceError'), if any. */
export function errorNameOf(cell: vscode.NotebookCell): string | undefined {
  const [error] = itemsOfMime(cell, 'application/vnd.code.notebook.error');
  return error ? (JSON.parse(error.text) as { name: string }).name : undefined;
}

/**
 * What VS Code's error renderer shows for each error output of a cell: the stack when there is
 * one (it then shows nothing else), else "name: message".
 */
export function shownErrors(cell: vscode.NotebookCell): string[] {
  return itemsOfMime(cell, 'application/vnd.code.notebook.error').map((item) => {
    const error = JSON.parse(item.text) as { name?: string; message?: string; stack?: string };
    return error.stack ? error.stack : [error.name, error.message].filter(Boolean).join(': ');
  });
}

/**
 * Reverts and closes one notebook's editor tabs, as a person closes a notebook. (VS Code keeps the
 * document of a notebook the extension host opened for a while after that.)
 */
export async function closeNotebook(notebook: vscode.NotebookDocument): Promise<void> {
  await vscode.window.showNotebookDocument(notebook);
  if (notebook.isDirty) await vscode.commands.executeCommand('workbench.action.files.revert');
  for (;;) {
    const tab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputNotebook && t.input.uri.toString() === notebook.uri.toString());
    if (!tab) break;
    await vscode.window.tabGroups.close(tab);
  }
}
