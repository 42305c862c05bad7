/// <reference types="mocha" />
// What both entries of the extension-host suite do (index.ts in the Node extension host,
// ../web/index.ts in the web worker one): load the suite files of a mode (files.json) after Mocha
// has put its TDD globals in place, run them, and hand the counted results to the entry, which
// writes them where its driver reads them. Nothing may pass by not running: a suite file that fails
// to load is a failure, `.only` always fails, and in CI a skipped test fails too.
import Mocha from 'mocha';
import files from './files.json';
import { LineReporter, reporterResults, type SuiteResults } from './reporter';

export interface SuiteRun {
  mode: string;
  grep?: string | undefined;
  /** CI is set: a skipped test fails. */
  ci: boolean;
  /** Per-test timeout, ms. */
  timeoutMs: number;
  /** One loader per suite file the entry bundles; files.json says which of them the mode runs. */
  loaders: Record<string, () => Promise<unknown>>;
  /** Where the results go (the driver compares them with what the suite files declare). */
  writeResults(results: SuiteResults): Promise<void> | void;
}

const say = (line: string): void => console.log(`[rnn-lab-test] ${line}`);

export async function runSuite(run: SuiteRun): Promise<void> {
  const mode = run.mode as keyof typeof files;
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: run.timeoutMs,
    color: false,
    reporter: LineReporter,
    ...(run.grep ? { grep: run.grep } : {}),
    forbidOnly: true,
    // In CI a skipped test is a failed one ("Pending test forbidden"); nothing skips by design.
    forbidPending: run.ci,
  });
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'rnn-lab-suite', mocha);

  const loadErrors: SuiteResults['loadErrors'] = [];
  const wanted = Array.isArray(files[mode]) ? (files[mode] as string[]) : undefined;
  if (!wanted) loadErrors.push({ file: `mode ${String(mode)}`, error: `files.json has no mode ${String(mode)}` });
  for (const file of wanted ?? []) {
    const load = run.loaders[file];
    try {
      if (!load) throw new Error(`the suite's entry has no loader for ${file} (listed in files.json)`);
      await load();
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      loadErrors.push({ file, error });
      say(`✖ suite file ${file} failed to load\n${error.replace(/^/gm, '      ')}`);
    }
  }
  const registered = mocha.suite.total();
  say(`mode ${String(mode)}: ${wanted?.length ?? 0} suite files, ${registered} tests registered${run.ci ? ' (CI: a skipped test fails)' : ''}`);

  let failures = 0;
  try {
    failures = await new Promise<number>((resolve) => mocha.run(resolve));
  } finally {
    await run.writeResults({ ...reporterResults(), mode: String(mode), ci: run.ci, registered, files: wanted ?? [], loadErrors });
  }
  if (loadErrors.length > 0) throw new Error(`${loadErrors.length} suite file(s) failed to load: ${loadErrors.map((e) => e.file).join(', ')}`);
  if (registered === 0) throw new Error('no test was registered');
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
