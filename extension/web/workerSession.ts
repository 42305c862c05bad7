// One kernel in a Web Worker and the JSON-RPC connection to it (the browser side's KernelSession,
// kernelSessions.ts): VS Code for the Web runs this extension in its web worker extension host,
// where there are no processes. The worker runs dist/web/kernel.js from a Blob URL (a worker
// cannot start from the extension's own URI there); it gets BrowserKernelInit first (its folder,
// a port for its file requests, and where the page is cross-origin isolated a shared interrupt
// flag), then vscode-languageclient's browser client speaks the kernel's JSON-RPC over its messages.
//
// Interrupt: the notification, which a cell that awaits takes at once, and the shared flag, which
// a synchronous loop polls. A cell that holds the worker's thread anyway (no flag in this page, or
// code that never checks it) is stopped the only way left: the worker is ended, and the cell and
// the notification say that the kernel's variables are gone.

import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions } from 'vscode-languageclient/browser';
import type { BrowserKernelInit } from '../../kernel/browserProtocol';
import { ExecuteRequest, InterruptNotification, ListJobsRequest, type ExecuteParams, type InterruptParams } from '../../kernel/protocol';
import { KERNEL_CLIENT_ID, KERNEL_CLIENT_NAME } from '../kernelLanguageClient';
import { KernelNotRunningError, type KernelSession, type SessionEnd } from '../kernelSessions';
import { serveFileRequests, type KernelFileSystem } from './fileRequests';

/** What a worker session needs to start. */
export interface WorkerLaunch {
  /** Blob URLs of dist/web/kernel.js and of the training worker, dist/web/worker.js (read once per activation). */
  bundleUrls(): Promise<{ kernel: string; trainingWorker: string }>;
  /** The notebook's folder as the kernel names it. */
  cwd: string;
  files: KernelFileSystem;
}

/** How long an interrupted kernel gets to answer a ping before it counts as held by a synchronous loop, ms. */
const HELD_AFTER_MS = { isolated: 3000, plain: 1500 };
/** How long a shutdown request may take before the worker is ended anyway, ms. */
const STOP_TIMEOUT_MS = 1000;

const delay = (ms: number): Promise<'late'> => new Promise((resolve) => setTimeout(() => resolve('late'), ms));

let workers = 0;

export class WorkerKernelSession implements KernelSession {
  /** Made in start(): the browser client takes the worker. */
  private client: LanguageClient | undefined;
  private worker: Worker | undefined;
  private flag: Int32Array | null = null;
  private readonly number = ++workers;
  private stopping = false;
  private ending: SessionEnd | undefined;
  private exitSeen = false;
  private markExited: () => void = () => undefined;
  private readonly diedEmitter = new vscode.EventEmitter<SessionEnd>();
  /** Executions sent and not answered yet. */
  private readonly running = new Set<string>();
  /** Notification handlers subscribed before the client exists (kernelClient.ts subscribes before start). */
  private readonly pendingSubscriptions: ((client: LanguageClient) => vscode.Disposable)[] = [];

  readonly exited: Promise<void>;
  readonly onDidDie = this.diedEmitter.event;

  constructor(
    readonly label: string,
    private readonly launch: WorkerLaunch,
    private readonly clientOptions: LanguageClientOptions,
    private readonly log: vscode.OutputChannel,
  ) {
    this.exited = new Promise<void>((resolve) => {
      this.markExited = () => {
        this.exitSeen = true;
        resolve();
      };
    });
  }

  get end(): SessionEnd | undefined {
    return this.ending;
  }

  get hasExited(): boolean {
    return this.exitSeen;
  }

  get pid(): number | undefined {
    return this.worker ? this.number : undefined;
  }

  onNotification<P>(method: string, handler: (params: P) => void): vscode.Disposable {
    const subscribe = (client: LanguageClient) => client.onNotification(method, handler);
    if (this.client) return subscribe(this.client);
    this.pendingSubscriptions.push(subscribe);
    return new vscode.Disposable(() => undefined);
  }

  async start(): Promise<void> {
    try {
      const urls = await this.launch.bundleUrls();
      const worker = new Worker(urls.kernel, { name: `RNN Lab kernel ${this.label}` });
      this.worker = worker;
      worker.addEventListener('error', (event) => this.log.appendLine(`[rnn-lab] kernel ${this.label}: ${event.message}`));
      const files = new MessageChannel();
      serveFileRequests(files.port2, this.launch.files);
      const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
      const interrupt = isolated ? new SharedArrayBuffer(4) : undefined;
      this.flag = interrupt ? new Int32Array(interrupt) : null;
      const init: BrowserKernelInit = { type: 'rnnLab/init', cwd: this.launch.cwd, files: files.port1, trainingWorkerUrl: urls.trainingWorker, ...(interrupt ? { interrupt } : {}) };
      worker.postMessage(init, [files.port1]);
      this.log.appendLine(`[rnn-lab] kernel ${this.label}: a Web Worker in ${this.launch.cwd} (${isolated ? 'cross-origin isolated' : 'not cross-origin isolated: a synchronous loop can be stopped only by ending the kernel'})`);
      const client = new LanguageClient(KERNEL_CLIENT_ID, KERNEL_CLIENT_NAME, this.clientOptions, worker);
      this.client = client;
      for (const subscribe of this.pendingSubscriptions.splice(0)) subscribe(client);
      await client.start();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.appendLine(`[rnn-lab] kernel ${this.label} failed to start: ${reason}`);
      this.ending ??= { kind: 'died', code: null, signal: null, stderrTail: reason };
      this.terminate();
      throw new Error(`The RNN Lab kernel did not start: ${reason}. See the "${KERNEL_CLIENT_NAME}" output for details.`);
    }
  }

  async request<R>(method: string, params?: unknown): Promise<R> {
    const client = this.client;
    if (!client || this.exitSeen) throw new KernelNotRunningError(this.ending);
    const executionId = method === ExecuteRequest ? (params as ExecuteParams).executionId : undefined;
    if (executionId !== undefined) this.running.add(executionId);
    const ended = this.exited.then((): never => {
      throw new KernelNotRunningError(this.ending);
    });
    try {
      const sent = params === undefined ? client.sendRequest<R>(method) : client.sendRequest<R>(method, params);
      return await Promise.race([sent, ended]);
    } finally {
      if (executionId !== undefined) this.running.delete(executionId);
    }
  }

  get alive(): boolean {
    return this.client !== undefined && !this.exitSeen;
  }

  notifyInterrupt(executionId: string | undefined): void {
    const client = this.client;
    if (!client || this.exitSeen) return;
    const params: InterruptParams = executionId === undefined ? {} : { executionId };
    void client.sendNotification(InterruptNotification, params).catch(() => undefined);
  }

  signalInterrupt(): void {
    const client = this.client;
    if (!client || this.exitSeen) return;
    if (this.flag) Atomics.store(this.flag, 0, 1);
    const target = [...this.running].at(-1);
    if (target !== undefined) void this.endIfHeld(client, target);
  }

  /**
   * A kernel that takes an interrupt answers a ping at once (even while a stopped job finishes its
   * step); one that does not answer while the interrupted cell still runs is held by it.
   */
  private async endIfHeld(client: LanguageClient, executionId: string): Promise<void> {
    const answer = await Promise.race([client.sendRequest(ListJobsRequest).then(() => 'answered' as const, () => 'answered' as const), delay(this.flag ? HELD_AFTER_MS.isolated : HELD_AFTER_MS.plain)]);
    if (answer === 'answered' || !this.running.has(executionId) || this.exitSeen || this.stopping) return;
    const reason = this.flag
      ? 'The interrupted cell held the kernel’s thread in code that never checks for an interrupt, so the kernel was ended to stop it.'
      : 'The interrupted cell held the kernel’s thread, and in this browser tab only ending the kernel stops that (the page is not cross-origin isolated; see the README, "In the browser").';
    this.log.appendLine(`[rnn-lab] kernel ${this.label}: ${reason}`);
    this.ending = { kind: 'died', code: null, signal: null, stderrTail: '', reason };
    this.terminate();
    this.diedEmitter.fire(this.ending);
  }

  async stop(end: SessionEnd): Promise<void> {
    this.stopping = true;
    this.ending ??= end;
    try {
      if (this.client?.isRunning()) await this.client.stop(STOP_TIMEOUT_MS);
    } catch {
      // Timed out (a busy kernel cannot answer) or gone: the worker is ended below.
    }
    this.terminate();
  }

  dispose(): void {
    this.diedEmitter.dispose();
  }

  private terminate(): void {
    this.worker?.terminate();
    void this.client?.dispose(STOP_TIMEOUT_MS).catch(() => undefined);
    this.markExited();
  }
}
