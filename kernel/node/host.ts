// The Node host: what the kernel's core gets in a Node process or worker thread (host.ts). Each
// part is Node's own module; only the interrupt watcher (interrupt.ts) and the training worker's
// script (trainingWorkerScript.ts) are more than a line.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as timers from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import * as vm from 'node:vm';
import type { HostFiles, HostInterrupt, HostPaths, HostProcess, HostTimers, KernelHost } from '../host/index';
import { writeFileAtomic } from '../io/atomicWrite';
import { callbackTerminated, interruptibleCallback, uninterruptible } from './interrupt';
import { nodeModules } from './modules';
import { nodeThreads } from './threads';

/** A plain Uint8Array over the bytes (Buffer#slice makes views where the engine expects copies). */
const plain = (bytes: Buffer): Uint8Array => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const files: HostFiles = {
  readFile: (file) => plain(readFileSync(file)),
  readFileAsync: async (file) => plain(await readFile(file)),
  writeFileAtomic,
  mkdir: (dir) => void mkdirSync(dir, { recursive: true }),
  stat(file) {
    const s = statSync(file, { throwIfNoEntry: false });
    return s ? { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size } : null;
  },
  // Writes are synchronous here: each one has landed (or thrown) when it returns.
  settled: () => null,
};

const paths: HostPaths = {
  join: (...parts) => path.join(...parts),
  resolve: (from, to) => path.resolve(from, to),
  dirname: (p) => path.dirname(p),
  basename: (p) => path.basename(p),
  relative: (from, to) => path.relative(from, to),
  toFileUrl: (p) => pathToFileURL(p).href,
  fromFileUrl: (url) => fileURLToPath(url),
};

const processPart: HostProcess = {
  env: (name) => process.env[name],
  cwd: () => process.cwd(),
  log: (text) => void process.stderr.write(text),
};

// Node's timer functions from their module: a cell cannot have replaced these.
const timerPart: HostTimers = {
  setTimeout: (callback, ms) => timers.setTimeout(callback, ms),
  clearTimeout: (handle) => timers.clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, ms) => timers.setInterval(callback, ms),
  clearInterval: (handle) => timers.clearInterval(handle as NodeJS.Timeout),
  setImmediate: (callback) => timers.setImmediate(callback),
  clearImmediate: (handle) => timers.clearImmediate(handle as NodeJS.Immediate),
  unref: (handle) => {
    (handle as { unref?: () => void } | null)?.unref?.();
    return handle;
  },
};

const interrupt: HostInterrupt = {
  uninterruptible,
  interruptibleCallback,
  callbackTerminated,
  // The watcher thread terminates a spinning cell from outside: loops need no checks.
  pollsInLoops: false,
  check: () => undefined,
};

export function nodeHost(): KernelHost {
  return {
    kind: 'node',
    files,
    paths,
    threads: nodeThreads(),
    process: processPart,
    timers: timerPart,
    interrupt,
    modules: nodeModules,
    inspect: (value, options) => inspect(value, options),
    evaluate: (script, filename) => new vm.Script(script, { filename }).runInThisContext({ displayErrors: false }),
    randomUUID,
  };
}
