// The headless runner (`rnn-lab run`): executed notebooks valid against the nbformat 4.5 schema,
// the HTML report, exit status and messages for failing cells, a dying kernel, malformed input.
// Runs the built CLI (npm run build first).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/notebooks');
const bin = path.join(root, 'bin/rnn-lab.js');
let validate: ValidateFunction;
let work: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function rnnLab(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: work });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface WrittenNotebook {
  nbformat: number;
  cells: { cell_type: string; execution_count?: number | null; outputs?: { output_type: string; data?: Record<string, unknown>; text?: string | string[]; ename?: string; evalue?: string; traceback?: string[] }[] }[];
}

const readNotebook = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as WrittenNotebook;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(path.join(fixtures, 'nbformat/nbformat.v4.5.schema.json'), 'utf8')) as object;
  validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  work = mkdtempSync(path.join(tmpdir(), 'rnn-lab-run-'));
  for (const name of ['demo', 'failing', 'exits', 'malformed', 'no-source']) copyFileSync(path.join(fixtures, `${name}.ipynb`), path.join(work, `${name}.ipynb`));
});

describe('rnn-lab run', () => {
  it('runs every cell, prints progress, writes a valid nbformat 4 notebook and an offline HTML report', async () => {
    const r = await rnnLab('run', 'demo.ipynb', '--out', 'demo.out.ipynb', '--html', 'demo.html');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[1\/8\] cell 2 ok/);
    expect(r.stdout).toMatch(/\[8\/8\] cell 9 ok/);
    const notebook = readNotebook(path.join(work, 'demo.out.ipynb'));
    expect(validate(notebook), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const code = notebook.cells.filter((c) => c.cell_type === 'code');
    expect(code.map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The live loss display was updated in place: one display, holding the final (smoothed) curve.
    const training = code[3]!.outputs!;
    expect(training.map((o) => o.output_type)).toEqual(['display_data', 'stream']);
    const curve = training[0]!.data!['application/vnd.rnn-lab.lines+json'] as { smoothing?: number; series: { y: number[] }[] };
    expect(curve.smoothing).toBe(0.6);
    expect(curve.series[0]!.y).toHaveLength(40);
    expect(training[0]!.data!['text/plain']).toBeDefined();
    expect(code[1]!.outputs![0]!.data!['application/vnd.rnn-lab.module+json']).toMatchObject({ className: 'SineModel' });
    expect(code[4]!.outputs![0]!.output_type).toBe('execute_result');

    const html = readFileSync(path.join(work, 'demo.html'), 'utf8');
    // plotly is inside the file (no <script src>), and each plot has its place.
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('Plotly.newPlot');
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(html.match(/class="plot" id="plot-\d+"/g)).toHaveLength(4);
    expect(html).toContain('<strong>Done.</strong>');
    expect(html).toContain('Sine prediction with an LSTM</h1>');
  });

  it('stops at a failing cell, names the cell and line, exits non-zero and still writes the outputs', async () => {
    const r = await rnnLab('run', 'failing.ipynb', '--out', 'failing.out.ipynb', '--html', 'failing.html');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[2\/3\] cell 3 FAILED/);
    expect(r.stderr).toContain('failing.ipynb: cell 3, line 2: Error: b is 2');
    const notebook = readNotebook(path.join(work, 'failing.out.ipynb'));
    expect(validate(notebook), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const failed = notebook.cells[2]!.outputs!.at(-1)!;
    expect(failed).toMatchObject({ output_type: 'error', ename: 'Error', evalue: 'b is 2' });
    expect(failed.traceback!.join('\n')).toContain('cell 3:2:');
    expect(notebook.cells[3]!.execution_count).toBeNull();
    expect(readFileSync(path.join(work, 'failing.html'), 'utf8')).toContain('<pre class="error">');
  });

  it('reports a kernel that exits as dead, with the cell', async () => {
    const r = await rnnLab('run', 'exits.ipynb', '--out', 'exits.out.ipynb');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cell 2: KernelDied: The kernel died \(exit code 3\)/);
    const notebook = readNotebook(path.join(work, 'exits.out.ipynb'));
    expect(validate(notebook)).toBe(true);
    expect(notebook.cells[0]!.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'before exit\n' }]);
    expect(notebook.cells[1]!.outputs![0]).toMatchObject({ output_type: 'error', ename: 'KernelDied' });
  });

  it('explains a malformed notebook and overwrites nothing', async () => {
    writeFileSync(path.join(work, 'keep.ipynb'), 'precious');
    writeFileSync(path.join(work, 'keep.html'), 'precious');
    const r = await rnnLab('run', 'malformed.ipynb', '--out', 'keep.ipynb', '--html', 'keep.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('malformed.ipynb is not a valid nbformat 4 notebook: it is not JSON');
    expect(r.stderr).toContain('Nothing was run or written.');
    expect(readFileSync(path.join(work, 'keep.ipynb'), 'utf8')).toBe('precious');
    expect(readFileSync(path.join(work, 'keep.html'), 'utf8')).toBe('precious');

    const noSource = await rnnLab('run', 'no-source.ipynb', '--out', 'keep.ipynb');
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toContain('cell 1 has no text "source"');
    expect(readFileSync(path.join(work, 'keep.ipynb'), 'utf8')).toBe('precious');
  });

  it('explains usage errors and a missing file', async () => {
    expect((await rnnLab('run')).code).toBe(2);
    const missing = await rnnLab('run', 'nowhere.ipynb', '--out', 'nowhere.out.ipynb');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere.ipynb');
    expect(existsSync(path.join(work, 'nowhere.out.ipynb'))).toBe(false);
  });
});
