// What the kernel's core (engine, train, interop, runtime) asks of the place it runs in. The same
// core runs in a Node process (the kernel process, the headless runner, a training worker thread,
// a script that requires 'rnn-lab') and in a browser Web Worker (VS Code for the Web); each of
// those installs one KernelHost at its entry (kernel/node/, kernel/browser/) and the core reaches
// files, threads, the process, timers and module loading only through it. Web-standard globals
// both have (performance.now(), TextEncoder, MessageChannel, WebAssembly, Atomics) are used
// directly: they need no host. Types only here; kernel/host/index.ts holds the installed host.

/** What stat says about a path; null from stat() when nothing is there. */
export interface HostFileStat {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

/**
 * The file system cells and the engine see: the kernel's own disk in Node, the workspace's file
 * system (vscode.workspace.fs, through the extension) in the browser. Paths are absolute or
 * relative to the notebook's folder (HostPaths.resolve makes them absolute).
 */
export interface HostFiles {
  /** The whole file; throws an Error whose message names the path when it cannot be read. */
  readFile(path: string): Uint8Array;
  /** The same without blocking the thread (in the browser the only way without cross-origin isolation). */
  readFileAsync(path: string): Promise<Uint8Array>;
  /**
   * Writes the file so that a crash leaves the old or the new one, never half of it; creates the
   * folders on the way. In the browser the write is handed to the extension in order and this
   * returns at once: a failure is reported by settled().
   */
  writeFileAtomic(path: string, content: Uint8Array | string): void;
  /** Creates a folder and its parents (nothing when it exists). */
  mkdir(path: string): void;
  stat(path: string): HostFileStat | null;
  /**
   * Resolves when every write handed out so far has landed, rejects with the first that failed;
   * null when none is pending (always in Node, whose writes are synchronous).
   */
  settled(): Promise<void> | null;
}

/** Path arithmetic of the host's file system (Node's path module; POSIX paths in the browser). */
export interface HostPaths {
  join(...parts: string[]): string;
  /** `path` made absolute against `from` (a folder). */
  resolve(from: string, path: string): string;
  dirname(path: string): string;
  basename(path: string): string;
  relative(from: string, to: string): string;
  /** The `file:` URL of an absolute path (import.meta.url in cells). */
  toFileUrl(path: string): string;
  /** The path of a `file:` URL; throws for other URLs. */
  fromFileUrl(url: string): string;
}

/** A thread the host started: a kernel helper or a training worker. */
export interface HostWorker {
  postMessage(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  onError(handler: (error: Error) => void): void;
  /** The thread ended (it crashed or was terminated). */
  onExit(handler: (code: number) => void): void;
  /** What the thread's console printed (training workers: shown in the job's cell). */
  onOutput(handler: (stream: 'stdout' | 'stderr', text: string) => void): void;
  /** Whether the thread keeps the process alive (Node; nothing in the browser). */
  ref(): void;
  unref(): void;
  terminate(): void;
}

export interface HostThreads {
  /** Cores the host reports (os.availableParallelism(), navigator.hardwareConcurrency). */
  readonly cores: number;
  /** SharedArrayBuffer exists and can be posted to another thread (the browser: cross-origin isolated). */
  readonly sharedMemory: boolean;
  /** Whether startTrainingWorker can start one: fit() otherwise trains on the calling thread. */
  readonly trainingWorkers: boolean;
  /**
   * A helper thread running `body`, a classic script in which `workerData` is `data` (posted once:
   * shared memory and compiled wasm modules in it are shared). Null where threads cannot share
   * memory (the caller then works alone).
   */
  startHelper(body: string, data: Record<string, unknown>): HostWorker | null;
  /**
   * A training worker (train/worker/worker.ts on a thread of its own), or null where
   * none can start: fit() trains on the calling thread then. `script` overrides where its code is.
   */
  startTrainingWorker(script?: string): HostWorker | null;
  /** What startTrainingWorker runs: training workers of the same script are pooled. */
  trainingWorkerScript(explicit?: string): string;
}

/** The process the kernel runs in (a Worker in the browser stands for one). */
export interface HostProcess {
  /** An environment variable (RNN_LAB_KERNELS, RNN_LAB_THREADS, …); undefined in the browser. */
  env(name: string): string | undefined;
  /** The folder relative paths start from when no notebook said otherwise. */
  cwd(): string;
  /** The kernel's own log (not a cell's output): stderr in Node, the extension's output channel in the browser. */
  log(text: string): void;
}

/** Timer functions the cells' tracked timers are built on, taken before any cell could replace them. */
export interface HostTimers {
  setTimeout(callback: () => void, ms?: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms?: number): unknown;
  clearInterval(handle: unknown): void;
  /** Runs after pending I/O and messages, before later timers (Node's setImmediate; a message in the browser). */
  setImmediate(callback: () => void): unknown;
  clearImmediate(handle: unknown): void;
  /** A timer or port that must not keep the process alive (Node); nothing in the browser. */
  unref<T>(handle: T): T;
}

/**
 * What the interrupt mechanism needs from the code it may cut short. In Node a watcher thread
 * terminates a cell's JavaScript (kernel/node/interrupt.ts); in the browser an interrupt flag is
 * polled at the loop heads of cells and at the engine's step boundaries (kernel/browser/interrupt.ts).
 */
export interface HostInterrupt {
  /** Runs fn where a terminating interrupt must not land (it waits until fn returns). */
  uninterruptible<T>(fn: () => T): T;
  /** Runs a timer callback a cell left behind so that an interrupt can end it too. */
  interruptibleCallback<T>(fn: () => T): T;
  /** After an interrupt terminated a callback (its finally did not run): none runs any more. */
  callbackTerminated(): void;
  /**
   * Whether compiled cells must poll for an interrupt at their loop heads (K.tick): true where
   * nothing can stop a synchronous loop from outside (the browser).
   */
  readonly pollsInLoops: boolean;
  /** Throws the interrupt when one was asked for (only where pollsInLoops). */
  check(): void;
}

/** Modules a cell imports other than 'rnn-lab' and the cells' own timers. */
export interface HostModules {
  /**
   * Loads `specifier` as a cell in `folder` would (Node: the folder's node_modules and Node's
   * built-ins). Rejects with an Error saying why it cannot (the browser: it names the module).
   */
  load(specifier: string, folder: string): Promise<unknown>;
  /** Names of the host's built-in modules ('fs', 'node:fs', …; none in the browser), for the cells' types. */
  builtinNames(): readonly string[];
}

export interface InspectOptions {
  depth?: number;
  maxArrayLength?: number;
  maxStringLength?: number;
  breakLength?: number;
}

export interface KernelHost {
  readonly kind: 'node' | 'browser';
  readonly files: HostFiles;
  readonly paths: HostPaths;
  readonly threads: HostThreads;
  readonly process: HostProcess;
  readonly timers: HostTimers;
  readonly interrupt: HostInterrupt;
  readonly modules: HostModules;
  /** A value as text, as Node's util.inspect writes it (console.log's formatting). */
  inspect(value: unknown, options?: InspectOptions): string;
  /** Runs a script (a compiled cell) in the kernel's realm; returns its completion value. */
  evaluate(script: string, filename: string): unknown;
  /** A random UUID (v4). Web Crypto's randomUUID exists only in secure contexts: a page served over plain http has none. */
  randomUUID(): string;
}
