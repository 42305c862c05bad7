// The extension's side of renderer messaging (webview/messages.ts): live displays in
// cells that have finished are redrawn by the renderer from messages, so VS Code never shows such
// a cell running again (each write into a finished cell is a short execution: a spinner and the
// notebook's "Stop Execution"); the registry (cellOutputs.ts) writes the document once the
// updates settle. The renderer also learns which jobs can be stopped, for the Stop button on a
// job's live curve, and asks to stop them here.

import * as vscode from 'vscode';
import { RnnLabMime, StopJobRequest, type JobSummary, type MimeBundle, type StopJobParams } from '../kernel/protocol';
import type { RendererInbound, RendererOutbound } from '../webview/messages';
import { RENDERER_ID } from './constants';
import type { KernelClient } from './kernelClient';
import type { KernelManager } from './kernelManager';
import { notify } from './notify';

/** The item of a bundle the renderer draws (RNN Lab's own MIME types), if it has one. */
export function rendererItem(data: MimeBundle): { mime: string; value: unknown } | undefined {
  const mimes: readonly string[] = Object.values(RnnLabMime);
  const mime = Object.keys(data).find((m) => mimes.includes(m));
  return mime === undefined ? undefined : { mime, value: data[mime] };
}

/** The uid of the training job a live loss curve follows, if the bundle is one. */
function followedJob(data: MimeBundle): string | undefined {
  const lines = data[RnnLabMime.lines] as { job?: { uid?: unknown } } | undefined;
  return typeof lines?.job?.uid === 'string' ? lines.job.uid : undefined;
}

const stoppable = (jobs: readonly JobSummary[]): string[] => jobs.filter((j) => j.status === 'running' || j.status === 'paused').map((j) => j.uid);

/** What one notebook's display registry uses. */
export interface LiveRenderer {
  /** Redraws the display's outputs from `data`; false when the renderer does not draw it (then write the cell). */
  post(displayId: string, data: MimeBundle): boolean;
  /** The document now holds the display's latest data (or the display is gone). */
  written(displayId: string): void;
  /**
   * Whether the display follows a training job that still trains: its document write waits for
   * the job's end (or a save), since a pause in its updates (a busy kernel) is not its end.
   */
  training(data: MimeBundle): boolean;
  /** Calls back when one of the notebook's jobs stops training. */
  onJobEnd(listener: () => void): vscode.Disposable;
}

export class LiveOutputs implements vscode.Disposable {
  private readonly messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  /** Per notebook: what was posted and is not in the document yet, for outputs drawn later. */
  private readonly unwritten = new Map<vscode.NotebookDocument, Map<string, RendererInbound>>();
  /** Per notebook: the stoppable jobs last posted. */
  private readonly postedJobs = new Map<vscode.NotebookDocument, string>();
  private readonly draws = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly kernels: KernelManager) {
    this.disposables.push(
      this.messaging.onDidReceiveMessage(({ editor, message }) => this.onMessage(editor, message as RendererOutbound)),
      kernels.onJob(({ kernel }) => this.postJobs(kernel)),
      kernels.onDidStartSession((kernel) => this.postJobs(kernel)),
      vscode.workspace.onDidCloseNotebookDocument((notebook) => {
        this.unwritten.delete(notebook);
        this.postedJobs.delete(notebook);
      }),
    );
  }

  /** Redraws the renderer reported, per display id (the tests read them). */
  get drawCounts(): Record<string, number> {
    return Object.fromEntries(this.draws);
  }

  forNotebook(notebook: vscode.NotebookDocument): LiveRenderer {
    return {
      post: (displayId, data) => {
        const item = rendererItem(data);
        if (!item) return false;
        const message: RendererInbound = { type: 'update', displayId, ...item };
        let pending = this.unwritten.get(notebook);
        if (!pending) this.unwritten.set(notebook, (pending = new Map()));
        pending.set(displayId, message);
        this.post(notebook, message);
        return true;
      },
      written: (displayId) => void this.unwritten.get(notebook)?.delete(displayId),
      training: (data) => {
        const uid = followedJob(data);
        const job = uid === undefined ? undefined : this.kernels.get(notebook)?.jobList.find((j) => j.uid === uid);
        return job?.status === 'running';
      },
      onJobEnd: (listener) =>
        this.kernels.onJob(({ kernel, event }) => {
          if (kernel.notebook === notebook && event.job.status !== 'running') listener();
        }),
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private post(notebook: vscode.NotebookDocument, message: RendererInbound, editors = this.editorsOf(notebook)): void {
    for (const editor of editors) void this.messaging.postMessage(message, editor);
  }

  private editorsOf(notebook: vscode.NotebookDocument): vscode.NotebookEditor[] {
    return vscode.window.visibleNotebookEditors.filter((e) => e.notebook === notebook);
  }

  /** Tells the notebook's renderers which jobs can be stopped, when that changed. */
  private postJobs(kernel: KernelClient): void {
    const uids = stoppable(kernel.jobList);
    const key = uids.join(' ');
    if (this.postedJobs.get(kernel.notebook) === key) return;
    this.postedJobs.set(kernel.notebook, key);
    this.post(kernel.notebook, { type: 'jobs', stoppable: uids });
  }

  private onMessage(editor: vscode.NotebookEditor, message: RendererOutbound): void {
    switch (message.type) {
      case 'watch': {
        const newer = this.unwritten.get(editor.notebook)?.get(message.displayId);
        if (newer) this.post(editor.notebook, newer, [editor]);
        this.post(editor.notebook, { type: 'jobs', stoppable: stoppable(this.kernels.get(editor.notebook)?.jobList ?? []) }, [editor]);
        break;
      }
      case 'drawn':
        this.draws.set(message.displayId, (this.draws.get(message.displayId) ?? 0) + 1);
        break;
      case 'stopJob':
        void this.stopJob(editor.notebook, message.jobUid);
        break;
    }
  }

  private async stopJob(notebook: vscode.NotebookDocument, uid: string): Promise<void> {
    const kernel = this.kernels.get(notebook);
    const job = kernel?.jobList.find((j) => j.uid === uid);
    if (!kernel?.isRunning || !job || (job.status !== 'running' && job.status !== 'paused')) {
      void notify('info', 'RNN Lab: that training job is no longer running (it ended, or its kernel was restarted).');
      return;
    }
    const params: StopJobParams = { id: job.id };
    try {
      await kernel.request(StopJobRequest, params);
    } catch (error) {
      void notify('error', `RNN Lab: could not stop ${job.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
