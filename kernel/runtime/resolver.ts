// Resolves a cell's imports: 'rnn-lab' is the engine bundled into this process (the same module
// object every cell and the inspector see, so instanceof holds), Node built-ins and packages come
// from the notebook folder's node_modules (require first, import() for ESM-only packages).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { editDistance } from '../engine/optim/suggest';

export const ENGINE_SPECIFIER = 'rnn-lab';

export class ModuleResolver {
  private cwd = process.cwd();
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
    this.cwd = path.resolve(cwd);
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
    const requireFromNotebook = createRequire(path.join(this.cwd, 'notebook.ipynb'));
    try {
      return requireFromNotebook(specifier);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
    }
    // ESM-only package: import() its ESM entry, found from the notebook folder.
    const entry = resolveEsmEntry(specifier, this.cwd) ?? requireFromNotebook.resolve(specifier);
    return importEsm(pathToFileURL(entry).href);
  }
}

/** The file `import 'pkg'` or `import 'pkg/sub'` loads, for packages whose exports have no require. */
function resolveEsmEntry(specifier: string, cwd: string): string | null {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = ['.', ...parts.slice(nameLength)].join('/');
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const packageDir = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(packageDir, 'package.json'))) {
      const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as PackageManifest;
      const target = exportTarget(manifest.exports, subpath) ?? (subpath === '.' ? manifest.module ?? manifest.main : null);
      return target ? path.join(packageDir, target) : null;
    }
    if (path.dirname(dir) === dir) return null;
  }
}

interface PackageManifest {
  exports?: unknown;
  module?: string;
  main?: string;
}

function exportTarget(exports: unknown, subpath: string): string | null {
  if (typeof exports === 'string') return subpath === '.' ? exports : null;
  if (!exports || typeof exports !== 'object') return null;
  const map = exports as Record<string, unknown>;
  const isSubpathMap = Object.keys(map).some((key) => key.startsWith('.'));
  const entry = isSubpathMap ? map[subpath] : subpath === '.' ? map : undefined;
  return conditionTarget(entry);
}

function conditionTarget(entry: unknown): string | null {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return null;
  const conditions = entry as Record<string, unknown>;
  for (const condition of ['node', 'import', 'default']) {
    const target = conditionTarget(conditions[condition]);
    if (target) return target;
  }
  return null;
}

// A real dynamic import, kept out of esbuild's reach (it would turn import() into require()).
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

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
