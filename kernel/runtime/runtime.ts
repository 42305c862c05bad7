// The notebook runtime: runs cells one at a time in the persistent scope and reports their outputs.
import * as vm from 'node:vm';
import { MessageChannel } from 'node:worker_threads';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExecuteParams, ExecuteResult, ErrorInfo } from '../protocol';
import { CellSyntaxError, compileCell, RUNTIME_GLOBAL, type CompiledCell } from './compile';
import { engine } from './engine';
import { ErrorMapper, syntaxErrorInfo } from './errors';
import { OutputRouter, type OutputTransport } from './output';
import { DisplayHandle, displayValue, type DisplayOptions } from './display';
import { bars, heatmap, html, markdown, plotGradNorm, plotLines, plotLoss, table } from './plotHelpers';
import { toMimeBundle } from './repr';
import { ModuleResolver, defaultOf, member } from './resolver';
import { NotebookScope } from './scope';

const INTERRUPTED = Symbol('interrupted');

/** What `__rnnlab` holds for compiled cells (see compile.ts). */
export interface CellRuntimeApi {
  scope: typeof globalThis;
  imported(specifier: string): unknown;
  dynamicImport(specifier: string): Promise<unknown>;
  defaultOf(module: unknown): unknown;
  member(module: unknown, name: string): unknown;
  /** What `import.meta` is in a cell: the notebook folder (relative URLs resolve against it). */
  readonly importMeta: { url: string; dirname: string };
}

export interface RuntimeHooks {
  /** A cell starts (true) or ends (false). */
  onBusy?(busy: boolean): void;
  /** What `import … from 'rnn-lab'` gives cells; default: the engine alone. */
  rnnLabModule?: object;
}

export class NotebookRuntime {
  readonly scope = new NotebookScope();
  readonly router: OutputRouter;
  private readonly resolver: ModuleResolver;
  private readonly errors = new ErrorMapper();
  private cellCount = 0;
  /** display, plotLoss, …: globals of every cell. */
  private helpers: Record<string, unknown> = {};
  /** Resolves the running cell's race with an interrupt; null when no cell runs. */
  private interruptRunning: (() => void) | null = null;
  private pendingStart: (() => void) | null = null;
  private readonly startChannel = new MessageChannel();
  /** Cells run one after another even when requests overlap. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    transport: OutputTransport,
    private readonly hooks: RuntimeHooks = {},
  ) {
    this.router = new OutputRouter(transport);
    this.resolver = new ModuleResolver(hooks.rnnLabModule ?? engine);
    this.startChannel.port2.on('message', () => {
      const start = this.pendingStart;
      this.pendingStart = null;
      start?.();
    });
    // The channel alone must not keep the process alive.
    this.startChannel.port2.unref();
    this.installGlobals();
  }

  execute(params: ExecuteParams): Promise<ExecuteResult> {
    const result = this.queue.then(() => this.router.run(params.executionId, () => this.executeNow(params)));
    this.queue = result.catch(() => undefined);
    return result;
  }

  helperGlobals(): Record<string, unknown> {
    return this.helpers;
  }

  /** The folder of the notebook that ran last: relative paths of requests resolve from it. */
  get notebookFolder(): string {
    return this.resolver.folder;
  }

  get isRunning(): boolean {
    return this.interruptRunning !== null;
  }

  /** Ends the running cell's wait (its variables so far stay); false when no cell is running. */
  interrupt(): boolean {
    if (!this.interruptRunning) return false;
    this.interruptRunning();
    return true;
  }

  /** A fresh scope: every name cells declared is gone. */
  reset(): void {
    this.scope.reset();
    this.errors.forget();
    this.installGlobals();
  }

  /** An error thrown outside any cell's own flow (a timer, an unhandled rejection). */
  reportAsyncError(error: unknown): void {
    this.router.emit({ type: 'error', error: this.errors.toErrorInfo(error, null) });
  }

  private async executeNow(params: ExecuteParams): Promise<ExecuteResult> {
    const started = performance.now();
    const filename = `rnnlab-cell-${++this.cellCount}`;
    const finish = (status: ExecuteResult['status'], error?: ErrorInfo): ExecuteResult => {
      this.router.flush();
      if (error) this.router.emit({ type: 'error', error });
      const result: ExecuteResult = { status, durationMs: performance.now() - started };
      if (error) result.error = error;
      return result;
    };
    this.hooks.onBusy?.(true);
    let compiled: CompiledCell | null = null;
    try {
      compiled = compileCell(params.code, filename);
      this.errors.register(filename, { label: params.cellLabel, sourceMap: compiled.sourceMap });
      this.resolver.setCwd(params.cwd ?? process.cwd());
      await this.preloadImports(compiled, params);
      this.scope.declare(compiled.declaredNames);
      const script = new vm.Script(compiled.script, { filename });
      const interrupted = new Promise<typeof INTERRUPTED>((resolve) => {
        this.interruptRunning = () => resolve(INTERRUPTED);
      });
      const run = this.startCell(() => script.runInThisContext({ displayErrors: false }) as Promise<unknown>);
      const value = await Promise.race([run, interrupted]);
      if (value === INTERRUPTED) {
        return finish('interrupted', { name: 'Interrupted', message: 'Execution interrupted', stack: 'Interrupted: execution interrupted' });
      }
      if (compiled.hasResult && value !== undefined && !(value instanceof DisplayHandle)) {
        this.router.emit({ type: 'result', data: toMimeBundle(value) });
      }
      return finish('ok');
    } catch (error) {
      if (error instanceof ImportFailure) return finish('error', error.info);
      if (error instanceof CellSyntaxError) return finish('error', syntaxErrorInfo(error, params.cellLabel));
      return finish('error', this.errors.toErrorInfo(error, compiled ? filename : null));
    } finally {
      this.interruptRunning = null;
      this.hooks.onBusy?.(false);
    }
  }

  /**
   * Runs the cell's synchronous start from a message of its own channel. An interrupt that
   * terminates the cell's JavaScript (interrupt.ts) then unwinds the cell alone: not this
   * function (it waits on the returned promise), and no loop of Node's (timers, immediates) whose
   * bookkeeping termination would skip. Node retries a message callback that failed.
   */
  private startCell(start: () => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pendingStart = () => {
        try {
          resolve(start());
        } catch (error) {
          reject(error);
        }
      };
      this.startChannel.port1.postMessage(null);
    });
  }

  private async preloadImports(compiled: CompiledCell, params: ExecuteParams): Promise<void> {
    for (const specifier of compiled.imports) {
      try {
        await this.resolver.preload([specifier]);
      } catch (error) {
        const line = params.code.split('\n').findIndex((l) => l.includes(`'${specifier}'`) || l.includes(`"${specifier}"`)) + 1;
        const message = (error as Error).message.split('\n')[0];
        const info: ErrorInfo = {
          name: 'ImportError',
          message: `Cannot import '${specifier}': ${message}`,
          stack: `ImportError: Cannot import '${specifier}': ${message}\n    at ${params.cellLabel}:${line || 1}`,
        };
        if (line > 0) info.line = line;
        throw new ImportFailure(info);
      }
    }
  }

  private installGlobals(): void {
    const resolver = this.resolver;
    const router = this.router;
    const api: CellRuntimeApi = {
      scope: globalThis,
      imported: (specifier) => resolver.imported(specifier),
      dynamicImport: (specifier) => resolver.dynamicImport(specifier),
      defaultOf,
      member,
      get importMeta() {
        return { url: pathToFileURL(path.join(resolver.folder, 'notebook.ipynb')).href, dirname: resolver.folder };
      },
    };
    this.helpers = {
      display: (value: unknown, options?: DisplayOptions) => displayValue(router, value, options),
      plotLoss,
      plotLines,
      plotGradNorm,
      heatmap,
      bars,
      table,
      markdown,
      html,
    };
    const globals = { [RUNTIME_GLOBAL]: api, ...this.helpers };
    for (const [name, value] of Object.entries(globals)) {
      // Not enumerable (they are not the person's variables), but a cell may redefine them.
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }
}

/** An import that failed before the cell ran: its ErrorInfo is already mapped to the cell. */
class ImportFailure extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}
