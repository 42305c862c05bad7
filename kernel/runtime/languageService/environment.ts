// What every notebook's type checking shares in one kernel: TypeScript itself (the package the
// kernel already loads to compile cells), the declaration files scripts/build-types.mjs writes to
// dist/types/ (the ECMAScript library, 'rnn-lab', the cells' globals), and one document registry,
// so that those large files are parsed once however many notebooks there are.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { uninterruptible } from '../interrupt';

export interface TypeEnvironment {
  ts: typeof TS;
  registry: TS.DocumentRegistry;
  /** dist/types/lib.d.ts: ES2023, disposables, decorators. */
  libFile: string;
  /** dist/types/rnn-lab.d.ts: what `import … from 'rnn-lab'` resolves to. */
  apiFile: string;
  /** dist/types/cell-globals.d.ts: display, plotLoss, …, the cells' timers. */
  globalsFile: string;
  /** A file's text; the declaration files of dist/types/ are read once. */
  readFile(fileName: string): string | undefined;
}

let environment: TypeEnvironment | null | undefined;

/** The shared environment, or null when dist/types/ is missing (the build did not write it). */
export function typeEnvironment(): TypeEnvironment | null {
  if (environment !== undefined) return environment;
  const dir = typesDirectory();
  if (!dir) return (environment = null);
  // Never cut short by an interrupt: a require() of the compiler terminated halfway would leave it
  // unusable (see transpile.ts). It is the kernel's own copy, loaded already by the time cells run.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = uninterruptible(() => require('typescript') as typeof TS);
  const texts = new Map<string, string | undefined>();
  environment = {
    ts,
    registry: ts.createDocumentRegistry(),
    libFile: path.join(dir, 'lib.d.ts'),
    apiFile: path.join(dir, 'rnn-lab.d.ts'),
    globalsFile: path.join(dir, 'cell-globals.d.ts'),
    readFile(fileName) {
      if (path.dirname(fileName) !== dir) return ts.sys.readFile(fileName);
      if (!texts.has(fileName)) {
        let text: string | undefined;
        try {
          text = readFileSync(fileName, 'utf8');
        } catch {
          text = undefined;
        }
        texts.set(fileName, text);
      }
      return texts.get(fileName);
    },
  };
  return environment;
}

/**
 * dist/types/ beside the kernel bundle (dist/kernel.js), or, run from source (tests), the
 * checkout's dist/types/.
 */
function typesDirectory(): string | null {
  const candidates = [path.join(__dirname, 'types')];
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) candidates.push(path.join(dir, 'dist', 'types'));
  return candidates.find((dir) => existsSync(path.join(dir, 'rnn-lab.d.ts')) && existsSync(path.join(dir, 'lib.d.ts'))) ?? null;
}
