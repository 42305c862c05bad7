// Runs a TypeScript script of this repository with Node: bundles it with esbuild (as the
// project's build does) into a temporary CommonJS file and requires it.
//
//   node scripts/interop/run_ts.mjs scripts/interop/write_engine_fixtures.ts
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/interop/run_ts.mjs <script.ts>');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-run-'));
const outfile = join(dir, 'script.cjs');
try {
  await build({ entryPoints: [resolve(entry)], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['onnxruntime-web'] });
  createRequire(import.meta.url)(outfile);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
