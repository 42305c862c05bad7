// What a notebook's KernelClient needs of one kernel session, wherever the kernel runs: a Node
// process spoken to over stdio (node/kernelSession.ts, desktop VS Code and code-server), or a
// Web Worker spoken to over its messages (web/workerSession.ts, VS Code for the Web). Each entry of
// the extension (extension.ts, web/extension.ts) hands the shared code a KernelLauncher.

import type * as vscode from 'vscode';
import type { LanguageClientOptions } from 'vscode-languageclient';

/** Why a kernel session ended. */
export type SessionEnd =
  /** `reason`: why the extension itself ended it (a browser worker ended to stop a cell), in words for the cell. */
  | { kind: 'died'; code: number | null; signal: string | null; stderrTail: string; reason?: string }
  | { kind: 'restarted' }
  | { kind: 'shutdown' };

export class KernelNotRunningError extends Error {
  constructor(readonly end: SessionEnd | undefined) {
    super(end?.kind === 'died' ? 'The RNN Lab kernel is dead. Restart it to run cells.' : 'The RNN Lab kernel is not running.');
    this.name = 'KernelNotRunningError';
  }
}

/** One kernel, started once: a restart is a new session. */
export interface KernelSession extends vscode.Disposable {
  /** For the log: the notebook's name and the session's number, e.g. "char-rnn #2". */
  readonly label: string;
  /** How the session ended, once it has: died, or stopped for a restart or a shutdown. */
  readonly end: SessionEnd | undefined;
  readonly hasExited: boolean;
  /** The kernel process's id; in the browser the worker's number. Undefined before it started. */
  readonly pid: number | undefined;
  /** Settles when the kernel has ended (or, if it never ran, when the session is stopped). */
  readonly exited: Promise<void>;
  /** The kernel ended without being stopped: it died. */
  readonly onDidDie: vscode.Event<SessionEnd>;
  onNotification<P>(method: string, handler: (params: P) => void): vscode.Disposable;
  /** Starts the kernel and the connection; when either fails the session has ended as 'died' and the error says why. */
  start(): Promise<void>;
  /** A request; settles when answered or when the kernel ends (then KernelNotRunningError). */
  request<R>(method: string, params?: unknown): Promise<R>;
  /** The kernel runs and has not ended. */
  readonly alive: boolean;
  /** The protocol's interrupt notification naming the cell (or any cell): in order with the requests. */
  notifyInterrupt(executionId: string | undefined): void;
  /**
   * What stops a cell that holds the kernel's thread: SIGINT to the process; in the browser the
   * shared interrupt flag, and ending the worker if the cell does not yield (cellInterrupts.ts
   * decides when).
   */
  signalInterrupt(): void;
  /** Ends the session for `end` (a session that died keeps 'died'). */
  stop(end: SessionEnd): Promise<void>;
}

export interface KernelLauncher {
  /** A new session (not started) running `notebook`'s kernel. */
  session(label: string, notebook: vscode.NotebookDocument, clientOptions: LanguageClientOptions): KernelSession;
  /**
   * The path the kernel uses for `uri` (an export's target), or undefined when the kernel cannot
   * write there: files of this machine for the kernel process, the notebook's own file system for
   * the browser worker.
   */
  kernelPath(uri: vscode.Uri, notebook: vscode.NotebookDocument | undefined): string | undefined;
  /** The notebook's folder as the kernel names it (relative paths of cells start there); undefined: the kernel's own. */
  folder(notebook: vscode.NotebookDocument): string | undefined;
  /** Where the kernel's files are, in words: "on this machine", "in the workspace". */
  readonly filesPlace: string;
  /** The kernel answers for the cells' IntelliSense (then VS Code's built-in TypeScript keeps quiet there). */
  readonly languageFeatures: boolean;
}
