// The notebook's persistent scope: the names cells declare live as properties of the kernel's
// globalThis. Cells run in the kernel's own realm (not a vm context) so that a Float32Array or an
// Error made in a cell is the same class the engine checks with instanceof.
//
// A cell's `const` becomes a writable property, so re-running the cell works. Names that shadow a
// global the kernel had before (say `const name = …` or `let URL`) get their original back on reset.

export class NotebookScope {
  /** name → the property globalThis had before a cell first declared it (undefined: none). */
  private readonly declared = new Map<string, PropertyDescriptor | undefined>();
  readonly global: Record<string, unknown> = globalThis as unknown as Record<string, unknown>;

  /** Makes each name an assignable property of the scope; existing values stay until assigned. */
  declare(names: readonly string[]): void {
    for (const name of names) {
      const existing = Object.getOwnPropertyDescriptor(globalThis, name);
      if (!this.declared.has(name)) {
        if (existing && !existing.configurable && !existing.writable) {
          throw new TypeError(`Cannot declare '${name}': it is a read-only global`);
        }
        this.declared.set(name, existing);
      }
      const isPlainData = existing !== undefined && 'value' in existing && existing.writable === true;
      if (!isPlainData && existing?.configurable !== false) {
        const value = existing && 'value' in existing ? existing.value : undefined;
        Object.defineProperty(globalThis, name, { value, writable: true, enumerable: true, configurable: true });
      }
    }
  }

  /** Names declared by cells, in declaration order. */
  names(): string[] {
    return [...this.declared.keys()];
  }

  has(name: string): boolean {
    return this.declared.has(name);
  }

  get(name: string): unknown {
    return this.global[name];
  }

  /** Forgets every cell-declared name, restoring what the kernel's globals were before. */
  reset(): void {
    for (const [name, original] of this.declared) {
      delete this.global[name];
      if (original) Object.defineProperty(globalThis, name, original);
    }
    this.declared.clear();
  }
}
