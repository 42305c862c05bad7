// One kernel process and the JSON-RPC connection to it (the Node side's KernelSession, kernelSessions.ts) (LSP framing over its stdio, through
// vscode-languageclient): its start, requests that settle when the process exits, interrupt, and
// stop, which ends the process and everything its cells started. A session lives once: a restart
// is a new session (kernelClient.ts decides when).

import * as path from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as vscode from 'vscode';
import { ErrorCodes, LanguageClient, ResponseError, type LanguageClientOptions } from 'vscode-languageclient/node';
import { InterruptNotification, type InterruptParams } from '../../kernel/protocol';
import { KERNEL_CLIENT_ID, KERNEL_CLIENT_NAME } from '../kernelLanguageClient';
import { KernelNotRunningError, type KernelSession, type SessionEnd } from '../kernelSessions';
import { killKernelTree, OutputTail, spawnKernel, type SpawnPlan } from './kernelProcess';

/** What to run and where. */
export interface SessionLaunch {
  plan: SpawnPlan;
  cwd: string;
}

/** How long a busy kernel gets to answer the shutdown request before it is killed, ms. */
const STOP_TIMEOUT_MS = 1000;
/** How long a killed kernel gets to exit, ms. */
const KILL_WAIT_MS = 2000;
/** How long a failed request waits for the process to exit, to say "died" instead of "disposed", ms. */
const EXIT_GRACE_MS = 1000;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ProcessKernelSession implements KernelSession {
  private readonly client: LanguageClient;
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly stderr = new OutputTail();
  /** Set when the session is stopped on purpose, so its exit is not reported as a death. */
  private stopping = false;
  private ending: SessionEnd | undefined;
  private exitSeen = false;
  private markExited: () => void = () => undefined;
  private readonly diedEmitter = new vscode.EventEmitter<SessionEnd>();

  /** Settles when the process has exited (or, if it never ran, when the session is stopped). */
  readonly exited: Promise<void>;
  /** The process ended without being stopped: the kernel died. */
  readonly onDidDie = this.diedEmitter.event;

  constructor(
    /** For the log: the notebook's name and the session's number, e.g. "char-rnn #2". */
    readonly label: string,
    launch: SessionLaunch,
    clientOptions: LanguageClientOptions,
    private readonly log: vscode.OutputChannel,
  ) {
    this.exited = new Promise<void>((resolve) => {
      this.markExited = () => {
        this.exitSeen = true;
        resolve();
      };
    });
    this.client = new LanguageClient(KERNEL_CLIENT_ID, KERNEL_CLIENT_NAME, async () => this.spawn(launch), clientOptions);
  }

  /** How the session ended, once it has: died, or stopped for a restart or a shutdown. */
  get end(): SessionEnd | undefined {
    return this.ending;
  }

  get hasExited(): boolean {
    return this.exitSeen;
  }

  /** The kernel process's id, once it was spawned. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  onNotification<P>(method: string, handler: (params: P) => void): vscode.Disposable {
    return this.client.onNotification(method, handler);
  }

  /**
   * Starts the process and the connection. When either fails, the process is killed, the session
   * has ended as 'died', and the error says why.
   */
  async start(): Promise<void> {
    const exitedWhileStarting = this.exited.then((): never => {
      throw new Error('the kernel process exited while starting');
    });
    try {
      await Promise.race([this.client.start(), exitedWhileStarting]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.appendLine(`[rnn-lab] kernel ${this.label} failed to start: ${reason}\n${this.stderr.toString()}`);
      await this.kill();
      this.ending ??= this.diedEnd(this.child?.exitCode ?? null, this.child?.signalCode ?? null);
      throw new Error(`The RNN Lab kernel did not start: ${reason}. See the "${KERNEL_CLIENT_NAME}" output for details.`);
    }
  }

  /**
   * Sends a request and settles when it is answered or the process exits. When the process dies,
   * the connection usually closes before the exit is reported: a failed request waits a moment
   * for the exit, so that the error says the kernel died instead of "connection disposed".
   */
  async request<R>(method: string, params?: unknown): Promise<R> {
    const ended = this.exited.then((): never => {
      throw new KernelNotRunningError(this.ending);
    });
    const sent = params === undefined ? this.client.sendRequest<R>(method) : this.client.sendRequest<R>(method, params);
    try {
      return await Promise.race([sent, ended]);
    } catch (error) {
      if (error instanceof KernelNotRunningError) throw error;
      // The kernel answered with an error of its own (e.g. a model it cannot export): it is alive.
      if (error instanceof ResponseError && error.code !== ErrorCodes.PendingResponseRejected && error.code !== ErrorCodes.ConnectionInactive) throw error;
      await Promise.race([this.exited, delay(EXIT_GRACE_MS)]);
      if (this.exitSeen) throw new KernelNotRunningError(this.ending);
      throw error;
    }
  }

  /** The protocol's interrupt notification (in order with the requests); see cellInterrupts.ts. */
  notifyInterrupt(executionId: string | undefined): void {
    if (!this.alive) return;
    const params: InterruptParams = executionId === undefined ? {} : { executionId };
    void this.client.sendNotification(InterruptNotification, params).catch(() => undefined);
  }

  /**
   * SIGINT, which also stops a cell spinning in a synchronous loop. Windows has no SIGINT for child
   * processes (kill would end the kernel): there only the notification reaches the kernel.
   */
  signalInterrupt(): void {
    if (this.alive && process.platform !== 'win32') this.child?.kill('SIGINT');
  }

  /** A process runs and has not exited. */
  get alive(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && !this.exitSeen;
  }

  /** Ends the session for `end` (a session that died keeps 'died'): see kill. */
  async stop(end: SessionEnd): Promise<void> {
    this.stopping = true;
    this.ending ??= end;
    await this.kill();
  }

  dispose(): void {
    this.diedEmitter.dispose();
  }

  // -------------------------------------------------------------------------------------------

  private spawn(launch: SessionLaunch): ChildProcessWithoutNullStreams {
    const child = spawnKernel(launch.plan, launch.cwd);
    this.child = child;
    this.log.appendLine(
      `[rnn-lab] kernel ${this.label}: ${path.basename(launch.plan.command)} ${launch.plan.args.join(' ')} in ${launch.cwd} (pid ${child.pid ?? '?'})`,
    );
    child.stderr.on('data', (chunk: Buffer) => this.stderr.append(chunk.toString('utf8')));
    child.on('error', (error) => {
      this.stderr.append(`${error.message}\n`);
      this.onExit(null, null);
    });
    child.on('exit', (code, signal) => this.onExit(code, signal));
    return child;
  }

  private diedEnd(code: number | null, signal: string | null): SessionEnd {
    return { kind: 'died', code, signal, stderrTail: this.stderr.toString() };
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitSeen) return;
    const died = !this.stopping && this.ending === undefined;
    if (died) {
      this.ending = this.diedEnd(code, signal);
      this.log.appendLine(`[rnn-lab] kernel ${this.label} died (code ${code}, signal ${signal})`);
    }
    this.markExited();
    if (died && this.ending) this.diedEmitter.fire(this.ending);
  }

  /** Asks the kernel to shut down, then kills its process tree if it does not (a busy kernel cannot answer). */
  private async kill(): Promise<void> {
    this.stopping = true;
    try {
      if (this.client.isRunning()) await this.client.stop(STOP_TIMEOUT_MS);
    } catch {
      // Timed out or already gone: the process is killed below.
    }
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      killKernelTree(child);
      await Promise.race([this.exited, delay(KILL_WAIT_MS)]);
    } else if (child) {
      killKernelTree(child); // the kernel exited; processes its cells started may not have
    }
    this.markExited();
  }
}
