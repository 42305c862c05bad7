// Resolves a cell's imports: 'rnn-lab' is the engine bundled into this kernel (the same module
// object every cell and the inspector see, so instanceof holds), 'timers' and 'timers/promises'
// the cells' own tracked timers; the rest is the host's (Node: built-ins and the notebook folder's
// node_modules; the browser says it cannot load them).
import { editDistance } from '../engine/optim/suggest';
import { host } from '../host/index';

export const ENGINE_SPECIFIER = 'rnn-lab';

export class ModuleResolver {
  private cwd = host().process.cwd();
  /** `${cwd}\0${specifier}` → module. */
  private readonly loaded = new Map<string, unknown>();

  /**
   * `overrides`: modules cells get instead of Node's, by bare name ('timers' stands for
   * 'node:timers' too): the cells' own tracked timers (cellTimers.ts).
   */
  constructor(
    private readonly engine: object,
    private readonly overrides: Record<string, unknown> = {},
  ) {}

  get folder(): string {
    return this.cwd;
  }

  setCwd(cwd: string): void {
    this.cwd = host().paths.resolve(host().process.cwd(), cwd);
  }

  /** Loads every static import of a cell before it runs, so the cell itself can stay synchronous. */
  async preload(specifiers: readonly string[]): Promise<void> {
    for (const specifier of specifiers) {
      const key = this.key(specifier);
      if (!this.loaded.has(key)) this.loaded.set(key, await this.load(specifier));
    }
  }

  /** A module preloaded for the running cell. */
  imported(specifier: string): unknown {
    const key = this.key(specifier);
    if (!this.loaded.has(key)) throw new Error(`Module '${specifier}' was not loaded before the cell ran`);
    return this.loaded.get(key);
  }

  async dynamicImport(specifier: string): Promise<unknown> {
    await this.preload([specifier]);
    return this.imported(specifier);
  }

  private key(specifier: string): string {
    return `${this.cwd}\0${specifier}`;
  }

  private async load(specifier: string): Promise<unknown> {
    if (specifier === ENGINE_SPECIFIER) return this.engine;
    const bare = specifier.replace(/^node:/, '');
    if (Object.prototype.hasOwnProperty.call(this.overrides, bare)) return this.overrides[bare];
    return host().modules.load(specifier, this.cwd);
  }
}

/** Value of `import x from 'm'`: ESM's default export, or the CommonJS module itself. */
export function defaultOf(module: unknown): unknown {
  if (module && typeof module === 'object') {
    const record = module as Record<string | symbol, unknown>;
    if (record.__esModule === true || record[Symbol.toStringTag] === 'Module') {
      return 'default' in record ? record.default : module;
    }
  }
  return module;
}

/** Value of `import { name } from 'm'` (missingExport checked it before the cell ran). */
export function member(module: unknown, name: string): unknown {
  if (module === null || module === undefined) return undefined;
  return (module as Record<string, unknown>)[name];
}

/**
 * Why `import { name } from specifier` cannot work, or null when it can. As in Node, an ES module
 * (and 'rnn-lab') must export the name; a CommonJS module's exports are only known when it runs,
 * so its names are not checked.
 */
export function missingExport(module: unknown, name: string, specifier: string): string | null {
  const isEsm = typeof module === 'object' && module !== null && (module as Record<symbol, unknown>)[Symbol.toStringTag] === 'Module';
  if (specifier !== ENGINE_SPECIFIER && !isEsm) return null;
  if (name === 'default' && specifier !== ENGINE_SPECIFIER) return null;
  const exports = module as Record<string, unknown>;
  if (name in exports) return null;
  const names = Object.keys(exports);
  const near = nearestNames(name, names);
  const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : '';
  const typeHint = /^[A-Z]/.test(name) ? ` (If '${name}' is a type, import it with \`import type\`.)` : '';
  return `'${specifier}' has no export named '${name}'.${hint}${typeHint}`;
}

/** Up to three names close to `given` (case-insensitive edit distance), nearest first. */
function nearestNames(given: string, names: readonly string[]): string[] {
  const g = given.toLowerCase();
  const limit = Math.max(2, Math.ceil(given.length / 3));
  return names
    .map((name) => ({ name, distance: editDistance(g, name.toLowerCase()) - (name.toLowerCase().includes(g) ? 1 : 0) }))
    .filter((n) => n.distance <= limit)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map((n) => n.name);
}
