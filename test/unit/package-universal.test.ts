// One package for every desktop: the .vsix holds no native file (a binary built for this
// platform would be dead weight, or worse, the kernel's only compiler, on macOS or Windows), and
// the kernel started from the unpacked package, away from this checkout's node_modules, compiles
// and runs TypeScript cells. Packs the real .vsix with vsce (npm run build first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readSync, closeSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import type { CellOutput } from '../../kernel/protocol';

const root = path.resolve(__dirname, '../..');
let dir: string;
let unpacked: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rnn-lab-vsix-'));
  const vsix = path.join(dir, 'rnn-lab.vsix');
  execFileSync(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: root, stdio: 'pipe' });
  unpacked = path.join(dir, 'unpacked');
  // A .vsix is a zip; Python's zipfile is on every machine the project runs on (no unzip needed).
  execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** ELF (Linux), Mach-O (macOS, thin and fat), PE (Windows): what a platform's binary starts with. */
function nativeKind(file: string): string | null {
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return 'ELF';
  const word = head.readUInt32BE(0);
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(word)) return 'Mach-O';
  if (head[0] === 0x4d && head[1] === 0x5a) return 'PE';
  return null;
}

describe('the .vsix', () => {
  it('holds no native file: one package for every platform', () => {
    const files = filesUnder(unpacked);
    expect(files.length).toBeGreaterThan(10);
    const native = files.filter((f) => nativeKind(f) !== null || /\.(node|exe|dll|so|dylib)$/.test(f));
    expect(native.map((f) => path.relative(unpacked, f))).toEqual([]);
    const total = files.reduce((sum, f) => sum + statSync(f).size, 0);
    expect(total).toBeGreaterThan(0);
  });

  it('runs its kernel from the unpacked package: TypeScript cells compile without this checkout', async () => {
    const kernelPath = path.join(unpacked, 'extension/dist/kernel.js');
    const kernel = new KernelProcess({ kernelPath, cwd: dir });
    try {
      await kernel.initialize();
      const r = await kernel.execute(
        [
          "import { LSTM } from 'rnn-lab';",
          'enum Gate { Input, Forget }',
          'namespace Units { export const hidden: number = 8; }',
          'function logged(value: unknown, context: ClassMethodDecoratorContext) { seen.push(String(context.name)); }',
          'const seen: string[] = [];',
          'class Cell { constructor(private readonly size: number) {} @logged grow(): number { return this.size * 2; } }',
          'const lstm = new LSTM(4, Units.hidden);',
          '[new Cell(3).grow(), Gate.Forget, seen, lstm.hiddenSize]',
        ].join('\n'),
      );
      expect(r.error).toBeUndefined();
      const result = r.outputs.find((o: CellOutput) => o.type === 'result');
      expect(result && 'data' in result ? result.data['text/plain'] : undefined).toBe("[ 6, 1, [ 'grow' ], 8 ]");
    } finally {
      await kernel.dispose();
    }
  }, 60_000);
});
