// Bundles every part of RNN Lab with esbuild. Entries whose source does not exist yet are skipped,
// so the build works at every stage of the project.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const node = { platform: 'node', format: 'cjs', target: 'node20', bundle: true, sourcemap: true, logLevel: 'warning' };
const browser = { platform: 'browser', format: 'esm', target: 'es2022', bundle: true, sourcemap: true, logLevel: 'warning' };

/** [source, output, options] */
const entries = [
  ['kernel/engine/index.ts', 'dist/engine.js', node],
  ['kernel/server.ts', 'dist/kernel.js', { ...node, external: ['esbuild'] }],
  ['kernel/cli.ts', 'dist/cli.js', { ...node, external: ['esbuild'] }],
  ['kernel/train/worker.ts', 'dist/worker.js', node],
  ['bench/bench.ts', 'dist/bench.js', { ...node, external: ['@tensorflow/*'] }],
  ['extension/extension.ts', 'dist/extension.js', { ...node, external: ['vscode'] }],
  ['webview/renderer.ts', 'dist/renderer.js', browser],
  ['webview/dashboard.ts', 'dist/dashboard.js', { ...browser, format: 'iife' }],
  ['webview/inspector.ts', 'dist/inspector.js', { ...browser, format: 'iife' }],
  ['test/vscode/suite/index.ts', 'dist/test/vscode/suite/index.js', { ...node, external: ['vscode', 'mocha'] }],
];

const present = entries.filter(([src]) => existsSync(src));
await Promise.all(present.map(([src, out, opts]) => build({ ...opts, entryPoints: [src], outfile: out })));
console.log(`built ${present.map(([, out]) => out).join(', ')}`);
if (watch) console.log('(watch mode is not implemented; re-run npm run build)');
