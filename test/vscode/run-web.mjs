#!/usr/bin/env node
// Runs RNN Lab's extension-host test suite (dist/test/vscode/suite/index.js) inside a real
// VS Code 1.100 served by code-server, driven by headless Chromium. See shared/vscode-web.md.
//
//   node test/vscode/run-web.mjs [--trust | --web [--isolated]] [--grep <pattern>] [--timeout <seconds>]
//
// --trust   leave workspace trust on: the folder opens in Restricted Mode and the suite runs
//           only its workspace-trust tests (the kernel must refuse to run there).
// --web     VS Code for the Web: the setting remote.extensionKind moves RNN Lab into code-server's
//           web worker extension host (its browser entry, kernels in Web Workers) and the web
//           suite runs there (test/vscode/web/index.ts, mode "web" of suite/files.json). That host
//           has no file system: settings and results travel as files of the test workspace.
// --isolated  with --web: the workbench behind a proxy that makes it cross-origin isolated
//           (lib/isolatingProxy.mjs): SharedArrayBuffer in the extension host and the kernel.
// Exit code 0 only when the suite exited 0 and its results hold up (lib/results.mjs): every
// suite file loaded, as many tests registered as the suite files declare (lib/expected.mjs),
// all of them run, none failed, and with CI set none skipped (CI reaches the extension host
// through code-server's environment, and the suite then fails skips itself too). 1 otherwise,
// on timeout, or on a failure to start.
// Prints "vscode: N passed, M failed, K skipped" last. Logs go to .ci/artifacts/vscode/.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bounded } from './lib/bounded.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { repoRoot, startCodeServer } from './lib/codeServer.mjs';
import { startIsolatingProxy } from './lib/isolatingProxy.mjs';
import { judgeRun } from './lib/results.mjs';

const { values: opts } = parseArgs({
  options: {
    trust: { type: 'boolean', default: false },
    web: { type: 'boolean', default: false },
    isolated: { type: 'boolean', default: false },
    grep: { type: 'string' },
    timeout: { type: 'string', default: process.env.RNN_LAB_VSCODE_TIMEOUT ?? '900' },
  },
});
if (opts.trust && opts.web) {
  console.error('run-web: --trust and --web are separate runs');
  process.exit(1);
}
if (opts.isolated && !opts.web) {
  console.error('run-web: --isolated goes with --web');
  process.exit(1);
}
const mode = opts.trust ? 'trust' : opts.web ? 'web' : 'default';
const runName = opts.isolated ? 'web-isolated' : mode;
const timeoutMs = Number(opts.timeout) * 1000;
const suiteIndex = join(repoRoot, opts.web ? 'dist/test/vscode/web/index.js' : 'dist/test/vscode/suite/index.js');
/** The web suite's settings and results, as files of the test workspace (that host has no other way). */
const WEB_SETTINGS = '.rnn-lab-test.json';
const WEB_RESULTS = '.rnn-lab-test-results.json';
const artifacts = join(repoRoot, '.ci/artifacts/vscode');
mkdirSync(artifacts, { recursive: true });
const logFile = join(artifacts, `run-web-${runName}.log`);
const logLines = [];
const log = (line) => logLines.push(line);

if (!existsSync(suiteIndex)) {
  console.error(`run-web: ${suiteIndex} is missing: run npm run build first`);
  process.exit(1);
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const resultsDir = mkdtempSync(join(tmpdir(), 'rnn-lab-results-'));
const resultsFile = join(resultsDir, 'results.json');

let server;
let proxy;
let browser;
let exitCode = 1;
let overallTimer;
try {
  const timedOut = new Promise((_, reject) => {
    overallTimer = setTimeout(() => reject(new Error(`timed out after ${opts.timeout}s`)), timeoutMs);
  });
  exitCode = await Promise.race([runSuite(), timedOut]);
} catch (err) {
  console.error(`run-web: ${err instanceof Error ? err.message : err}`);
  exitCode = 1;
} finally {
  clearTimeout(overallTimer);
  await bounded('run-web: closing the browser', () => browser?.close());
  await bounded('run-web: closing the isolating proxy', () => proxy?.close());
  // The web suite wrote its results into the workspace, which stop() removes.
  if (server && opts.web && existsSync(join(server.workspace, WEB_RESULTS))) copyFileSync(join(server.workspace, WEB_RESULTS), resultsFile);
  if (server) {
    log(`--- code-server output ---\n${server.log()}`);
    await bounded('run-web: stopping code-server', () => server.stop(), 30);
  }
  writeFileSync(logFile, logLines.join('\n') + '\n');
  const verdict = judgeRun(resultsFile, { mode, grep: opts.grep });
  rmSync(resultsDir, { recursive: true, force: true });
  console.log(`run-web: ${runName} run took ${elapsed()}; full log in ${logFile}`);
  if (verdict.expected !== undefined) console.log(`run-web: ${verdict.registered} tests registered, ${verdict.expected} declared by the suite files${opts.grep ? ` (--grep ${opts.grep}: not compared)` : ''}`);
  for (const problem of verdict.problems) console.log(`run-web: ${verdict.ok ? 'note' : 'FAIL'}: ${problem}`);
  if (!verdict.ok && exitCode === 0) exitCode = 1;
  if (verdict.ok && exitCode !== 0) console.log(`run-web: FAIL: the suite exited with code ${exitCode}`);
  console.log(verdict.line);
  process.exit(exitCode);
}

async function runSuite() {
  server = await startCodeServer({
    trust: opts.trust,
    // The extension host inherits the server's environment (process.env, CI included, and these).
    env: {
      RNN_LAB_TEST_MODE: mode,
      RNN_LAB_TEST_RESULTS: resultsFile,
      ...(opts.grep ? { RNN_LAB_TEST_GREP: opts.grep } : {}),
    },
    // One package, both hosts: with this setting the workbench runs RNN Lab in its web worker extension host.
    ...(opts.web ? { settings: { 'remote.extensionKind': { 'rnn-lab.rnn-lab': ['web'] } } } : {}),
  });
  if (opts.web) writeFileSync(join(server.workspace, WEB_SETTINGS), JSON.stringify({ mode, grep: opts.grep, ci: Boolean(process.env.CI), isolated: opts.isolated }));
  console.log(`run-web: code-server pid ${server.pid} on ${server.base} (${elapsed()}), workspace ${server.workspace}`);
  // The workbench's address: code-server itself, or the isolating proxy in front of it.
  let base = server.base;
  let remote = server.remote;
  if (opts.isolated) {
    proxy = await startIsolatingProxy(server.base);
    base = proxy.base;
    remote = (path) => `vscode-remote://127.0.0.1:${proxy.port}${path}`;
    console.log(`run-web: cross-origin isolating proxy on ${base}`);
  }

  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    for (const { relativePath, contents } of logs ?? []) {
      const file = join(artifacts, runName, relativePath);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, contents);
    }
    resolveExit(code);
  });
  await page.exposeFunction('codeAutomationLog', (level, message) => {
    log(`[${level}] ${message}`);
    printSuiteOutput(String(message));
  });
  page.on('console', (msg) => log(`[browser ${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => log(`[browser pageerror] ${err.message}`));
  page.on('requestfailed', (req) => log(`[browser requestfailed] ${req.url()} ${req.failure()?.errorText ?? ''}`));

  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(suiteIndex)],
  ]);
  const url = `${base}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(payload)}`;
  await page.goto(url);
  const code = await exited;
  console.log(`run-web: suite finished with exit code ${code} (${elapsed()})`);
  return code;
}

/**
 * The extension host's console reaches us as log messages; the suite's own lines carry the
 * prefix "[rnn-lab-test] ", so only they are printed (the rest stays in the log file).
 */
function printSuiteOutput(message) {
  const marker = '[rnn-lab-test] ';
  const at = message.indexOf(marker);
  if (at >= 0) console.log(message.slice(at + marker.length));
}
