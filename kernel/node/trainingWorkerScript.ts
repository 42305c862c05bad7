// Where the training worker's code is. In the bundles, dist/worker.js sits beside the bundle that
// runs fit() (dist/kernel.js, dist/cli.js, …). Run from source (tests, ts tools), the worker is
// bundled once from kernel/node/trainingWorker.ts into a temporary file with esbuild.

import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let builtFromSource: string | null = null;

export function resolveWorkerScript(explicit?: string): string {
  if (explicit !== undefined) return explicit;
  const fromEnv = process.env.RNN_LAB_WORKER_SCRIPT;
  if (fromEnv) return fromEnv;
  const beside = join(__dirname, 'worker.js');
  if (existsSync(beside)) return beside;
  const source = join(__dirname, 'trainingWorker.ts');
  if (existsSync(source)) return buildFromSource(source);
  throw new Error(`Cannot find the training worker (${beside}); run \`npm run build\`, or train on this thread with fit(model, data, { worker: false })`);
}

function buildFromSource(source: string): string {
  if (builtFromSource !== null && existsSync(builtFromSource)) return builtFromSource;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const dir = join(tmpdir(), `rnn-lab-worker-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'worker.js');
  esbuild.buildSync({ entryPoints: [source], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'error' });
  builtFromSource = outfile;
  return outfile;
}
