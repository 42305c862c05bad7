// What every notebook's type checking shares in one kernel: TypeScript itself (the package the
// kernel already loads to compile cells), the declaration files scripts/build-types.mjs writes to
// dist/types/ (the ECMAScript library, 'rnn-lab', the cells' globals), and one document registry,
// so that those large files are parsed once however many notebooks there are.
import type * as TS from 'typescript';
import { host } from '../../host/index';

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
  const ts = host().interrupt.uninterruptible(() => require('typescript') as typeof TS);
  const texts = new Map<string, string | undefined>();
  const { files, paths } = host();
  environment = {
    ts,
    registry: ts.createDocumentRegistry(),
    libFile: paths.join(dir, 'lib.d.ts'),
    apiFile: paths.join(dir, 'rnn-lab.d.ts'),
    globalsFile: paths.join(dir, 'cell-globals.d.ts'),
    readFile(fileName) {
      if (paths.dirname(fileName) !== dir) return ts.sys.readFile(fileName);
      if (!texts.has(fileName)) {
        let text: string | undefined;
        try {
          text = new TextDecoder().decode(files.readFile(fileName));
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
  // A bundle started from a Blob URL (the browser) has no folder of its own.
  if (typeof __dirname !== 'string') return null;
  const { files, paths } = host();
  const candidates = [paths.join(__dirname, 'types')];
  for (let dir = __dirname; paths.dirname(dir) !== dir; dir = paths.dirname(dir)) candidates.push(paths.join(dir, 'dist', 'types'));
  return candidates.find((dir) => files.stat(paths.join(dir, 'rnn-lab.d.ts')) !== null && files.stat(paths.join(dir, 'lib.d.ts')) !== null) ?? null;
}
