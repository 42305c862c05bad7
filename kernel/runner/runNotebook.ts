// Runs every code cell of a notebook in a fresh kernel process and writes the executed notebook
// and an HTML report, at the edges as nbconvert and papermill do: a cell past the timeout is
// interrupted, a failure stops the run unless errors are allowed, a signal ends the run with the
// notebook written, training left running is waited for (or stopped), outputs are bounded.
// Nothing is written unless the input parsed as a notebook and every output file can be written;
// once the first cell is sent, both files are written however the run ends (a crash of the runner
// itself included: what was collected is written before the error goes on).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomicWrite';
import * as path from 'node:path';
import { KernelDiedError, KernelProcess, type KernelProcessOptions } from './kernelProcess';
import { errorOutput, finishNotebook, nestedTooDeep, OutputCollector, parseNotebook, sourceText, type Notebook, type NotebookCell, type NotebookOutput } from './notebook';
import { renderReport } from './htmlReport';
import { checkWritable } from './outputFiles';
import { describeRejection, executeCell, raceWithDelay, type CellOutcome } from './cellExecution';
import { TrainingJobs, type JobsAtEnd } from './trainingJobs';
import { boundOutputs, scaledLimits, type BoundedOutputTransport } from '../transport/outputLimits';
import type { ErrorInfo } from '../protocol';

export interface RunOptions {
  notebookPath: string;
  outPath?: string;
  htmlPath?: string;
  kernelPath: string;
  /** Returns the minified plotly.js source (only called when an HTML report is asked for). */
  plotlySource: () => Promise<string>;
  /** Run the remaining cells after one fails or times out (nbconvert's allow-errors; default: stop). */
  allowErrors?: boolean;
  /** A cell running longer than this is interrupted and fails (default: no limit). */
  timeoutSeconds?: number;
  /** How long the kernel may take to stop a cell after the interrupt before it is killed (default 5 s). */
  interruptGraceMs?: number;
  /** Training jobs still running after the last cell: wait for them (default) or stop them. */
  jobsAtEnd?: JobsAtEnd;
  /** Aborting ends the run (reason: what to call it, e.g. 'SIGTERM'): the running cell is marked interrupted, the files written. */
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Starts the kernel (default: a KernelProcess); a seam for tests that need a kernel misbehaving in ways a real one does not. */
  createKernel?: (options: KernelProcessOptions) => KernelProcess;
}

export interface CellFailure {
  /** 1-based index among all cells of the notebook. */
  cell: number;
  line?: number;
  error: ErrorInfo;
}

export interface RunSummary {
  executed: number;
  failures: CellFailure[];
  /** The kernel died, or was killed because it did not stop a cell. */
  kernelDied: boolean;
  /** The reason the run was aborted with (a signal name), when it was. */
  stoppedBy?: string;
  /** Files asked for that could not be written after the run (the other one still was). */
  unwritten: UnwrittenFile[];
  durationMs: number;
}

export interface UnwrittenFile {
  /** '--out' or '--html'. */
  option: string;
  file: string;
  problem: string;
}

/** Looser than the kernel's own limits: a kernel that keeps them has its notes shown, not the runner's. */
const RUNNER_OUTPUT_LIMITS = scaledLimits(1.25);
const INTERRUPT_GRACE_MS = 5000;
/** After an abort, how long the run may take to wind down before the kernel is killed (it may not answer). */
const ABORT_GRACE_MS = 5000;
/** How long the kernel may take to list its jobs after a cell (a timer the cell left may keep it busy). */
const LIST_JOBS_TIMEOUT_MS = 5000;

export async function runNotebook(options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const file = options.notebookPath;
  const notebook = parseNotebook(readFileSync(file, 'utf8'), file, (what) => options.log(`${file}: ${what}`));
  checkWritable({ '--out': options.outPath, '--html': options.htmlPath });
  const run = new NotebookRun(notebook, options);
  const crash = await runToEnd(run);
  const summary = run.summary;
  summary.durationMs = performance.now() - started;
  const executed = finishNotebook(notebook, run.cells);
  const crashNote = crash ? `the runner failed: ${describeRejection(crash.error)}` : undefined;
  summary.unwritten = await writeOutputs(executed, summaryLine(summary, run.codeCells, crashNote), options);
  if (crash) throw crash.error;
  return summary;
}

/** Runs the cells and settles the jobs, then stops the kernel; returns what was thrown, if anything. */
async function runToEnd(run: NotebookRun): Promise<{ error: unknown } | null> {
  let crash: { error: unknown } | null = null;
  try {
    await run.runCells();
    await run.settleJobs();
  } catch (error) {
    crash = { error };
  }
  try {
    await run.stopKernel();
  } catch (error) {
    crash ??= { error };
  }
  return crash;
}

/**
 * Writes the executed notebook and the report, each on its own: a file that cannot be written
 * (a notebook that cannot be serialized, a full disk) is returned and logged, the other is still written.
 */
async function writeOutputs(executed: Notebook, summaryText: string, options: RunOptions): Promise<UnwrittenFile[]> {
  const unwritten: UnwrittenFile[] = [];
  const write = async (option: string, file: string | undefined, content: () => string | Promise<string>): Promise<void> => {
    if (file === undefined) return;
    try {
      writeFileAtomic(file, await content());
      options.log(`wrote ${file}`);
    } catch (error) {
      const problem = writeProblem(executed, error);
      unwritten.push({ option, file, problem });
      options.log(`could not write ${option} ${file}: ${problem}`);
    }
  };
  await write('--out', options.outPath, () => `${JSON.stringify(executed, null, 1)}\n`);
  const title = path.basename(options.notebookPath);
  await write('--html', options.htmlPath, async () => renderReport(executed, { title, summary: summaryText, plotlySource: await options.plotlySource() }));
  return unwritten;
}

/** Why writing failed, in words: a value nested too deep to serialize names where it is. */
function writeProblem(executed: Notebook, error: unknown): string {
  const message = describeRejection(error);
  if (!(error instanceof RangeError)) return message;
  const deep = nestedTooDeep(executed);
  return deep === null ? message : `${deep} is nested too deep to serialize (${message})`;
}

/** Where a cell's outputs go. */
interface CellTarget {
  /** 1-based index among all cells. */
  cell: number;
  outputs: NotebookOutput[];
  count: number;
  /** The first error output the kernel sent for the cell (its own failure, or one it reported beside an 'ok'). */
  reportedError?: ErrorInfo;
}

/** One run: the kernel, the cells with their collected outputs, and what happened. */
class NotebookRun {
  readonly summary: RunSummary = { executed: 0, failures: [], kernelDied: false, unwritten: [], durationMs: 0 };
  readonly cells: NotebookCell[];
  readonly codeCells: number;
  private readonly kernel: KernelProcess;
  private readonly cwd: string;
  private readonly aborted: Promise<string>;
  private readonly collector = new OutputCollector();
  private readonly targets = new Map<string, CellTarget>();
  private readonly outputs: BoundedOutputTransport;
  private readonly jobs: TrainingJobs;

  constructor(
    notebook: Notebook,
    private readonly options: RunOptions,
  ) {
    this.cells = notebook.cells.map((cell) =>
      cell.cell_type === 'code'
        ? { id: cell.id, cell_type: 'code', metadata: cell.metadata ?? {}, source: cell.source, execution_count: null, outputs: [] }
        : { ...cell, metadata: cell.metadata ?? {} },
    );
    this.codeCells = this.cells.filter((c) => c.cell_type === 'code').length;
    this.cwd = path.dirname(path.resolve(options.notebookPath));
    this.aborted = abortReason(options.signal);
    const kernelOptions: KernelProcessOptions = { kernelPath: options.kernelPath, cwd: this.cwd, keepOutputs: false };
    this.kernel = options.createKernel ? options.createKernel(kernelOptions) : new KernelProcess(kernelOptions);
    // Bounded here too, so a kernel that does not bound its outputs cannot exhaust this process.
    const collect = { sendOutput: this.collect.bind(this), sendNotification: () => undefined };
    this.outputs = boundOutputs(collect, RUNNER_OUTPUT_LIMITS);
    this.kernel.onOutput((params) => this.outputs.sendOutput(params));
    this.jobs = new TrainingJobs(this.kernel);
    // A kernel busy in a loop no interrupt reaches must not keep the run from ending.
    void this.aborted.then((reason) => setTimeout(() => void this.kernel.kill(`the runner received ${reason}`), ABORT_GRACE_MS).unref());
  }

  async runCells(): Promise<void> {
    const ready = await Promise.race([this.kernel.initialize().then(() => null), this.aborted]);
    if (ready !== null) this.summary.stoppedBy = ready;
    let count = 0;
    for (const [index, cell] of this.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      if (this.summary.stoppedBy !== undefined) break;
      cell.execution_count = ++count;
      const executionId = `cell-${index + 1}`;
      const target: CellTarget = { cell: index + 1, outputs: cell.outputs!, count };
      this.targets.set(executionId, target);
      if (!(await this.runCell(executionId, target, sourceText(cell.source)))) break;
    }
  }

  /** Runs one cell and records what happened; false when the run stops here. */
  private async runCell(executionId: string, target: CellTarget, code: string): Promise<boolean> {
    const label = `cell ${target.cell}`;
    const prefix = `[${target.count}/${this.codeCells}] ${label}`;
    const fail = (error: ErrorInfo, heading: string): void => {
      this.summary.failures.push({ cell: target.cell, ...(error.line ? { line: error.line } : {}), error });
      const where = error.line ? `${label}, line ${error.line}` : label;
      this.options.log(`${prefix} ${heading}\n  ${where}: ${error.name}: ${error.message}`);
    };
    const graceMs = this.options.interruptGraceMs ?? INTERRUPT_GRACE_MS;
    const outcome = await executeCell(this.kernel, code, { executionId, cellLabel: label, cwd: this.cwd }, { timeoutSeconds: this.options.timeoutSeconds, graceMs, aborted: this.aborted });
    this.outputs.flush();
    if (outcome.kind === 'died') {
      this.summary.kernelDied = true;
      const info = errorInfo('KernelDied', outcome.error.message);
      target.outputs.push(errorOutput(info));
      fail(info, 'FAILED');
      return false;
    }
    this.summary.executed++;
    if (outcome.kind === 'rejected') {
      // The kernel is still there (it answered): the cell fails, the run goes on as after any failure.
      const info = errorInfo('KernelRequestFailed', `the kernel could not run or report ${label}: ${outcome.message}`);
      target.outputs.push(errorOutput(info));
      fail(info, 'FAILED');
    }
    const stoppedBy = this.interruptedBy(outcome);
    if (stoppedBy !== null) {
      // Ctrl-C reaches the kernel too (the whole process group gets it), or the runner stops it
      // now: either way the cell says why, in place of the kernel's own "Interrupted".
      this.summary.stoppedBy = stoppedBy;
      this.targets.delete(executionId);
      const info = errorInfo('Interrupted', `the runner received ${stoppedBy}`);
      replaceInterruptedError(target.outputs, info);
      fail(info, 'INTERRUPTED');
      return false;
    }
    if (outcome.kind === 'timed-out') {
      const timeout = this.options.timeoutSeconds!;
      const killed = outcome.result === null;
      const message = killed
        ? `${label} ran longer than ${timeout} s (--timeout ${timeout}); the kernel did not stop it within ${(graceMs / 1000).toFixed(0)} s of an interrupt and was killed`
        : `${label} ran longer than ${timeout} s (--timeout ${timeout}) and was interrupted`;
      const info = errorInfo('CellTimeoutError', message);
      replaceInterruptedError(target.outputs, info);
      fail(info, `TIMED OUT (${timeout} s)`);
      if (killed) {
        this.summary.kernelDied = true;
        return false;
      }
    } else if (outcome.kind === 'finished') {
      const seconds = `${(outcome.result.durationMs / 1000).toFixed(2)} s`;
      if (outcome.result.status !== 'ok') fail(outcome.result.error ?? errorInfo('Error', outcome.result.status), `FAILED (${seconds})`);
      // 'ok' with an error shown in the cell (an output the kernel could not send, a timer's throw): not a success.
      else if (target.reportedError) fail(target.reportedError, `FAILED (${seconds}; the cell ended but the kernel reported an error in it)`);
      else this.options.log(`${prefix} ok (${seconds})`);
    }
    // Decided now: an error output for this cell arriving later (a timer of it) does not stop the run.
    const failed = outcome.kind !== 'finished' || outcome.result.status !== 'ok' || target.reportedError !== undefined;
    if (this.options.signal?.aborted) {
      this.summary.stoppedBy = String(this.options.signal.reason);
      return false;
    }
    const died = await this.noteJobs(executionId);
    if (died !== null) {
      // Between cells (a timer of this cell called process.exit, say).
      this.summary.kernelDied = true;
      this.note(executionId, `rnn-lab run: the kernel died after this cell ended: ${died.message}\n`);
      fail(errorInfo('KernelDied', `after the cell ended: ${died.message}`), 'KERNEL DIED');
      return false;
    }
    return !failed || this.options.allowErrors === true;
  }

  /**
   * The abort reason when this cell is where an abort stops the run: the runner gave up on it, or
   * the signal reached the kernel too and interrupted it. A cell that ended on its own meanwhile
   * keeps its result (and the run stops after it).
   */
  private interruptedBy(outcome: CellOutcome): string | null {
    if (outcome.kind === 'aborted') return outcome.reason;
    const signal = this.options.signal;
    const interrupted = outcome.kind === 'timed-out' || (outcome.kind === 'finished' && outcome.result.status === 'interrupted');
    return signal?.aborted && interrupted ? String(signal.reason) : null;
  }

  /** Waits for (or stops) the training jobs still running, and notes on each starting cell how it ended. */
  async settleJobs(): Promise<void> {
    if (this.summary.stoppedBy !== undefined || !this.kernel.alive) return;
    const settled = await this.jobs.settle({ policy: this.options.jobsAtEnd ?? 'wait', log: this.options.log, aborted: this.aborted });
    if (this.options.signal?.aborted) this.summary.stoppedBy = String(this.options.signal.reason);
    const lastCell = [...this.targets.keys()].at(-1) ?? null;
    for (const job of settled) {
      const executionId = job.executionId ?? lastCell;
      if (executionId !== null) this.note(executionId, job.note);
      if (!job.failed) continue;
      const message = job.note.trim().replace(/^rnn-lab run: /, '');
      this.summary.failures.push({ cell: executionId !== null ? this.targets.get(executionId)!.cell : 0, error: errorInfo('TrainingJobFailed', message) });
    }
  }

  async stopKernel(): Promise<void> {
    await this.kernel.dispose();
    this.outputs.flush();
  }

  /**
   * Remembers which jobs the cell started; returns the error when the kernel died meanwhile. A
   * kernel that does not answer in time (busy with something the cell left running) is left be:
   * its jobs are then attributed to a later cell.
   */
  private async noteJobs(executionId: string): Promise<KernelDiedError | null> {
    try {
      await raceWithDelay([this.jobs.noteCell(executionId)], LIST_JOBS_TIMEOUT_MS);
      return null;
    } catch (error) {
      if (error instanceof KernelDiedError) return error;
      throw error;
    }
  }

  private collect({ executionId, output }: Parameters<BoundedOutputTransport['sendOutput']>[0]): void {
    const target = this.targets.get(executionId);
    if (!target) return;
    if (output.type === 'error') target.reportedError ??= output.error;
    this.collector.add(target.outputs, output, target.count);
  }

  /** The runner's own words in a cell (not subject to the output limits). */
  private note(executionId: string, text: string): void {
    this.outputs.flush();
    const target = this.targets.get(executionId);
    if (target) this.collector.add(target.outputs, { type: 'stream', name: 'stderr', text }, target.count);
  }
}

function errorInfo(name: string, message: string): ErrorInfo {
  return { name, message, stack: `${name}: ${message}` };
}

/** Puts `error` in place of the kernel's own "Interrupted" error output of the cell, or appends it. */
function replaceInterruptedError(outputs: NotebookOutput[], error: ErrorInfo): void {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const output = outputs[i]!;
    if (output.output_type === 'error' && output.ename === 'Interrupted') {
      outputs[i] = errorOutput(error);
      return;
    }
  }
  outputs.push(errorOutput(error));
}

/** Resolves with the abort reason once `signal` aborts (never without one). */
function abortReason(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve(String(signal.reason));
    else signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true });
  });
}

function summaryLine(summary: RunSummary, codeCells: number, crashNote?: string): string {
  const failed = summary.failures.length;
  let text = `${codeCells} code cells, ${summary.executed} run${failed ? `, ${failed} failed` : ''}`;
  if (crashNote) text += ` (${crashNote})`;
  else if (summary.stoppedBy) text += ` (stopped by ${summary.stoppedBy})`;
  else if (summary.kernelDied) text += ' (the kernel died)';
  return `${text}, ${(summary.durationMs / 1000).toFixed(1)} s`;
}
