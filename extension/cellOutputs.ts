// Writes kernel outputs into notebook cells, in the order they arrive.
//
// - Streams are buffered briefly and appended to the cell's last stream output when it has the
//   same name, so a loop that prints does not make a thousand outputs.
// - Displays with a displayId can be replaced later ('update'), also after the cell finished
//   (training runs on while the next cell executes). Updates are coalesced per displayId, so the
//   renderer sees at most a few redraws a second, and written through the cell's running execution.
//   A finished cell is not run again for them: the renderer redraws its outputs from messages and
//   the document follows when their job ends (other displays: when they pause) or before a save,
//   through a short-lived execution that keeps the cell's execution order and timing
//   (DisplayRegistry).

import * as vscode from 'vscode';
import type { CellOutput, ErrorInfo, MimeBundle } from '../kernel/protocol';
import { rendererItem, type LiveRenderer } from './liveOutputs';
import { displayMetadata, errorFromInfo, mimeBundleToItems, resultMetadata, type OutputItemSpec } from './outputItems';

const STREAM_FLUSH_MS = 40;
const UPDATE_FLUSH_MS = 80;
// Each write into a finished cell is a short execution: VS Code flashes the cell's spinner and the
// notebook's "Stop Execution" button. What the renderer draws is redrawn from messages instead,
// and written once its updates pause this long; anything else at most once a second.
const FINISHED_UPDATE_FLUSH_MS = 1000;
const SETTLE_MS = 2000;

export function toVscodeItems(specs: OutputItemSpec[]): vscode.NotebookCellOutputItem[] {
  return specs.map((s) => {
    switch (s.kind) {
      case 'json':
        return vscode.NotebookCellOutputItem.json(s.value, s.mime);
      case 'text':
        return vscode.NotebookCellOutputItem.text(s.value, s.mime);
      case 'bytes':
        return new vscode.NotebookCellOutputItem(s.value, s.mime);
    }
  });
}

export function errorOutput(info: ErrorInfo): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(errorFromInfo(info))], { outputType: 'error' });
}

function streamItem(name: 'stdout' | 'stderr', text: string): vscode.NotebookCellOutputItem {
  return name === 'stderr' ? vscode.NotebookCellOutputItem.stderr(text) : vscode.NotebookCellOutputItem.stdout(text);
}

type CreateExecution = (cell: vscode.NotebookCell) => vscode.NotebookCellExecution;

/** The outputs of one cell: its running execution, if any, and an ordered queue of writes. */
export class CellOutputs {
  private live: vscode.NotebookCellExecution | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastStream: { name: 'stdout' | 'stderr'; output: vscode.NotebookCellOutput } | undefined;
  private pendingStream: { name: 'stdout' | 'stderr'; text: string } | undefined;
  private streamTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether an error output was written during the current execution. */
  sawError = false;
  /**
   * How the last execution ended, for temporary executions to restore. VS Code updates
   * cell.executionSummary asynchronously, so right after the end it may still say "running".
   */
  private lastRun: { order?: number; success?: boolean; startTime?: number; endTime?: number } | undefined;

  constructor(
    readonly cell: vscode.NotebookCell,
    private readonly registry: DisplayRegistry,
    private readonly createExecution: CreateExecution,
  ) {}

  /** The cell starts executing: its old outputs and displays are gone. */
  async begin(execution: vscode.NotebookCellExecution): Promise<void> {
    this.live = execution;
    this.lastStream = undefined;
    this.pendingStream = undefined;
    this.sawError = false;
    this.registry.forgetCell(this.cell);
    await this.enqueue((e) => e.clearOutput());
  }

  /**
   * Ends the execution after every queued write. Later writes (display updates from a job that
   * trains on) go through temporary executions, which VS Code allows only once this one ended.
   */
  async end(execution: vscode.NotebookCellExecution, run: { success: boolean; startTime: number; endTime: number }): Promise<void> {
    this.flushStream();
    // Updates still coalescing (a display updated just before the cell's end) go through this
    // execution too: once it ended, a write would need a short execution VS Code shows.
    this.registry.flush();
    // Writes queued so far go through the execution; any from now on find the cell finished
    // (a display update is drawn by the renderer then, not written into a cell VS Code would rerun).
    this.live = undefined;
    await this.enqueueStep(async () => {
      this.lastRun = { order: execution.executionOrder, ...run };
      execution.end(run.success, run.endTime);
    });
  }

  get isLive(): boolean {
    return this.live !== undefined;
  }

  handle(output: CellOutput, executionCount: number | undefined): void {
    switch (output.type) {
      case 'stream':
        this.stream(output.name, output.text);
        break;
      case 'display':
        this.append(this.richOutput(output.data, displayMetadata(output.displayId)), output.displayId);
        break;
      case 'result':
        this.append(this.richOutput(output.data, resultMetadata(executionCount)));
        break;
      case 'update':
        this.registry.update(output.displayId, output.data);
        break;
      case 'error':
        this.appendError(output.error);
        break;
    }
  }

  appendError(info: ErrorInfo): void {
    this.sawError = true;
    this.append(errorOutput(info));
  }

  /** Replaces the items of one of this cell's outputs (a display update). */
  replaceItems(output: vscode.NotebookCellOutput, items: vscode.NotebookCellOutputItem[]): Promise<void> {
    return this.enqueue((e) => e.replaceOutputItems(items, output));
  }

  private richOutput(data: MimeBundle, metadata: object): vscode.NotebookCellOutput {
    return new vscode.NotebookCellOutput(toVscodeItems(mimeBundleToItems(data)), { ...metadata });
  }

  private append(output: vscode.NotebookCellOutput, displayId?: string): void {
    this.flushStream();
    this.lastStream = undefined;
    if (displayId) this.registry.add(displayId, this, output);
    void this.enqueue((e) => e.appendOutput(output));
  }

  private stream(name: 'stdout' | 'stderr', text: string): void {
    if (this.pendingStream && this.pendingStream.name !== name) this.flushStream();
    if (this.pendingStream) this.pendingStream.text += text;
    else this.pendingStream = { name, text };
    this.streamTimer ??= setTimeout(() => this.flushStream(), STREAM_FLUSH_MS);
  }

  private flushStream(): void {
    if (this.streamTimer) clearTimeout(this.streamTimer);
    this.streamTimer = undefined;
    const pending = this.pendingStream;
    this.pendingStream = undefined;
    if (!pending || pending.text === '') return;
    const item = streamItem(pending.name, pending.text);
    const last = this.lastStream;
    if (last && last.name === pending.name) {
      void this.enqueue((e) => e.appendOutputItems(item, last.output));
    } else {
      const output = new vscode.NotebookCellOutput([item], { outputType: 'stream' });
      this.lastStream = { name: pending.name, output };
      void this.enqueue((e) => e.appendOutput(output));
    }
  }

  private enqueue(write: (execution: vscode.NotebookCellExecution) => Thenable<void>): Promise<void> {
    const live = this.live;
    return this.enqueueStep(() => this.withExecution(write, live));
  }

  private enqueueStep(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      // The cell or notebook may be gone, or a new run is queued on it: the write is moot.
      console.warn('[rnn-lab] could not write a cell output:', error);
    });
    return this.chain;
  }

  private async withExecution(write: (execution: vscode.NotebookCellExecution) => Thenable<void>, live: vscode.NotebookCellExecution | undefined): Promise<void> {
    if (live) {
      await write(live);
      return;
    }
    if (this.cell.notebook.isClosed) return;
    const summary = this.cell.executionSummary;
    const run = this.lastRun ?? {
      order: summary?.executionOrder,
      success: summary?.success,
      startTime: summary?.timing?.startTime,
      endTime: summary?.timing?.endTime,
    };
    const temporary = this.createExecution(this.cell);
    temporary.executionOrder = run.order;
    temporary.start(run.startTime);
    try {
      await write(temporary);
    } finally {
      temporary.end(run.success, run.endTime);
    }
  }
}

interface Display {
  cell: CellOutputs;
  output: vscode.NotebookCellOutput;
}

/**
 * The displays of one notebook that can be updated, by displayId, wherever they are. An update
 * reaches a running cell through its execution; a finished cell's outputs are redrawn by the
 * renderer (liveOutputs.ts) while updates come, and written once they settle, or before the
 * notebook is saved. What the renderer does not draw is written into a finished cell at once
 * (a short execution, at most once a second).
 */
export class DisplayRegistry implements vscode.Disposable {
  private readonly displays = new Map<string, Display[]>();
  private readonly pending = new Map<string, MimeBundle>();
  /** Drawn by the renderer in finished cells, not written into them yet. */
  private readonly unwritten = new Map<string, MimeBundle>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly jobEnds: vscode.Disposable | undefined;

  constructor(private readonly renderer?: LiveRenderer) {
    this.jobEnds = renderer?.onJobEnd(() => {
      if (this.unwritten.size > 0) this.settleSoon();
    });
  }

  add(displayId: string, cell: CellOutputs, output: vscode.NotebookCellOutput): void {
    const list = this.displays.get(displayId) ?? [];
    list.push({ cell, output });
    this.displays.set(displayId, list);
  }

  forgetCell(cell: vscode.NotebookCell): void {
    for (const [id, list] of this.displays) {
      const kept = list.filter((d) => d.cell.cell !== cell);
      if (kept.length) this.displays.set(id, kept);
      else this.forget(id);
    }
  }

  /**
   * Only the newest data of each displayId goes out: every UPDATE_FLUSH_MS, less often when it can
   * only be written into finished cells (each write there is a short execution VS Code shows).
   */
  update(displayId: string, data: MimeBundle): void {
    this.pending.set(displayId, data);
    const quick = (this.displays.get(displayId) ?? []).some((d) => d.cell.isLive) || (this.renderer !== undefined && rendererItem(data) !== undefined);
    this.timer ??= setTimeout(() => this.flush(), quick ? UPDATE_FLUSH_MS : FINISHED_UPDATE_FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [displayId, data] of this.pending) {
      const displays = this.displays.get(displayId) ?? [];
      const finished = displays.filter((d) => !d.cell.isLive);
      for (const d of displays) if (d.cell.isLive) write(d, data);
      if (finished.length === 0) continue;
      if (this.renderer?.post(displayId, data)) {
        this.unwritten.set(displayId, data);
        this.settleSoon();
      } else {
        for (const d of finished) write(d, data);
      }
    }
    this.pending.clear();
  }

  /**
   * Writes what the renderer drew into the finished cells' outputs (saved with the notebook);
   * with `finalOnly`, only displays whose job no longer trains.
   */
  settle(finalOnly = false): Promise<void> {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    const writes: Promise<void>[] = [];
    for (const [displayId, data] of this.unwritten) {
      if (finalOnly && this.renderer?.training(data)) continue;
      for (const d of this.displays.get(displayId) ?? []) if (!d.cell.isLive) writes.push(write(d, data));
      this.renderer?.written(displayId);
      this.unwritten.delete(displayId);
    }
    return Promise.all(writes).then(() => undefined);
  }

  /** Its kernel restarted: no display of the old one changes any more (what is pending is written first). */
  endSession(): Promise<void> {
    this.flush();
    const written = this.settle();
    this.displays.clear();
    return written;
  }

  dispose(): void {
    this.jobEnds?.dispose();
    if (this.timer) clearTimeout(this.timer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.displays.clear();
    this.pending.clear();
    this.unwritten.clear();
  }

  private forget(displayId: string): void {
    this.displays.delete(displayId);
    this.unwritten.delete(displayId);
    this.renderer?.written(displayId);
  }

  /** The document follows once the updates pause for SETTLE_MS and their job, if any, has ended. */
  private settleSoon(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => void this.settle(true), SETTLE_MS);
  }
}

function write(display: Display, data: MimeBundle): Promise<void> {
  return display.cell.replaceItems(display.output, toVscodeItems(mimeBundleToItems(data)));
}
