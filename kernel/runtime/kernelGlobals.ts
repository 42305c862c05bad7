// The kernel's own globals, against code that reaches past the notebook scope (names a cell
// declares never get here): `globalThis.Buffer = …`, `delete globalThis.process`, a library that
// swaps `Promise`. Two guards:
//   - protectKernelGlobals() (the kernel process, at start): what the kernel, the engine and the
//     JSON-RPC transport call between two turns of a cell cannot be replaced or deleted at all;
//     they run while a cell awaits, so putting them back afterwards would be too late.
//   - KernelGlobals.restore() (after each cell, and on reset): any other global a cell replaced or
//     deleted is put back, and the cell is told. A global a cell adds is its own business.

/**
 * Globals that Node defines with a getter and a setter (assigning one keeps the accessor and
 * swaps the value behind it) and that the kernel, the engine or the transport use: their values
 * are remembered too. Other accessors are compared by their getter only: reading them would load
 * modules the kernel may never need (web streams, fetch).
 */
const WATCHED_ACCESSORS = ['process', 'Buffer', 'performance', 'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder', 'MessageChannel', 'MessagePort', 'DOMException', 'atob', 'btoa'];

/** Names the kernel's own code calls at any time (JavaScript's built-ins and Node's core globals). */
const KERNEL_CRITICAL = [
  'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Promise', 'Proxy', 'Reflect', 'JSON', 'Math',
  'Date', 'RegExp', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'WebAssembly', 'Uint8Array', 'Int32Array', 'Uint32Array', 'Float32Array',
  'Float64Array', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent', 'globalThis',
  'process', 'Buffer', 'performance', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
  'queueMicrotask', 'structuredClone', 'TextEncoder', 'TextDecoder', 'URL', 'AbortController', 'AbortSignal', 'MessageChannel',
] as const;

/**
 * Makes the kernel-critical globals permanent: a data global becomes read-only (assigning it
 * throws in a cell, which is strict code), an accessor global keeps its value behind a getter
 * whose setter explains itself. Neither can be deleted. For the kernel process only: a test
 * runner's own globals are none of its business.
 */
export function protectKernelGlobals(global: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): void {
  for (const name of KERNEL_CRITICAL) {
    const descriptor = Object.getOwnPropertyDescriptor(global, name);
    if (!descriptor || descriptor.configurable === false) continue;
    if ('value' in descriptor) {
      Object.defineProperty(global, name, { value: descriptor.value, writable: false, enumerable: descriptor.enumerable ?? false, configurable: false });
      continue;
    }
    const value = global[name];
    Object.defineProperty(global, name, {
      get: () => value,
      set: (replacement: unknown) => {
        if (replacement === value) return;
        throw new TypeError(`Cannot replace the kernel's global '${name}': the kernel uses it. Declare a name of your own instead (const ${name} = …); it lives in the notebook's scope.`);
      },
      enumerable: descriptor.enumerable ?? false,
      configurable: false,
    });
  }
}

/**
 * Built-in objects whose members the kernel's own code calls (`Array.prototype.push`, `JSON.parse`,
 * `Promise.prototype.then`, `Function.prototype.call`, …). A cell that replaces or deletes one
 * breaks the kernel in the same realm; after the cell they are put back and the cell is told.
 * Members a cell adds to `Object.prototype` or `Array.prototype` (prototype pollution: they show
 * up in every `for…in`) are removed too, as are those it adds to `Error` (`prepareStackTrace`
 * changes every stack the kernel reads); additions elsewhere stay (a polyfill, say).
 */
function builtinObjects(): [string, object][] {
  const typedArray = Object.getPrototypeOf(Float32Array.prototype) as object;
  return [
    ['Object.prototype', Object.prototype], ['Array.prototype', Array.prototype], ['Function.prototype', Function.prototype],
    ['String.prototype', String.prototype], ['Number.prototype', Number.prototype], ['Boolean.prototype', Boolean.prototype],
    ['Symbol.prototype', Symbol.prototype], ['Promise.prototype', Promise.prototype], ['Map.prototype', Map.prototype],
    ['Set.prototype', Set.prototype], ['Error.prototype', Error.prototype], ['RegExp.prototype', RegExp.prototype],
    ['Date.prototype', Date.prototype], ['TypedArray.prototype', typedArray], ['Uint8Array.prototype', Uint8Array.prototype],
    ['Int32Array.prototype', Int32Array.prototype], ['Float32Array.prototype', Float32Array.prototype],
    ['Object', Object], ['Array', Array], ['Promise', Promise], ['JSON', JSON], ['Math', Math], ['Reflect', Reflect],
    ['Error', Error], ['Atomics', Atomics], ['WebAssembly', WebAssembly], ['Function', Function], ['String', String], ['Number', Number],
  ];
}
const POLLUTION_GUARDED = ['Object.prototype', 'Array.prototype', 'Error'];

// Taken before any cell runs: restoring must not call what a cell may have replaced.
const { defineProperty, getOwnPropertyDescriptor, is } = Object;
const ownKeys = Reflect.ownKeys;

function hasKey(keys: readonly PropertyKey[], key: PropertyKey): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
  return false;
}

/** Members of one object, as they were: `descriptors[i]` undefined where keys[i] was not an own member. */
interface WatchedMembers {
  label: string;
  target: object;
  keys: PropertyKey[];
  descriptors: (PropertyDescriptor | undefined)[];
  /** Own members added since are removed. */
  guardAdditions: boolean;
}

/** What keepListener needs of an event emitter (Node's `process`). */
export interface ListenerOwner {
  listeners(event: string): unknown[];
  on(event: string, listener: (...args: unknown[]) => unknown): unknown;
}

interface Original {
  descriptor: PropertyDescriptor;
  /** The value behind a watched accessor. */
  value?: unknown;
}

export class KernelGlobals {
  private readonly original = new Map<string, Original>();
  private readonly members: WatchedMembers[] = [];
  /** Members a cell changed beyond repair, not yet taken (takeFatal), and all ever noted. */
  private fatal: string[] = [];
  private readonly noted: string[] = [];
  private readonly listeners: { label: string; emitter: ListenerOwner; event: string; listener: (...args: unknown[]) => unknown; added?: () => void }[] = [];

  /** Remembers every global the kernel has now (construct once the kernel is set up). */
  constructor(private readonly global: Record<string, unknown> = globalThis as unknown as Record<string, unknown>) {
    for (const name of Object.getOwnPropertyNames(global)) {
      const descriptor = Object.getOwnPropertyDescriptor(global, name)!;
      const watched = !('value' in descriptor) && WATCHED_ACCESSORS.includes(name);
      this.original.set(name, watched ? { descriptor, value: global[name] } : { descriptor });
    }
    for (const [label, target] of builtinObjects()) this.watchMembers(label, target, null, POLLUTION_GUARDED.includes(label));
  }

  /**
   * Also puts back these members of a host object the kernel calls (`process.nextTick`,
   * `process.stdout.write`, `performance.now`, …) as they are now: `keys` null for all its own
   * members. A key that is not an own member now (an inherited method) is removed when a cell
   * makes it one. For members set up after the constructor ran (the kernel's own stdout capture).
   */
  watchMembers(label: string, target: object, keys: readonly PropertyKey[] | null, guardAdditions = false): void {
    const watched = keys ? [...keys] : Reflect.ownKeys(target);
    this.members.push({ label, target, keys: watched, descriptors: watched.map((key) => Object.getOwnPropertyDescriptor(target, key)), guardAdditions });
  }

  /** Adds back `listener` for `event` when a cell removed it (`process.removeAllListeners()`); then calls `added`. */
  keepListener(label: string, emitter: ListenerOwner, event: string, listener: (...args: unknown[]) => unknown, added?: () => void): void {
    this.listeners.push({ label, emitter, event, listener, ...(added ? { added } : {}) });
  }

  /** Puts back every global (and built-in member) that was replaced or deleted; returns their names. */
  restore(): string[] {
    const restored: string[] = this.restoreMembers();
    this.restoreListeners(restored);
    for (const [name, original] of this.original) {
      const now = Object.getOwnPropertyDescriptor(this.global, name);
      if (now && this.isSame(name, original, now)) continue;
      if (now && now.configurable === false) continue; // cannot be put back
      try {
        Object.defineProperty(this.global, name, original.descriptor);
        if ('value' in original && original.descriptor.set) this.global[name] = original.value;
        restored.push(name);
      } catch {
        // a global made non-configurable meanwhile stays as it is
      }
    }
    return restored;
  }

  /**
   * Written without the built-ins it repairs (no array methods, no iterators): `Array.prototype.push`
   * or `Map.prototype[Symbol.iterator]` may be what the cell broke.
   */
  private restoreMembers(): string[] {
    const restored: string[] = [];
    const members = this.members;
    for (let m = 0; m < members.length; m++) {
      const { label, target, keys, descriptors, guardAdditions } = members[m]!;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        const original = descriptors[k];
        const now = getOwnPropertyDescriptor(target, key);
        if (original === undefined) {
          // inherited before: an own member the cell added shadows the kernel's
          if (now === undefined) continue;
          if (!now.configurable) {
            this.noteFatal(`${label}.${String(key)}`);
            continue;
          }
          delete (target as Record<PropertyKey, unknown>)[key];
          restored[restored.length] = `${label}.${String(key)}`;
          continue;
        }
        const same = now !== undefined && ('value' in original ? 'value' in now && is(original.value, now.value) : original.get === now.get && original.set === now.set);
        if (same) continue;
        if (now?.configurable === false) {
          // a member the kernel calls, replaced for good (an inherited one shadowed is as bad)
          this.noteFatal(`${label}.${String(key)}`);
          continue;
        }
        try {
          defineProperty(target, key, original);
          restored[restored.length] = `${label}.${String(key)}`;
        } catch {
          // frozen meanwhile: stays as it is
        }
      }
      if (!guardAdditions) continue;
      const present = ownKeys(target);
      for (let p = 0; p < present.length; p++) {
        const key = present[p]!;
        if (hasKey(keys, key)) continue;
        if (!getOwnPropertyDescriptor(target, key)?.configurable) {
          // A helper method added with defineProperty (not configurable by default) stays, as
          // additions elsewhere do; a `then` makes every object a thenable, a `toJSON` changes
          // every message the kernel sends.
          if (key === 'then' || key === 'toJSON') this.noteFatal(`${label}.${String(key)}`);
          continue;
        }
        delete (target as Record<PropertyKey, unknown>)[key];
        restored[restored.length] = `${label}.${String(key)}`;
      }
    }
    return restored;
  }

  /** Without Set or array methods: called while the built-ins are being repaired. */
  private noteFatal(name: string): void {
    if (hasKey(this.noted, name)) return;
    this.noted[this.noted.length] = name;
    this.fatal[this.fatal.length] = name;
  }

  /**
   * Members a cell made non-configurable with a value of its own that the kernel cannot work
   * without (its promises, its messages, the methods it calls), each named once: the first call
   * after the cell that did it names them, later calls return [] again.
   */
  takeFatal(): string[] {
    const names = this.fatal;
    this.fatal = [];
    return names;
  }

  private restoreListeners(restored: string[]): void {
    for (const { label, emitter, event, listener, added } of this.listeners) {
      try {
        if (emitter.listeners(event).includes(listener)) continue;
        emitter.on(event, listener);
        added?.();
        restored.push(`${label} listener for ${event}`);
      } catch {
        // an emitter the cell broke beyond repair (a non-configurable member): stays as it is
      }
    }
  }

  private isSame(name: string, original: Original, now: PropertyDescriptor): boolean {
    const before = original.descriptor;
    if ('value' in before) return 'value' in now && Object.is(before.value, now.value);
    if (before.get === now.get && before.set === now.set) return !('value' in original) || Object.is(original.value, this.global[name]);
    // Node's lazy globals turn from a getter into a value when first read.
    return 'value' in now && before.get !== undefined && Object.is(before.get.call(this.global), now.value);
  }
}
