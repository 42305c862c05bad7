/// <reference types="mocha" />
// First checks: the extension is there, activates, keeps its contract (ids, commands, views,
// renderer, setting, test API) and its notebook controller is offered for .ipynb notebooks.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  COMMANDS,
  EXTENSION_ID,
  RENDERER_ID,
  RNN_LAB_MIMES,
  SETTING_OPEN_DASHBOARD,
  TEST_API_METHODS,
  VIEW_CONTAINER_ID,
  VIEW_IDS,
} from './contract';
import { activatedExtension, builtExtension, closeAllEditors, openScratchNotebook, rnnLabExtension, selectRnnLabKernel, testApi } from './helpers';

interface Manifest {
  main?: string;
  contributes?: {
    commands?: { command: string }[];
    viewsContainers?: { activitybar?: { id: string }[] };
    views?: Record<string, { id: string }[]>;
    notebookRenderer?: { id: string; mimeTypes: string[] }[];
  };
}

/** package.json of the extension (built: see builtExtension). */
async function manifest(): Promise<Manifest> {
  return (await builtExtension()).packageJSON as Manifest;
}

suite('smoke: extension and contract', () => {
  teardown(closeAllEditors);

  test('the extension is loaded from the repository', () => {
    const ext = rnnLabExtension();
    assert.ok(ext, `${EXTENSION_ID} not found among ${vscode.extensions.all.length} extensions`);
    assert.equal(ext.packageJSON.name, 'rnn-lab');
    assert.equal(ext.packageJSON.publisher, 'rnn-lab');
  });

  test('it activates', async function () {
    const ext = await activatedExtension();
    assert.equal(ext.isActive, true);
  });

  test('activate() returns the test API', async function () {
    const api = await testApi();
    for (const method of TEST_API_METHODS) assert.equal(typeof api[method], 'function', method);
    assert.ok(['stopped', 'starting', 'idle', 'busy', 'training', 'dead'].includes(api.kernelState()));
  });

  test('package.json contributes every contract command', async function () {
    const contributed = ((await manifest()).contributes?.commands ?? []).map((c) => c.command);
    const missing = Object.values(COMMANDS).filter((c) => !contributed.includes(c));
    assert.deepEqual(missing, [], `commands missing from package.json: ${missing.join(', ')}`);
  });

  test('every contract command is registered after activation', async function () {
    await activatedExtension();
    const registered = await vscode.commands.getCommands(true);
    const missing = Object.values(COMMANDS).filter((c) => !registered.includes(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  test('the activity-bar container holds the models and jobs views', async function () {
    const contributes = (await manifest()).contributes ?? {};
    const containers = (contributes.viewsContainers?.activitybar ?? []).map((c) => c.id);
    assert.ok(containers.includes(VIEW_CONTAINER_ID), `no activity-bar container ${VIEW_CONTAINER_ID} (have ${containers.join(', ') || 'none'})`);
    const views = (contributes.views?.[VIEW_CONTAINER_ID] ?? []).map((v) => v.id);
    assert.deepEqual([...VIEW_IDS].filter((v) => !views.includes(v)), [], `views in ${VIEW_CONTAINER_ID}: ${views.join(', ')}`);
  });

  test('the notebook renderer claims every RNN Lab MIME type', async function () {
    const renderers = (await manifest()).contributes?.notebookRenderer ?? [];
    const renderer = renderers.find((r) => r.id === RENDERER_ID);
    assert.ok(renderer, `no notebookRenderer ${RENDERER_ID}`);
    const missing = Object.values(RNN_LAB_MIMES).filter((m) => !renderer.mimeTypes.includes(m));
    assert.deepEqual(missing, [], `MIME types the renderer does not claim: ${missing.join(', ')}`);
  });

  test(`the setting ${SETTING_OPEN_DASHBOARD} defaults to true`, async function () {
    await builtExtension();
    const value = vscode.workspace.getConfiguration().inspect<boolean>(SETTING_OPEN_DASHBOARD);
    assert.equal(value?.defaultValue, true, `${SETTING_OPEN_DASHBOARD} is not contributed with default true`);
  });

  test('the RNN Lab controller is offered for an .ipynb notebook', async function () {
    await activatedExtension();
    const editor = await openScratchNotebook('smoke-select', ['1 + 1']);
    await selectRnnLabKernel(editor);
  });
});
