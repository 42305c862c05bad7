/// <reference types="mocha" />
// Entry of the extension-host test suite: VS Code (test-electron, or the web workbench through
// test/vscode/run-web.mjs) loads dist/test/vscode/suite/index.js and awaits run().
// The test files are bundled into this one file and imported after Mocha has put its TDD
// globals (suite, test, ...) in place, so no file loading happens at run time.
//
// Nothing here may pass by not running: a suite file that fails to load is a failure, `.only`
// always fails, and with CI set (the drivers pass their environment through to the extension host)
// a skipped test fails too. The results file tells the driver how many tests were registered, so
// that it can compare with what the suite files declare (test/vscode/lib/results.mjs).
import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';
import files from './files.json';
import { LineReporter, reporterResults, type SuiteResults } from './reporter';

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

const say = (line: string): void => console.log(`[rnn-lab-test] ${line}`);

export async function run(): Promise<void> {
  const mode = (process.env.RNN_LAB_TEST_MODE ?? 'default') as keyof typeof files;
  const ci = Boolean(process.env.CI);
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: 120_000,
    color: false,
    reporter: LineReporter,
    grep: process.env.RNN_LAB_TEST_GREP,
    forbidOnly: true,
    // In CI a skipped test is a failed one ("Pending test forbidden"); nothing skips by design.
    forbidPending: ci,
  });
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'rnn-lab-suite', mocha);

  const loadErrors: SuiteResults['loadErrors'] = [];
  const wanted = Array.isArray(files[mode]) ? (files[mode] as string[]) : undefined;
  if (!wanted) loadErrors.push({ file: `mode ${String(mode)}`, error: `files.json has no mode ${String(mode)}` });
  for (const file of wanted ?? []) {
    const load = loaders[file];
    try {
      if (!load) throw new Error(`index.ts has no loader for ${file} (listed in files.json)`);
      await load();
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      loadErrors.push({ file, error });
      say(`✖ suite file ${file} failed to load\n${error.replace(/^/gm, '      ')}`);
    }
  }
  const registered = mocha.suite.total();
  say(`mode ${String(mode)}: ${wanted?.length ?? 0} suite files, ${registered} tests registered${ci ? ' (CI: a skipped test fails)' : ''}`);

  let failures = 0;
  try {
    failures = await new Promise<number>((resolve) => mocha.run(resolve));
  } finally {
    const results: SuiteResults = { ...reporterResults(), mode: String(mode), ci, registered, files: wanted ?? [], loadErrors };
    const file = process.env.RNN_LAB_TEST_RESULTS;
    if (file) writeFileSync(file, JSON.stringify(results, null, 2));
  }
  if (loadErrors.length > 0) throw new Error(`${loadErrors.length} suite file(s) failed to load: ${loadErrors.map((e) => e.file).join(', ')}`);
  if (registered === 0) throw new Error('no test was registered');
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
