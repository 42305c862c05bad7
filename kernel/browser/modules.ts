// A cell's imports in the browser: 'rnn-lab' and the cells' timers are the runtime's
// (runtime/resolver.ts); there is no node_modules folder and no Node.js here, so anything else
// fails before the cell runs, saying why.
import type { HostModules } from '../host/index';

export const browserModules: HostModules = {
  load(specifier) {
    const isNode = specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!);
    const why = isNode
      ? `'${specifier}' is a Node.js module, and in VS Code for the Web the kernel runs in the browser (a Web Worker), without Node.js. Files go through loadModel, saveModel and checkpoints, which use the workspace`
      : `in VS Code for the Web the kernel runs in the browser (a Web Worker), which has no node_modules folder to load '${specifier}' from. Cells there can import 'rnn-lab' and the timers ('node:timers', 'node:timers/promises')`;
    return Promise.reject(new Error(`the browser cannot load it: ${why}.`));
  },
  builtinNames: () => [],
};

/** Node's built-in modules by their bare names (`import fs from 'fs'`). */
const NODE_BUILTINS = new Set([
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'constants', 'crypto', 'dgram', 'diagnostics_channel', 'dns',
  'domain', 'events', 'fs', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'punycode',
  'querystring', 'readline', 'repl', 'stream', 'string_decoder', 'sys', 'timers', 'tls', 'trace_events', 'tty', 'url', 'util', 'v8', 'vm',
  'wasi', 'worker_threads', 'zlib',
]);
