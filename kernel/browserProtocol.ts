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
}

/** A file request of the kernel. Paths are absolute paths of the notebook's URI space. */
export type BrowserFileRequest =
  | { id: number; op: 'read'; path: string; sync?: BrowserSyncSlot }
  | { id: number; op: 'stat'; path: string; sync?: BrowserSyncSlot }
  | { id: number; op: 'write'; path: string; bytes: Uint8Array }
  | { id: number; op: 'mkdir'; path: string };

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
  | { id: number; ok: true; bytes?: Uint8Array; stat?: { isFile: boolean; isDirectory: boolean; size: number } | null }
  | { id: number; ok: false; error: string };
