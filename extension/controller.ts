// The RNN Lab NotebookController for .ipynb notebooks (VS Code's built-in 'jupyter-notebook' type):
// runs TypeScript cells on their notebook's own kernel (kernelManager.ts), one at a time per
// notebook (notebooks run side by side), with execution order, timing, streamed outputs, interrupt
// through the cells' cancellation tokens, and kernelspec affinity. Choosing another kernel for a
// notebook ends its RNN Lab kernel, as closing it does.

import * as vscode from 'vscode';
import type { ExecuteResult } from '../kernel/protocol';
import { CELL_LANGUAGE, CONTROLLER_ID, CONTROLLER_LABEL, EXTENSION_ID, NOTEBOOK_TYPE } from './constants';
import { CellOutputs, DisplayRegistry } from './cellOutputs';
import { randomUuid } from '../kernel/uuid';
import { KernelClient, KernelNotRunningError, UntrustedWorkspaceError } from './kernelClient';
import type { KernelManager } from './kernelManager';
import { isRnnLabNotebook, withRnnLabKernelspec } from './notebookMetadata';
import type { NotebookSelection } from './notebookSelection';
import type { LiveOutputs } from './liveOutputs';
import { kernelDiedMessage } from './outputItems';
import { showUntrustedMessage } from './trust';

interface QueuedCell {
  cell: vscode.NotebookCell;
  execution: vscode.NotebookCellExecution;
  cancelled: boolean;
  running: boolean;
  /** The kernel's id for this run of the cell, once sent. */
  executionId?: string;
}

/** One notebook's runs: its queue, its execution count and its displays (ids are per kernel). */
interface NotebookRuns {
  queue: QueuedCell[];
  draining: boolean;
  executionOrder: number;
  registry: DisplayRegistry;
}

export class RnnLabController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly runs = new Map<vscode.NotebookDocument, NotebookRuns>();
  private readonly cellOutputs = new WeakMap<vscode.NotebookCell, CellOutputs>();
  /** executionId → the cell its outputs go to. Kept after the cell ends, for late outputs. */
  private readonly routes = new Map<string, { outputs: CellOutputs; executionCount: number; kernel: KernelClient }>();
  private readonly finishedEmitter = new vscode.EventEmitter<vscode.NotebookCell>();

  /** A cell finished executing (successfully or not). */
  readonly onDidFinishCell = this.finishedEmitter.event;

  constructor(
    private readonly kernels: KernelManager,
    /** The notebooks that chose this controller: kept here, read by the status bar. */
    private readonly selected: NotebookSelection,
    /** Redraws live displays of finished cells (renderer messaging). */
    private readonly live: LiveOutputs,
  ) {
    const c = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, CONTROLLER_LABEL);
    c.supportedLanguages = [CELL_LANGUAGE];
    c.supportsExecutionOrder = true;
    c.description = 'TypeScript cells with recurrent networks';
    c.detail = 'Runs cells on an RNN Lab kernel of their own (one per notebook)';
    c.executeHandler = (cells) => this.enqueue(cells);
    this.controller = c;

    this.disposables.push(
      c,
      this.finishedEmitter,
      c.onDidChangeSelectedNotebooks(({ notebook, selected }) => this.onSelected(notebook, selected)),
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.updateAffinity(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        this.selected.set(nb, false);
        this.runs.get(nb)?.registry.dispose();
        this.runs.delete(nb);
      }),
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.metadata) this.updateAffinity(e.notebook);
      }),
      vscode.window.onDidChangeActiveNotebookEditor((editor) => editor && this.selectForRnnLabNotebook(editor)),
      kernels.onOutput((p) => {
        const route = this.routes.get(p.executionId);
        route?.outputs.handle(p.output, route.executionCount);
      }),
      // Before the notebook is saved, the document gets what the renderer drew in finished cells:
      // all of it on a save the person asked for; on an auto-save (VS Code for the Web saves a
      // second after each change by default) only the displays whose job has ended, since each
      // write into a finished cell shows it running again and makes the next auto-save.
      vscode.workspace.onWillSaveNotebookDocument((e) => {
        const runs = this.runs.get(e.notebook);
        if (!runs) return;
        runs.registry.flush();
        e.waitUntil(runs.registry.settle(e.reason !== vscode.TextDocumentSaveReason.Manual));
      }),
      // The kernel's session ended (restart, death): what it last sent goes into the document now,
      // and none of its displays changes any more.
      kernels.onDidEndSession(({ kernel }) => void this.runs.get(kernel.notebook)?.registry.endSession()),
      kernels.onDidStartSession((kernel) => {
        const runs = this.runs.get(kernel.notebook);
        // The old session's displays were ended with it (onDidEndSession: every session ends,
        // by a stop or a death, before another starts), so a new kernel's display ids change no
        // old cell's output.
        if (runs) runs.executionOrder = 0;
        // The old process is gone: nothing more comes for its executions.
        for (const [id, route] of this.routes) if (route.kernel === kernel) this.routes.delete(id);
      }),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.updateAffinity(nb);
    const active = vscode.window.activeNotebookEditor;
    if (active) void this.selectForRnnLabNotebook(active);
  }

  dispose(): void {
    for (const runs of this.runs.values()) runs.registry.dispose();
    for (const d of this.disposables) d.dispose();
  }

  // -------------------------------------------------------------------------------------------

  private updateAffinity(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType !== NOTEBOOK_TYPE) return;
    const affinity = isRnnLabNotebook(notebook.metadata) ? vscode.NotebookControllerAffinity.Preferred : vscode.NotebookControllerAffinity.Default;
    this.controller.updateNotebookAffinity(notebook, affinity);
  }

  /** An RNN Lab notebook shown with no kernel chosen gets ours, as Jupyter does for its kernelspecs. */
  private async selectForRnnLabNotebook(editor: vscode.NotebookEditor): Promise<void> {
    if (editor.notebook.notebookType !== NOTEBOOK_TYPE || !isRnnLabNotebook(editor.notebook.metadata)) return;
    if (this.selected.has(editor.notebook)) return;
    try {
      await vscode.commands.executeCommand('notebook.selectKernel', {
        id: CONTROLLER_ID,
        extension: EXTENSION_ID,
        skipIfAlreadySelected: true,
      });
    } catch (error) {
      console.warn('[rnn-lab] could not preselect the kernel:', error);
    }
  }

  private onSelected(notebook: vscode.NotebookDocument, selected: boolean): void {
    this.selected.set(notebook, selected);
    if (selected) void this.adoptNotebook(notebook);
    // Another kernel now runs the notebook (as Jupyter does when switching kernels): ours ends.
    else void this.kernels.close(notebook);
  }

  /** Choosing RNN Lab writes its kernelspec into the notebook, and makes blank cells TypeScript. */
  private async adoptNotebook(notebook: vscode.NotebookDocument): Promise<void> {
    const metadata = withRnnLabKernelspec(notebook.metadata);
    if (metadata) {
      const edit = new vscode.WorkspaceEdit();
      edit.set(notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata(metadata)]);
      await vscode.workspace.applyEdit(edit);
    }
    for (const cell of notebook.getCells()) {
      const doc = cell.document;
      if (cell.kind !== vscode.NotebookCellKind.Code || doc.languageId === CELL_LANGUAGE) continue;
      if (doc.languageId === 'plaintext' || doc.getText().trim() === '') {
        await vscode.languages.setTextDocumentLanguage(doc, CELL_LANGUAGE);
      }
    }
  }

  private runsOf(notebook: vscode.NotebookDocument): NotebookRuns {
    let runs = this.runs.get(notebook);
    if (!runs) {
      runs = { queue: [], draining: false, executionOrder: 0, registry: new DisplayRegistry(this.live.forNotebook(notebook)) };
      this.runs.set(notebook, runs);
    }
    return runs;
  }

  private outputsOf(cell: vscode.NotebookCell): CellOutputs {
    let outputs = this.cellOutputs.get(cell);
    if (!outputs) {
      outputs = new CellOutputs(cell, this.runsOf(cell.notebook).registry, (c) => this.controller.createNotebookCellExecution(c));
      this.cellOutputs.set(cell, outputs);
    }
    return outputs;
  }

  private async enqueue(cells: vscode.NotebookCell[]): Promise<void> {
    const notebooks = new Set<vscode.NotebookDocument>();
    for (const cell of cells) {
      let execution: vscode.NotebookCellExecution;
      try {
        execution = this.controller.createNotebookCellExecution(cell);
      } catch {
        continue; // already queued or running
      }
      const entry: QueuedCell = { cell, execution, cancelled: false, running: false };
      execution.token.onCancellationRequested(() => {
        entry.cancelled = true;
        if (entry.running) this.interruptRunningCell(entry);
      });
      this.runsOf(cell.notebook).queue.push(entry);
      notebooks.add(cell.notebook);
    }
    await Promise.all([...notebooks].map((nb) => this.drain(this.runsOf(nb))));
  }

  private interruptRunningCell(entry: QueuedCell): void {
    const kernel = this.kernels.get(entry.cell.notebook);
    if (!kernel?.interrupt(entry.executionId)) return;
    // A cell stuck where an interrupt cannot reach it keeps the kernel busy: offer a restart.
    setTimeout(() => {
      if (entry.running) {
        void vscode.window
          .showWarningMessage(
            `The RNN Lab kernel of ${kernel.name} has not stopped the cell yet. Restart the kernel? (Its variables will be lost.)`,
            'Restart Kernel',
          )
          .then((choice) => choice && kernel.restart());
      }
    }, 5000);
  }

  private async drain(runs: NotebookRuns): Promise<void> {
    if (runs.draining) return;
    runs.draining = true;
    try {
      while (runs.queue.length > 0) {
        const entry = runs.queue[0];
        let ok: boolean | undefined;
        if (entry.cancelled) {
          entry.execution.end(undefined);
        } else {
          entry.running = true;
          ok = await this.runCell(entry);
          entry.running = false;
        }
        runs.queue.shift();
        // As in Jupyter: a failing cell stops the cells of its notebook queued after it.
        if (ok === false) for (const queued of runs.queue) queued.cancelled = true;
      }
    } finally {
      runs.draining = false;
    }
  }

  /** Runs one cell; resolves to its success. */
  private async runCell(entry: QueuedCell): Promise<boolean> {
    const { cell, execution } = entry;
    const outputs = this.outputsOf(cell);
    const startTime = Date.now();
    execution.start(startTime);
    await outputs.begin(execution);
    let ok = false;
    let kernel: KernelClient | undefined;
    try {
      kernel = this.kernels.kernelFor(cell.notebook);
      await kernel.start();
      // Numbered after the start: a fresh kernel session counts from 1.
      const order = ++this.runsOf(cell.notebook).executionOrder;
      execution.executionOrder = order;
      const executionId = randomUuid();
      entry.executionId = executionId;
      this.routes.set(executionId, { outputs, executionCount: order, kernel });
      this.trimRoutes();
      const result: ExecuteResult = await kernel.execute({
        executionId,
        code: cell.document.getText(),
        cellLabel: `cell ${cell.index + 1}`,
        cwd: kernel.folder,
      });
      ok = result.status === 'ok';
      if (result.status === 'error' && !outputs.sawError && result.error) outputs.appendError(result.error);
      if (result.status === 'interrupted' && !outputs.sawError) {
        outputs.appendError({ name: 'Interrupted', message: 'The cell was stopped.', stack: '' });
      }
    } catch (error) {
      this.reportFailure(outputs, error, kernel);
    } finally {
      await outputs.end(execution, { success: ok, startTime, endTime: Date.now() });
      this.finishedEmitter.fire(cell);
    }
    return ok;
  }

  private reportFailure(outputs: CellOutputs, error: unknown, kernel: KernelClient | undefined): void {
    if (error instanceof UntrustedWorkspaceError) {
      outputs.appendError({ name: 'Workspace not trusted', message: error.message, stack: '' });
      void showUntrustedMessage();
      return;
    }
    const end = error instanceof KernelNotRunningError ? error.end : kernel?.lastSessionEnd;
    if (end?.kind === 'died') {
      outputs.appendError(kernelDiedMessage(end, end.stderrTail));
    } else if (end?.kind === 'restarted' || end?.kind === 'shutdown') {
      outputs.appendError({ name: 'KernelRestarted', message: 'The RNN Lab kernel was restarted while the cell ran.', stack: '' });
    } else {
      const message = error instanceof Error ? error.message : String(error);
      outputs.appendError({ name: 'KernelError', message, stack: '' });
    }
  }

  /** Late outputs can arrive for recent executions (training displays); older routes are dropped. */
  private trimRoutes(): void {
    const MAX_ROUTES = 500;
    while (this.routes.size > MAX_ROUTES) {
      const oldest = this.routes.keys().next().value;
      if (oldest === undefined) break;
      this.routes.delete(oldest);
    }
  }
}
