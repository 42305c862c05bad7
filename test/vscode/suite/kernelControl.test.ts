/// <reference types="mocha" />
// Interrupt and restart: a busy cell stops without losing the notebook's scope; a restart gives
// a fresh scope; the kernel state the extension reports follows along.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS, RNN_LAB_MIMES } from './contract';
import {
  closeAllEditors,
  itemsOfMime,
  openScratchNotebook,
  outputItems,
  requireCommand,
  shownErrors,
  runCells,
  selectRnnLabKernel,
  extensionWithKernel,
  testApi,
  waitFor,
  REGRESSOR_LINES,
} from './helpers';

const ERROR = 'application/vnd.code.notebook.error';

/**
 * An interrupted cell says so once: the word once in what VS Code shows (errors as its renderer
 * draws them, streams, text), not "Interrupted: Execution interrupted.".
 */
function assertInterruptedOnce(cell: vscode.NotebookCell): void {
  const shown = [...shownErrors(cell), ...outputItems(cell).filter((i) => i.mime !== ERROR).map((i) => i.text)];
  const said = shown.join('\n').match(/interrupted/gi) ?? [];
  assert.equal(said.length, 1, `"Interrupted" is shown ${said.length} times: ${JSON.stringify(shown)} (outputs ${JSON.stringify(outputItems(cell))})`);
}

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
  assertInterruptedOnce(busy);
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
    assertInterruptedOnce(loop);
    const ticksAtInterrupt = (streamText(loop).match(/tick/g) ?? []).length;
    await runCells(editor, [later]);
    assert.equal(streamText(later), '', `ticks leaked into a later cell: ${JSON.stringify(outputItems(later))}`);
    assert.equal((streamText(loop).match(/tick/g) ?? []).length, ticksAtInterrupt, 'the loop went on after the interrupt');
    const plain = itemsOfMime(later, 'text/plain').map((i) => i.text);
    assert.deepEqual(plain, [`[ ${ticksAtInterrupt}, 0.93, 'ok' ]`], JSON.stringify(outputItems(later)));
  });

  test('stopping a loop that awaits training jobs says "Interrupted" once, naming the job it stopped', async function () {
    await extensionWithKernel();
    const editor = await openScratchNotebook('interrupt-training-loop', [
      REGRESSOR_LINES.join('\n'),
      "for (const lr of [0.01, 0.001]) {\n  const job = fit(new Regressor(), { x, y }, { epochs: 1_000_000, batchSize: 4, optimizer: 'sgd', lr });\n  await job.done;\n}",
    ]);
    await selectRnnLabKernel(editor);
    const [declare, loop] = editor.notebook.getCells();
    await runCells(editor, [declare]);
    const finished = runCells(editor, [loop], 60_000);
    await waitFor('the loop to train', () => itemsOfMime(loop, RNN_LAB_MIMES.lines).length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await finished;
    // The kernel waits up to a few seconds for the job to stop at a step boundary before it answers.
    await waitFor('the interrupted cell to end', () => loop.executionSummary?.success !== undefined, 30_000);
    assert.equal(loop.executionSummary?.success, false, 'the interrupted cell reports success');
    assertInterruptedOnce(loop);
    assert.match(shownErrors(loop)[0], /^Interrupted: The cell was stopped\. Training job job-\d+ \(\w+\) stopped after step \d+/);
  });

  test(`${COMMANDS.restartKernel} asks first, then gives a fresh scope and the kernel comes back idle`, async function () {
    await extensionWithKernel();
    const api = await testApi('kernelState', 'kernels', 'restartQuestions', 'answerRestartQuestions');
    await requireCommand(COMMANDS.restartKernel);
    const editor = await openScratchNotebook('restart', ['const survivor = 7;', 'survivor']);
    await selectRnnLabKernel(editor);
    const [declare, read] = editor.notebook.getCells();
    await runCells(editor);
    assert.deepEqual(itemsOfMime(read, 'text/plain').map((i) => i.text), ['7']);
    const pid = api.kernels().find((k) => k.notebook === editor.notebook.uri.toString())?.pid;
    // The kernel has a variable: the command asks (a modal; the test API answers it here).
    const asked = api.restartQuestions().length;
    api.answerRestartQuestions('restart');
    try {
      await vscode.commands.executeCommand(COMMANDS.restartKernel);
    } finally {
      api.answerRestartQuestions(undefined);
    }
    assert.equal(api.restartQuestions().length, asked + 1, 'Restart Kernel did not ask with a variable in the kernel');
    assert.match(api.restartQuestions().at(-1)!.message, /^Restart the RNN Lab kernel of restart\? Its variables \(1\) and running training jobs \(0\) will be lost\.$/);
    await waitFor('the kernel to be idle after restart', () => {
      const kernel = api.kernels().find((k) => k.notebook === editor.notebook.uri.toString());
      return api.kernelState() === 'idle' && kernel?.pid !== pid;
    }, 60_000);
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

suite('kernel control: the restart question counts running training jobs', () => {
  teardown(closeAllEditors);

  test(`${COMMANDS.restartKernel} asks while a fit() job trains, naming the job; Cancel leaves it training`, async function () {
    await extensionWithKernel();
    const api = await testApi('kernels', 'jobsTreeItems', 'restartQuestions', 'answerRestartQuestions', 'recentMessages');
    const editor = await openScratchNotebook('restart-training', [
      [
        ...REGRESSOR_LINES,
        'const regressor = new Regressor();',
        "const job = fit(regressor, { x, y }, { epochs: 1_000_000, batchSize: 4, optimizer: 'sgd', lr: 0.01, display: false });",
      ].join('\n'),
    ]);
    await selectRnnLabKernel(editor);
    await runCells(editor);
    const [cell] = editor.notebook.getCells();
    assert.equal(cell.executionSummary?.success, true, JSON.stringify(outputItems(cell)));
    const kernel = () => api.kernels().find((k) => k.notebook === editor.notebook.uri.toString());
    await waitFor('the job to train', () => kernel()?.state === 'training', 30_000);
    const pid = kernel()?.pid;
    const asked = api.restartQuestions().length;
    api.answerRestartQuestions('cancel');
    try {
      await vscode.commands.executeCommand(COMMANDS.restartKernel, editor.notebook.uri);
    } finally {
      api.answerRestartQuestions(undefined);
    }
    assert.equal(api.restartQuestions().length, asked + 1, 'Restart Kernel did not ask while a job trains');
    // While both cores train and the kernel type-checks the cells, it may not say how many variables in time: then no count.
    assert.match(api.restartQuestions().at(-1)!.message, /kernel of restart-training\? Its variables( \(11\))? and running training jobs \(1\) will be lost\./);
    assert.equal(kernel()?.pid, pid, 'the kernel restarted although the question was cancelled');
    assert.equal(kernel()?.state, 'training', 'the job stopped although the question was cancelled');
    await vscode.commands.executeCommand('rnnLab.stopJob');
    await waitFor('the job to stop', () => kernel()?.state === 'idle', 30_000).catch(async (error: unknown) =>
      assert.fail(`${String(error)}; kernels ${JSON.stringify(api.kernels())}, jobs view ${JSON.stringify(await api.jobsTreeItems())}, messages ${JSON.stringify(api.recentMessages())}`),
    );
  });
});
