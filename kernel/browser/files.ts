// Files in the browser worker: requests to the extension over a MessagePort of their own, which
// serves them from the workspace's file system (vscode.workspace.fs), so that a model saved in
// github.dev lands in the repository. Writes are posted in order and return at once (settled()
// reports a failure). Reads are synchronous in the core's API (loadModel): where the page is
// cross-origin isolated the kernel blocks in Atomics.wait while the extension (another thread)
// answers into shared memory; elsewhere only files this kernel wrote itself can be read at once,
// and readFileAsync always works.
import type { BrowserFileRequest, BrowserFileResponse, BrowserSyncSlot } from '../browserProtocol';
import type { HostFileStat, HostFiles, HostPaths } from '../host/index';

/** How long a synchronous request waits for the extension before it gives up, ms. */
const SYNC_TIMEOUT_MS = 60_000;
/** Bytes of what this kernel wrote, kept so that a save can be read back at once (in any page). */
const WRITTEN_CACHE_BYTES = 256 * 1024 * 1024;

type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = Distributive<BrowserFileRequest>;

/** The host's files, and another port to the same file system for a training worker. */
export interface BrowserFiles extends HostFiles {
  openPort(): Promise<MessagePort>;
}

export function browserFiles(port: MessagePort, paths: HostPaths, cwd: () => string, sharedMemory: boolean): BrowserFiles {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (r: BrowserFileResponse & { ok: true }) => void; reject: (e: Error) => void }>();
  const writes = new Set<Promise<unknown>>();
  let firstFailure: Error | null = null;
  const written = new Map<string, Uint8Array>();
  let writtenBytes = 0;

  port.onmessage = (event: MessageEvent<BrowserFileResponse>) => {
    const answer = event.data;
    const w = waiting.get(answer.id);
    if (!w) return;
    waiting.delete(answer.id);
    if (answer.ok) w.resolve(answer);
    else w.reject(new Error(answer.error));
  };

  const absolute = (path: string) => paths.resolve(cwd(), path);
  const send = (request: Request, transfer: Transferable[] = []): Promise<BrowserFileResponse & { ok: true }> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      port.postMessage({ ...request, id }, transfer);
    });

  /** Sends a request and blocks until the extension answers into shared memory. */
  function sendSync(request: Request & { op: 'read' | 'stat' }, dataBytes: number): { state: number; length: number; data: Uint8Array } {
    const slot: BrowserSyncSlot = { control: new SharedArrayBuffer(8), data: new SharedArrayBuffer(Math.max(dataBytes, 1024)) };
    const control = new Int32Array(slot.control);
    port.postMessage({ ...request, id: nextId++, sync: slot });
    if (Atomics.wait(control, 0, 0, SYNC_TIMEOUT_MS) === 'timed-out') throw new Error(`${request.path}: the workspace did not answer within ${SYNC_TIMEOUT_MS / 1000} s`);
    const length = Atomics.load(control, 1);
    return { state: Atomics.load(control, 0), length, data: new Uint8Array(slot.data) };
  }

  const failed = (data: Uint8Array, length: number) => new Error(new TextDecoder().decode(data.slice(0, length)));

  function readSync(path: string): Uint8Array {
    let room = 1 << 20;
    for (;;) {
      const answer = sendSync({ op: 'read', path }, room);
      if (answer.state === 2) throw failed(answer.data, answer.length);
      if (answer.length <= answer.data.length) return answer.data.slice(0, answer.length);
      room = answer.length; // too large for the slot: again, with room enough
    }
  }

  function remember(path: string, bytes: Uint8Array): void {
    writtenBytes -= written.get(path)?.length ?? 0;
    written.delete(path);
    if (bytes.length > WRITTEN_CACHE_BYTES) return;
    written.set(path, bytes);
    writtenBytes += bytes.length;
    for (const [oldest, old] of written) {
      if (writtenBytes <= WRITTEN_CACHE_BYTES) break;
      written.delete(oldest);
      writtenBytes -= old.length;
    }
  }

  /** A write in flight: remembered until it lands, its failure kept for settled(). */
  function track(promise: Promise<unknown>): void {
    const p = promise.then(
      () => undefined,
      (error: Error) => {
        firstFailure ??= error;
      },
    );
    writes.add(p);
    void p.finally(() => writes.delete(p));
  }

  return {
    readFile(path) {
      const target = absolute(path);
      const mine = written.get(target);
      if (mine) return mine.slice();
      if (sharedMemory) return readSync(target);
      throw new Error(
        `Cannot read ${target} here: in this browser tab the kernel reads files only asynchronously (the page is not cross-origin isolated). ` +
          `Load it with \`await loadModelAsync(model, path)\`, or open VS Code for the Web cross-origin isolated (?vscode-coi=on).`,
      );
    },
    async readFileAsync(path) {
      const target = absolute(path);
      const mine = written.get(target);
      if (mine) return mine.slice();
      const answer = await send({ op: 'read', path: target });
      return answer.bytes ?? new Uint8Array(0);
    },
    writeFileAtomic(path, content) {
      const target = absolute(path);
      // A copy: the caller keeps its array, and the copy's buffer moves to the extension.
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content.slice();
      remember(target, bytes.slice());
      track(send({ op: 'write', path: target, bytes }, [bytes.buffer]));
    },
    mkdir(path) {
      track(send({ op: 'mkdir', path: absolute(path) }));
    },
    stat(path): HostFileStat | null {
      const target = absolute(path);
      const mine = written.get(target);
      if (mine) return { isFile: true, isDirectory: false, size: mine.length };
      if (!sharedMemory) throw new Error(`Cannot look at ${target} here: the page is not cross-origin isolated, so the kernel cannot wait for the workspace`);
      const answer = sendSync({ op: 'stat', path: target }, 1024);
      if (answer.state === 2) throw failed(answer.data, answer.length);
      return JSON.parse(new TextDecoder().decode(answer.data.slice(0, answer.length))) as HostFileStat | null;
    },
    async openPort() {
      const answer = await send({ op: 'open' });
      if (!answer.port) throw new Error('the extension opened no file port');
      return answer.port;
    },
    settled() {
      if (writes.size === 0 && firstFailure === null) return null;
      return Promise.all([...writes]).then(() => {
        const failure = firstFailure;
        firstFailure = null;
        if (failure) throw failure;
      });
    },
  };
}
