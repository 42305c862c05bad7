/// <reference types="mocha" />
// A reporter for the extension host: one line per test through console.log (which the workbench
// forwards to the test driver), each prefixed "[rnn-lab-test] " so the driver can pick them out.
// index.ts writes what it counted, with what it knows itself, to the driver's results file.
import Mocha from 'mocha';

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END, EVENT_SUITE_BEGIN } =
  Mocha.Runner.constants;

/** The results file (RNN_LAB_TEST_RESULTS) that test/vscode/lib/results.mjs reads. */
export interface SuiteResults {
  mode: string;
  /** CI was set in the extension host: skips failed. */
  ci: boolean;
  /** Tests registered after loading the mode's files (before any --grep). */
  registered: number;
  /** The suite files of the mode (files.json). */
  files: string[];
  /** Suite files that threw while loading: their tests are not registered. */
  loadErrors: { file: string; error: string }[];
  /** Tests that passed, failed, were skipped (each test counted once). */
  passed: number;
  failed: number;
  pending: number;
  /** Failed hooks (suiteSetup, setup, ...): the tests behind them did not run. */
  hookFailures: number;
  /** The run reached its end (EVENT_RUN_END). */
  ended: boolean;
  failures: { title: string; error: string }[];
  skipped: string[];
}

const say = (line: string): void => console.log(`[rnn-lab-test] ${line}`);

const results: Omit<SuiteResults, 'mode' | 'ci' | 'registered' | 'files' | 'loadErrors'> = {
  passed: 0,
  failed: 0,
  pending: 0,
  hookFailures: 0,
  ended: false,
  failures: [],
  skipped: [],
};

/** What the reporter counted so far. */
export function reporterResults(): typeof results {
  return { ...results, failures: [...results.failures], skipped: [...results.skipped] };
}

export class LineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title) say(`${suite.fullTitle()}`);
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      results.passed++;
      say(`  ✔ ${test.title} (${test.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      results.pending++;
      results.skipped.push(test.fullTitle());
      say(`  - ${test.title} (SKIPPED: nothing in this suite skips by design; with CI set this fails)`);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Runnable, err: Error) => {
      if ((test as Mocha.Runnable & { type?: string }).type === 'hook') results.hookFailures++;
      else results.failed++;
      const error = err?.stack ?? String(err);
      results.failures.push({ title: test.fullTitle(), error });
      say(`  ✖ ${test.title}\n${error.replace(/^/gm, '      ')}`);
    });
    runner.once(EVENT_RUN_END, () => {
      results.ended = true;
      const hooks = results.hookFailures ? ` (and ${results.hookFailures} failed hook(s))` : '';
      say(`${results.passed} passing, ${results.failed} failing${hooks}, ${results.pending} skipped`);
    });
  }
}
