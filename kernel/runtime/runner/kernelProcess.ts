// A client of the kernel process for the headless runner and the tests: spawns dist/kernel.js,
// speaks JSON-RPC with LSP framing over its stdio, gathers each execution's outputs, and notices
// when the process dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  ExecuteRequest,
  KernelStateNotification,
  OutputNotification,
  ResetRequest,
  type CellOutput,
  type ExecuteParams,
  type ExecuteResult,
  type KernelStateParams,
  type OutputParams,
} from '../../protocol';

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the kernel wrote to stderr (e.g. "JavaScript heap out of memory"). */
  stderrTail: string;
}

/** Thrown by execute() when the kernel process died while (or before) running the cell. */
export class KernelDiedError extends Error {
  constructor(readonly exit: KernelExit) {
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    const tail = exit.stderrTail.trim() ? `\n${exit.stderrTail.trim()}` : '';
    super(`The kernel died (${how})${tail}`);
    this.name = 'KernelDiedError';
  }
}

export interface KernelProcessOptions {
  /** Path of the built kernel (dist/kernel.js). */
  kernelPath: string;
  cwd?: string;
  /** Extra Node flags, e.g. ['--max-old-space-size=64']. */
  execArgv?: string[];
}

export class KernelProcess {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly exited: Promise<KernelExit>;
  /** Outputs by executionId, in arrival order (updates included). */
  readonly outputs = new Map<string, CellOutput[]>();
  readonly states: KernelStateParams['state'][] = [];
  private readonly outputListeners = new Set<(params: OutputParams) => void>();
  private exitInfo: KernelExit | null = null;
  private stderr = '';
  private nextId = 0;

  constructor(options: KernelProcessOptions) {
    this.child = spawn(process.execPath, [...(options.execArgv ?? []), options.kernelPath, '--stdio'], {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-16_000);
    });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification(OutputNotification, (params: OutputParams) => {
      const list = this.outputs.get(params.executionId) ?? [];
      list.push(params.output);
      this.outputs.set(params.executionId, list);
      for (const listener of this.outputListeners) listener(params);
    });
    this.connection.onNotification(KernelStateNotification, (params: KernelStateParams) => this.states.push(params.state));
    this.connection.onError(() => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal, stderrTail: lastWords(this.stderr) };
        resolve(this.exitInfo);
      });
    });
    this.child.stdin!.on('error', () => undefined);
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    await this.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await this.connection.sendNotification('initialized', {});
  }

  onOutput(listener: (params: OutputParams) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Runs one cell; rejects with KernelDiedError when the process dies before answering. */
  async execute(code: string, options: Partial<Omit<ExecuteParams, 'code'>> = {}): Promise<ExecuteResult & { executionId: string; outputs: CellOutput[] }> {
    const executionId = options.executionId ?? `exec-${++this.nextId}`;
    const params: ExecuteParams = { executionId, code, cellLabel: options.cellLabel ?? `cell ${this.nextId}` };
    if (options.cwd !== undefined) params.cwd = options.cwd;
    const result = await this.request<ExecuteResult>(ExecuteRequest, params);
    return { ...result, executionId, outputs: this.outputs.get(executionId) ?? [] };
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

  /** Interrupts the running cell the way the extension does: SIGINT to the process. */
  interrupt(): void {
    this.child.kill('SIGINT');
  }

  async dispose(): Promise<void> {
    if (!this.exitInfo) {
      this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
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
