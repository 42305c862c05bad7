// K: what compiled cells call the runtime through (cellRewrite.ts names each use). One object per
// runtime, handed to every cell function as a parameter, never a global a cell could replace.
import type { CellExecution, ExecutionTracker } from './cellExecution';
import { host } from '../host/index';
import { sealNames } from './scope';

export interface CellApi {
  /** A module loaded for the cell before it ran (static imports). */
  imported(specifier: string): unknown;
  dynamicImport(specifier: string): Promise<unknown>;
  /** `import x from 'm'`: the default export, or a CommonJS module itself. */
  defaultOf(module: unknown): unknown;
  /** `import { name } from 'm'`; names were checked to exist before the cell ran. */
  member(module: unknown, name: string, specifier: string): unknown;
  /** What `import.meta` is in a cell: the notebook folder (relative URLs resolve against it). */
  readonly importMeta: { url: string; dirname: string };
  /** `await value`: resumes as the execution that awaited, and never once that one was stopped. */
  guard<T>(value: T): Promise<Awaited<T>> | T;
  /** `for await (… of iterable)`, each step guarded. */
  guardIterable(iterable: unknown): AsyncIterable<unknown>;
  /** A name no cell had declared when this code was compiled: the scope's, a global, or an error. */
  lookup(name: string, forTypeof?: boolean): unknown;
  /** The same for a name the code assigns to. */
  binding(name: string): { value: unknown };
  /** A `const` the code assigns to: reading works, writing throws as JavaScript does. */
  constant(scope: object, name: string): { value: unknown };
  /** After `const a = …, b = …` ran: a and b are read-only from now on. */
  seal(scope: object, names: readonly string[]): void;
  /** A call statement's value: a plot helper's result is shown where the statement stands. */
  statement(value: unknown): void;
  /** At each loop head where loops poll for interrupts (cellRewrite.ts): throws the interrupt once one is asked for. */
  tick(): void;
}

export interface CellApiParts {
  tracker: ExecutionTracker;
  /** The notebook scope now (a reset replaces it). */
  scope(): Record<string, unknown>;
  imported(specifier: string): unknown;
  dynamicImport(specifier: string): Promise<unknown>;
  defaultOf(module: unknown): unknown;
  member(module: unknown, name: string): unknown;
  importMeta(): { url: string; dirname: string };
  /** Shows a plot a call statement produced (plotLoss, heatmap, …), when `value` is one. */
  showStatementValue(value: unknown): void;
}

/** A promise that never settles: what an await of a stopped execution waits for. */
const NEVER = new Promise<never>(() => undefined);

export function createCellApi(parts: CellApiParts): CellApi {
  const { tracker } = parts;
  const interrupt = host().interrupt;
  const global = globalThis as unknown as Record<string, unknown>;

  function guardFor<T>(execution: CellExecution, value: T): Promise<Awaited<T>> {
    if (execution.stopped) return NEVER;
    execution.awaited.add(value);
    execution.pendingAwaits++;
    return new Promise<Awaited<T>>((resolve, reject) => {
      const settle = (finish: () => void) => {
        execution.pendingAwaits--;
        execution.awaited.delete(value);
        if (execution.stopped) return;
        tracker.enter(execution);
        finish();
      };
      Promise.resolve(value).then(
        (result) => settle(() => resolve(result)),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  const api: CellApi = {
    imported: parts.imported,
    dynamicImport: parts.dynamicImport,
    defaultOf: parts.defaultOf,
    member: (module, name) => parts.member(module, name),
    get importMeta() {
      return parts.importMeta();
    },
    guard(value) {
      const execution = tracker.current;
      return execution ? guardFor(execution, value) : value;
    },
    guardIterable(iterable) {
      const execution = tracker.current;
      return {
        [Symbol.asyncIterator]() {
          const iterator = asyncIteratorOf(iterable);
          const step = (result: Promise<IteratorResult<unknown>>) => (execution ? guardFor(execution, result) : result);
          return {
            next: (value?: unknown) => step(iterator.next(value)),
            return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value }),
            throw: (error?: unknown) => iterator.throw?.(error) ?? Promise.reject(error),
          };
        },
      };
    },
    lookup(name, forTypeof = false) {
      const scope = parts.scope();
      if (name in scope) return scope[name];
      if (name in global) return global[name];
      if (forTypeof) return undefined;
      throw new ReferenceError(`${name} is not defined`);
    },
    binding(name) {
      return {
        get value() {
          return api.lookup(name);
        },
        set value(value: unknown) {
          const scope = parts.scope();
          if (name in scope) scope[name] = value;
          else if (name in global) global[name] = value;
          else throw new ReferenceError(`${name} is not defined`);
        },
      };
    },
    constant(scope, name) {
      return {
        get value() {
          return (scope as Record<string, unknown>)[name];
        },
        set value(_: unknown) {
          throw new TypeError(`Assignment to constant variable '${name}'.`);
        },
      };
    },
    seal: sealNames,
    statement: (value) => parts.showStatementValue(value),
    tick: () => interrupt.check(),
  };
  return api;
}

/** The async iterator `for await` would use: the async one, else the sync one with awaited values. */
function asyncIteratorOf(iterable: unknown): AsyncIterator<unknown> {
  const source = iterable as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null | undefined;
  const asyncMethod = source?.[Symbol.asyncIterator];
  if (typeof asyncMethod === 'function') return asyncMethod.call(source) as AsyncIterator<unknown>;
  const syncMethod = source?.[Symbol.iterator];
  if (typeof syncMethod !== 'function') throw new TypeError(`${String(iterable)} is not async iterable`);
  const iterator = syncMethod.call(source) as Iterator<unknown>;
  return {
    next: async (value?: unknown) => {
      const result = iterator.next(value);
      return { done: result.done, value: await result.value } as IteratorResult<unknown>;
    },
    return: async (value?: unknown) => (iterator.return ? iterator.return(value) : { done: true, value }) as IteratorResult<unknown>,
  };
}
