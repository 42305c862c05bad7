// Training workers are kept for a while after a job, so the next fit() starts on a thread whose
// JIT is already warm (a fresh worker spends its first few hundred milliseconds compiling the
// engine). Idle workers do not keep the process alive, and leave after IDLE_MS. A worker whose job
// failed is not reused.

import { host, type HostWorker } from '../../host/index';
import type { LogStream } from '../job';
import type { WorkerMessage, WorkerRequest } from './workerProtocol';

const IDLE_MS = 60_000;
const MAX_IDLE = 4;
const LOG_LINGER_MS = 50;

/** Callbacks for the job a worker is running now. */
export interface WorkerJobHandlers {
  message(message: WorkerMessage): void;
  log(stream: LogStream, text: string): void;
  /** The thread ended (crash, terminate) while it had this job. */
  exit(code: number): void;
}

export class PooledWorker {
  private handlers: WorkerJobHandlers | null = null;
  private idleTimer: unknown = null;
  alive = true;
  /** It trained alone before: its kernels run on two threads, and their helper thread is up and warm. */
  trainedAlone = false;

  constructor(
    readonly script: string,
    readonly worker: HostWorker,
  ) {
    worker.onOutput((stream, text) => this.handlers?.log(stream, text));
    worker.onMessage((message) => this.handlers?.message(message as WorkerMessage));
    worker.onError((error) => this.handlers?.message({ type: 'error', error: { name: error.name, message: error.message, stack: error.stack ?? error.message } }));
    worker.onExit((code) => {
      this.alive = false;
      pool.forget(this);
      this.handlers?.exit(code);
    });
  }

  start(request: WorkerRequest, handlers: WorkerJobHandlers): void {
    if (this.idleTimer !== null) host().timers.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.handlers = handlers;
    this.worker.ref(); // a running job keeps the process alive
    this.worker.postMessage(request);
  }

  /** The job is over: back to the pool, or gone if it failed. */
  finish(reusable: boolean): void {
    // Console output travels on another channel than messages and may arrive just after 'done':
    // the job keeps receiving it for a moment before the worker is handed to someone else.
    host().timers.setTimeout(() => this.release(reusable), LOG_LINGER_MS);
  }

  private release(reusable: boolean): void {
    this.handlers = null;
    if (!reusable || !this.alive || !pool.keepsWarm) {
      this.worker.terminate();
      return;
    }
    this.worker.unref();
    pool.park(this);
  }

  terminate(): void {
    this.worker.terminate();
  }

  /** @internal */
  startIdleTimer(onIdle: () => void): void {
    this.idleTimer = host().timers.unref(host().timers.setTimeout(onIdle, IDLE_MS));
  }
}

class WorkerPool {
  private readonly idle: PooledWorker[] = [];
  /**
   * Park finished workers for reuse (the kernel process: a warm JIT for the next fit()). Off
   * elsewhere: Node keeps a process alive while a worker's piped stdout exists, even after
   * unref(), so a script calling fit() would wait out the idle timeout before exiting.
   */
  keepsWarm = false;

  /**
   * An idle worker for `script`, or a new one. A job that trains `alone` (one worker) prefers one
   * that trained alone before: a worker training alone runs its kernels on two threads, and the
   * helper thread it starts for that is slow for its first ~40 steps (gru-reg: 13.5 ms per step
   * against 8.9 after), which a worker used only data-parallel so far has not been through. A
   * data-parallel job leaves such a worker for the next job alone when another one will do.
   */
  acquire(script: string, alone: boolean): PooledWorker {
    const usable = (w: PooledWorker): boolean => w.script === script && w.alive;
    let i = this.idle.findIndex((w) => usable(w) && w.trainedAlone === alone);
    if (i < 0) i = this.idle.findIndex(usable);
    let worker: PooledWorker;
    if (i >= 0) worker = this.idle.splice(i, 1)[0]!;
    else {
      const started = host().threads.startTrainingWorker(script);
      if (started === null) throw new Error('fit: this host cannot start training workers; train on this thread with { worker: false }');
      worker = new PooledWorker(script, started);
    }
    worker.trainedAlone ||= alone;
    return worker;
  }

  park(w: PooledWorker): void {
    this.idle.push(w);
    while (this.idle.length > MAX_IDLE) this.idle.shift()!.terminate();
    w.startIdleTimer(() => {
      this.forget(w);
      w.terminate();
    });
  }

  forget(w: PooledWorker): void {
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Ends every idle worker (kernel shutdown, tests). */
  drain(): void {
    for (const w of this.idle.splice(0)) w.terminate();
  }
}

const pool = new WorkerPool();

/** A training worker for `script` (see WorkerPool.acquire); `alone`: the job has one worker. */
export function acquireWorker(script: string, alone: boolean): PooledWorker {
  return pool.acquire(script, alone);
}

export function drainWorkerPool(): void {
  pool.drain();
}

/** Keep finished training workers for the next fit() (the kernel process turns this on). */
export function keepWorkersWarm(on = true): void {
  pool.keepsWarm = on;
  if (!on) pool.drain();
}
