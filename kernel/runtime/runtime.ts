// The notebook runtime: runs cells one at a time in the persistent scope and reports their outputs.
import { host } from '../host/index';
import { ExecutionStartedNotification, type CellOutput, type ErrorInfo, type ExecuteParams, type ExecuteResult, type ExecutionStartedParams, type MimeBundle } from '../protocol';
import type { JobSink } from '../train/jobSink';
import { CellSyntaxError, compileCell, type CompiledCell } from './compile';
import { createCellApi, type CellApi } from './cellApi';
import { ExecutionTracker, type CellExecution } from './cellExecution';
import { cellTimers } from './cellTimers';
import { CallbackChannel } from './callbackChannel';
import { engine } from './engine';
import { ErrorMapper, isInstance, syntaxErrorInfo } from './errors';
import { KernelGlobals, type ListenerOwner } from './kernelGlobals';
import { OutputRouter } from './output';
import type { OutputTransport } from '../transport/outputTransport';
import { DisplayHandle, displayValue, type DisplayOptions } from './display';
import { bars, heatmap, html, markdown, plotGradNorm, plotLines, plotLoss, table } from './plotHelpers';
import { RichOutput, toMimeBundle } from './repr';
import { ModuleResolver, defaultOf, member, missingExport } from './resolver';
import { NotebookScope } from './scope';

/** A training job as the runtime sees it: enough to stop it and to name it. */
export interface RuntimeJob {
  readonly id: string;
  stop(): void;
  readonly done: Promise<unknown>;
  summary(): { model: string; step: number; status: string };
}

/** The trainer, as far as interrupt needs it (the runtime does not import the trainer). */
export interface RuntimeJobs {
  /** The active job whose `done` promise this is. */
  activeJobWithDone(promise: unknown): RuntimeJob | undefined;
  activeJobs(): RuntimeJob[];
}

export interface RuntimeHooks {
  /** A cell starts (true) or ends (false). */
  onBusy?(busy: boolean): void;
  /** What `import … from 'rnn-lab'` gives cells; default: the engine alone. */
  rnnLabModule?: object;
  /** Training jobs: an interrupt stops the one the cell awaits and names the others. */
  jobs?: RuntimeJobs;
}

/** How long an interrupt waits for an awaited job to reach its step boundary, to name the step. */
const JOB_STOP_WAIT_MS = 3000;

type CellFunction = (scope: object, api: CellApi) => Promise<unknown>;

export class NotebookRuntime {
  readonly router: OutputRouter;
  readonly scope: NotebookScope;
  private readonly resolver: ModuleResolver;
  private readonly errors = new ErrorMapper();
  private readonly tracker: ExecutionTracker;
  private readonly api: CellApi;
  private readonly kernelGlobals = new KernelGlobals();
  /** Built-in members a cell changed beyond repair where the host cannot end the kernel (reported when it ends). */
  private readonly unrepairable = new Set<string>();
  /** Kernel globals a cell replaced while it ran (put back at once, reported when it ends). */
  private readonly replacedGlobals = new Set<string>();
  private cellCount = 0;
  /** display, plotLoss, …: names every cell sees unless it declares its own. */
  private readonly helpers: Record<string, unknown>;
  /** The running cell's execution and the end of its race with an interrupt; null when none runs. */
  private running: { execution: CellExecution; interrupt: () => void } | null = null;
  /** Where cells start and their timers' callbacks run (an interrupt may terminate them there). */
  private readonly callbacks = new CallbackChannel();
  /** Cells run one after another even when requests overlap. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Requests of cells not started yet (queued behind another, or behind the compiler's loading). */
  private readonly waiting = new Set<string>();
  /** Of those, the ones an interrupt for them arrived for: they end without running. */
  private readonly cancelled = new Set<string>();

  constructor(
    transport: OutputTransport,
    private readonly hooks: RuntimeHooks = {},
  ) {
    this.router = new OutputRouter(transport);
    this.tracker = new ExecutionTracker((execution) => this.router.retarget(execution.executionId));
    const timers = cellTimers(this.tracker, this.callbacks);
    this.resolver = new ModuleResolver(hooks.rnnLabModule ?? engine, {
      timers: timers.timers,
      'timers/promises': timers.promises,
    });
    const router = this.router;
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
    this.scope = new NotebookScope({ ...this.helpers, ...timers.globals });
    const resolver = this.resolver;
    this.api = createCellApi({
      tracker: this.tracker,
      scope: () => this.scope.object,
      imported: (specifier) => resolver.imported(specifier),
      dynamicImport: (specifier) => resolver.dynamicImport(specifier),
      defaultOf,
      member,
      importMeta: () => ({ url: host().paths.toFileUrl(host().paths.join(resolver.folder, 'notebook.ipynb')), dirname: resolver.folder }),
      showStatementValue: (value) => {
        if (value instanceof RichOutput) displayValue(router, value);
      },
    });
  }

  execute(params: ExecuteParams): Promise<ExecuteResult> {
    this.waiting.add(params.executionId);
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
    return this.running !== null;
  }

  /**
   * Ends the running cell (its variables so far stay); false when no cell is running. A timer
   * callback a cell left behind that held the thread (terminated for it, interrupt.ts) is what
   * the interrupt was for: that cell's leftovers end instead, and a running cell goes on.
   */
  interrupt(): boolean {
    const stuck = this.tracker.inCallback;
    this.tracker.inCallback = null;
    if (stuck) host().interrupt.callbackTerminated();
    if (stuck && !stuck.stopped && stuck !== this.running?.execution) {
      stuck.stop();
      const message = `A timer callback of ${stuck.label} was stopped; its other timers and awaits are cancelled.`;
      this.router.emit({ type: 'error', error: interruptedInfo(message) }, stuck.executionId);
      return true;
    }
    if (!this.running) return false;
    this.running.interrupt();
    return true;
  }

  /**
   * An interrupt meant for one execution (the protocol's notification carries its id). It comes in
   * order with the requests, so it also reaches a cell whose request the kernel has received but
   * not started: a SIGINT can overtake the request it was sent after. An execution that ended is
   * left alone (a SIGINT may have stopped it already).
   */
  interruptExecution(executionId: string): boolean {
    if (this.running?.execution.executionId === executionId) {
      if (!this.running.execution.stopped) this.running.interrupt();
      return true;
    }
    if (!this.waiting.has(executionId)) return false;
    this.cancelled.add(executionId);
    return true;
  }

  /** A fresh scope: every name cells declared is gone, and what they left running is ended. */
  reset(): void {
    this.tracker.stopAll();
    this.scope.reset();
    this.errors.forget();
    this.protectGlobals();
    this.replacedGlobals.clear();
  }

  /** Puts back the kernel globals a cell replaced or deleted; they are reported when it ends. */
  private protectGlobals(): void {
    for (const name of this.kernelGlobals.restore()) this.replacedGlobals.add(name);
    const fatal = this.kernelGlobals.takeFatal();
    if (fatal.length === 0) return;
    // A host that cannot end the kernel (a browser tab's worker) tells the cell instead.
    if (!this.onBroken) {
      for (const name of fatal) this.unrepairable.add(name);
      return;
    }
    const label = this.tracker.current?.label ?? 'A cell';
    const them = fatal.length > 1 ? 'them' : 'it';
    this.onBroken(
      `${label} made ${fatal.map((n) => `'${n}'`).join(', ')} non-configurable with a value of its own. The kernel calls ${them} ` +
        `for its own messages and cannot put ${them} back, so it stops here instead of hanging or sending garbage; restart the kernel (every variable is lost).`,
    );
  }

  /**
   * Called when a cell broke the kernel's built-ins beyond repair (KernelGlobals.takeFatal): the
   * host ends the kernel with this message (an answer would never reach the client).
   */
  onBroken: ((message: string) => void) | null = null;

  /**
   * Where a training job started now shows itself: the running cell (or the cell whose timer or
   * awaited continuation runs now), even after that cell finished; null before any cell ran.
   */
  jobSink(): JobSink | null {
    const executionId = this.router.currentExecutionId();
    if (executionId === null) return null;
    const emit = (output: CellOutput) => this.router.emit(output, executionId);
    return {
      display: (data, displayId) => emit({ type: 'display', data, displayId }),
      update: (data, displayId) => emit({ type: 'update', data, displayId }),
      log: (name, text) => emit({ type: 'stream', name, text }),
    };
  }

  /** An error thrown outside any cell's own flow (a timer, an unhandled rejection). */
  reportAsyncError(error: unknown): void {
    // Called from process-wide handlers: an exception here would end the kernel.
    try {
      this.protectGlobals();
      this.router.emit({ type: 'error', error: this.errors.toErrorInfo(error, null) });
    } catch {
      // the transport itself failed: nothing left to tell the client with
    }
  }

  /** Members of host objects the kernel calls, put back after a cell that changed them (KernelGlobals.watchMembers). */
  watchMembers(label: string, target: object, keys: readonly PropertyKey[] | null, guardAdditions = false): void {
    this.kernelGlobals.watchMembers(label, target, keys, guardAdditions);
  }

  /** A listener of the kernel's that a cell may remove (process.removeAllListeners), added back after it. */
  keepListener(label: string, emitter: ListenerOwner, event: string, listener: (...args: unknown[]) => unknown, added?: () => void): void {
    this.kernelGlobals.keepListener(label, emitter, event, listener, added);
  }

  private async executeNow(params: ExecuteParams): Promise<ExecuteResult> {
    const started = performance.now();
    const filename = `rnnlab-cell-${++this.cellCount}`;
    const execution = this.tracker.begin(params.executionId, params.cellLabel);
    /** The cell's value to display, sent after the warning about replaced globals. */
    let result: MimeBundle | undefined;
    const finish = (status: ExecuteResult['status'], error?: ErrorInfo): ExecuteResult => {
      this.router.flush();
      this.warnAboutReplacedGlobals(params.cellLabel);
      if (result !== undefined) this.router.emit({ type: 'result', data: result }, params.executionId);
      if (error) this.router.emit({ type: 'error', error }, params.executionId);
      const answer: ExecuteResult = { status, durationMs: performance.now() - started };
      if (error) answer.error = error;
      return answer;
    };
    this.waiting.delete(params.executionId);
    if (this.cancelled.delete(params.executionId)) {
      return finish('interrupted', interruptedInfo('The cell was stopped before it started.'));
    }
    this.hooks.onBusy?.(true);
    let compiled: CompiledCell | null = null;
    // An interrupt while the cell compiles or loads its imports (the first cell of a kernel takes
    // a while there) ends it before it runs, instead of going nowhere.
    let stopBeforeRun = false;
    this.running = {
      execution,
      interrupt: () => {
        stopBeforeRun = true;
        execution.stop();
      },
    };
    const startedParams: ExecutionStartedParams = { executionId: params.executionId };
    this.router.notify(ExecutionStartedNotification, startedParams);
    try {
      compiled = compileCell(params.code, filename, this.scope, { loopChecks: host().interrupt.pollsInLoops });
      this.errors.register(filename, { label: params.cellLabel, sourceMap: compiled.sourceMap });
      this.resolver.setCwd(params.cwd ?? host().process.cwd());
      await this.preloadImports(compiled, params);
      if (stopBeforeRun) return finish('interrupted', await this.interruptedError([]));
      this.scope.declare(compiled.declarations);
      const cell = host().evaluate(compiled.script, filename) as CellFunction;
      const interrupted = new Promise<{ list: unknown[] }>((resolve) => {
        this.running = {
          execution,
          interrupt: () => {
            const awaited = [...execution.awaited];
            execution.stop();
            resolve(bare({ list: awaited }));
          },
        };
      });
      const scope = this.scope.object;
      const hasResult = compiled.hasResult;
      // The cell's value comes boxed (cellRewrite.ts): a thenable the cell did not await is shown,
      // not awaited; a Promise is awaited, as Jupyter's JavaScript kernels do. Its bundle is made
      // in the cell's own continuation, where an interrupt can end a custom inspect or toMimeBundle
      // that never returns (the kernel's stack is not under it), with the built-ins put back first.
      const run = this.startCell(() => {
        this.tracker.enter(execution);
        return cell(scope, this.api).then(async (box) => {
          let value = hasResult ? (box as { value: unknown } | undefined)?.value : undefined;
          if (isNativePromise(value)) value = await value;
          this.protectGlobals();
          return bare({ bundle: value === undefined || value instanceof DisplayHandle ? undefined : toMimeBundle(value) });
        });
      });
      // The cell ends, or the interrupt comes first. What the race settles with has no prototype:
      // a cell that set Object.prototype.then would make a plain object a thenable the race awaits.
      const outcome = await Promise.race([run.then((value) => bare({ value })), interrupted.then(({ list }) => bare({ awaited: list }))]);
      // Before the kernel's own code runs again: the cell may have broken a built-in it calls.
      this.protectGlobals();
      if ('awaited' in outcome) return finish('interrupted', await this.interruptedError(outcome.awaited));
      result = (outcome.value as { bundle: MimeBundle | undefined }).bundle;
      return finish('ok');
    } catch (error) {
      this.protectGlobals();
      // `instanceof` runs a thrown Proxy's getPrototypeOf trap, which may throw too
      if (isInstance(error, ImportFailure)) return finish('error', error.info);
      if (isInstance(error, CellSyntaxError)) return finish('error', syntaxErrorInfo(error, params.cellLabel));
      return finish('error', this.errors.toErrorInfo(error, compiled ? filename : null));
    } finally {
      this.running = null;
      this.hooks.onBusy?.(false);
    }
  }

  /**
   * The interrupted cell's error: a job it was awaiting is stopped at its next step boundary
   * (as job.stop(): the model keeps that step's weights); jobs started earlier keep training.
   */
  private async interruptedError(awaited: unknown[]): Promise<ErrorInfo> {
    const jobs = this.hooks.jobs;
    const parts = ['The cell was stopped.'];
    if (jobs) {
      const stopped = awaited.map((p) => jobs.activeJobWithDone(p)).filter((j): j is RuntimeJob => j !== undefined);
      for (const job of stopped) job.stop();
      if (stopped.length > 0) {
        const ended = Promise.allSettled(stopped.map((j) => j.done));
        await Promise.race([ended, new Promise((resolve) => host().timers.unref(host().timers.setTimeout(() => resolve(undefined), JOB_STOP_WAIT_MS)))]);
        for (const job of stopped) {
          const s = job.summary();
          parts.push(
            s.status === 'stopped'
              ? `Training job ${job.id} (${s.model}) stopped after step ${s.step}; the model keeps that step's weights.`
              : `Training job ${job.id} (${s.model}) stops at its next step boundary (step ${s.step} so far).`,
          );
        }
      }
      const others = jobs.activeJobs().filter((j) => !stopped.includes(j));
      if (others.length > 0) {
        const list = others.map((j) => `${j.id} (${j.summary().model}, step ${j.summary().step})`).join(', ');
        parts.push(`Still training, started by other cells: ${list}; stop with job.stop() or from the Training Jobs view.`);
      }
    }
    return interruptedInfo(parts.join(' '));
  }

  /** A cell that replaced one of the kernel's globals outright (`globalThis.process = …`) is told so. */
  private warnAboutReplacedGlobals(cellLabel: string): void {
    this.protectGlobals();
    const restored = [...this.replacedGlobals];
    this.replacedGlobals.clear();
    const stuck = [...this.unrepairable];
    this.unrepairable.clear();
    if (restored.length === 0 && stuck.length === 0) return;
    const globals = restored.filter((n) => !n.includes('.'));
    const members = restored.filter((n) => n.includes('.'));
    const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
    const lines: string[] = [];
    if (globals.length > 0) {
      lines.push(
        `${cellLabel} replaced the kernel's global ${list(globals)}; the kernel restored ${globals.length > 1 ? 'them' : 'it'}. ` +
          `Declare a name of your own instead (const ${globals[0]} = …): it lives in the notebook's scope.`,
      );
    }
    if (members.length > 0) {
      lines.push(`${cellLabel} changed built-in ${list(members.slice(0, 10))}${members.length > 10 ? ` and ${members.length - 10} more` : ''}, which the kernel relies on; the kernel put ${members.length > 1 ? 'them' : 'it'} back.`);
    }
    if (stuck.length > 0) {
      lines.push(`${cellLabel} made built-in ${list(stuck.slice(0, 10))}${stuck.length > 10 ? ` and ${stuck.length - 10} more` : ''} non-configurable with a value of its own, which the kernel relies on and cannot put back: restart the kernel if it misbehaves.`);
    }
    this.router.write('stderr', `${lines.join('\n')}\n`);
    this.router.flush();
  }

  /**
   * Runs the cell's synchronous start from the callback channel. An interrupt that terminates
   * the cell's JavaScript (kernel/node/interrupt.ts) then unwinds the cell alone: not this function (it waits
   * on the returned promise), and no loop of Node's whose bookkeeping termination would skip.
   */
  private startCell(start: () => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.callbacks.run(() => {
        try {
          resolve(start());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Loads every static import, and checks that each name the cell imports exists. */
  private async preloadImports(compiled: CompiledCell, params: ExecuteParams): Promise<void> {
    for (const { specifier, names } of compiled.imports) {
      const fail = (message: string, name: string = specifier) => {
        const line = findLine(params.code, specifier, name);
        const info: ErrorInfo = { name: 'ImportError', message, stack: `ImportError: ${message}\n    at ${params.cellLabel}:${line || 1}` };
        if (line > 0) info.line = line;
        return new ImportFailure(info);
      };
      let module: unknown;
      try {
        await this.resolver.preload([specifier]);
        module = this.resolver.imported(specifier);
      } catch (error) {
        throw fail(`Cannot import '${specifier}': ${(error as Error).message.split('\n')[0]}`);
      }
      for (const { imported } of names) {
        const missing = missingExport(module, imported, specifier);
        if (missing) throw fail(missing, imported);
      }
    }
  }
}

/** The 1-based line of the cell that imports `name` from `specifier` (0 if not found). */
// Taken before any cell runs: a cell may replace them.
const setPrototypeOf = Object.setPrototypeOf;
const NativePromise = Promise;

/** `value` without a prototype: no `then` a cell put on Object.prototype or Array.prototype reaches it. */
function bare<T extends object>(value: T): T {
  return setPrototypeOf(value, null) as T;
}

/** A promise of this realm (not merely a thenable). */
function isNativePromise(value: unknown): value is Promise<unknown> {
  return isInstance(value, NativePromise);
}

/**
 * What an interrupt leaves in a cell. The name says "Interrupted"; the message says what stopped
 * without saying it again (VS Code shows "Interrupted: <message>").
 */
function interruptedInfo(message: string): ErrorInfo {
  return { name: 'Interrupted', message, stack: `Interrupted: ${message}` };
}

function findLine(code: string, specifier: string, name: string): number {
  const lines = code.split('\n');
  const from = lines.findIndex((l) => l.includes(`'${specifier}'`) || l.includes(`"${specifier}"`));
  if (from < 0) return 0;
  // `import {\n  a,\n  b,\n} from 'm'`: the name's own line, up to the `import` keyword.
  for (let i = from; i >= 0; i--) {
    if (lines[i]!.split(/[^\w$]+/).includes(name)) return i + 1;
    if (/\bimport\b/.test(lines[i]!)) break;
  }
  return from + 1;
}

/** An import that failed before the cell ran: its ErrorInfo is already mapped to the cell. */
class ImportFailure extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}
