/// <reference types="mocha" />
// Entry of the extension-host test suite: VS Code (test-electron, or the web workbench through
// test/vscode/run-web.mjs) loads dist/test/vscode/suite/index.js and awaits run().
// The test files are bundled into this one file and imported after Mocha has put its TDD
// globals (suite, test, ...) in place, so no file loading happens at run time.
import Mocha from 'mocha';
import { LineReporter } from './reporter';

export async function run(): Promise<void> {
  const mode = process.env.RNN_LAB_TEST_MODE ?? 'default';
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: 120_000,
    color: false,
    reporter: LineReporter,
    grep: process.env.RNN_LAB_TEST_GREP,
  });
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'rnn-lab-suite', mocha);
  if (mode === 'trust') {
    await import('./trust.test');
  } else {
    await import('./harness.test');
    await import('./smoke.test');
    await import('./notebook.test');
    await import('./samples.test');
    await import('./inspector.test');
    await import('./dashboard.test');
    await import('./export.test');
    await import('./kernelControl.test');
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
