/// <reference types="mocha" />
// Entry of the extension-host test suite: VS Code (test-electron, or the web workbench through
// test/vscode/run-web.mjs) loads dist/test/vscode/suite/index.js and awaits run().
// The test files are bundled into this one file and imported after Mocha has put its TDD
// globals (suite, test, ...) in place, so no file loading happens at run time.
//
// runSuite.ts does the rest (nothing passes by not running); with CI set (the drivers pass their
// environment through to the extension host) a skipped test fails too. The results file tells the
// driver how many tests were registered, so that it can compare with what the suite files declare
// (test/vscode/lib/results.mjs).
import { writeFileSync } from 'node:fs';
import { runSuite } from './runSuite';

/** One loader per suite file; files.json says which of them a mode runs. */
const loaders: Record<string, () => Promise<unknown>> = {
  'harness.test': () => import('./harness.test'),
  'smoke.test': () => import('./smoke.test'),
  'notebook.test': () => import('./notebook.test'),
  'samples.test': () => import('./samples.test'),
  'inspector.test': () => import('./inspector.test'),
  'dashboard.test': () => import('./dashboard.test'),
  'export.test': () => import('./export.test'),
  'kernelControl.test': () => import('./kernelControl.test'),
  'perNotebookKernel.test': () => import('./perNotebookKernel.test'),
  'intellisense.test': () => import('./intellisense.test'),
  'liveOutput.test': () => import('./liveOutput.test'),
  'trust.test': () => import('./trust.test'),
};

export async function run(): Promise<void> {
  const file = process.env.RNN_LAB_TEST_RESULTS;
  await runSuite({
    mode: process.env.RNN_LAB_TEST_MODE ?? 'default',
    grep: process.env.RNN_LAB_TEST_GREP,
    ci: Boolean(process.env.CI),
    timeoutMs: 120_000,
    loaders,
    writeResults: (results) => {
      if (file) writeFileSync(file, JSON.stringify(results, null, 2));
    },
  });
}
