// Turning the source text of a person's classes and functions back into code inside a worker.
//
// Cell code crosses as source (`cls.toString()`) and is evaluated in a scope whose names are the
// engine's exports, the other classes of the model, the fit() option `globals` and the worker's
// own globals (Math, console, …). A name from anywhere else (a variable from another cell) is a
// clear ReferenceError that says which class used it and how to hand it over.

import { engineExports } from '../engineClasses';

// Helpers esbuild can put into compiled cells (keepNames, lowered class fields).
const esbuildHelpers: Record<string, unknown> = {
  __name: (target: object, value: string) => Object.defineProperty(target, 'name', { value, configurable: true }),
  __defProp: Object.defineProperty,
  __publicField: (obj: object, key: PropertyKey, value: unknown) => {
    Object.defineProperty(obj, typeof key === 'symbol' ? key : String(key), { value, enumerable: true, configurable: true, writable: true });
    return value;
  },
};

/** How a function or class crosses: its source and its name (for method shorthand). */
export interface FunctionSource {
  name: string;
  source: string;
}

/** The source of a function or class, or an error that says why it cannot cross. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function functionSource(fn: Function, where: string): FunctionSource {
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new Error(`${where}: ${fn.name || 'this function'} is a built-in or bound function, which cannot be sent to the training worker; use a plain function or class written in a cell`);
  }
  return { name: fn.name, source };
}

// How compilers name an imported module inside compiled code: esbuild's CommonJS output
// (`import_rnn_lab.LSTM`) and vitest/vite-node (`__vi_import_0__.LSTM`). In the worker such a
// name stands for the engine's exports.
const MODULE_BINDING = /^(?:import_[\w$]+|__vi_import_\d+__|__vi_ssr_import_\d+__|__vite_ssr_import_\d+__)$/;

function engineNamespace(binding: string, label: string): object {
  return new Proxy(engineExports, {
    get: (target, key) => {
      if (typeof key !== 'string' || key in target) return (target as Record<PropertyKey, unknown>)[key];
      throw new ReferenceError(`${label} uses '${binding}.${key}', but the training worker only has the engine's exports (rnn-lab), which have no '${key}'. Pass it with fit(model, data, { globals: { ${key} } }) and refer to it as a plain name`);
    },
  });
}

export class SourceScope {
  private readonly bindings = new Map<string, unknown>();

  constructor(globals: Record<string, unknown> = {}) {
    for (const [name, value] of Object.entries(engineExports)) this.bindings.set(name, value);
    // How compiled cells may refer to the engine module as a whole.
    for (const alias of ['rnnLab', 'import_rnn_lab', 'engine']) this.bindings.set(alias, engineExports);
    for (const [name, value] of Object.entries(esbuildHelpers)) this.bindings.set(name, value);
    for (const [name, value] of Object.entries(globals)) this.bindings.set(name, value);
  }

  define(name: string, value: unknown): void {
    this.bindings.set(name, value);
  }

  /**
   * Evaluates a class or function from its source. `label` names it in errors ("class
   * LSTMModel"); `overrides` bind names for this one evaluation (a class's own parent).
   */
  evaluate(fn: FunctionSource, label: string, overrides: Record<string, unknown> = {}): unknown {
    const scope = this.proxy(label, overrides);
    const file = `rnn-lab-worker:///${label.replace(/[^\w.-]+/g, '_')}.js`;
    const attempt = (expression: string): unknown => {
      // Sloppy-mode wrapper so that `with` is allowed; class bodies stay strict.
      const wrapper = new Function('__rnnLabScope', `with (__rnnLabScope) { return (${expression}\n); }\n//# sourceURL=${file}`) as (scope: object) => unknown;
      return wrapper(scope);
    };
    try {
      return attempt(fn.source);
    } catch (error) {
      // Method shorthand (`forwardLoss(model, batch) { … }`) is not an expression on its own.
      if (error instanceof SyntaxError && fn.name !== '' && /^[\w$]+$/.test(fn.name)) {
        return attempt(`({ ${fn.source} })[${JSON.stringify(fn.name)}]`);
      }
      throw error;
    }
  }

  private proxy(label: string, overrides: Record<string, unknown>): object {
    const bindings = this.bindings;
    const global = globalThis as unknown as Record<string, unknown>;
    const assignError = (key: PropertyKey) =>
      new ReferenceError(`${label} assigns to '${String(key)}', a variable outside it; the training worker cannot share variables with the kernel`);
    const resolve = (key: string): unknown => {
      if (Object.prototype.hasOwnProperty.call(overrides, key)) return overrides[key];
      if (bindings.has(key)) return bindings.get(key);
      if (key in global) return global[key];
      if (MODULE_BINDING.test(key)) return engineNamespace(key, label);
      if (CELL_SCOPE.test(key)) return cellScopeView(resolve, assignError);
      if (CELL_RUNTIME.test(key)) return workerCellRuntime(resolve, assignError);
      throw new ReferenceError(
        `${label} uses '${key}', which the training worker cannot see (it lives in the kernel, e.g. in another cell). ` +
          `Make it part of the model (a field set in the constructor), define it inside the ${label.startsWith('class') ? 'class' : 'function'}, ` +
          `or pass it along: fit(model, data, { globals: { ${key} } }).`,
      );
    };
    return new Proxy(Object.create(null) as object, {
      // Every free name is looked up here, so that unknown ones get a helpful error.
      has: (_target, key) => typeof key === 'string',
      // Symbol.unscopables and friends: undefined.
      get: (_target, key) => (typeof key === 'string' ? resolve(key) : undefined),
      set: (_target, key) => {
        throw assignError(key);
      },
    });
  }
}

// Compiled cells read notebook names as properties of the scope parameter and reach the runtime
// through a second one (kernel/runtime/cellRewrite.ts): `__rnnlab_scope.H`, `__rnnlab_rt.guard(x)`.
// In the worker the scope is the names above, and the runtime a plain one (no interrupts here).
const CELL_SCOPE = /^__rnnlab_scope\d*$/;
const CELL_RUNTIME = /^__rnnlab_rt\d*$/;

type Resolve = (name: string) => unknown;

function cellScopeView(resolve: Resolve, assignError: (key: PropertyKey) => Error): object {
  return new Proxy(Object.create(null) as object, {
    get: (_target, key) => (typeof key === 'string' ? resolve(key) : undefined),
    set: (_target, key) => {
      throw assignError(key);
    },
  });
}

function workerCellRuntime(resolve: Resolve, assignError: (key: PropertyKey) => Error): object {
  const binding = (name: string) => ({
    get value() {
      return resolve(name);
    },
    set value(_: unknown) {
      throw assignError(name);
    },
  });
  return {
    guard: <T>(value: T) => value,
    guardIterable: <T>(iterable: T) => iterable,
    lookup: (name: string, forTypeof = false) => {
      try {
        return resolve(name);
      } catch (error) {
        if (forTypeof) return undefined;
        throw error;
      }
    },
    binding,
    constant: (_scope: object, name: string) => binding(name),
    seal: () => undefined,
    dynamicImport: (specifier: string) => Promise.reject(new Error(`import('${specifier}') is not available in the training worker`)),
  };
}
