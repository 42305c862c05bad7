// The browser host: what the kernel's core gets in a Web Worker of VS Code for the Web (host.ts).
// Files go to the extension (files.ts), paths are the notebook URI's (paths.ts), threads are
// nested workers sharing memory only in a cross-origin isolated page (threads.ts), the
// environment is what the extension passed, and a cell's script runs through indirect eval (the
// extension host's CSP allows it) with a sourceURL that names the cell in stack traces.
import type { BrowserKernelInit } from '../browserProtocol';
import type { KernelHost } from '../host/index';
import { randomUuid } from '../uuid';
import { browserFiles } from './files';
import { inspect } from './inspect';
import type { BrowserInterrupt } from './interrupt';
import { browserModules } from './modules';
import { browserPaths } from './paths';
import { browserThreads } from './threads';
import { browserTimers } from './timers';

/** Whether this worker can share memory with others (the page is cross-origin isolated). */
export function canShareMemory(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
}

/** Indirect eval: the script runs in the worker's global scope, as vm.Script.runInThisContext in Node. */
const globalEval = eval;

/** What a host is made of: the kernel's init, or a training worker's (no interrupt flag, no bundle). */
type HostInit = Pick<BrowserKernelInit, 'cwd' | 'files' | 'env' | 'trainingWorkerUrl'>;

export function browserHost(init: HostInit, interrupt: BrowserInterrupt, log: (text: string) => void): KernelHost {
  const sharedMemory = canShareMemory();
  const env = init.env ?? {};
  const cwd = init.cwd;
  // Synchronous reads need the extension's side isolated too: it passed a shared flag, or this is a training worker of such a kernel.
  const files = browserFiles(init.files, browserPaths, () => cwd, sharedMemory);
  const training = init.trainingWorkerUrl ? { url: init.trainingWorkerUrl, cwd, env, openFilesPort: () => files.openPort() } : null;
  return {
    kind: 'browser',
    files,
    paths: browserPaths,
    threads: browserThreads(sharedMemory, training),
    process: {
      env: (name) => env[name],
      cwd: () => cwd,
      log,
    },
    timers: browserTimers(),
    interrupt,
    modules: browserModules,
    inspect,
    evaluate: (script, filename) => globalEval(`${script}\n//# sourceURL=${filename}`) as unknown,
    randomUUID: randomUuid,
  };
}
