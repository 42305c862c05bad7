// Executes every sample notebook with `rnn-lab run` (the built CLI: npm run build first) and checks
// its claims on the fresh outputs. RNN_LAB_SAMPLES=name,name limits the run to some samples.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CLAIMS } from './claims';
import { errors, readNotebook } from './outputs';

const root = path.resolve(__dirname, '../..');
const only = process.env.RNN_LAB_SAMPLES?.split(',').filter(Boolean);
const names = Object.keys(CLAIMS).filter((name) => !only || only.includes(name));
const work = mkdtempSync(path.join(tmpdir(), 'rnn-lab-samples-'));

describe.each(names)('%s', (name) => {
  it('runs headlessly and shows what its prose claims', async () => {
    const out = path.join(work, `${name}.ipynb`);
    const started = performance.now();
    try {
      await promisify(execFile)(process.execPath, [path.join(root, 'bin/rnn-lab.js'), 'run', path.join(root, 'samples', `${name}.ipynb`), '--out', out], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`rnn-lab run ${name}.ipynb failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
    }
    console.log(`${name}: executed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const nb = readNotebook(out);
    expect(errors(nb)).toEqual([]);
    CLAIMS[name]!(nb);
  });
});
