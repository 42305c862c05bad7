// The kernel's own globals, put back when a cell replaced one outright (`globalThis.process = 1`,
// `Object.defineProperty(globalThis, 'Buffer', …)`). Names a cell declares never get here (they
// live in the notebook scope); this is for code that reaches past it, on purpose or by a library.
// A global a cell adds is its own business and stays.

export class KernelGlobals {
  private readonly original = new Map<string, PropertyDescriptor>();

  /** Remembers every global the kernel has now (call once the kernel is set up). */
  constructor(private readonly global: object = globalThis) {
    for (const name of Object.getOwnPropertyNames(global)) {
      this.original.set(name, Object.getOwnPropertyDescriptor(global, name)!);
    }
  }

  /** Puts back every global that was replaced or deleted; returns their names. */
  restore(): string[] {
    const restored: string[] = [];
    for (const [name, original] of this.original) {
      const now = Object.getOwnPropertyDescriptor(this.global, name);
      if (now && isSame(original, now, this.global)) continue;
      if (now && now.configurable === false) continue; // cannot be put back; it cannot have changed either
      try {
        Object.defineProperty(this.global, name, original);
        restored.push(name);
      } catch {
        // a global made non-configurable meanwhile stays as it is
      }
    }
    return restored;
  }
}

function isSame(original: PropertyDescriptor, now: PropertyDescriptor, global: object): boolean {
  if ('value' in original) return 'value' in now && Object.is(original.value, now.value);
  if (original.get === now.get && original.set === now.set) return true;
  // Node's lazy globals (crypto, fetch, …) turn from a getter into a value when first read.
  return 'value' in now && original.get !== undefined && Object.is(original.get.call(global), now.value);
}
