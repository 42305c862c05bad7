/// <reference types="mocha" />
// Every sample notebook runs to the end in VS Code and its RNN Lab outputs are well formed:
// each RNN Lab MIME item is JSON of the right kind, with a text/plain beside it (the contract).
// While a sample is still open, what the inspector and dashboard show is recorded for the
// inspector and dashboard suites (one run of each sample serves all three).
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { RNN_LAB_MIMES, type TestApi } from './contract';
import { closeAllEditors, extensionWithKernel, openNotebook, runCells, selectRnnLabKernel, testApi, waitFor, workspaceUri } from './helpers';
import { sampleNotebookPaths } from './nodeHelpers';
import { checkNotebookRan, type RnnLabOutput } from './outputShapes';

export interface SampleRun {
  notebook: string;
  outputs: RnnLabOutput[];
  /** A code cell calls fit() (training jobs in workers, which the jobs view and dashboard follow). */
  callsFit: boolean;
  /** What the inspector and dashboard showed (through the test API) when the sample had run. */
  views: {
    models: Awaited<ReturnType<TestApi['modelsTreeItems']>>;
    jobs: Awaited<ReturnType<TestApi['jobsTreeItems']>>;
    /** Jobs the kernel started while this sample ran. */
    jobsStarted: number;
    dashboardVisible: boolean;
    /** Messages the dashboard received while this sample ran. */
    dashboardMessagesPosted: number;
  };
}
/** Filled by this suite, read by inspector.test.ts and dashboard.test.ts. */
export const sampleRuns: SampleRun[] = [];

/** The recorded sample runs for the suites that check them; none recorded is a failure. */
export function sampleRunsOrFail(): SampleRun[] {
  assert.ok(sampleRuns.length > 0, 'no sample ran to the end in the samples suite (it runs first; with --grep, include it)');
  return sampleRuns;
}


/** For the record: what the notebook's kernel process holds after the sample ran (Linux: /proc). */
function logKernelMemory(api: TestApi, notebook: vscode.NotebookDocument, name: string): void {
  const pid = api.kernels().find((k) => k.notebook === notebook.uri.toString())?.pid;
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string): number => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  console.log(`[rnn-lab-test]     ${name}: its kernel (pid ${pid}) holds ${mb('VmRSS')} MB resident (peak ${mb('VmHWM')} MB)`);
}
suite('samples: every sample notebook runs in VS Code', () => {
  teardown(closeAllEditors);
  const samples = sampleNotebookPaths();

  for (const uri of samples) {
    const name = uri.path.split('/').pop() ?? uri.path;
    // one test per sample notebook (test/vscode/lib/expected.mjs counts this registration so)
    test(`${name} runs to the end with well-formed RNN Lab outputs`, async function () {
      this.timeout(600_000);
      await extensionWithKernel();
      const api = await testApi('modelsTreeItems', 'jobsTreeItems', 'dashboardVisible', 'dashboardMessagesPosted', 'followedNotebook');
      // Counted over the whole session: this run's share is what it adds.
      const postedBefore = api.dashboardMessagesPosted();
      const editor = await openNotebook(uri);
      await selectRnnLabKernel(editor);
      // The views follow the notebook in view, which has a kernel of its own (none yet: no job).
      await waitFor(`the views to follow ${name}`, () => api.followedNotebook() === editor.notebook.uri.toString(), 10_000);
      const jobsBefore = (await api.jobsTreeItems()).length;
      await runCells(editor, undefined, 540_000);
      logKernelMemory(api, editor.notebook, name);
      const outputs = checkNotebookRan(editor.notebook, name);
      const callsFit = editor.notebook.getCells().some((c) => c.kind === vscode.NotebookCellKind.Code && /\bfit\(/.test(c.document.getText()));
      const { modelsTreeItems, dashboardVisible, dashboardMessagesPosted } = api;
      // Views refresh on kernel notifications; give a model-defining sample a moment to show.
      const hasModel = outputs.some((o) => o.mime === RNN_LAB_MIMES.module);
      const models = hasModel
        ? await waitFor('the models view to list a model', async () => {
            const items = await modelsTreeItems();
            return items.length > 0 && items;
          }, 10_000).catch(() => [])
        : await modelsTreeItems();
      const jobs = await api.jobsTreeItems();
      if (jobs.length > jobsBefore) {
        // The dashboard's messages count once its webview has loaded its script (plotly, some
        // MB) and said it is ready, which may be well after the cells have finished.
        await waitFor('the dashboard to receive the training messages', () => dashboardVisible() && dashboardMessagesPosted() > postedBefore, 60_000).catch(
          () => undefined,
        );
      }
      const run: SampleRun = {
        notebook: name,
        outputs,
        callsFit,
        views: {
          models,
          jobs,
          jobsStarted: jobs.length - jobsBefore,
          dashboardVisible: dashboardVisible(),
          dashboardMessagesPosted: dashboardMessagesPosted() - postedBefore,
        },
      };
      sampleRuns.push(run);
    });
  }

  test('together the samples show RNN Lab outputs (plots, tables, tensors, modules)', () => {
    assert.ok(samples.length > 0, `the test workspace has no sample notebooks in ${workspaceUri('samples').path} (copied from the repository's samples/)`);
    // A sample that failed fails its own test above; this one needs at least one that ran.
    assert.ok(sampleRuns.length > 0, `none of the ${samples.length} samples ran to the end`);
    const mimes = new Set(sampleRuns.flatMap((r) => r.outputs.map((o) => o.mime)));
    assert.ok(mimes.size > 0, 'no sample produced any RNN Lab output');
  });
});
