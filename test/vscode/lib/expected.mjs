// How many tests a run of the extension-host suite must report, counted from the sources: the
// suite files of the mode (test/vscode/suite/files.json), each line that registers a test
// (`test(` at the start of a statement) counting one, and a registration under the comment
// "one test per sample notebook" counting once per notebook in samples/ (which makeWorkspace
// copies into the test workspace). The drivers compare this with what the suite registered and
// reported, so that a suite file lost from the bundle, or one that did not load, cannot pass.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer.mjs';

const suiteDir = join(repoRoot, 'test/vscode/suite');
const PER_SAMPLE = /\/\/\s*one test per sample notebook/;
const REGISTRATION = /^\s*test\(/;

/** Notebooks in samples/ (what the samples suite registers a test for each of). */
export function sampleNotebookCount() {
  const dir = join(repoRoot, 'samples');
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.ipynb')).length : 0;
}

/**
 * { total, files: { [file]: count } } for a mode ('default' or 'trust'). Throws when the mode or
 * one of its files is missing, or when a file registers no test.
 */
export function expectedTests(mode) {
  const table = JSON.parse(readFileSync(join(suiteDir, 'files.json'), 'utf8'));
  const names = table[mode];
  if (!Array.isArray(names) || names.length === 0) throw new Error(`test/vscode/suite/files.json has no files for mode ${mode}`);
  const samples = sampleNotebookCount();
  const files = {};
  let total = 0;
  for (const name of names) {
    const path = join(suiteDir, `${name}.ts`);
    if (!existsSync(path)) throw new Error(`files.json lists ${name}, but ${path} does not exist`);
    const lines = readFileSync(path, 'utf8').split('\n');
    let count = 0;
    lines.forEach((line, i) => {
      if (!REGISTRATION.test(line)) return;
      count += i > 0 && PER_SAMPLE.test(lines[i - 1]) ? samples : 1;
    });
    if (count === 0) throw new Error(`${path} registers no test (a suite file must hold tests)`);
    files[name] = count;
    total += count;
  }
  return { total, files };
}
