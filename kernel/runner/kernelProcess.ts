// A client of the kernel process for the headless runner and the tests: spawns dist/kernel.js,
// speaks JSON-RPC with LSP framing over its stdio, gathers each execution's outputs, and notices
// when the process dies. A kernel that breaks the framing is stopped, and this process never
// leaves its kernel behind: exiting kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { withKernelMalloc } from '../processEnv';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { guardFraming, type FramingError } from '../node/boundedReader';
import {
  ExecuteRequest,
  InterruptNotification,
  JobNotification,
  KernelStateNotification,
  ListJobsRequest,
  OutputNotification,
  ResetRequest,
  type CellOutput,
  type ExecuteParams,
  type ExecuteResult,
  type JobEventParams,
  type KernelStateParams,
  type OutputParams,
} from '../protocol';

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the kernel wrote to stderr (e.g. "JavaScript heap out of memory"). */
  stderrTail: string;
  /** Why this side stopped the kernel (a broken protocol, a cell that would not stop), if it did. */
  stoppedBecause?: string;
}

/** Thrown by execute() when the kernel process died while (or before) running the cell. */
export class KernelDiedError extends Error {
  constructor(readonly exit: KernelExit) {
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    const tail = exit.stderrTail.trim() ? `\n${exit.stderrTail.trim()}` : '';
    super(exit.stoppedBecause ? `The kernel was stopped: ${exit.stoppedBecause}${tail}` : `The kernel died (${how})${tail}`);
    this.name = 'KernelDiedError';
  }
}

export interface KernelProcessOptions {
  /** Path of the built kernel (dist/kernel.js). */
  kernelPath: string;
  cwd?: string;
  /** Extra Node flags, e.g. ['--max-old-space-size=64']. */
  execArgv?: string[];
  /** Keep every output in `outputs` (default true; the runner collects them itself, bounded). */
  keepOutputs?: boolean;
  /** Largest message accepted from the kernel (default boundedReader's MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
}

export class KernelProcess {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly exited: Promise<KernelExit>;
  /** Outputs by executionId, in arrival order (updates included). */
  readonly outputs = new Map<string, CellOutput[]>();
  readonly states: KernelStateParams['state'][] = [];
  private readonly outputListeners = new Set<(params: OutputParams) => void>();
  private readonly jobListeners = new Set<(params: JobEventParams) => void>();
  private exitInfo: KernelExit | null = null;
  private stoppedBecause: string | null = null;
  private stderr = '';
  private nextId = 0;
  /** Executions sent and not answered yet. */
  private executing = 0;
  /** The latest execution sent and not answered yet: what interrupt() targets. */
  private lastExecutionId: string | null = null;

  constructor(options: KernelProcessOptions) {
    this.child = spawn(process.execPath, [...(options.execArgv ?? []), options.kernelPath, '--stdio'], {
      cwd: options.cwd,
      env: withKernelMalloc({ ...process.env }, process.platform), // as the extension starts it
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // process.exit() here (a second Ctrl-C, a test's end) must not leave a kernel spinning.
    const killOnExit = (): void => void this.child.kill('SIGKILL');
    process.on('exit', killOnExit);
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-16_000);
    });
    const input = guardFraming(this.child.stdout!, {
      ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
      onError: (error: FramingError) => this.kill(error.message),
    });
    this.connection = createMessageConnection(new StreamMessageReader(input), new StreamMessageWriter(this.child.stdin!));
    const keepOutputs = options.keepOutputs ?? true;
    this.connection.onNotification(OutputNotification, (params: OutputParams) => {
      if (keepOutputs) {
        const list = this.outputs.get(params.executionId) ?? [];
        list.push(params.output);
        this.outputs.set(params.executionId, list);
      }
      for (const listener of this.outputListeners) listener(params);
    });
    this.connection.onNotification(KernelStateNotification, (params: KernelStateParams) => this.states.push(params.state));
    this.connection.onNotification(JobNotification, (params: JobEventParams) => {
      for (const listener of this.jobListeners) listener(params);
    });
    this.connection.onError(() => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        process.off('exit', killOnExit);
        this.exitInfo = { code, signal, stderrTail: lastWords(this.stderr), ...(this.stoppedBecause ? { stoppedBecause: this.stoppedBecause } : {}) };
        resolve(this.exitInfo);
      });
    });
    this.child.stdin!.on('error', () => undefined);
    this.connection.listen();
  }

  /** Whether the process is still there. */
  get alive(): boolean {
    return this.exitInfo === null;
  }

  async initialize(): Promise<void> {
    await this.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await this.connection.sendNotification('initialized', {});
    // The kernel loads its TypeScript compiler on \`initialized\` (~0.5–1 s, more on a loaded
    // machine) and answers later messages after it: once this answer is here, the first cell's
    // time (and its --timeout) is its own.
    await this.request(ListJobsRequest, null);
  }

  onOutput(listener: (params: OutputParams) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Training job events (rnnLab/job). */
  onJob(listener: (params: JobEventParams) => void): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  /** Runs one cell; rejects with KernelDiedError when the process dies before answering. */
  async execute(code: string, options: Partial<Omit<ExecuteParams, 'code'>> = {}): Promise<ExecuteResult & { executionId: string; outputs: CellOutput[] }> {
    const executionId = options.executionId ?? `exec-${++this.nextId}`;
    const params: ExecuteParams = { executionId, code, cellLabel: options.cellLabel ?? `cell ${this.nextId}` };
    if (options.cwd !== undefined) params.cwd = options.cwd;
    this.executing++;
    this.lastExecutionId = executionId;
    try {
      const result = await this.request<ExecuteResult>(ExecuteRequest, params);
      return { ...result, executionId, outputs: this.outputs.get(executionId) ?? [] };
    } finally {
      this.executing--;
      if (this.lastExecutionId === executionId) this.lastExecutionId = null;
    }
  }

  reset(): Promise<null> {
    return this.request<null>(ResetRequest, null);
  }

  /** A request that fails with KernelDiedError if the kernel exits first. */
  async request<T>(method: string, params: unknown): Promise<T> {
    if (this.exitInfo) throw new KernelDiedError(this.exitInfo);
    const died = this.exited.then((exit) => {
      throw new KernelDiedError(exit);
    });
    return Promise.race([this.connection.sendRequest<T>(method, params), died]);
  }

  /**
   * Interrupts the running cell the way the extension does: SIGINT to the process (it stops a
   * synchronous loop too) and the protocol's notification naming the cell (it comes in order with
   * the requests, so it also reaches a cell whose request the kernel has not started yet).
   */
  interrupt(executionId: string | null = this.lastExecutionId): void {
    this.child.kill('SIGINT');
    if (executionId !== null && this.exitInfo === null) void this.connection.sendNotification(InterruptNotification, { executionId }).catch(() => undefined);
  }

  /** Stops the process at once (SIGKILL); `because` is what KernelDiedError will say. */
  kill(because?: string): Promise<KernelExit> {
    if (this.exitInfo === null) {
      if (because !== undefined) this.stoppedBecause ??= because;
      this.child.kill('SIGKILL');
    }
    return this.exited;
  }

  /**
   * Ends the kernel: a running cell is interrupted, stdin is closed (the kernel exits once its
   * event loop is free), and after `graceMs` the process is killed.
   */
  async dispose(graceMs = 2000): Promise<void> {
    if (!this.exitInfo) {
      if (this.executing > 0) this.interrupt();
      this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.connection.dispose();
  }
}

/** What a dying kernel said: V8's fatal error line (out of memory) or the last lines of stderr. */
function lastWords(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const fatal = lines.find((l) => /FATAL ERROR|out of memory/i.test(l));
  return fatal ? fatal.trim() : lines.slice(-12).join('\n');
}
