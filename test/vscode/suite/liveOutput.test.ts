/// <reference types="mocha" />
// A job's live curve in a cell that has finished: the cell ends when its code ends (a fit() it
// did not await trains on), VS Code never shows it running again while the curve moves (the
// renderer redraws it from messages; the document follows when the job ends, not when its updates pause), the job is
// stopped from the jobs view, and after Restart Kernel an old cell's outputs never change because
// the new kernel trains or shows displays with the same ids.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS, RNN_LAB_MIMES, type TestApi } from './contract';
import { closeAllEditors, extensionWithKernel, itemsOfMime, openScratchNotebook, outputItems, plainOf, runCells, selectRnnLabKernel, REGRESSOR_LINES, testApi, waitFor } from './helpers';

/** A small GRU regressor and its data (cells below train it). */
const DEFINE = REGRESSOR_LINES.join('\n');
// Holds the kernel's thread for 3 s, longer than the pause after which other displays settle.
const BUSY_KERNEL = 'const until = Date.now() + 3000;\nwhile (Date.now() < until) {}';
const LONG_FIT = "const job = fit(new Regressor(), { x, y }, { epochs: 1_000_000, batchSize: 4, optimizer: 'sgd', lr: 0.01 });";

/** The display id of the cell's live loss curve (from its output's metadata, as the renderer reads it). */
function curveDisplayId(cell: vscode.NotebookCell): string {
  const output = cell.outputs.find((o) => o.items.some((i) => i.mime === RNN_LAB_MIMES.lines));
  const id = (output?.metadata as { transient?: { display_id?: string } } | undefined)?.transient?.display_id;
  assert.ok(id, `the cell shows no live loss curve with a display id: ${JSON.stringify(cell.outputs.map((o) => o.metadata))}`);
  return id;
}

/** The cell's outputs once they have not changed for a few seconds. */
async function settledOutputs(cell: vscode.NotebookCell): Promise<string> {
  let last = JSON.stringify(outputItems(cell));
  return waitFor(`the outputs of cell ${cell.index + 1} to settle`, async () => {
    await new Promise((r) => setTimeout(r, 3_000));
    const now = JSON.stringify(outputItems(cell));
    if (now === last) return now;
    last = now;
    return undefined;
  }, 60_000);
}

function summaryOf(cell: vscode.NotebookCell): string {
  const s = cell.executionSummary;
  return JSON.stringify({ order: s?.executionOrder, success: s?.success, start: s?.timing?.startTime, end: s?.timing?.endTime });
}

/** Waits until the renderer has drawn `more` updates of the display beyond what it had. */
async function moreDraws(api: TestApi, displayId: string, more: number): Promise<void> {
  const before = api.liveOutputDraws()[displayId] ?? 0;
  await waitFor(`the renderer to redraw ${displayId} ${more} more times`, () => (api.liveOutputDraws()[displayId] ?? 0) >= before + more, 60_000);
}

async function jobRunning(api: TestApi): Promise<void> {
  await waitFor('a running job in the jobs view', async () => (await api.jobsTreeItems()).some((j) => /^running/.test(j.description ?? '')), 30_000);
}

suite('a job that outlives its cell', () => {
  teardown(closeAllEditors);

  test('the cell ends when its code ends; its live curve goes on without VS Code running the cell again; the jobs view stops the job and the document gets the final curve', async function () {
    await extensionWithKernel();
    const api = await testApi('jobsTreeItems', 'liveOutputDraws');
    const editor = await openScratchNotebook('live-unawaited', [`${DEFINE}\n${LONG_FIT}`, BUSY_KERNEL]);
    await selectRnnLabKernel(editor);
    const [cell, busy] = editor.notebook.getCells();
    await runCells(editor, [cell]);
    assert.equal(cell.executionSummary?.success, true, JSON.stringify(outputItems(cell)));
    await jobRunning(api); // the cell has ended and its job trains on
    const ended = summaryOf(cell);
    const displayId = curveDisplayId(cell);

    // Each write into a finished cell is an execution: VS Code clears its summary and shows it
    // running. (It also reports the summary unchanged when it records how long outputs took to draw.)
    const reruns: string[] = [];
    const watch = vscode.workspace.onDidChangeNotebookDocument((e) => {
      for (const change of e.cellChanges) if (change.cell === cell && change.executionSummary && summaryOf(cell) !== ended) reruns.push(summaryOf(cell));
    });
    try {
      await moreDraws(api, displayId, 3);
      // A pause in the updates (the kernel busy with a cell) is not the job's end.
      await runCells(editor, [busy]);
      await moreDraws(api, displayId, 2);
      assert.deepEqual(reruns, [], 'VS Code showed the finished cell running again while its curve moved');
      assert.equal(summaryOf(cell), ended);

      await vscode.commands.executeCommand('rnnLab.stopJob');
      await waitFor('the curve in the document to say the job stopped', () => plainOf(cell).some((t) => /: stopped, step \d+/.test(t)), 60_000);
    } finally {
      watch.dispose();
    }
    // The document got the final curve through one short execution that kept the cell's own time.
    await waitFor('the cell to show its own execution order and time again', () => summaryOf(cell) === ended, 10_000).catch(() =>
      assert.equal(summaryOf(cell), ended, 'the cell no longer shows its own execution order and time'),
    );
    const [curve] = itemsOfMime(cell, RNN_LAB_MIMES.lines);
    assert.match((JSON.parse(curve.text) as { title: string }).title, /\(stopped\)$/);
  });

  test('after Restart Kernel an old cell keeps its outputs while the new kernel trains and shows displays with the same ids', async function () {
    await extensionWithKernel();
    const api = await testApi('jobsTreeItems', 'liveOutputDraws', 'kernels', 'answerRestartQuestions');
    const editor = await openScratchNotebook('live-restart', [
      DEFINE,
      `${LONG_FIT}\ndisplay('from the first kernel', { displayId: 'note' });`,
      "await fit(new Regressor(), { x, y }, { epochs: 400, batchSize: 4, optimizer: 'sgd', lr: 0.01 }).done;\ndisplay('from the second kernel', { displayId: 'note' }).update('from the second kernel, updated');",
    ]);
    await selectRnnLabKernel(editor);
    const [define, old, later] = editor.notebook.getCells();
    await runCells(editor, [define, old]);
    await jobRunning(api);
    const displayId = curveDisplayId(old);
    await moreDraws(api, displayId, 2);

    const kernel = () => api.kernels().find((k) => k.notebook === editor.notebook.uri.toString());
    const pid = kernel()?.pid;
    api.answerRestartQuestions('restart');
    try {
      await vscode.commands.executeCommand(COMMANDS.restartKernel, editor.notebook.uri);
    } finally {
      api.answerRestartQuestions(undefined);
    }
    await waitFor('the new kernel', () => kernel()?.pid !== pid && kernel()?.state === 'idle', 60_000);
    // What the old kernel last sent goes into the document (the renderer drew it already); from then on nothing may change it.
    const stepsInDocument = () => (JSON.parse(itemsOfMime(old, RNN_LAB_MIMES.lines)[0]?.text ?? '{}') as { series?: { x: number[] }[] }).series?.[0]?.x.length ?? 0;
    await waitFor("the old kernel's last curve in the document", () => stepsInDocument() > 0, 30_000);
    const before = await settledOutputs(old);
    const drawsBefore = api.liveOutputDraws()[displayId] ?? 0;

    await runCells(editor, [define, later], 120_000);
    await waitFor('the cell that trains in the new kernel to end', () => later.executionSummary?.success !== undefined, 60_000);
    assert.equal(later.executionSummary?.success, true, JSON.stringify(plainOf(later)));
    assert.deepEqual(plainOf(later).filter((t) => t.includes('kernel')), ["'from the second kernel, updated'"]);
    await new Promise((r) => setTimeout(r, 3_000)); // longer than an update takes to settle into the document
    assert.equal(JSON.stringify(outputItems(old)), before, "the old cell's outputs changed after the restart");
    assert.equal(api.liveOutputDraws()[displayId] ?? 0, drawsBefore, "the old cell's curve was redrawn after the restart");
    assert.ok(plainOf(old).includes("'from the first kernel'"), JSON.stringify(plainOf(old)));
  });
});
