// Between the extension's browser entry (extension/web/) and the kernel in a Web Worker
// (kernel/browser/): what is posted before JSON-RPC starts, and the file requests the kernel makes
// of the workspace's file system. Types only, like protocol.ts (JSON-RPC itself then runs over
// the Worker's messages with vscode-jsonrpc's BrowserMessageReader/Writer, as over stdio in Node).

/** The first message the extension posts to a new kernel worker; JSON-RPC messages follow. */
export interface BrowserKernelInit {
  type: 'rnnLab/init';
  /** The notebook's folder as a path of its URI (`/owner/repo/notebooks`): cells' relative paths start there. */
  cwd: string;
  /** Where the kernel's file requests go (BrowserFileRequest, answered with BrowserFileResponse). */
  files: MessagePort;
  /**
   * One Int32 word (the page is cross-origin isolated): the extension stores 1 to interrupt the
   * running cell, which the kernel polls at loop heads and step boundaries. Absent otherwise.
   */
  interrupt?: SharedArrayBuffer;
  /** Environment variables the kernel reads (RNN_LAB_KERNELS, RNN_LAB_THREADS), for tests. */
  env?: Record<string, string>;
  /**
   * A Blob URL of dist/web/worker.js: where the page is cross-origin isolated the kernel starts its
   * training workers from it (BrowserTrainingWorkerInit). Absent: fit() trains on the kernel's thread.
   */
  trainingWorkerUrl?: string;
}

/** The first message a kernel posts to a training worker it started (kernel/browser/trainingWorker.ts). */
export interface BrowserTrainingWorkerInit {
  type: 'rnnLab/trainingWorker';
  /** The kernel's folder: a checkpoint's relative path starts there. */
  cwd: string;
  /** A file port of its own (checkpoints), opened by the kernel for it ({ op: 'open' }). */
  files: MessagePort;
  env?: Record<string, string>;
}

/** What a training worker prints, posted beside its job messages (the job shows it in its cell). */
export interface BrowserWorkerOutput {
  rnnLabOutput: { stream: 'stdout' | 'stderr'; text: string };
}

/** A file request of the kernel. Paths are absolute paths of the notebook's URI space. */
export type BrowserFileRequest =
  | { id: number; op: 'read'; path: string; sync?: BrowserSyncSlot }
  | { id: number; op: 'stat'; path: string; sync?: BrowserSyncSlot }
  | { id: number; op: 'write'; path: string; bytes: Uint8Array }
  | { id: number; op: 'mkdir'; path: string }
  /** Another port served the same way, for a training worker of the kernel (answered with `port`). */
  | { id: number; op: 'open' };

/**
 * How a request is answered to a kernel blocked in Atomics.wait (it cannot receive messages then):
 * `control` is [state, length] (Int32: state 0 pending, 1 done, 2 failed); a read's bytes go into
 * `data` when they fit (else only the length is set, and the kernel asks again with room enough);
 * a failure's message and a stat's answer go into `data` as UTF-8 JSON.
 */
export interface BrowserSyncSlot {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export type BrowserFileResponse =
  | { id: number; ok: true; bytes?: Uint8Array; stat?: { isFile: boolean; isDirectory: boolean; size: number } | null; port?: MessagePort }
  | { id: number; ok: false; error: string };
