// One notebook's RNN Lab kernel as the rest of the extension sees it: its lifecycle across
// sessions (a session is one kernel process or browser worker, kernelSessions.ts: started with the
// notebook's first cell, ended by a restart or a shutdown, or dead), the state it shows (kernelStateModel.ts), its
// training jobs (jobMirror.ts), and an event for each change. The kernel never starts in an
// untrusted workspace.
//
// One kernel per notebook, as in VS Code's Jupyter: kernelManager.ts keeps a KernelClient for each
// notebook that ran a cell and ends it when the notebook closes. The kernel runs in the
// notebook's folder, and its language features serve that notebook's cells only.

import * as vscode from 'vscode';
import {
  ExecuteRequest,
  ExecutionStartedNotification,
  JobNotification,
  ListJobsRequest,
  ScopeSummaryRequest,
  KernelStateNotification,
  OutputNotification,
  type ExecuteParams,
  type ExecuteResult,
  type ExecutionStartedParams,
  type JobEventParams,
  type JobSummary,
  type KernelStateParams,
  type OutputParams,
  type ScopeSummary,
} from '../kernel/protocol';
import { CellInterrupts } from './cellInterrupts';
import { Settings } from './constants';
import { JobMirror } from './jobMirror';
import { kernelClientOptions, servedNotebook } from './kernelLanguageClient';
import { KernelNotRunningError, type KernelLauncher, type KernelSession, type SessionEnd } from './kernelSessions';
import { KernelStateModel, type KernelClientState } from './kernelStateModel';

export { KernelNotRunningError, type SessionEnd } from './kernelSessions';
export type { KernelClientState } from './kernelStateModel';

export class UntrustedWorkspaceError extends Error {
  constructor() {
    super(
      'RNN Lab does not run code in an untrusted workspace: notebook cells run with the full rights of ' +
        'your user account. Trust this folder (Manage Workspace Trust) to run the RNN Lab kernel.',
    );
    this.name = 'UntrustedWorkspaceError';
  }
}

export class KernelClient implements vscode.Disposable {
  /** The current session; a dead one stays until the next start, restart or shutdown. */
  private session: KernelSession | undefined;
  private sessionCounter = 0;
  private starting: Promise<KernelSession> | undefined;
  private readonly model = new KernelStateModel();
  private readonly jobs = new JobMirror();
  /** The current session's cells in flight, and when an interrupt may signal them. */
  private interrupts: CellInterrupts | undefined;
  private lastEnd: SessionEnd | undefined;
  /** Closed or disposed: its notebook is gone, so it never starts again. */
  private disposed = false;

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
    private readonly launcher: KernelLauncher,
    private readonly outputChannel: vscode.OutputChannel,
    /** The notebook this kernel runs: its cells, its folder, its name. */
    readonly notebook: vscode.NotebookDocument,
  ) {}

  /** The notebook's name as the person reads it (its file name without .ipynb). */
  get name(): string {
    return notebookName(this.notebook.uri);
  }

  /** The process id of the running (or dead, not yet restarted) session's kernel, if one started (in the browser, its worker's number). */
  get pid(): number | undefined {
    return this.session?.pid;
  }

  get state(): KernelClientState {
    return this.model.state;
  }

  get isRunning(): boolean {
    return this.session !== undefined && this.model.isRunning;
  }

  /** A cell is running (or sent and not yet answered). */
  get isExecuting(): boolean {
    return this.isRunning && this.model.executingCells > 0;
  }

  get lastSessionEnd(): SessionEnd | undefined {
    return this.lastEnd;
  }

  /** Jobs of the current session, newest last. */
  get jobList(): JobSummary[] {
    return this.jobs.list;
  }

  /**
   * Starts the kernel if it is not running, as Jupyter does after a kernel died (the cell that was
   * running then, and the notification, said that the variables are gone). Throws
   * UntrustedWorkspaceError in untrusted workspaces.
   */
  async start(): Promise<void> {
    if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError();
    if (this.disposed) throw new KernelNotRunningError(this.lastEnd ?? { kind: 'shutdown' });
    if (this.isRunning) return;
    this.starting ??= (async () => {
      if (this.model.lifecycle === 'dead') await this.endSession(this.lastEnd ?? { kind: 'shutdown' });
      return this.startSession();
    })().finally(() => {
      this.starting = undefined;
    });
    await this.starting;
  }

  async restart(): Promise<void> {
    await this.stopSession({ kind: 'restarted' });
    await this.start();
  }

  async shutdown(): Promise<void> {
    await this.stopSession({ kind: 'shutdown' });
  }

  /**
   * Interrupts the cell named, else the oldest one sent and not answered, else whatever runs (a
   * cell's leftover timer): see cellInterrupts.ts. False when no kernel runs.
   */
  interrupt(executionId?: string): boolean {
    if (!this.isRunning || !this.session?.alive || !this.interrupts) return false;
    this.interrupts.interrupt(executionId);
    return true;
  }

  async execute(params: ExecuteParams): Promise<ExecuteResult> {
    const session = this.requireSession();
    const interrupts = this.interrupts;
    this.changeState(() => this.model.executionSent());
    interrupts?.sent(params.executionId);
    try {
      return await session.request<ExecuteResult>(ExecuteRequest, params);
    } finally {
      interrupts?.settled(params.executionId);
      // A later session counts its own executions.
      if (this.session === session) this.changeState(() => this.model.executionSettled());
    }
  }

  /** A request to the running kernel; rejects with KernelNotRunningError when there is none. */
  async request<R>(method: string, params?: unknown): Promise<R> {
    return this.requireSession().request<R>(method, params);
  }

  /**
   * What a restart would throw away: the names the cells declared (undefined when the kernel does
   * not answer within `timeoutMs`: a cell spinning in a synchronous loop holds its thread, and the
   * first type check of the cells takes a second or two; a running cell is asked about anyway,
   * so then it waits less) and the
   * training jobs running or paused (the kernel's list, which also has a job whose first event is
   * still to come; else the mirrored one).
   */
  async restartLosses(timeoutMs = this.isExecuting ? 500 : 3000): Promise<{ variables: number | undefined; runningJobs: number }> {
    const running = (jobs: readonly JobSummary[]): number => jobs.filter((j) => j.status === 'running' || j.status === 'paused').length;
    if (!this.isRunning) return { variables: undefined, runningJobs: running(this.jobs.list) };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    const answer = <R>(method: string): Promise<R | undefined> => Promise.race([this.request<R>(method).catch(() => undefined), late]);
    try {
      const [scope, jobs] = await Promise.all([answer<ScopeSummary>(ScopeSummaryRequest), answer<JobSummary[]>(ListJobsRequest)]);
      return { variables: scope?.variables, runningJobs: Math.max(running(this.jobs.list), running(jobs ?? [])) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Shuts the kernel down for good (its notebook closed): it never starts again. */
  async close(): Promise<void> {
    this.disposed = true;
    await this.stopSession({ kind: 'shutdown' });
  }

  dispose(): void {
    this.disposed = true;
    void this.stopSession({ kind: 'shutdown' });
    this.stateEmitter.dispose();
    this.outputEmitter.dispose();
    this.jobEmitter.dispose();
    this.sessionStartEmitter.dispose();
    this.sessionEndEmitter.dispose();
  }

  // -------------------------------------------------------------------------------------------

  private requireSession(): KernelSession {
    if (!this.session || !this.isRunning) throw new KernelNotRunningError(this.lastEnd);
    return this.session;
  }

  /** Applies a change to the state model and tells the listeners when the displayed state moved. */
  private changeState(change: () => void): void {
    const before = this.model.state;
    change();
    if (this.model.state !== before) this.stateEmitter.fire(this.model.state);
  }

  /** The path the kernel uses for `uri`, or undefined where it cannot write (kernelSessions.ts). */
  kernelPath(uri: vscode.Uri): string | undefined {
    return this.launcher.kernelPath(uri, this.notebook);
  }

  /** The notebook's folder as the kernel names it: cells' relative paths start there. */
  get folder(): string | undefined {
    return this.launcher.folder(this.notebook);
  }

  /** Where the kernel's files are, in words ("on this machine", "in the workspace"). */
  get filesPlace(): string {
    return this.launcher.filesPlace;
  }

  private async startSession(): Promise<KernelSession> {
    this.changeState(() => this.model.starting());
    this.jobs.clear();
    const session = this.launcher.session(`${this.name} #${++this.sessionCounter}`, this.notebook, kernelClientOptions(this.outputChannel, servedNotebook(this.notebook)));
    this.session = session;
    const interrupts = new CellInterrupts({ notify: (id) => session.notifyInterrupt(id), signal: () => session.signalInterrupt() });
    this.interrupts = interrupts;
    session.onNotification(ExecutionStartedNotification, (p: ExecutionStartedParams) => interrupts.didStart(p.executionId));
    // Outputs of an older session still reach their cells (routed by executionId).
    session.onNotification(OutputNotification, (p: OutputParams) => this.outputEmitter.fire(p));
    session.onNotification(KernelStateNotification, (p: KernelStateParams) => {
      if (this.session === session) this.changeState(() => this.model.report(p.state));
    });
    session.onNotification(JobNotification, (p: JobEventParams) => {
      if (this.session !== session) return;
      this.jobs.apply(p);
      this.jobEmitter.fire(p);
    });
    session.onDidDie((end) => this.onSessionDied(session, end));

    try {
      await session.start();
    } catch (error) {
      if (this.session === session) {
        this.lastEnd = session.end;
        this.changeState(() => this.model.dead());
      }
      throw error;
    }
    if (this.session !== session) throw new KernelNotRunningError(this.lastEnd);
    this.lastEnd = undefined;
    this.changeState(() => this.model.running());
    this.sessionStartEmitter.fire(this.sessionCounter);
    return session;
  }

  private onSessionDied(session: KernelSession, end: SessionEnd): void {
    if (this.session !== session) return;
    this.lastEnd = end;
    // Jobs cannot outlive their kernel: what was running is ended, for the views.
    for (const event of this.jobs.endRunning('failed', 'the kernel died')) this.jobEmitter.fire(event);
    this.changeState(() => this.model.dead());
    this.sessionEndEmitter.fire(end);
  }

  private async stopSession(end: SessionEnd): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    await this.endSession(end);
  }

  private async endSession(end: SessionEnd): Promise<void> {
    const session = this.session;
    if (!session) {
      if (this.model.lifecycle === 'dead') this.changeState(() => this.model.stopped());
      return;
    }
    const wasDead = this.model.lifecycle === 'dead';
    // Set before the process goes, so requests that fail with it report a restart, not a death.
    if (!wasDead) this.lastEnd = end;
    await session.stop(end);
    session.dispose();
    if (this.session === session) this.session = undefined;
    this.jobs.clear();
    this.changeState(() => this.model.stopped());
    if (!wasDead) this.sessionEndEmitter.fire(end);
  }
}

/** A notebook's name as tabs show it, without the .ipynb: "vanishing-gradients". */
export function notebookName(uri: vscode.Uri): string {
  const base = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  return base.replace(/\.ipynb$/i, '') || base;
}
