// The host the kernel's core runs on (host.ts says what that is). Each entry point installs one
// before any of the core runs: kernel/node/install.ts in Node (the kernel process, the runner, a
// training worker, dist/engine.js, the unit tests' setup), kernel/browser/ in the Web Worker. A
// registry, not an argument threaded through every layer: the engine reads it at a handful of
// leaves (a helper thread, an environment variable), and an argument would run through every
// tensor op to get there. Installed once per thread and never swapped while cells run.
import type { KernelHost } from './host';

export type * from './host';

let installed: KernelHost | null = null;

/** Makes `host` the one the core uses on this thread (entry points only). */
export function installHost(host: KernelHost): void {
  installed = host;
}

/** The installed host; throws when the entry point forgot to install one. */
export function host(): KernelHost {
  if (installed === null) {
    throw new Error("RNN Lab: no host is installed on this thread: an entry point must call installHost() first (kernel/node/install.ts in Node)");
  }
  return installed;
}

/** Whether a host is installed (code that can run without one, such as a module's first load). */
export function hasHost(): boolean {
  return installed !== null;
}
