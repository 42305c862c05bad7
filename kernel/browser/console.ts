// A cell's console.log in the browser worker: the text goes to the cell's output, as Node's stdout
// does in the kernel process (kernel/node/stdio.ts); with no cell to take it, to the kernel's log.
// The worker's own console stays for the kernel's log (the DevTools of the page).
import { formatArgs, inspect } from './inspect';

export interface ConsoleSink {
  /** False when no cell takes the text. */
  write(name: 'stdout' | 'stderr', text: string): boolean;
  /** The kernel's own log. */
  log(text: string): void;
}

const STDOUT = ['log', 'info', 'debug'] as const;
const STDERR = ['warn', 'error'] as const;

export function captureConsole(sink: ConsoleSink, target: Console = console): void {
  const write = (name: 'stdout' | 'stderr', text: string) => {
    if (!sink.write(name, `${text}\n`)) sink.log(`${text}\n`);
  };
  for (const method of STDOUT) target[method] = (...args: unknown[]) => write('stdout', formatArgs(args));
  for (const method of STDERR) target[method] = (...args: unknown[]) => write('stderr', formatArgs(args));
  target.dir = (item: unknown) => write('stdout', inspect(item));
  target.trace = (...args: unknown[]) => write('stderr', `Trace: ${formatArgs(args)}\n${(new Error().stack ?? '').split('\n').slice(2).join('\n')}`);
  target.assert = (condition?: boolean, ...args: unknown[]) => {
    if (!condition) write('stderr', `Assertion failed${args.length > 0 ? `: ${formatArgs(args)}` : ''}`);
  };
  const timers = new Map<string, number>();
  const counts = new Map<string, number>();
  target.time = (label = 'default') => void timers.set(label, performance.now());
  const elapsed = (label: string, end: boolean, args: unknown[]) => {
    const start = timers.get(label);
    if (start === undefined) return write('stderr', `Warning: No such label '${label}' for console.time${end ? 'End' : 'Log'}()`);
    if (end) timers.delete(label);
    write('stdout', [`${label}: ${(performance.now() - start).toFixed(3)}ms`, ...(args.length > 0 ? [formatArgs(args)] : [])].join(' '));
  };
  target.timeLog = (label = 'default', ...args: unknown[]) => elapsed(label, false, args);
  target.timeEnd = (label = 'default') => elapsed(label, true, []);
  target.count = (label = 'default') => {
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    write('stdout', `${label}: ${n}`);
  };
  target.countReset = (label = 'default') => void counts.delete(label);
  target.table = (data: unknown) => write('stdout', inspect(data));
}
