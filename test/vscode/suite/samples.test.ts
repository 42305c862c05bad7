/// <reference types="mocha" />
// Every sample notebook runs to the end in VS Code and its RNN Lab outputs are well formed:
// each RNN Lab MIME item is JSON of the right kind, with a text/plain beside it (the contract).
// While a sample is still open, what the inspector and dashboard show is recorded for the
// inspector and dashboard suites (one run of each sample serves all three).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RNN_LAB_MIMES, type TestApi } from './contract';
import { extensionWithKernel, closeAllEditors, openNotebook, outputItems, runCells, sampleNotebookPaths, selectRnnLabKernel, waitFor } from './helpers';
import { checkRnnLabItem, type RnnLabOutput } from './outputShapes';
import { skipBecause } from './skip';

export interface SampleRun {
  notebook: string;
  outputs: RnnLabOutput[];
  /** Present when activate() returned the test API. */
  views?: {
    models: Awaited<ReturnType<TestApi['modelsTreeItems']>>;
    jobs: Awaited<ReturnType<TestApi['jobsTreeItems']>>;
    dashboardVisible: boolean;
    dashboardMessagesPosted: number;
  };
}
/** Filled by this suite, read by inspector.test.ts and dashboard.test.ts. */
export const sampleRuns: SampleRun[] = [];

const rnnLabMimes = new Set<string>(Object.values(RNN_LAB_MIMES));
/** True when a sample's outputs show training (a loss curve). */
export const trained = (run: SampleRun): boolean =>
  run.outputs.some((o) => o.mime === RNN_LAB_MIMES.lines && o.spec.kind === 'loss');

suite('samples: every sample notebook runs in VS Code', () => {
  teardown(closeAllEditors);
  const samples = sampleNotebookPaths();

  if (samples.length === 0) {
    test('sample notebooks run', function () {
      skipBecause(this, 'samples/ has no notebooks yet');
    });
  }

  for (const uri of samples) {
    const name = uri.path.split('/').pop() ?? uri.path;
    test(`${name} runs to the end with well-formed RNN Lab outputs`, async function () {
      this.timeout(600_000);
      const ext = await extensionWithKernel(this);
      const editor = await openNotebook(uri);
      await selectRnnLabKernel(editor);
      await runCells(editor, undefined, 540_000);
      const outputs: RnnLabOutput[] = [];
      for (const cell of editor.notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code)) {
        const where = `${name} cell ${cell.index + 1}`;
        assert.equal(cell.executionSummary?.success, true, `${where} failed: ${JSON.stringify(outputItems(cell)).slice(0, 2000)}`);
        for (const output of cell.outputs) {
          const mimes = output.items.map((i) => i.mime);
          for (const item of output.items.filter((i) => rnnLabMimes.has(i.mime))) {
            assert.ok(mimes.includes('text/plain'), `${where}: ${item.mime} output has no text/plain beside it`);
            outputs.push(checkRnnLabItem(item.mime, new TextDecoder().decode(item.data), where));
          }
        }
      }
      const run: SampleRun = { notebook: name, outputs };
      const api = ext.exports as Partial<TestApi> | undefined;
      if (api?.modelsTreeItems && api.jobsTreeItems && api.dashboardVisible && api.dashboardMessagesPosted) {
        // Views refresh on kernel notifications; give a model-defining sample a moment to show.
        const hasModel = outputs.some((o) => o.mime === RNN_LAB_MIMES.module);
        const models = hasModel
          ? await waitFor('the models view to list a model', async () => {
              const items = await api.modelsTreeItems!();
              return items.length > 0 && items;
            }, 10_000).catch(() => [])
          : await api.modelsTreeItems();
        run.views = {
          models,
          jobs: await api.jobsTreeItems(),
          dashboardVisible: api.dashboardVisible(),
          dashboardMessagesPosted: api.dashboardMessagesPosted(),
        };
      }
      sampleRuns.push(run);
    });
  }

  test('together the samples show RNN Lab outputs (plots, tables, tensors, modules)', function () {
    if (sampleRuns.length === 0) skipBecause(this, 'no sample ran');
    const mimes = new Set(sampleRuns.flatMap((r) => r.outputs.map((o) => o.mime)));
    assert.ok(mimes.size > 0, 'no sample produced any RNN Lab output');
  });
});
