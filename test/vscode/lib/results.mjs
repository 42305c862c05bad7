// Reads the results file the suite writes (test/vscode/suite/index.ts) and decides whether the
// run passed. A run passes only when every suite file loaded, the suite registered exactly the
// tests its files declare (lib/expected.mjs), every one of them was reported, none failed, no
// hook failed, and, with CI set, none was skipped. Anything else is a failure with its reason, and
// the summary line counts it as failed, so "0 failed" cannot come from a suite that did not run.
import { existsSync, readFileSync } from 'node:fs';
import { expectedTests } from './expected.mjs';

/**
 * { ok, line, problems } for a finished run. options: mode, grep (a --grep run cannot be
 * compared with the full count), label (the summary's prefix, 'vscode').
 */
export function judgeRun(resultsFile, { mode, grep, label = 'vscode' }) {
  const problems = [];
  if (!existsSync(resultsFile)) {
    problems.push('the suite wrote no results (it did not start, crashed, or timed out)');
    return { ok: false, problems, line: `${label}: 0 passed, 1 failed, 0 skipped (the suite did not report results)` };
  }
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  // Each of these counts as one more failure in the summary line.
  let extraFailures = 0;
  const problem = (text, failures = 1) => {
    problems.push(text);
    extraFailures += failures;
  };
  for (const { file, error } of r.loadErrors ?? []) problem(`suite file ${file} failed to load: ${error.split('\n')[0]}`);
  if (r.mode !== mode) problem(`the suite ran mode ${r.mode}, the driver asked for ${mode}`);
  if (!r.ended) problem('the suite did not reach the end of its run');

  let expected;
  try {
    expected = expectedTests(mode);
  } catch (err) {
    problem(`cannot count the expected tests: ${err instanceof Error ? err.message : err}`);
  }
  const reported = r.passed + r.failed + r.pending;
  if (r.registered === 0) problem('the suite registered no test');
  if (expected && !grep && r.registered !== expected.total) {
    const perFile = Object.entries(expected.files).map(([f, n]) => `${f} ${n}`).join(', ');
    problem(`the suite registered ${r.registered} tests, its files declare ${expected.total} (${perFile})`);
  }
  // Tests behind a failed hook, or after a crash, are never reported.
  const notRun = grep ? 0 : Math.max(0, r.registered - reported);
  if (notRun > 0) problem(`${notRun} of ${r.registered} registered tests did not run`, notRun);
  if (grep && reported === 0) problem(`no test matches --grep ${grep}`);
  if (r.hookFailures > 0) {
    // The tests a failed hook kept from running are counted (above) instead of the hook; a hook
    // that failed after its tests (suiteTeardown) counts itself. Its error is in the log.
    problem(`${r.hookFailures} hook(s) failed`, notRun > 0 ? 0 : r.hookFailures);
  }
  if (r.pending > 0) {
    const titles = (r.skipped ?? []).join('; ');
    if (process.env.CI || r.ci) problem(`${r.pending} test(s) skipped, which CI does not allow: ${titles}`);
    else problems.push(`${r.pending} test(s) skipped (a failure when CI is set): ${titles}`);
  }
  const failed = r.failed + extraFailures;
  const ok = failed === 0 && r.hookFailures === 0 && !((process.env.CI || r.ci) && r.pending > 0);
  const line = `${label}: ${r.passed} passed, ${failed} failed, ${r.pending} skipped`;
  return { ok, problems, line, expected: expected?.total, registered: r.registered };
}
