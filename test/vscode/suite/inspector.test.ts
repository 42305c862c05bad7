/// <reference types="mocha" />
// The sidebar inspector (views rnnLab.models and rnnLab.jobs) after the samples ran: every model a
// sample displayed is listed with its parts, and every training run left a job behind. And the
// parameter view: it opens in the side group the dashboard uses, and follows the values as cells
// and training change them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS, DASHBOARD_VIEW_TYPE, PARAMETER_VIEW_TYPE, RNN_LAB_MIMES } from './contract';
import { closeAllEditors, extensionWithKernel, openScratchNotebook, outputItems, runCells, selectRnnLabKernel, testApi, waitFor, REGRESSOR_LINES } from './helpers';
import type { ModuleSummary } from '../../../kernel/protocol';
import { sampleRunsOrFail } from './samples.test';

suite('inspector: models and jobs views', () => {
  test('the models a sample leaves in the kernel are listed, each with its layers or parameters', () => {
    const runs = sampleRunsOrFail();
    const withModels = runs.filter((r) => r.views.models.length > 0);
    const displayed = runs.filter((r) => r.outputs.some((o) => o.mime === RNN_LAB_MIMES.module));
    for (const run of displayed) {
      assert.ok(run.views.models.length > 0, `${run.notebook} displays a model but the models view is empty`);
    }
    assert.ok(withModels.length > 0, `no sample left a model in the models view (samples run: ${runs.map((r) => r.notebook).join(', ')})`);
    for (const run of withModels) {
      for (const item of run.views.models) {
        assert.ok(item.children.length > 0, `${run.notebook}: models-view item ${item.label} has no children`);
      }
      // A model a sample displayed (module output) is one of the listed ones.
      for (const module of run.outputs.filter((o) => o.mime === RNN_LAB_MIMES.module).map((o) => o.spec as ModuleSummary)) {
        const item = run.views.models.find((m) => `${m.label} ${m.description ?? ''}`.includes(module.className));
        assert.ok(item, `${run.notebook}: no models-view item mentions ${module.className}: ${JSON.stringify(run.views.models)}`);
      }
    }
  });

  test('a sample training with fit() leaves its jobs in the jobs view', () => {
    const runs = sampleRunsOrFail();
    const training = runs.filter((r) => r.callsFit);
    assert.ok(training.length > 0, `no sample that ran calls fit() (samples run: ${runs.map((r) => r.notebook).join(', ')})`);
    for (const run of training) {
      assert.ok(run.views.jobsStarted > 0, `${run.notebook}: calls fit() but the jobs view gained no job`);
      for (const job of run.views.jobs) assert.ok(job.label.length > 0, `${run.notebook}: a job without a label`);
    }
  });
});

/** The editor column of the first webview tab of this view type. */
function columnOf(viewType: string): number | undefined {
  return vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType)))?.viewColumn;
}

suite('inspector: the parameter view', () => {
  suiteTeardown(closeAllEditors);

  test('opens in the side group the dashboard uses, and refreshes after .data.fill(0) and after fit(), as the tree does', async function () {
    this.timeout(180_000);
    await extensionWithKernel();
    const api = await testApi('parameterView', 'modelsTreeItems');
    const editor = await openScratchNotebook('parameter-view', [
      [
        ...REGRESSOR_LINES,
        'const net = new Regressor();',
      ].join('\n'),
      'net.gru.weight_hh_l0.data.fill(0);',
      "await fit(net, { x, y }, { epochs: 5, batchSize: 4, optimizer: 'sgd', lr: 0.1, display: false }).done;",
    ]);
    await selectRnnLabKernel(editor);
    const [define, zero, train] = editor.notebook.getCells();
    await runCells(editor, [define]);
    assert.equal(define.executionSummary?.success, true, JSON.stringify(outputItems(define)));

    // The dashboard beside the notebook, with the focus (the case: the parameter view then
    // opened a third column).
    await vscode.commands.executeCommand(COMMANDS.showDashboard);
    const dashboardColumn = await waitFor('the dashboard tab', () => columnOf(DASHBOARD_VIEW_TYPE), 10_000);
    const groups = vscode.window.tabGroups.all.length;
    await vscode.commands.executeCommand('rnnLab.showParameter', 'net', 'gru.weight_hh_l0');
    const first = await waitFor('the parameter view to show net.gru.weight_hh_l0', () => {
      const view = api.parameterView();
      return view.parameter === 'gru.weight_hh_l0' && view.max !== undefined && view;
    }, 15_000);
    assert.deepEqual(first.shape, [12, 4]);
    assert.ok(first.max! > 0 && first.min! < 0, `fresh weights: ${JSON.stringify(first)}`);
    // The tab model follows the panel's creation asynchronously.
    const parameterColumn = await waitFor('the parameter view tab', () => columnOf(PARAMETER_VIEW_TYPE), 10_000).catch(() => undefined);
    const tabs = vscode.window.tabGroups.all.map((g) => `${g.viewColumn}: ${g.tabs.map((t) => (t.input instanceof vscode.TabInputWebview ? t.input.viewType : t.label)).join(', ')}`);
    assert.equal(parameterColumn, dashboardColumn, `the parameter view did not open in the dashboard's group; groups ${tabs.join(' | ')}`);
    assert.equal(vscode.window.tabGroups.all.length, groups, 'the parameter view opened a new editor group');

    // A cell changes the values in place: the open view follows without a click.
    await runCells(editor, [zero]);
    assert.equal(zero.executionSummary?.success, true, JSON.stringify(outputItems(zero)));
    const zeroed = await waitFor('the parameter view to show zeros', () => {
      const view = api.parameterView();
      return view.reads > first.reads && view.max === 0 && view.min === 0 && view;
    }, 15_000).catch(() => assert.fail(`after fill(0): ${JSON.stringify(api.parameterView())}`));
    // As the tree does.
    const tree = await api.modelsTreeItems();
    assert.ok(tree.some((m) => m.label === 'net'), JSON.stringify(tree));

    // Training changes them too.
    await runCells(editor, [train]);
    assert.equal(train.executionSummary?.success, true, JSON.stringify(outputItems(train)));
    await waitFor('the parameter view to show the trained values', () => {
      const view = api.parameterView();
      return view.reads > zeroed.reads && (view.max! > 0 || view.min! < 0);
    }, 20_000).catch(() => assert.fail(`after fit(): ${JSON.stringify(api.parameterView())}`));
  });
});
