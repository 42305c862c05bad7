// Starts, restarts, interrupts and talks to the kernel process (JSON-RPC with LSP framing over
// stdio, through vscode-languageclient). One kernel per window: the notebooks, the dashboard and
// the inspector all see the same models. The kernel never starts in an untrusted workspace.

import * as path from 'node:path';
import * as os from 'node:os';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, ErrorCodes, LanguageClient, ResponseError, type LanguageClientOptions } from 'vscode-languageclient/node';
import {
  ExecuteRequest,
  InterruptNotification,
  JobNotification,
  KernelStateNotification,
  OutputNotification,
  type ExecuteParams,
  type ExecuteResult,
  type InterruptParams,
  type JobEventParams,
  type JobSummary,
  type KernelState,
  type KernelStateParams,
  type OutputParams,
} from '../kernel/protocol';
import { CELL_LANGUAGE, NOTEBOOK_TYPE, Settings } from './constants';
import { kernelSpawnPlan, killKernelTree, OutputTail, spawnKernel } from './kernelProcess';

export type KernelClientState = 'stopped' | 'starting' | 'idle' | 'busy' | 'training' | 'dead';

/** Why the last kernel session ended. */
export type SessionEnd =
  | { kind: 'died'; code: number | null; signal: string | null; stderrTail: string }
  | { kind: 'restarted' }
  | { kind: 'shutdown' };

export class UntrustedWorkspaceError extends Error {
  constructor() {
    super(
      'RNN Lab does not run code in an untrusted workspace: notebook cells run with the full rights of ' +
        'your user account. Trust this folder (Manage Workspace Trust) to run the RNN Lab kernel.',
    );
    this.name = 'UntrustedWorkspaceError';
  }
}

export class KernelNotRunningError extends Error {
  constructor(readonly end: SessionEnd | undefined) {
    super(end?.kind === 'died' ? 'The RNN Lab kernel is dead. Restart it to run cells.' : 'The RNN Lab kernel is not running.');
    this.name = 'KernelNotRunningError';
  }
}

interface Session {
  id: number;
  client: LanguageClient;
  child?: ChildProcessWithoutNullStreams;
  /** Set when we stop the process ourselves, so its exit is not reported as a death. */
  stopping: boolean;
  exited: Promise<void>;
  hasExited: boolean;
  markExited: () => void;
}

export class KernelClient implements vscode.Disposable {
  private session: Session | undefined;
  private sessionCounter = 0;
  private startPromise: Promise<Session> | undefined;
  private clientState: KernelClientState = 'stopped';
  /** What the kernel itself last said (idle / busy / training). */
  private reportedState: KernelState = 'idle';
  private pendingExecutions = 0;
  private readonly jobs = new Map<string, JobSummary>();
  private lastEnd: SessionEnd | undefined;
  private readonly stderrTail = new OutputTail();

  private readonly stateEmitter = new vscode.EventEmitter<KernelClientState>();
  private readonly outputEmitter = new vscode.EventEmitter<OutputParams>();
  private readonly jobEmitter = new vscode.EventEmitter<JobEventParams>();
  private readonly sessionStartEmitter = new vscode.EventEmitter<number>();
  private readonly sessionEndEmitter = new vscode.EventEmitter<SessionEnd>();

  /** The displayed state changed. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** An output for some execution (routed by executionId). */
  readonly onOutput = this.outputEmitter.event;
  /** A training job started, progressed or ended. */
  readonly onJob = this.jobEmitter.event;
  /** A fresh kernel session is running (its scope is empty). */
  readonly onDidStartSession = this.sessionStartEmitter.event;
  /** The running session ended (died, restarted or shut down). */
  readonly onDidEndSession = this.sessionEndEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly outputChannel: vscode.OutputChannel,
  ) {}

  get state(): KernelClientState {
    return this.clientState;
  }

  get isRunning(): boolean {
    return this.session !== undefined && !['stopped', 'starting', 'dead'].includes(this.clientState);
  }

  get lastSessionEnd(): SessionEnd | undefined {
    return this.lastEnd;
  }

  /** Jobs of the current session, newest last. */
  get jobList(): JobSummary[] {
    return [...this.jobs.values()];
  }

  /**
   * Starts the kernel if it is not running, as Jupyter does after a kernel died (the cell that was
   * running then, and the notification, said that the variables are gone). Throws
   * UntrustedWorkspaceError in untrusted workspaces.
   */
  async start(): Promise<void> {
    if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError();
    if (this.session && this.isRunning) return;
    this.startPromise ??= (async () => {
      if (this.clientState === 'dead') await this.endSession(this.lastEnd ?? { kind: 'shutdown' });
      return this.startSession();
    })().finally(() => {
      this.startPromise = undefined;
    });
    await this.startPromise;
  }

  async restart(): Promise<void> {
    await this.stopSession({ kind: 'restarted' });
    await this.start();
  }

  async shutdown(): Promise<void> {
    await this.stopSession({ kind: 'shutdown' });
  }

  /**
   * Interrupts a cell: SIGINT, which also stops a cell spinning in a synchronous loop, and the
   * protocol's notification naming the execution, which comes in order with the requests and so
   * also reaches a cell the kernel has received but not started. Windows has no SIGINT for child
   * processes (kill would end the kernel): there only the notification. False when no kernel runs.
   */
  interrupt(executionId?: string): boolean {
    const session = this.session;
    const child = session?.child;
    if (!session || !child || child.exitCode !== null || !this.isRunning) return false;
    const params: InterruptParams = executionId === undefined ? {} : { executionId };
    void session.client.sendNotification(InterruptNotification, params).catch(() => undefined);
    return process.platform === 'win32' || child.kill('SIGINT');
  }

  async execute(params: ExecuteParams): Promise<ExecuteResult> {
    const session = this.requireSession();
    this.pendingExecutions++;
    this.updateState();
    try {
      return await this.sendTo<ExecuteResult>(session, ExecuteRequest, params);
    } finally {
      this.pendingExecutions--;
      this.updateState();
    }
  }

  /** A request to the running kernel; rejects with KernelNotRunningError when there is none. */
  async request<R>(method: string, params?: unknown): Promise<R> {
    return this.sendTo<R>(this.requireSession(), method, params);
  }

  /**
   * Sends a request and settles when it is answered or the session ends. When the process dies,
   * the connection usually closes before the exit is reported: a failed request waits a moment
   * for the exit, so that the error says the kernel died instead of "connection disposed".
   */
  private async sendTo<R>(session: Session, method: string, params?: unknown): Promise<R> {
    const ended = session.exited.then((): never => {
      throw new KernelNotRunningError(this.lastEnd);
    });
    const sent = params === undefined ? session.client.sendRequest<R>(method) : session.client.sendRequest<R>(method, params);
    try {
      return await Promise.race([sent, ended]);
    } catch (error) {
      if (error instanceof KernelNotRunningError) throw error;
      // The kernel answered with an error of its own (e.g. a model it cannot export): it is alive.
      if (error instanceof ResponseError && error.code !== ErrorCodes.PendingResponseRejected && error.code !== ErrorCodes.ConnectionInactive) throw error;
      await Promise.race([session.exited, new Promise((r) => setTimeout(r, 1000))]);
      if (session.hasExited) throw new KernelNotRunningError(this.lastEnd);
      throw error;
    }
  }

  dispose(): void {
    void this.stopSession({ kind: 'shutdown' });
    this.stateEmitter.dispose();
    this.outputEmitter.dispose();
    this.jobEmitter.dispose();
    this.sessionStartEmitter.dispose();
    this.sessionEndEmitter.dispose();
  }

  // -------------------------------------------------------------------------------------------

  private requireSession(): Session {
    if (!this.session || !this.isRunning) throw new KernelNotRunningError(this.lastEnd);
    return this.session;
  }

  private setState(state: KernelClientState): void {
    if (state === this.clientState) return;
    this.clientState = state;
    this.stateEmitter.fire(state);
  }

  /** Combines what the kernel reports with what we know is in flight. */
  private updateState(): void {
    if (!this.session || ['stopped', 'starting', 'dead'].includes(this.clientState)) return;
    if (this.reportedState === 'training') this.setState('training');
    else if (this.reportedState === 'busy' || this.pendingExecutions > 0) this.setState('busy');
    else this.setState('idle');
  }

  private async startSession(): Promise<Session> {
    this.setState('starting');
    this.stderrTail.clear();
    this.reportedState = 'idle';
    this.pendingExecutions = 0;
    this.jobs.clear();
    const id = ++this.sessionCounter;
    let resolveExited = (): void => {};
    const exited = new Promise<void>((resolve) => (resolveExited = resolve));
    const markExited = (): void => {
      session.hasExited = true;
      resolveExited();
    };
    const kernelScript = vscode.Uri.joinPath(this.extensionUri, 'dist', 'kernel.js').fsPath;
    const cwd = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? os.homedir();
    const plan = kernelSpawnPlan({
      execPath: process.execPath,
      versions: process.versions,
      kernelScript,
      nodePathSetting: vscode.workspace.getConfiguration(Settings.section).get<string>(Settings.nodePath, ''),
      env: process.env,
    });

    const client = new LanguageClient('rnnLab.kernel', 'RNN Lab Kernel', async () => {
      const child = spawnKernel(plan, cwd);
      session.child = child;
      this.outputChannel.appendLine(`[rnn-lab] kernel #${id}: ${path.basename(plan.command)} ${plan.args.join(' ')} (pid ${child.pid ?? '?'})`);
      child.stderr.on('data', (chunk: Buffer) => this.stderrTail.append(chunk.toString('utf8')));
      child.on('error', (error) => {
        this.stderrTail.append(`${error.message}\n`);
        this.onProcessExit(session, null, null);
      });
      child.on('exit', (code, signal) => this.onProcessExit(session, code, signal));
      return child;
    }, this.clientOptions());

    const session: Session = { id, client, stopping: false, exited, hasExited: false, markExited };
    this.session = session;
    client.onNotification(OutputNotification, (p: OutputParams) => this.outputEmitter.fire(p));
    client.onNotification(KernelStateNotification, (p: KernelStateParams) => {
      if (this.session !== session) return;
      this.reportedState = p.state;
      this.updateState();
    });
    client.onNotification(JobNotification, (p: JobEventParams) => {
      if (this.session !== session) return;
      this.jobs.set(p.job.id, p.job);
      this.jobEmitter.fire(p);
    });

    try {
      await Promise.race([
        client.start(),
        exited.then(() => {
          throw new Error('the kernel process exited while starting');
        }),
      ]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.outputChannel.appendLine(`[rnn-lab] kernel #${id} failed to start: ${reason}\n${this.stderrTail.toString()}`);
      if (this.session === session) {
        await this.killSession(session);
        this.lastEnd = { kind: 'died', code: session.child?.exitCode ?? null, signal: session.child?.signalCode ?? null, stderrTail: this.stderrTail.toString() };
        this.setState('dead');
      }
      throw new Error(`The RNN Lab kernel did not start: ${reason}. See the "RNN Lab Kernel" output for details.`);
    }
    if (this.session !== session) throw new KernelNotRunningError(this.lastEnd);
    this.lastEnd = undefined;
    this.setState('idle');
    this.updateState();
    this.sessionStartEmitter.fire(id);
    return session;
  }

  /** Which notebooks the kernel's completions and hovers serve: set by the controller. */
  servesNotebook: (notebook: vscode.NotebookDocument) => boolean = () => true;

  private servesDocument(document: vscode.TextDocument): boolean {
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((cell) => cell.document === document));
    return notebook !== undefined && this.servesNotebook(notebook);
  }

  private clientOptions(): LanguageClientOptions {
    return {
      // The kernel answers completions and hovers in TypeScript cells from the live values of the
      // notebook's scope (it syncs the cells' text by LSP notebook sync).
      documentSelector: [{ notebook: { notebookType: NOTEBOOK_TYPE }, language: CELL_LANGUAGE }],
      middleware: {
        provideCompletionItem: (document, position, context, token, next) =>
          this.servesDocument(document) ? next(document, position, context, token) : undefined,
        provideHover: (document, position, token, next) => (this.servesDocument(document) ? next(document, position, token) : undefined),
      },
      outputChannel: this.outputChannel,
      // A dead kernel is reported in the status bar and in the cell; no pop-ups, no automatic restart
      // (the person decides, since a restart loses the notebook's variables).
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => ({ action: CloseAction.DoNotRestart, handled: true }),
      },
      initializationFailedHandler: () => false,
    };
  }

  private onProcessExit(session: Session, code: number | null, signal: NodeJS.Signals | null): void {
    session.markExited();
    if (this.session !== session) return;
    if (session.stopping) return;
    const end: SessionEnd = { kind: 'died', code, signal, stderrTail: this.stderrTail.toString() };
    this.outputChannel.appendLine(`[rnn-lab] kernel #${session.id} died (code ${code}, signal ${signal})`);
    this.lastEnd = end;
    this.finishJobs('failed', 'the kernel died');
    this.setState('dead');
    this.sessionEndEmitter.fire(end);
  }

  /** Jobs cannot outlive their kernel: mark what was running as ended, for the views. */
  private finishJobs(status: 'failed' | 'stopped', message: string): void {
    for (const job of this.jobs.values()) {
      if (job.status === 'running' || job.status === 'paused') {
        const ended: JobSummary = { ...job, status, message };
        this.jobs.set(job.id, ended);
        this.jobEmitter.fire({ job: ended });
      }
    }
  }

  private async stopSession(end: SessionEnd): Promise<void> {
    if (this.startPromise) await this.startPromise.catch(() => undefined);
    await this.endSession(end);
  }

  private async endSession(end: SessionEnd): Promise<void> {
    const session = this.session;
    if (!session) {
      if (this.clientState === 'dead') this.setState('stopped');
      return;
    }
    const wasDead = this.clientState === 'dead';
    session.stopping = true;
    // Set before the process goes, so requests that fail with it report a restart, not a death.
    if (!wasDead) this.lastEnd = end;
    await this.killSession(session);
    if (this.session === session) this.session = undefined;
    this.jobs.clear();
    this.setState('stopped');
    if (!wasDead) this.sessionEndEmitter.fire(end);
  }

  /** Asks the kernel to shut down, then kills it if it does not (a busy kernel cannot answer). */
  private async killSession(session: Session): Promise<void> {
    session.stopping = true;
    try {
      if (session.client.isRunning()) await session.client.stop(1000);
    } catch {
      // Timed out or already gone: the process is killed below.
    }
    const child = session.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      killKernelTree(child);
      await Promise.race([session.exited, new Promise((r) => setTimeout(r, 2000))]);
    } else if (child) {
      killKernelTree(child); // the kernel exited; processes its cells started may not have
    }
    session.markExited();
  }
}
