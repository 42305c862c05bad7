/// <reference types="mocha" />
// Entry of the extension-host suite in the web worker extension host (run-web.mjs --web): as
// suite/index.ts (both run ../suite/runSuite.ts), but that host has no process and no file system
// of its own, so the driver's settings come from a file it writes into the test workspace
// (.rnn-lab-test.json) and the results go back the same way (.rnn-lab-test-results.json), both
// through vscode.workspace.fs. Mocha is its browser build (web/mocha.ts), node:assert a small
// stand-in (web/assert.ts).
import * as vscode from 'vscode';
import { runSuite } from '../suite/runSuite';

/** What run-web.mjs --web writes into the workspace before the workbench opens. */
interface RunSettings {
  mode: string;
  grep?: string;
  ci: boolean;
  /** The workbench is behind the cross-origin isolating proxy (web.test.ts checks that it is isolated then). */
  isolated: boolean;
}

const loaders: Record<string, () => Promise<unknown>> = {
  'web.test': () => import('../suite/web.test'),
};

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workspace folder is not open');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function run(): Promise<void> {
  const settings = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile('.rnn-lab-test.json')))) as RunSettings;
  await runSuite({
    mode: settings.mode,
    grep: settings.grep,
    ci: settings.ci,
    timeoutMs: 900_000,
    loaders,
    writeResults: async (results) => {
      await vscode.workspace.fs.writeFile(workspaceFile('.rnn-lab-test-results.json'), new TextEncoder().encode(JSON.stringify(results, null, 2)));
    },
  });
}
