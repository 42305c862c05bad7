// Writes kernel outputs into notebook cells, in the order they arrive.
//
// - Streams are buffered briefly and appended to the cell's last stream output when it has the
//   same name, so a loop that prints does not make a thousand outputs.
// - Displays with a displayId can be replaced later ('update'), also after the cell finished
//   (training runs on while the next cell executes). Updates are coalesced per displayId, so the
//   renderer sees at most a few redraws a second, and written through the cell's running execution
//   or, when it has none, a short-lived one that keeps its execution order and timing.

import * as vscode from 'vscode';
import type { CellOutput, ErrorInfo, MimeBundle } from '../kernel/protocol';
import { displayMetadata, errorFromInfo, mimeBundleToItems, resultMetadata, type OutputItemSpec } from './outputItems';

const STREAM_FLUSH_MS = 40;
const UPDATE_FLUSH_MS = 80;
// Each write into a finished cell is a short execution: VS Code flashes the cell's spinner and the
// notebook's "Stop Execution" button. Once a second keeps a live loss curve moving without that
// flicker taking over the notebook (the dashboard follows the job more closely).
const FINISHED_UPDATE_FLUSH_MS = 1000;

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
    await this.enqueueStep(async () => {
      this.live = undefined;
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
    return this.enqueueStep(() => this.withExecution(write));
  }

  private enqueueStep(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      // The cell or notebook may be gone, or a new run is queued on it: the write is moot.
      console.warn('[rnn-lab] could not write a cell output:', error);
    });
    return this.chain;
  }

  private async withExecution(write: (execution: vscode.NotebookCellExecution) => Thenable<void>): Promise<void> {
    if (this.live) {
      await write(this.live);
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

/** Displays that can be updated, by displayId, wherever they are. */
export class DisplayRegistry implements vscode.Disposable {
  private readonly displays = new Map<string, { cell: CellOutputs; output: vscode.NotebookCellOutput }[]>();
  private readonly pending = new Map<string, MimeBundle>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  add(displayId: string, cell: CellOutputs, output: vscode.NotebookCellOutput): void {
    const list = this.displays.get(displayId) ?? [];
    list.push({ cell, output });
    this.displays.set(displayId, list);
  }

  forgetCell(cell: vscode.NotebookCell): void {
    for (const [id, list] of this.displays) {
      const kept = list.filter((d) => d.cell.cell !== cell);
      if (kept.length) this.displays.set(id, kept);
      else this.displays.delete(id);
    }
  }

  /**
   * Only the newest data of each displayId is written: every UPDATE_FLUSH_MS into running cells,
   * less often into finished ones (each write there is a short execution VS Code shows).
   */
  update(displayId: string, data: MimeBundle): void {
    this.pending.set(displayId, data);
    const live = (this.displays.get(displayId) ?? []).some((d) => d.cell.isLive);
    this.timer ??= setTimeout(() => this.flush(), live ? UPDATE_FLUSH_MS : FINISHED_UPDATE_FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [displayId, data] of this.pending) {
      for (const { cell, output } of this.displays.get(displayId) ?? []) {
        void cell.replaceItems(output, toVscodeItems(mimeBundleToItems(data)));
      }
    }
    this.pending.clear();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.displays.clear();
    this.pending.clear();
  }
}
