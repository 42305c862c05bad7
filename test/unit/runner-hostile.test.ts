// The headless runner against hostile notebooks and a misbehaving kernel: an execute request the
// kernel rejects is that cell's failure (both files still written), a crash of the run still
// writes what was collected, a notebook too deep to write is refused when read (and one that
// cannot be serialized after the run loses only that file), a UTF-8 BOM is accepted, and an
// error the kernel reports for a cell that ended 'ok' fails it. The CLI cases run the built CLI
// and kernel; the others run runNotebook with a stand-in around the real kernel (npm run build first).
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { KernelProcess, type KernelProcessOptions } from '../../kernel/runner/kernelProcess';
import { runNotebook, type RunOptions, type RunSummary } from '../../kernel/runner/runNotebook';
import { NotebookFormatError, parseNotebook } from '../../kernel/runner/notebook';
import { ListJobsRequest, type CellOutput, type ExecuteParams, type ExecuteResult, type OutputParams } from '../../kernel/protocol';
import { runRnnLab, type CliResult } from './cli-helpers';

const root = path.resolve(__dirname, '../..');
const kernelPath = path.join(root, 'dist/kernel.js');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rnn-lab-hostile-'));
});

async function rnnLab(...args: string[]): Promise<CliResult> {
  return runRnnLab(work, args);
}

/** The text of a notebook of code cells (ids c1, c2, …); `metadataJson` is the notebook metadata's JSON text. */
function notebookText(sources: string[], metadataJson = '{}'): string {
  const cells = sources.map((source, i) => ({ cell_type: 'code', id: `c${i + 1}`, metadata: {}, source, execution_count: null, outputs: [] }));
  return `{"nbformat":4,"nbformat_minor":5,"metadata":${metadataJson},"cells":${JSON.stringify(cells)}}`;
}

function writeNotebook(name: string, sources: string[]): string {
  writeFileSync(path.join(work, name), notebookText(sources));
  return name;
}

interface WrittenNotebook {
  cells: { execution_count?: number | null; outputs?: { output_type: string; ename?: string; evalue?: string; text?: string | string[] }[] }[];
}

const readWritten = (file: string): WrittenNotebook => JSON.parse(readFileSync(path.join(work, file), 'utf8')) as WrittenNotebook;
const text = (value: unknown): string => (Array.isArray(value) ? value.join('') : String(value));

/** `{ a: { a: … } }`, `depth` objects deep, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

/** The JSON text of nested(depth) (JSON.stringify would overflow the stack). */
const nestedJson = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

const REJECT = '// stand-in: reject';
const DEEP_DISPLAY = '// stand-in: deep display';
const ERROR_THEN_OK = '// stand-in: error, then ok';

/**
 * The real kernel, except for cells marked above: a request the kernel rejects (as
 * vscode-jsonrpc reports a handler that threw), a display nested far too deep to serialize, an
 * error output followed by status 'ok'. `failListJobsAfter` rejects the jobs list after that many.
 */
class StandInKernel extends KernelProcess {
  private readonly listeners: ((params: OutputParams) => void)[] = [];
  private listJobsCalls = 0;

  constructor(
    options: KernelProcessOptions,
    private readonly failListJobsAfter = Infinity,
  ) {
    super(options);
  }

  override onOutput(listener: (params: OutputParams) => void): () => void {
    this.listeners.push(listener);
    return super.onOutput(listener);
  }

  override async request<T>(method: string, params: unknown): Promise<T> {
    if (method === ListJobsRequest && ++this.listJobsCalls > this.failListJobsAfter) throw new Error('stand-in: listJobs broke');
    return super.request<T>(method, params);
  }

  override async execute(code: string, options: Partial<Omit<ExecuteParams, 'code'>> = {}): Promise<ExecuteResult & { executionId: string; outputs: CellOutput[] }> {
    const executionId = options.executionId ?? 'stand-in';
    const emit = (output: CellOutput): void => this.listeners.forEach((listener) => listener({ executionId, output }));
    const ok = { status: 'ok' as const, durationMs: 1, executionId, outputs: [] };
    if (code.startsWith(REJECT)) throw new ResponseError(-32603, 'Request rnnLab/execute failed with message: t');
    if (code.startsWith(DEEP_DISPLAY)) {
      emit({ type: 'display', data: { 'application/vnd.hostile+json': nested(200_000), 'text/plain': 'deep' } });
      return ok;
    }
    if (code.startsWith(ERROR_THEN_OK)) {
      emit({ type: 'error', error: { name: 'TypeError', message: 'Do not know how to serialize a BigInt', stack: 'TypeError: Do not know how to serialize a BigInt' } });
      return ok;
    }
    return super.execute(code, options);
  }
}

/** runNotebook on `sources` with the stand-in kernel; the files are <name>.out.ipynb and <name>.html. */
function runWithStandIn(name: string, sources: string[], extra: Partial<RunOptions> & { failListJobsAfter?: number } = {}): Promise<RunSummary> {
  const { failListJobsAfter, ...options } = extra;
  const lines: string[] = [];
  return runNotebook({
    notebookPath: path.join(work, writeNotebook(`${name}.ipynb`, sources)),
    outPath: path.join(work, `${name}.out.ipynb`),
    htmlPath: path.join(work, `${name}.html`),
    kernelPath,
    plotlySource: () => Promise.resolve('/* plotly stand-in */'),
    log: (line) => lines.push(line),
    createKernel: (kernelOptions) => new StandInKernel(kernelOptions, failListJobsAfter),
    ...options,
  });
}

describe('a rejected execute request', () => {
  it('is the failing cell (named, with the rejection): the run stops there, exit 1, both files written (CLI)', async () => {
    const name = writeNotebook('proxy.ipynb', ['1 + 1', "throw new Proxy({}, { getPrototypeOf() { throw new Error('t') } })", "console.log('after')"]);
    const r = await rnnLab('run', name, '--out', 'proxy.out.ipynb', '--html', 'proxy.html');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/^rnn-lab: /m);
    expect(r.stderr).toMatch(/proxy\.ipynb: cell 2: /);
    const written = readWritten('proxy.out.ipynb');
    expect(written.cells[1]!.outputs!.some((o) => o.output_type === 'error')).toBe(true);
    expect(written.cells[2]!.execution_count).toBeNull();
    expect(existsSync(path.join(work, 'proxy.html'))).toBe(true);
  });

  it('with --allow-errors the cells after it still run (CLI)', async () => {
    const name = writeNotebook('proxy-go-on.ipynb', [
      "throw new Proxy({}, { getPrototypeOf() { throw new Error('t') } })",
      "const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('m') } }); throw e",
      "console.log('after')",
    ]);
    const r = await rnnLab('run', name, '--out', 'proxy-go-on.out.ipynb', '--html', 'proxy-go-on.html', '--allow-errors');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/proxy-go-on\.ipynb: cell 1: /);
    expect(r.stderr).toMatch(/proxy-go-on\.ipynb: cell 2: /);
    const written = readWritten('proxy-go-on.out.ipynb');
    expect(text(written.cells[2]!.outputs![0]!.text)).toBe('after\n');
    expect(existsSync(path.join(work, 'proxy-go-on.html'))).toBe(true);
  });

  it('from a stand-in kernel: an error output naming the cell and the rejection, the run stops, both files written', async () => {
    const summary = await runWithStandIn('rejected', ["console.log('one')", `${REJECT}\n1`, "console.log('three')"]);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]!.cell).toBe(2);
    expect(summary.failures[0]!.error.name).toBe('KernelRequestFailed');
    expect(summary.failures[0]!.error.message).toBe('the kernel could not run or report cell 2: Request rnnLab/execute failed with message: t');
    expect(summary.kernelDied).toBe(false);
    const written = readWritten('rejected.out.ipynb');
    expect(text(written.cells[0]!.outputs![0]!.text)).toBe('one\n');
    expect(written.cells[1]!.outputs).toEqual([expect.objectContaining({ output_type: 'error', ename: 'KernelRequestFailed', evalue: expect.stringContaining('cell 2') })]);
    expect(written.cells[2]!.execution_count).toBeNull();
    expect(readFileSync(path.join(work, 'rejected.html'), 'utf8')).toContain('KernelRequestFailed');
  });

  it('from a stand-in kernel with allowErrors: the later cells run', async () => {
    const summary = await runWithStandIn('rejected-go-on', [`${REJECT}\n1`, "console.log('two')"], { allowErrors: true });
    expect(summary.failures.map((f) => f.cell)).toEqual([1]);
    expect(summary.executed).toBe(2);
    expect(text(readWritten('rejected-go-on.out.ipynb').cells[1]!.outputs![0]!.text)).toBe('two\n');
  });
});

describe('an unexpected exception inside the run', () => {
  it('still writes both files with what was collected, then propagates', async () => {
    const run = runWithStandIn('crash', ["console.log('one')", "console.log('two')"], { failListJobsAfter: 1 });
    await expect(run).rejects.toThrow('stand-in: listJobs broke');
    const written = readWritten('crash.out.ipynb');
    expect(text(written.cells[0]!.outputs![0]!.text)).toBe('one\n');
    expect(readFileSync(path.join(work, 'crash.html'), 'utf8')).toContain('the runner failed: stand-in: listJobs broke');
  });
});

describe('nesting too deep', () => {
  it('a notebook nested 200,000 levels deep is refused when read, naming the file and the part (CLI)', async () => {
    writeFileSync(path.join(work, 'deep.ipynb'), notebookText(['1 + 1'], nestedJson(200_000)));
    const r = await rnnLab('run', 'deep.ipynb', '--out', 'deep.out.ipynb', '--html', 'deep.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deep.ipynb is not a valid nbformat 4 notebook: the notebook metadata is nested more than 1000 levels deep');
    expect(r.stderr).not.toContain('RangeError');
    expect(existsSync(path.join(work, 'deep.out.ipynb'))).toBe(false);
  });

  it('names a cell whose outputs are too deep, and reads a notebook just within the limit', () => {
    const deepOutput = `[{"output_type":"display_data","metadata":{},"data":{"application/json":${nestedJson(5000)}}}]`;
    const deepCell = `{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"source":"","execution_count":null,"outputs":${deepOutput}}]}`;
    expect(() => parseNotebook(deepCell, 'out.ipynb')).toThrow(NotebookFormatError);
    expect(() => parseNotebook(deepCell, 'out.ipynb')).toThrow('out.ipynb is not a valid nbformat 4 notebook: cell 1 "outputs" is nested more than 1000 levels deep');
    // notebook → metadata → …: 1000 levels in all are read, 1001 are not.
    expect(parseNotebook(notebookText([], nestedJson(999)), 'ok.ipynb').cells).toEqual([]);
    expect(() => parseNotebook(notebookText([], nestedJson(1000)), 'no.ipynb')).toThrow(/nested more than 1000/);
  });

  it('an executed notebook that cannot be serialized loses only --out: the report is written, the reason named', async () => {
    const summary = await runWithStandIn('unwritable', [`${DEEP_DISPLAY}\n1`, "console.log('two')"]);
    expect(summary.failures).toEqual([]);
    expect(summary.unwritten).toEqual([
      { option: '--out', file: path.join(work, 'unwritable.out.ipynb'), problem: expect.stringMatching(/^cell 1 "outputs" is nested too deep to serialize \(Maximum call stack size exceeded\)/) },
    ]);
    expect(existsSync(path.join(work, 'unwritable.out.ipynb'))).toBe(false);
    expect(readFileSync(path.join(work, 'unwritable.html'), 'utf8')).toContain('two');
  });
});

describe('a UTF-8 BOM', () => {
  it('is accepted at the start of a notebook, as Jupyter and VS Code accept it (CLI)', async () => {
    writeFileSync(path.join(work, 'bom.ipynb'), `\uFEFF${notebookText(["console.log('hi')"])}`);
    const r = await rnnLab('run', 'bom.ipynb', '--out', 'bom.out.ipynb', '--html', 'bom.html');
    expect(r.code, r.stderr).toBe(0);
    expect(text(readWritten('bom.out.ipynb').cells[0]!.outputs![0]!.text)).toBe('hi\n');
    expect(readFileSync(path.join(work, 'bom.out.ipynb'), 'utf8').charCodeAt(0)).toBe('{'.charCodeAt(0));
  });
});

describe('an error the kernel reports for a cell that ended ok', () => {
  it('fails the cell (exit 1), names it, and stops the run (CLI)', async () => {
    const name = writeNotebook('async-error.ipynb', ["setTimeout(() => { throw new Error('late') }, 0);\nawait new Promise((resolve) => setTimeout(resolve, 100));", "console.log('after')"]);
    const r = await rnnLab('run', name, '--out', 'async-error.out.ipynb');
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(/async-error\.ipynb: cell 1: Error: late/);
    expect(readWritten('async-error.out.ipynb').cells[1]!.execution_count).toBeNull();
  });

  it('from a stand-in kernel: an output that could not be sent, then status ok, is a failure', async () => {
    const summary = await runWithStandIn('error-ok', [`${ERROR_THEN_OK}\n1`, "console.log('two')"], { allowErrors: true });
    expect(summary.failures).toEqual([{ cell: 1, error: expect.objectContaining({ name: 'TypeError', message: 'Do not know how to serialize a BigInt' }) }]);
    expect(summary.executed).toBe(2);
  });
});
