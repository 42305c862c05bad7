// Cells in the kernel process: scope across cells, redeclaration, top-level await, the last
// expression's value, stream order, imports, and errors mapped to the line the person wrote.
// Spawns the built kernel (npm run build first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import type { CellOutput } from '../../kernel/protocol';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
let kernel: KernelProcess;

beforeAll(async () => {
  kernel = new KernelProcess({ kernelPath });
  await kernel.initialize();
});
afterAll(() => kernel.dispose());

const plain = (o: CellOutput | undefined) => (o && 'data' in o ? o.data['text/plain'] : undefined);

/** Outputs as text, adjacent chunks of one stream joined (the kernel may split or gather them). */
function mergeStreams(outputs: CellOutput[]): string[] {
  const merged: string[] = [];
  let last: string | null = null;
  for (const o of outputs) {
    if (o.type === 'stream' && last === o.name) merged[merged.length - 1] += o.text;
    else merged.push(o.type === 'stream' ? `${o.name}:${o.text}` : `${o.type}:${String(plain(o))}`);
    last = o.type === 'stream' ? o.name : null;
  }
  return merged;
}

describe('scope across cells', () => {
  it('keeps const, let, function and class visible to later cells', async () => {
    await kernel.execute('const a: number = 2;\nlet b = 3;\nfunction twice(n: number) { return 2 * n; }\nclass Box { constructor(readonly v: number) {} }');
    const r = await kernel.execute('twice(a) + b + new Box(10).v');
    expect(r.status).toBe('ok');
    expect(plain(r.outputs.at(-1))).toBe('17');
  });

  it('lets a cell that declares a const run again, and later cells see the new value', async () => {
    const first = await kernel.execute('const again = 1;\nagain');
    const second = await kernel.execute('const again = 2;\nagain');
    expect([first.status, second.status]).toEqual(['ok', 'ok']);
    expect(plain((await kernel.execute('again * 10')).outputs[0])).toBe('20');
  });

  it('runs TypeScript that this Node needs lowered (decorators, enums, parameter properties)', async () => {
    const r = await kernel.execute(
      [
        'const seen: string[] = [];',
        'function logged(value: unknown, context: ClassMethodDecoratorContext) { seen.push(String(context.name)); }',
        'enum Gate { Input, Forget }',
        'class Unit { constructor(private readonly size: number) {} @logged grow() { return this.size * 2; } }',
        '[new Unit(3).grow(), Gate.Forget, seen]',
      ].join('\n'),
    );
    expect(r.error).toBeUndefined();
    expect(plain(r.outputs[0])).toBe("[ 6, 1, [ 'grow' ] ]");
  });

  it('supports destructuring declarations', async () => {
    await kernel.execute('const { p, q: [r1, ...rest] } = { p: 1, q: [2, 3, 4] };');
    expect(plain((await kernel.execute('[p, r1, rest]')).outputs[0])).toBe('[ 1, 2, [ 3, 4 ] ]');
  });

  it('runs top-level await and keeps what the awaited code assigned', async () => {
    const r = await kernel.execute('const waited = await new Promise<number>((resolve) => setTimeout(() => resolve(7), 5));\nwaited * 6');
    expect(plain(r.outputs[0])).toBe('42');
  });

  it('shows the last expression, but not a declaration, an assignment or undefined', async () => {
    expect((await kernel.execute('const shown = 5;')).outputs).toEqual([]);
    expect((await kernel.execute('let z = 0;\nz = 4')).outputs).toEqual([]);
    expect((await kernel.execute('undefined')).outputs).toEqual([]);
    const r = await kernel.execute("'text'");
    expect(r.outputs).toEqual([{ type: 'result', data: { 'text/plain': "'text'" } }]);
  });

  it('reset forgets every name', async () => {
    await kernel.execute('const forgotten = 1;');
    await kernel.reset();
    const r = await kernel.execute('typeof forgotten');
    expect(plain(r.outputs[0])).toBe("'undefined'");
    // the helpers are still there after a reset
    expect(plain((await kernel.execute('typeof display')).outputs[0])).toBe("'function'");
  });
});

describe('plot calls as statements', () => {
  it('show the plot where the statement stands, in loops too, but not inside functions or assignments', async () => {
    const r = await kernel.execute(
      [
        'heatmap([[1, 2], [3, 4]]);',
        "console.log('between');",
        'for (const k of [1, 2]) plotLines([k, k + 1]);',
        'const kept = plotLoss([3, 2, 1]);',
        'function later() { bars(["a"], [1]); }',
        'later();',
        "'done'",
      ].join('\n'),
    );
    expect(r.error).toBeUndefined();
    const kinds = r.outputs.map((o) => (o.type === 'display' ? Object.keys(o.data).find((m) => m.startsWith('application/vnd.rnn-lab')) : o.type));
    expect(kinds).toEqual(['application/vnd.rnn-lab.heatmap+json', 'stream', 'application/vnd.rnn-lab.lines+json', 'application/vnd.rnn-lab.lines+json', 'result']);
  });
});

describe("fit()'s result", () => {
  it('shows as a summary over its loss curve, the whole result one click away as JSON', async () => {
    const r = await kernel.execute(
      "import { Linear, tensor, fit } from 'rnn-lab';\nawait fit(new Linear(2, 1), { x: tensor([[1, 2], [3, 4]]), y: tensor([[1], [2]]) }, { maxSteps: 30, batchSize: 2, loss: 'mse', display: false }).done",
    );
    const result = r.outputs.find((o) => o.type === 'result');
    expect(result && 'data' in result ? Object.keys(result.data).sort() : []).toEqual(['application/json', 'application/vnd.rnn-lab.lines+json', 'image/svg+xml', 'text/plain']);
    const text = result && 'data' in result ? String(result.data['text/plain']) : '';
    expect(text).toMatch(/^FitResult: Trained 30 steps/);
    expect(text.split('\n').length).toBeLessThan(6);
    expect((result as { data: Record<string, { losses: number[] }> }).data['application/json']!.losses).toHaveLength(30);
  });
});

describe('output order', () => {
  it('streams stdout and stderr in order with displays', async () => {
    const r = await kernel.execute([
      "console.log('one');",
      "console.error('two');",
      "display(markdown('**three**'));",
      "process.stdout.write('four\\n');",
      "console.log('five');",
      "'six'",
    ].join('\n'));
    // Stream text may arrive in any chunking; what matters is the order.
    expect(mergeStreams(r.outputs)).toEqual(['stdout:one\n', 'stderr:two\n', 'display:**three**', 'stdout:four\nfive\n', "result:'six'"]);
  });

  it('sends output while a synchronous loop is still running', async () => {
    // The cell spins synchronously until the test has seen 'early' (the test then creates a
    // file); had the output been held back until the cell ended, the cell would give up instead.
    const flag = path.join(mkdtempSync(path.join(tmpdir(), 'rnn-lab-flag-')), 'seen');
    const stop = kernel.onOutput(({ output }) => {
      if (output.type === 'stream' && output.text.includes('early')) writeFileSync(flag, '');
    });
    const r = await kernel.execute(
      `import { existsSync } from 'node:fs';\nconsole.log('early');\nconst giveUp = Date.now() + 30_000;\nwhile (!existsSync(${JSON.stringify(flag)}) && Date.now() < giveUp) {}\nconsole.log(existsSync(${JSON.stringify(flag)}) ? 'seen' : 'gave up');`,
    );
    stop();
    expect(r.outputs.map((o) => (o.type === 'stream' ? o.text : o.type)).join('')).toBe('early\nseen\n');
  });
});

describe('imports', () => {
  it("gives the engine for 'rnn-lab', the same module in every cell", async () => {
    await kernel.execute("import { Tensor, tensor } from 'rnn-lab';\nconst t1 = tensor([1, 2, 3]);");
    const r = await kernel.execute("import * as rnn from 'rnn-lab';\nt1 instanceof rnn.Tensor && rnn.Tensor === Tensor");
    expect(plain(r.outputs[0])).toBe('true');
  });

  it('shows a module with its layers, parameter shapes and count, and a tensor with its values', async () => {
    const r = await kernel.execute("import { LSTM, tensor } from 'rnn-lab';\nnew LSTM(2, 3)");
    expect(plain(r.outputs[0])).toBe(
      'LSTM(2, 3)\n\nparameters:\n  weight_ih_l0  (12, 2)\n  weight_hh_l0  (12, 3)\n  bias_ih_l0    (12,)\n  bias_hh_l0    (12,)\n84 parameters',
    );
    expect(r.outputs[0]).toMatchObject({ data: { 'application/vnd.rnn-lab.module+json': { className: 'LSTM', parameterCount: 84 } } });
    const t = await kernel.execute('tensor([[1, 2], [3, 4]])');
    expect(t.outputs[0]).toMatchObject({
      data: { 'application/vnd.rnn-lab.tensor+json': { shape: [2, 2], preview: [1, 2, 3, 4], stats: { mean: 2.5, min: 1, max: 4 } } },
    });
    expect(plain(t.outputs[0])).toContain('shape=(2,2)');
  });

  it('imports Node built-ins and packages from the notebook folder, and import()', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'rnn-lab-nb-'));
    mkdirSync(path.join(folder, 'node_modules', 'tiny-pkg'), { recursive: true });
    writeFileSync(path.join(folder, 'node_modules', 'tiny-pkg', 'package.json'), '{"name":"tiny-pkg","main":"index.js"}');
    writeFileSync(path.join(folder, 'node_modules', 'tiny-pkg', 'index.js'), 'exports.answer = 42; exports.default = "d";');
    mkdirSync(path.join(folder, 'node_modules', 'esm-pkg'), { recursive: true });
    writeFileSync(path.join(folder, 'node_modules', 'esm-pkg', 'package.json'), '{"name":"esm-pkg","type":"module","exports":{"import":"./index.js"}}');
    writeFileSync(path.join(folder, 'node_modules', 'esm-pkg', 'index.js'), 'export const kind = "esm";');
    const r = await kernel.execute(
      "import * as path from 'node:path';\nimport { answer } from 'tiny-pkg';\nimport { kind } from 'esm-pkg';\nconst dyn = await import('tiny-pkg');\n[path.basename('/a/b.txt'), answer, kind, dyn.answer]",
      { cwd: folder },
    );
    expect(r.status).toBe('ok');
    expect(plain(r.outputs[0])).toBe("[ 'b.txt', 42, 'esm', 42 ]");
  });

  it('gives import.meta as the notebook folder', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'rnn-lab-meta-'));
    const r = await kernel.execute('[import.meta.dirname, new URL("data.txt", import.meta.url).pathname]', { cwd: folder });
    expect(plain(r.outputs[0])).toBe(`[ '${folder}', '${path.join(folder, 'data.txt')}' ]`);
  });

  it('names the line of an import that cannot be found', async () => {
    const r = await kernel.execute("const before = 1;\nimport { x } from 'no-such-package-here';");
    expect(r.status).toBe('error');
    expect(r.error?.line).toBe(2);
    expect(r.error?.message).toContain("no-such-package-here");
  });
});

describe('errors', () => {
  it('maps a runtime error to the cell and line the person wrote, through functions of earlier cells', async () => {
    await kernel.execute('// helper cell\n\nfunction explode(why: string): never {\n  throw new RangeError(`bad: ${why}`);\n}', { cellLabel: 'cell A' });
    const r = await kernel.execute('const ok = 1;\n\n\nexplode("why");', { cellLabel: 'cell B' });
    expect(r.status).toBe('error');
    // The column is the call's: V8 reports it at the argument list of `explode("why")`.
    expect(r.error).toMatchObject({ name: 'RangeError', message: 'bad: why', line: 4, column: 8 });
    const frames = r.error!.stack.split('\n').slice(1);
    expect(frames[0]).toContain('explode (cell A:4:');
    expect(frames[1]).toContain('cell B:4:8');
    expect(r.error!.stack).not.toContain('kernel/runtime');
    expect(r.outputs.at(-1)).toEqual({ type: 'error', error: r.error });
  });

  it('maps engine frames to the engine sources, folded into one line under the cell frame', async () => {
    const r = await kernel.execute("import { tensor } from 'rnn-lab';\ntensor([1, 2, 3]).matmul(tensor([[1, 2]]));");
    expect(r.error?.line).toBe(2);
    const frames = r.error!.stack.split('\n').slice(1);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/^ {4}at rnn-lab: (\w+ ← )*Tensor\.matmul \(kernel\/engine\/[\w/]+\.ts:\d+\)$/);
    expect(frames[1]).toMatch(/cell \d+:2:/);
  });

  it('says where a TypeScript syntax error is', async () => {
    const r = await kernel.execute('const fine = 1;\nconst broken: number = ;\n', { cellLabel: 'cell S' });
    expect(r.status).toBe('error');
    expect(r.error).toMatchObject({ name: 'SyntaxError', line: 2, column: 24 });
    expect(r.error?.message).toContain('cell S:2:24');
    expect(r.error?.stack).toContain('const broken: number = ;');
  });

  it('keeps variables assigned before an error', async () => {
    await kernel.execute("const kept = 'yes';\nthrow new Error('after');");
    expect(plain((await kernel.execute('kept')).outputs[0])).toBe("'yes'");
  });

  it('reports a throw of a non-Error value', async () => {
    const r = await kernel.execute("throw 'plain string';");
    expect(r.error).toMatchObject({ name: 'Error', message: 'Uncaught plain string' });
  });

  it('sends an error from a timer the cell left behind to that cell', async () => {
    const r = await kernel.execute("setTimeout(() => { throw new Error('later'); }, 1);\nawait new Promise((resolve) => setTimeout(resolve, 30));");
    expect(r.outputs.some((o) => o.type === 'error' && o.error.message === 'later')).toBe(true);
  });
});
