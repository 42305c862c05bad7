// Runs a TypeScript script of this repository with Node: bundles it with esbuild (as the
// project's build does) into a temporary CommonJS file and requires it, with the Node host
// installed first (kernel/node/install.ts: the kernel's core asks it for files, threads, …).
//
//   node scripts/interop/run_ts.mjs scripts/interop/write_engine_fixtures.ts
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/interop/run_ts.mjs <script.ts>');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-run-'));
const outfile = join(dir, 'script.cjs');
try {
  const install = join(dirname(fileURLToPath(import.meta.url)), '../../kernel/node/install.ts');
  await build({ entryPoints: [resolve(entry)], inject: [install], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['onnxruntime-web', 'esbuild'] });
  createRequire(import.meta.url)(outfile);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
