// Node's objects the kernel process calls between two turns of a cell, against a cell that changes
// them: `process.nextTick = null`, `performance.now = …`, `process.stdout.write = …`,
// `process.removeAllListeners('SIGINT')`. The globals themselves cannot be replaced
// (runtime/kernelGlobals.ts); their members are put back after the cell, and the cell is told, as
// for JavaScript's built-ins. Registered once the kernel is set up: the kernel's own stdout capture
// (stdio.ts) and listeners are what is kept.
import { EventEmitter } from 'node:events';
import { MessagePort, Worker } from 'node:worker_threads';
import { rearmInterruptWatcher } from './interrupt';

/** What the runtime offers for this (NotebookRuntime.watchMembers, keepListener). */
export interface HostGuard {
  watchMembers(label: string, target: object, keys: readonly PropertyKey[] | null, guardAdditions?: boolean): void;
  keepListener(label: string, emitter: { listeners(event: string): unknown[]; on(event: string, listener: (...args: unknown[]) => unknown): unknown }, event: string, listener: (...args: unknown[]) => unknown, added?: () => void): void;
}

/** process's methods the kernel, its transport and the interrupt watcher call (most are EventEmitter's, inherited). */
const PROCESS_MEMBERS = [
  'nextTick', 'emit', 'on', 'once', 'off', 'addListener', 'prependListener', 'removeListener', 'removeAllListeners', 'listeners',
  'rawListeners', 'listenerCount', 'exit', 'kill', 'cwd', 'hrtime', 'memoryUsage', 'cpuUsage', 'uptime', 'emitWarning',
  'stdout', 'stderr', 'stdin', 'env',
];

/** Events whose kernel listeners must stay: errors a cell left behind, interrupts, the protocol channel. */
const KEPT_EVENTS: [string, NodeJS.EventEmitter, string[]][] = [
  ['process', process, ['uncaughtException', 'unhandledRejection', 'exit', 'SIGINT']],
  ['process.stdin', process.stdin, ['data', 'end', 'error']],
];

export function guardHostObjects(guard: HostGuard): void {
  guard.watchMembers('process', process, PROCESS_MEMBERS);
  guard.watchMembers('EventEmitter.prototype', EventEmitter.prototype, null);
  for (const [label, stream] of [['process.stdout', process.stdout], ['process.stderr', process.stderr], ['process.stdin', process.stdin]] as const) {
    // write is the kernel's capture (an own member); the others are inherited from the stream classes
    guard.watchMembers(label, stream, ['write', 'on', 'emit', 'removeListener', 'pause', 'resume', 'read']);
  }
  guard.watchMembers('performance', performance, null, true);
  guard.watchMembers('Performance.prototype', Object.getPrototypeOf(performance) as object, null);
  guard.watchMembers('Buffer', Buffer, null);
  guard.watchMembers('Buffer.prototype', Buffer.prototype, null);
  guard.watchMembers('MessagePort.prototype', MessagePort.prototype, null);
  guard.watchMembers('Worker.prototype', Worker.prototype, null);
  for (const [label, emitter, events] of KEPT_EVENTS) {
    for (const event of events) {
      // once-listeners (wrapped) end by design; only the lasting ones are kept
      const lasting = emitter.rawListeners(event).filter((l) => emitter.listeners(event).includes(l));
      // A SIGINT listener added back took the signal from the interrupt watcher's watchdog: rearm it.
      const added = event === 'SIGINT' ? rearmInterruptWatcher : undefined;
      for (const listener of lasting) guard.keepListener(label, emitter, event, listener as (...args: unknown[]) => unknown, added);
    }
  }
}
