/// <reference types="mocha" />
// The training dashboard (webview panel rnnLab.dashboard): opened by its command, and opened on
// training start (setting rnnLab.dashboard.openOnTrainingStart, default true) with metrics posted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS, DASHBOARD_VIEW_TYPE } from './contract';
import { closeAllEditors, requireCommand, testApi, waitFor } from './helpers';
import { sampleRunsOrFail } from './samples.test';

function dashboardTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    // Webview tabs carry the view type with a prefix of VS Code's own ('mainThreadWebview-').
    .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(DASHBOARD_VIEW_TYPE));
}

function describeInput(input: unknown): string {
  if (input instanceof vscode.TabInputWebview) return `webview ${input.viewType}`;
  return input?.constructor?.name ?? 'unknown';
}

suite('dashboard: training dashboard panel', () => {
  suiteTeardown(closeAllEditors);

  test(`${COMMANDS.showDashboard} opens the dashboard panel`, async function () {
    const api = await testApi('dashboardVisible');
    await requireCommand(COMMANDS.showDashboard);
    await vscode.commands.executeCommand(COMMANDS.showDashboard);
    await waitFor('the dashboard to be visible', () => api.dashboardVisible(), 10_000);
    await waitFor('a dashboard tab', () => dashboardTab(), 5_000).catch(() => {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => `${t.label} (${describeInput(t.input)})`);
      assert.fail(`no webview tab of type ${DASHBOARD_VIEW_TYPE}; tabs: ${tabs.join(', ') || 'none'}`);
    });
  });

  test('a sample training with fit() opens the dashboard and posts metrics to it', () => {
    const runs = sampleRunsOrFail();
    const training = runs.filter((r) => r.callsFit || r.views.jobsStarted > 0);
    assert.ok(training.length > 0, `no sample that ran calls fit() (samples run: ${runs.map((r) => r.notebook).join(', ')})`);
    for (const run of training) {
      assert.ok(run.views.jobsStarted > 0, `${run.notebook}: calls fit() but no training job started`);
      assert.equal(run.views.dashboardVisible, true, `${run.notebook}: the dashboard is not visible after training`);
      assert.ok(run.views.dashboardMessagesPosted > 0, `${run.notebook}: no message was posted to the dashboard`);
    }
  });
});
