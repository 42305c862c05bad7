// Page side of the browser kernel tests (test/unit/browser-kernel.test.ts): starts dist/web/kernel.js
// as the extension's browser entry does (its text in a Blob, BrowserKernelInit first, the file
// requests answered by extension/web/fileRequests.ts, here from memory) and speaks the kernel's
// JSON-RPC over the worker's messages by hand. Bundled by the test and run in headless Chromium;
// the test drives it through window.rnnLabHarness.
import type { BrowserKernelInit } from '../../kernel/browserProtocol';
import type { CellOutput, ExecuteResult } from '../../kernel/protocol';
import { serveFileRequests, type KernelFileSystem } from '../../extension/web/fileRequests';

interface RpcMessage {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface HarnessRun {
  result: ExecuteResult;
  outputs: CellOutput[];
  /** Wall time from the request to its answer, ms. */
  wallMs: number;
}

class MemoryFiles implements KernelFileSystem {
  readonly files = new Map<string, Uint8Array>();
  async readFile(path: string): Promise<Uint8Array> {
    const bytes = this.files.get(path);
    if (!bytes) throw new Error(`EntryNotFound (FileSystemError): ${path}`);
    return bytes.slice();
  }
  async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    this.files.set(path, bytes.slice());
  }
  async mkdir(): Promise<void> {}
  async stat(path: string) {
    const bytes = this.files.get(path);
    return bytes ? { isFile: true, isDirectory: false, size: bytes.length } : null;
  }
}

class HarnessKernel {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number | string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly outputs = new Map<string, CellOutput[]>();
  readonly log: string[] = [];
  readonly fs = new MemoryFiles();
  readonly interruptFlag: Int32Array | null;
  private executions = 0;

  constructor(bundle: string, trainingWorker: string, env: Record<string, string>) {
    const blobUrl = (text: string) => URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
    this.worker = new Worker(blobUrl(bundle), { name: 'rnn-lab kernel' });
    const files = new MessageChannel();
    serveFileRequests(files.port2, this.fs);
    const isolated = self.crossOriginIsolated === true;
    const interrupt = isolated ? new SharedArrayBuffer(4) : undefined;
    this.interruptFlag = interrupt ? new Int32Array(interrupt) : null;
    const init: BrowserKernelInit = { type: 'rnnLab/init', cwd: '/workspace/samples', files: files.port1, env, trainingWorkerUrl: blobUrl(trainingWorker), ...(interrupt ? { interrupt } : {}) };
    this.worker.postMessage(init, [files.port1]);
    this.worker.onmessage = (event: MessageEvent<RpcMessage>) => this.receive(event.data);
    this.worker.onerror = (event) => this.log.push(`worker error: ${event.message}`);
  }

  private receive(message: RpcMessage): void {
    if (message.method === undefined && message.id !== undefined) {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error.message));
      else waiting?.resolve(message.result);
      return;
    }
    if (message.method === 'rnnLab/output') {
      const { executionId, output } = message.params as { executionId: string; output: CellOutput };
      this.outputs.get(executionId)?.push(output);
    } else if (message.method === 'window/logMessage') {
      this.log.push((message.params as { message: string }).message);
    } else if (message.id !== undefined) {
      // A request of the server's own (client/registerCapability, …): nothing to do here.
      this.worker.postMessage({ jsonrpc: '2.0', id: message.id, result: null });
    }
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.worker.postMessage({ jsonrpc: '2.0', method, params });
  }

  async initialize(): Promise<unknown> {
    const answer = await this.request('initialize', { processId: null, rootUri: null, capabilities: {} });
    this.notify('initialized', {});
    return answer;
  }

  async execute(code: string): Promise<HarnessRun> {
    const executionId = `exec-${++this.executions}`;
    this.outputs.set(executionId, []);
    const started = performance.now();
    const result = (await this.request('rnnLab/execute', { executionId, code, cellLabel: `cell ${this.executions}`, cwd: '/workspace/samples' })) as ExecuteResult;
    const wallMs = performance.now() - started;
    // Outputs sent before the answer have arrived (one channel, in order).
    return { result, outputs: this.outputs.get(executionId)!, wallMs };
  }

  /** As the extension interrupts: the shared flag (cross-origin isolated pages), then the notification. */
  interrupt(): void {
    if (this.interruptFlag) Atomics.store(this.interruptFlag, 0, 1);
    this.notify('rnnLab/interrupt', {});
  }

  terminate(): void {
    this.worker.terminate();
  }
}

let kernel: HarnessKernel | null = null;

const harness = {
  /** Starts a kernel; startMs is from `new Worker` to the answer to initialize (the bundle's fetch not counted). */
  async start(env: Record<string, string> = {}): Promise<{ crossOriginIsolated: boolean; startMs: number }> {
    const bundle = await (await fetch('/kernel.js')).text();
    const trainingWorker = await (await fetch('/worker.js')).text();
    kernel?.terminate();
    const started = performance.now();
    kernel = new HarnessKernel(bundle, trainingWorker, env);
    await kernel.initialize();
    return { crossOriginIsolated: self.crossOriginIsolated === true, startMs: performance.now() - started };
  },
  execute: (code: string) => kernel!.execute(code),
  /** Runs `code`, interrupts it after `afterMs`, and returns the run and how long the interrupt took. */
  async executeAndInterrupt(code: string, afterMs: number): Promise<HarnessRun & { stopMs: number }> {
    const run = kernel!.execute(code);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    const asked = performance.now();
    kernel!.interrupt();
    const done = await run;
    return { ...done, stopMs: performance.now() - asked };
  },
  file: (path: string) => {
    const bytes = kernel!.fs.files.get(path);
    return bytes ? Array.from(bytes.subarray(0, 16)).concat([bytes.length]) : null;
  },
  putFile: (path: string, bytes: number[]) => void kernel!.fs.files.set(path, new Uint8Array(bytes)),
  copyFile: (from: string, to: string) => void kernel!.fs.files.set(to, kernel!.fs.files.get(from)!.slice()),
  log: () => kernel?.log ?? [],
};

(globalThis as unknown as { rnnLabHarness: typeof harness }).rnnLabHarness = harness;
