// Type checking of the RNN Lab notebooks the kernel's language server syncs (LSP notebook sync):
// one NotebookTypes per notebook whose kernelspec names RNN Lab, kept in step with its cells, and
// diagnostics pushed per cell after each change.
//
// Where the time goes, and why it is spread out: loading TypeScript (the kernel loads it anyway to
// compile cells) and the first check of a notebook (the ECMAScript library and 'rnn-lab' are
// parsed and checked once per kernel) take a second or two; after that a completion takes tens of
// milliseconds and a cell's diagnostics tens to a couple of hundred. The first check runs right
// after the kernel starts (warmUp), before anyone waits for it. Diagnostics wait until typing
// pauses, start at the first cell whose program changed (earlier cells cannot be affected: a cell
// sees only the cells before it), and check one cell per turn of the event loop, so a completion
// request or a running cell's output never waits behind a whole notebook. Every call into
// TypeScript is uninterruptible (interrupt.ts): an interrupt that terminates JavaScript must not
// land inside the compiler and leave it half-updated.
import type { CompletionItem, Diagnostic, Position, SignatureHelp, SignatureHelpContext } from 'vscode-languageserver';
import { host } from '../../host/index';
import { typeEnvironment } from './environment';
import { NotebookTypes, type TypeHover } from './notebookTypes';

export { DIAGNOSTIC_SOURCE, type TypeHover } from './notebookTypes';

/** How long typing must pause before diagnostics are computed, ms. */
const DIAGNOSTICS_DELAY_MS = 250;
/** The same while a cell runs (its outputs come first), ms. */
const DIAGNOSTICS_DELAY_WHILE_RUNNING_MS = 1000;
/** Errors from TypeScript after which type checking stays off. */
const MAX_FAILURES = 3;

export interface CheckedNotebookHost {
  /** A cell's text as last synced, or undefined. */
  text(uri: string): string | undefined;
  publishDiagnostics(uri: string, diagnostics: Diagnostic[]): void;
  /** The folder for notebooks that are not files (untitled): the kernel's notebook folder. */
  defaultFolder(): string;
  /** A cell is running: diagnostics wait for a longer pause. */
  busy?(): boolean;
}

interface NotebookState {
  uri: string;
  cells: string[];
  metadata: unknown;
  types: NotebookTypes | null;
  /** Bumped by every change: a diagnostics pass of an older generation stops. */
  generation: number;
  /** First cell whose diagnostics are out of date, or -1. */
  staleFrom: number;
  timer: NodeJS.Timeout | null;
  /** Cells with diagnostics published (to clear them when the notebook closes or leaves RNN Lab). */
  published: Set<string>;
}

/** Whether a notebook's metadata (VS Code's ipynb layout, either version) names the RNN Lab kernel. */
export function isRnnLabNotebook(metadata: unknown): boolean {
  const record = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const top = record(metadata);
  const ipynb = record(top?.custom) ?? top;
  return record(record(record(ipynb?.metadata)?.kernelspec))?.name === 'rnn-lab';
}

export class NotebookTypeChecking {
  private readonly notebooks = new Map<string, NotebookState>();
  private readonly cellToNotebook = new Map<string, string>();
  private failures = 0;
  private failed = false;

  constructor(private readonly host: CheckedNotebookHost) {}

  /** A notebook was opened or changed: its cells (in order), its metadata. */
  setNotebook(uri: string, cells: string[], metadata: unknown): void {
    let state = this.notebooks.get(uri);
    if (!state) {
      state = { uri, cells: [], metadata, types: null, generation: 0, staleFrom: -1, timer: null, published: new Set() };
      this.notebooks.set(uri, state);
    }
    for (const cell of state.cells) if (this.cellToNotebook.get(cell) === uri) this.cellToNotebook.delete(cell);
    state.cells = cells;
    state.metadata = metadata;
    for (const cell of cells) this.cellToNotebook.set(cell, uri);
    // Not RNN Lab's, or none of its cells synced here (the client syncs a kernel its own notebook's cells only).
    if (!isRnnLabNotebook(metadata) || cells.length === 0) {
      this.forget(state);
      return;
    }
    this.schedule(state);
  }

  /** A cell's text changed. */
  cellChanged(cellUri: string): void {
    const state = this.notebookOf(cellUri);
    if (state && isRnnLabNotebook(state.metadata)) this.schedule(state);
  }

  closeNotebook(uri: string): void {
    const state = this.notebooks.get(uri);
    if (!state) return;
    this.forget(state);
    for (const cell of state.cells) if (this.cellToNotebook.get(cell) === uri) this.cellToNotebook.delete(cell);
    this.notebooks.delete(uri);
  }

  /** Whether the cell belongs to an RNN Lab notebook (then TypeScript answers for it). */
  covers(cellUri: string): boolean {
    const state = this.notebookOf(cellUri);
    return state !== undefined && isRnnLabNotebook(state.metadata);
  }

  completions(cellUri: string, position: Position, triggerCharacter?: string): ReturnType<NotebookTypes['completions']> {
    return this.withTypes(cellUri, (types) => types.completions(cellUri, position, triggerCharacter)) ?? null;
  }

  resolveCompletion(item: CompletionItem): CompletionItem {
    const uri = (item.data as { uri?: string } | undefined)?.uri;
    return (uri && this.withTypes(uri, (types) => types.resolveCompletion(item))) || item;
  }

  signatureHelp(cellUri: string, position: Position, context?: SignatureHelpContext): SignatureHelp | null {
    return this.withTypes(cellUri, (types) => types.signatureHelp(cellUri, position, context)) ?? null;
  }

  hover(cellUri: string, position: Position): TypeHover | null {
    return this.withTypes(cellUri, (types) => types.hover(cellUri, position)) ?? null;
  }

  /** A cell's diagnostics now (tests; the server pushes them). */
  diagnostics(cellUri: string): Diagnostic[] {
    return this.withTypes(cellUri, (types) => types.diagnostics(cellUri)) ?? [];
  }

  dispose(): void {
    for (const state of this.notebooks.values()) this.forget(state);
    this.notebooks.clear();
    this.cellToNotebook.clear();
  }

  // -------------------------------------------------------------------------------------------

  private notebookOf(cellUri: string): NotebookState | undefined {
    const uri = this.cellToNotebook.get(cellUri);
    return uri === undefined ? undefined : this.notebooks.get(uri);
  }

  /** Runs fn on the cell's notebook's program, brought up to date with the synced texts. */
  private withTypes<T>(cellUri: string, fn: (types: NotebookTypes) => T): T | undefined {
    const state = this.notebookOf(cellUri);
    if (!state || !isRnnLabNotebook(state.metadata)) return undefined;
    return this.guard(() => {
      const types = this.sync(state);
      return types ? fn(types) : undefined;
    });
  }

  /** The notebook's program with the cells' current texts; marks what changed as stale. */
  private sync(state: NotebookState): NotebookTypes | null {
    if (!state.types) {
      const env = typeEnvironment();
      if (!env) return null;
      state.types = new NotebookTypes(env, this.folderOf(state.uri));
    }
    const changed = state.types.setCells(state.cells.map((uri) => ({ uri, text: this.host.text(uri) ?? '' })));
    if (changed >= 0) {
      state.staleFrom = state.staleFrom < 0 ? changed : Math.min(state.staleFrom, changed);
      state.generation++;
      // Cells removed from the notebook lose their diagnostics.
      for (const cell of state.published) if (!state.cells.includes(cell)) this.publish(state, cell, []);
    }
    return state.types;
  }

  private schedule(state: NotebookState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.timer = null;
      const types = this.guard(() => this.sync(state));
      if (types && state.staleFrom >= 0) this.checkFrom(state, state.generation);
    }, this.host.busy?.() ? DIAGNOSTICS_DELAY_WHILE_RUNNING_MS : DIAGNOSTICS_DELAY_MS);
    state.timer.unref();
  }

  /** Publishes each stale cell's diagnostics, one cell per turn of the event loop. */
  private checkFrom(state: NotebookState, generation: number): void {
    if (generation !== state.generation || state.staleFrom < 0 || !state.types || this.notebooks.get(state.uri) !== state) return;
    const index = state.staleFrom;
    const uri = state.cells[index];
    if (uri === undefined) {
      state.staleFrom = -1;
      return;
    }
    const diagnostics = this.guard(() => state.types!.diagnostics(uri));
    this.publish(state, uri, diagnostics ?? []);
    state.staleFrom = index + 1 < state.cells.length ? index + 1 : -1;
    if (state.staleFrom >= 0) setImmediate(() => this.checkFrom(state, generation));
  }

  private publish(state: NotebookState, cellUri: string, diagnostics: Diagnostic[]): void {
    if (diagnostics.length === 0 && !state.published.has(cellUri)) return;
    if (diagnostics.length > 0) state.published.add(cellUri);
    else state.published.delete(cellUri);
    this.host.publishDiagnostics(cellUri, diagnostics);
  }

  /** Drops the notebook's program and clears its diagnostics (closed, or not RNN Lab any more). */
  private forget(state: NotebookState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    state.generation++;
    state.staleFrom = -1;
    state.types?.dispose();
    state.types = null;
    for (const cell of [...state.published]) this.publish(state, cell, []);
  }

  private folderOf(notebookUri: string): string {
    if (notebookUri.startsWith('file:')) {
      try {
        return host().paths.dirname(host().paths.fromFileUrl(notebookUri));
      } catch {
        // not a local file
      }
    }
    return this.host.defaultFolder();
  }

  /**
   * Runs a call into TypeScript where an interrupt cannot land. An exception from TypeScript (a
   * bug of its own, a file it cannot read) drops the programs, which are built again on the next
   * request; after MAX_FAILURES type checking stays off for this kernel. Either way the language
   * server goes on answering from live values.
   */
  private guard<T>(fn: () => T): T | undefined {
    if (this.failed) return undefined;
    try {
      return host().interrupt.uninterruptible(fn);
    } catch (error) {
      this.failed = ++this.failures >= MAX_FAILURES;
      const what = this.failed ? 'is off' : 'starts over';
      host().process.log(`rnn-lab kernel: type checking of cells ${what} after an error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      for (const state of this.notebooks.values()) {
        state.types?.dispose();
        state.types = null;
      }
      if (this.failed) this.dispose();
      return undefined;
    }
  }
}
