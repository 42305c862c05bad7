// The RNN Lab kernels of the window: one per notebook, as in VS Code's Jupyter. A notebook's
// KernelClient is made when one of its cells first runs (the process starts then, in the
// notebook's folder) and ends with the notebook: closing it, or choosing another kernel for it,
// shuts its process down (a closed notebook can neither show a kernel's outputs nor reach its
// variables, and each process holds 100–150 MB). Closing means closing its last editor tab: VS
// Code keeps a notebook that an extension opened (RNN Lab's own New Notebook and samples, the
// tests) open for up to three minutes after its last editor closed, and the person who closed it
// expects the process gone now. Restart, interrupt and the views act on one notebook's kernel; the
// views follow the notebook last active in the editor (activeNotebook.ts).
//
// The manager passes on every kernel's events with the kernel they came from, so the controller
// (outputs of every notebook), the views (the followed notebook's) and the status bar subscribe
// once.

import * as vscode from 'vscode';
import type { JobEventParams, OutputParams } from '../kernel/protocol';
import { followedNotebook, notebookUriOf } from './activeNotebook';
import { KernelClient, KernelNotRunningError, type KernelClientState, type SessionEnd } from './kernelClient';
import type { KernelLauncher } from './kernelSessions';

export interface KernelStateChange {
  kernel: KernelClient;
  state: KernelClientState;
}

export interface KernelJobEvent {
  kernel: KernelClient;
  event: JobEventParams;
}

export interface KernelSessionEnd {
  kernel: KernelClient;
  end: SessionEnd;
}

const keyOf = (notebook: vscode.NotebookDocument): string => notebook.uri.toString();

/** How long a notebook may be without an editor tab before its kernel ends (a tab moving between groups closes and opens), ms. */
const NO_TAB_GRACE_MS = 1000;

/** The notebooks (URI strings) that have an editor tab now. */
function notebooksWithTabs(): Set<string> {
  const uris = new Set<string>();
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    if (tab.input instanceof vscode.TabInputNotebook) uris.add(tab.input.uri.toString());
    if (tab.input instanceof vscode.TabInputNotebookDiff) uris.add(tab.input.modified.toString());
  }
  return uris;
}

export class KernelManager implements vscode.Disposable {
  private readonly kernels = new Map<string, KernelClient>();
  private readonly forwarding = new Map<KernelClient, vscode.Disposable>();
  private followed: vscode.NotebookDocument | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Notebooks with a kernel that had an editor tab: when the last one closes, the kernel ends. */
  private readonly hadTab = new Set<string>();
  private tabCheck: ReturnType<typeof setTimeout> | undefined;

  private readonly followedEmitter = new vscode.EventEmitter<vscode.NotebookDocument | undefined>();
  private readonly kernelsEmitter = new vscode.EventEmitter<void>();
  private readonly stateEmitter = new vscode.EventEmitter<KernelStateChange>();
  private readonly outputEmitter = new vscode.EventEmitter<OutputParams>();
  private readonly jobEmitter = new vscode.EventEmitter<KernelJobEvent>();
  private readonly sessionStartEmitter = new vscode.EventEmitter<KernelClient>();
  private readonly sessionEndEmitter = new vscode.EventEmitter<KernelSessionEnd>();

  /** The views now follow another notebook (or none). */
  readonly onDidChangeFollowed = this.followedEmitter.event;
  /** A kernel was made for a notebook, or ended with it. */
  readonly onDidChangeKernels = this.kernelsEmitter.event;
  /** A kernel's displayed state changed. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** An output of any kernel (routed by executionId, unique across kernels). */
  readonly onOutput = this.outputEmitter.event;
  /** A training job of some kernel started, progressed or ended. */
  readonly onJob = this.jobEmitter.event;
  /** A kernel has a fresh session (its scope is empty). */
  readonly onDidStartSession = this.sessionStartEmitter.event;
  /** A kernel's session ended (died, restarted or shut down). */
  readonly onDidEndSession = this.sessionEndEmitter.event;

  constructor(
    /** How kernels start: Node processes, or Web Workers in VS Code for the Web. */
    private readonly launcher: KernelLauncher,
    private readonly outputChannel: vscode.OutputChannel,
  ) {
    this.followed = vscode.window.activeNotebookEditor?.notebook;
    this.disposables.push(
      this.followedEmitter,
      this.kernelsEmitter,
      this.stateEmitter,
      this.outputEmitter,
      this.jobEmitter,
      this.sessionStartEmitter,
      this.sessionEndEmitter,
      vscode.window.onDidChangeActiveNotebookEditor((editor) => this.follow(editor?.notebook)),
      vscode.workspace.onDidCloseNotebookDocument((notebook) => {
        void this.close(notebook);
        if (notebook === this.followed) this.follow(vscode.window.activeNotebookEditor?.notebook);
      }),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        this.noteTabs();
        if (!e.closed.length) return;
        this.tabCheck ??= setTimeout(() => this.endKernelsWithoutTabs(), NO_TAB_GRACE_MS);
        this.follow(vscode.window.activeNotebookEditor?.notebook);
      }),
    );
  }

  /** The notebook the views follow: the one last active in the editor, while it is open. */
  get followedNotebook(): vscode.NotebookDocument | undefined {
    return this.followed;
  }

  /** The followed notebook's kernel, if one of its cells ran. */
  get followedKernel(): KernelClient | undefined {
    return this.followed ? this.get(this.followed) : undefined;
  }

  /** Every notebook's kernel, in the order they were made. */
  get all(): KernelClient[] {
    return [...this.kernels.values()];
  }

  /** The notebooks whose kernel process runs. */
  runningNotebooks(): vscode.NotebookDocument[] {
    return this.all.filter((k) => k.isRunning).map((k) => k.notebook);
  }

  get(notebook: vscode.NotebookDocument): KernelClient | undefined {
    return this.kernels.get(keyOf(notebook));
  }

  /** The notebook's kernel, made (not started) if it has none yet. */
  kernelFor(notebook: vscode.NotebookDocument): KernelClient {
    // A cell still queued when its notebook closed: no kernel starts for it.
    if (notebook.isClosed) throw new KernelNotRunningError({ kind: 'shutdown' });
    const key = keyOf(notebook);
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = new KernelClient(this.launcher, this.outputChannel, notebook);
      this.kernels.set(key, kernel);
      this.forwarding.set(kernel, this.forward(kernel));
      this.noteTabs();
      this.kernelsEmitter.fire();
    }
    return kernel;
  }

  /**
   * The notebook a command acts on: the one its argument names (a Uri, a notebook, the notebook
   * toolbar's context), else the one the views follow.
   */
  notebookFor(argument?: unknown): vscode.NotebookDocument | undefined {
    const uri = notebookUriOf(argument);
    if (uri === undefined) return this.followed;
    return vscode.workspace.notebookDocuments.find((nb) => nb.uri.toString() === uri);
  }

  /** Ends the notebook's kernel: its process and everything its cells started. */
  async close(notebook: vscode.NotebookDocument): Promise<void> {
    const key = keyOf(notebook);
    const kernel = this.kernels.get(key);
    if (!kernel) return;
    this.kernels.delete(key);
    this.hadTab.delete(key);
    try {
      await kernel.close();
    } finally {
      this.forwarding.get(kernel)?.dispose();
      this.forwarding.delete(kernel);
      kernel.dispose();
      this.kernelsEmitter.fire();
    }
  }

  /** Ends every kernel (the extension deactivates). */
  async shutdownAll(): Promise<void> {
    await Promise.all(this.all.map((k) => this.close(k.notebook)));
  }

  dispose(): void {
    if (this.tabCheck) clearTimeout(this.tabCheck);
    for (const kernel of this.kernels.values()) kernel.dispose();
    for (const d of this.forwarding.values()) d.dispose();
    this.kernels.clear();
    this.forwarding.clear();
    for (const d of this.disposables) d.dispose();
  }

  // -------------------------------------------------------------------------------------------

  /** Remembers which kernels' notebooks have a tab. */
  private noteTabs(): void {
    const withTabs = notebooksWithTabs();
    for (const key of this.kernels.keys()) if (withTabs.has(key)) this.hadTab.add(key);
  }

  /** Ends the kernels whose notebook had a tab and has none now: the person closed it. */
  private endKernelsWithoutTabs(): void {
    this.tabCheck = undefined;
    const withTabs = notebooksWithTabs();
    for (const kernel of this.all) {
      const key = keyOf(kernel.notebook);
      if (this.hadTab.has(key) && !withTabs.has(key)) void this.close(kernel.notebook);
    }
  }

  private follow(active: vscode.NotebookDocument | undefined): void {
    // A notebook whose last tab closed is closed for the person, though VS Code may keep it open a while.
    const withTabs = notebooksWithTabs();
    const next = followedNotebook(
      this.followed,
      active,
      (nb) => !nb.isClosed && withTabs.has(keyOf(nb)),
      vscode.window.visibleNotebookEditors.map((e) => e.notebook),
    );
    if (next === this.followed) return;
    this.followed = next;
    this.followedEmitter.fire(next);
  }

  private forward(kernel: KernelClient): vscode.Disposable {
    return vscode.Disposable.from(
      kernel.onDidChangeState((state) => this.stateEmitter.fire({ kernel, state })),
      kernel.onOutput((p) => this.outputEmitter.fire(p)),
      kernel.onJob((event) => this.jobEmitter.fire({ kernel, event })),
      kernel.onDidStartSession(() => this.sessionStartEmitter.fire(kernel)),
      kernel.onDidEndSession((end) => this.sessionEndEmitter.fire({ kernel, end })),
    );
  }
}
