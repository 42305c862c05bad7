#!/usr/bin/env node
// Runs the same extension-host suite the @vscode/test-electron way: desktop VS Code with
// --extensionDevelopmentPath and --extensionTestsPath. test-electron downloads VS Code from
// update.code.visualstudio.com, which this project's machines cannot reach: here it fails at
// once with a clear message; run-web.mjs is the way that works here. Where a VS Code is
// installed, point RNN_LAB_VSCODE_EXECUTABLE at it to skip the download (on Linux without a
// display, run under xvfb-run).
//
//   node test/vscode/run-electron.mjs [--trust]
//
// Exit code 0 only when VS Code's run exited 0 and the results hold up as for run-web.mjs
// (lib/results.mjs: every suite file loaded, every declared test registered and run, none failed,
// none skipped with CI set; VS Code passes this environment, CI included, to its extension host).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeWorkspace, repoRoot } from './lib/codeServer.mjs';
import { judgeRun } from './lib/results.mjs';

const trust = process.argv.includes('--trust');
const suiteIndex = join(repoRoot, 'dist/test/vscode/suite/index.js');
if (!existsSync(suiteIndex)) {
  console.error(`run-electron: ${suiteIndex} is missing: run npm run build first`);
  process.exit(1);
}
const root = mkdtempSync(join(tmpdir(), 'rnn-lab-electron-'));
const resultsFile = join(root, 'results.json');
const overallMs = Number(process.env.RNN_LAB_VSCODE_TIMEOUT ?? '900') * 1000;

let code = 1;
const timer = setTimeout(() => {
  console.error(`run-electron: no result after ${overallMs / 1000}s; giving up`);
  process.exit(1);
}, overallMs);
try {
  code = await runTests({
    version: '1.100.3', // the VS Code the web runner uses (code-server 4.100.3)
    vscodeExecutablePath: process.env.RNN_LAB_VSCODE_EXECUTABLE,
    cachePath: join(repoRoot, '.cache/vscode-test'),
    timeout: 15_000, // idle timeout of the download: fail fast where the host is unreachable
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteIndex,
    extensionTestsEnv: { RNN_LAB_TEST_MODE: trust ? 'trust' : 'default', RNN_LAB_TEST_RESULTS: resultsFile },
    launchArgs: [
      makeWorkspace(root),
      '--disable-extensions',
      `--user-data-dir=${join(root, 'user-data')}`,
      ...(trust ? [] : ['--disable-workspace-trust']),
    ],
  });
} catch (err) {
  const reason = err instanceof Error ? err.message : String(err);
  console.error(
    `run-electron: could not run desktop VS Code: ${reason}\n` +
      'run-electron: @vscode/test-electron downloads VS Code, which fails where only the npm registry ' +
      'is reachable. Use `npm run test:vscode` (code-server + headless Chromium), or set ' +
      'RNN_LAB_VSCODE_EXECUTABLE to an installed VS Code.',
  );
  code = 1;
} finally {
  clearTimeout(timer);
}
const verdict = judgeRun(resultsFile, { mode: trust ? 'trust' : 'default', label: 'vscode-electron' });
for (const problem of verdict.problems) console.log(`run-electron: ${verdict.ok ? 'note' : 'FAIL'}: ${problem}`);
if (!verdict.ok && code === 0) code = 1;
console.log(verdict.line);
rmSync(root, { recursive: true, force: true });
process.exit(code);
