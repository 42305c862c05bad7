/// <reference types="mocha" />
// A reporter for the extension host: one line per test through console.log (which the workbench
// forwards to the test driver), each prefixed "[rnn-lab-test] " so the driver can pick them out,
// and a results file for the driver's summary line.
import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';
import { skipReason } from './skip';

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END, EVENT_SUITE_BEGIN } =
  Mocha.Runner.constants;

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
  skipped: { title: string; reason: string }[];
}

const say = (line: string): void => console.log(`[rnn-lab-test] ${line}`);

export class LineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const results: SuiteResults = { passed: 0, failed: 0, pending: 0, failures: [], skipped: [] };
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title) say(`${suite.fullTitle()}`);
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      results.passed++;
      say(`  ✔ ${test.title} (${test.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      results.pending++;
      const reason = skipReason(test) ?? 'marked pending';
      results.skipped.push({ title: test.fullTitle(), reason });
      say(`  - ${test.title} (skipped: ${reason})`);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
      results.failed++;
      const error = err?.stack ?? String(err);
      results.failures.push({ title: test.fullTitle(), error });
      say(`  ✖ ${test.title}\n${error.replace(/^/gm, '      ')}`);
    });
    runner.once(EVENT_RUN_END, () => {
      say(`${results.passed} passing, ${results.failed} failing, ${results.pending} skipped`);
      const file = process.env.RNN_LAB_TEST_RESULTS;
      if (file) writeFileSync(file, JSON.stringify(results, null, 2));
    });
  }
}
