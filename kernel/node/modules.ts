// A cell's imports in Node: Node's built-ins and the packages of the notebook folder's
// node_modules, require first, import() for ESM-only packages (kernel/runtime/resolver.ts decides
// what is 'rnn-lab' and the cells' own timers before asking here).
import { builtinModules, createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import type { HostModules } from '../host/index';

export const nodeModules: HostModules = {
  async load(specifier, folder) {
    const requireFromNotebook = createRequire(path.join(folder, 'notebook.ipynb'));
    try {
      return requireFromNotebook(specifier);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
    }
    // ESM-only package: import() its ESM entry, found from the notebook folder.
    const entry = resolveEsmEntry(specifier, folder) ?? requireFromNotebook.resolve(specifier);
    return importEsm(pathToFileURL(entry).href);
  },
  builtinNames: () => builtinModules,
};

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
