// The notebook's persistent scope: the names cells declare live as properties of one plain object,
// S, that the runtime owns and hands to every compiled cell (cellRewrite.ts). Not the kernel's
// globalThis: a cell may call a variable `performance` or a function `process` and the kernel,
// the engine and the transport keep theirs. Cells still run in the kernel's own realm (not a vm
// context), so a Float32Array or an Error made in a cell is the class the engine checks with
// instanceof.
//
//   S ──prototype──▶ builtins (display, plotLoss, …, the cells' setTimeout & co.) ──▶ null
//
// A cell's own declarations shadow a builtin; reset() starts from a fresh S. A `const` becomes a
// read-only property once assigned (seal), so assigning to it throws; declaring the name again in
// a cell (re-running `const x = …`) makes it writable for that declaration.
import type { Declaration, DeclarationKind, KnownName, NameTable } from './cellRewrite';

export class NotebookScope implements NameTable {
  private scopeObject: Record<string, unknown>;
  private readonly kinds = new Map<string, DeclarationKind>();

  /** `builtins` become the prototype of the scope: names every cell sees unless it declares its own. */
  constructor(private builtins: Record<string, unknown> = {}) {
    this.scopeObject = this.freshScope();
  }

  /** The object compiled cells read and write their names on. */
  get object(): Record<string, unknown> {
    return this.scopeObject;
  }

  known(name: string): KnownName | undefined {
    const kind = this.kinds.get(name);
    if (kind !== undefined && Object.prototype.hasOwnProperty.call(this.scopeObject, name)) {
      return kind === 'const' || kind === 'import' ? 'const' : 'variable';
    }
    return name in this.scopeObject ? 'variable' : undefined;
  }

  isGlobal(name: string): boolean {
    return name in globalThis;
  }

  /** Makes each name an assignable property of the scope; existing values stay until assigned. */
  declare(declarations: readonly Declaration[]): void {
    for (const { name, kind } of declarations) {
      const own = Object.getOwnPropertyDescriptor(this.scopeObject, name);
      Object.defineProperty(this.scopeObject, name, { value: own?.value, writable: true, enumerable: true, configurable: true });
      this.kinds.set(name, kind);
    }
  }

  /** Names declared by cells, in declaration order. */
  names(): string[] {
    return Object.keys(this.scopeObject);
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.scopeObject, name);
  }

  get(name: string): unknown {
    return this.scopeObject[name];
  }

  /** Forgets every cell-declared name; `builtins` replace the old ones when given. */
  reset(builtins: Record<string, unknown> = this.builtins): void {
    this.builtins = builtins;
    this.kinds.clear();
    this.scopeObject = this.freshScope();
  }

  private freshScope(): Record<string, unknown> {
    const proto = Object.create(null) as Record<string, unknown>;
    for (const [name, value] of Object.entries(this.builtins)) {
      // Not enumerable: they are not the person's variables.
      Object.defineProperty(proto, name, { value, writable: true, enumerable: false, configurable: true });
    }
    return Object.create(proto) as Record<string, unknown>;
  }
}

/** Names a cell declared with `const`, now assigned: writes to them throw from here on. */
export function sealNames(scope: object, names: readonly string[]): void {
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(scope, name)) Object.defineProperty(scope, name, { writable: false });
  }
}
