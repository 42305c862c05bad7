// Answers the browser kernel's file requests (kernel/browserProtocol.ts) from a file system the
// caller hands in: vscode.workspace.fs in the extension (kernelWorkerFiles.ts), an in-memory one
// in tests. Requests are served one at a time in the order they came, so a save the kernel made
// before a load is on disk when the load runs. A synchronous request (the kernel blocks in
// Atomics.wait) is answered into the shared memory it brought.
import type { BrowserFileRequest, BrowserFileResponse, BrowserSyncSlot } from '../../kernel/browserProtocol';

/** The file system the answers come from; paths are the kernel's (absolute paths of one URI space). */
export interface KernelFileSystem {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** null when nothing is there. */
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number } | null>;
}

const DONE = 1;
const FAILED = 2;

/** Serves `port` until it is closed. */
export function serveFileRequests(port: MessagePort, fs: KernelFileSystem): void {
  let queue: Promise<void> = Promise.resolve();
  port.onmessage = (event: MessageEvent<BrowserFileRequest>) => {
    const request = event.data;
    queue = queue.then(() => answer(request, fs, port));
  };
}

async function answer(request: BrowserFileRequest, fs: KernelFileSystem, port: MessagePort): Promise<void> {
  const sync = 'sync' in request ? request.sync : undefined;
  try {
    switch (request.op) {
      case 'read': {
        const bytes = await fs.readFile(request.path);
        if (sync) return settle(sync, DONE, bytes);
        return reply(port, { id: request.id, ok: true, bytes }, [bytes.buffer as ArrayBuffer]);
      }
      case 'stat': {
        const stat = await fs.stat(request.path);
        if (sync) return settle(sync, DONE, new TextEncoder().encode(JSON.stringify(stat)));
        return reply(port, { id: request.id, ok: true, stat });
      }
      case 'write':
        await fs.writeFile(request.path, request.bytes);
        return reply(port, { id: request.id, ok: true });
      case 'mkdir':
        await fs.mkdir(request.path);
        return reply(port, { id: request.id, ok: true });
      case 'open': {
        const channel = new MessageChannel();
        serveFileRequests(channel.port2, fs);
        return reply(port, { id: request.id, ok: true, port: channel.port1 }, [channel.port1]);
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (sync) return settle(sync, FAILED, new TextEncoder().encode(message));
    reply(port, { id: request.id, ok: false, error: message });
  }
}

function reply(port: MessagePort, response: BrowserFileResponse, transfer: Transferable[] = []): void {
  port.postMessage(response, transfer);
}

/** Writes the answer into the kernel's slot (as much as fits; the length says how much there is) and wakes it. */
function settle(slot: BrowserSyncSlot, state: number, answer: Uint8Array): void {
  const data = new Uint8Array(slot.data);
  // A message is cut to fit; bytes that do not fit are not copied (the kernel asks again with room).
  const bytes = state === FAILED ? answer.subarray(0, data.length) : answer;
  if (bytes.length <= data.length) data.set(bytes);
  const control = new Int32Array(slot.control);
  Atomics.store(control, 1, bytes.length);
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
}
