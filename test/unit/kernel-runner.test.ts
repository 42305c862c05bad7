// The headless runner (`rnn-lab run`): executed notebooks valid against the nbformat 4.5 schema,
// the HTML report, exit status and messages for failing cells, a dying kernel, malformed input;
// and the edges nbconvert and papermill handle: cell timeouts, --allow-errors, signals, output
// files that cannot be written, huge outputs, training still running after the last cell, input
// it must repair, a kernel that breaks the protocol. Runs the built CLI (npm run build first).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { runRnnLab, type CliResult } from './cli-helpers';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/notebooks');
const bin = path.join(root, 'bin/rnn-lab.js');
let validate: ValidateFunction;
let work: string;

async function rnnLab(...args: string[]): Promise<CliResult> {
  return runRnnLab(work, args);
}

interface WatchedRun extends CliResult {
  /** The runner's peak resident memory in MB (VmHWM), or null where /proc is not there. */
  peakRssMb: number | null;
}

/** Runs the CLI as a child this test can signal (`control`) and whose memory it watches. */
function rnnLabWatched(args: string[], control: (child: ReturnType<typeof spawn>, output: () => string) => void = () => undefined): Promise<WatchedRun> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: work });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let peakRssMb: number | null = null;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakRssMb = Math.max(peakRssMb ?? 0, Number(hwm[1]) / 1024);
    } catch {
      // gone, or no /proc
    }
  }, 25);
  control(child, () => stdout);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr, peakRssMb });
    }),
  );
}

/** Writes a notebook of code cells (ids c1, c2, …) into the work folder; returns its name. */
function codeNotebook(name: string, sources: string[], top: Record<string, unknown> = {}): string {
  const cells = sources.map((source, i) => ({ cell_type: 'code', id: `c${i + 1}`, metadata: {}, source, execution_count: null, outputs: [] }));
  writeFileSync(path.join(work, name), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells, ...top }));
  return name;
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether the built kernel bounds its own outputs (kernel/server.ts wraps its transport with boundOutputs). */
const kernelBoundsOutputs = (): boolean => readFileSync(path.join(root, 'dist/kernel.js'), 'utf8').includes('rnn-lab-output-limit-');
/** Whether the built kernel checks the framing of its input (kernel/server.ts reads stdin through guardFraming). */
const kernelGuardsFraming = (): boolean => readFileSync(path.join(root, 'dist/kernel.js'), 'utf8').includes('JSON-RPC protocol error');

interface WrittenOutput {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

interface WrittenNotebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: { id: string; cell_type: string; execution_count?: number | null; outputs?: WrittenOutput[] }[];
}

const readNotebook = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as WrittenNotebook;
const text = (value: unknown): string => (Array.isArray(value) ? value.join('') : String(value));

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

describe('rnn-lab run --timeout and --allow-errors', () => {
  it('interrupts a cell spinning in a synchronous loop, fails it and stops there', async () => {
    const nb = codeNotebook('spin.ipynb', [
      "console.log('first')",
      'for (;;) {}',
      "import { writeFileSync } from 'node:fs';\nwriteFileSync('spin.after', '')",
    ]);
    const r = await rnnLab('run', nb, '--out', 'spin.out.ipynb', '--timeout', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[2\/3\] cell 2 TIMED OUT/);
    expect(r.stderr).toContain('spin.ipynb: cell 2: CellTimeoutError: cell 2 ran longer than 2 s (--timeout 2) and was interrupted');
    const notebook = readNotebook(path.join(work, 'spin.out.ipynb'));
    expect(validate(notebook), JSON.stringify(validate.errors, null, 1)).toBe(true);
    // One error output: the runner's, in place of the kernel's own "Interrupted".
    expect(notebook.cells[1]!.outputs).toEqual([expect.objectContaining({ output_type: 'error', ename: 'CellTimeoutError' })]);
    expect(notebook.cells[2]!.execution_count).toBeNull();
    expect(existsSync(path.join(work, 'spin.after'))).toBe(false);
  });

  it('with --allow-errors goes on after a cell awaiting forever times out (and --keep-going is its alias)', async () => {
    const nb = codeNotebook('await.ipynb', ['await new Promise(() => {})', "console.log('after')"]);
    const r = await rnnLab('run', nb, '--out', 'await.out.ipynb', '--timeout', '2', '--allow-errors');
    expect(r.code).toBe(1);
    const notebook = readNotebook(path.join(work, 'await.out.ipynb'));
    expect(validate(notebook)).toBe(true);
    expect(notebook.cells[0]!.outputs![0]).toMatchObject({ output_type: 'error', ename: 'CellTimeoutError' });
    expect(notebook.cells[1]!.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'after\n' }]);

    const keepGoing = await rnnLab('run', 'failing.ipynb', '--out', 'failing.all.ipynb', '--keep-going');
    expect(keepGoing.code).toBe(1);
    expect(readNotebook(path.join(work, 'failing.all.ipynb')).cells[3]!.execution_count).not.toBeNull();
  });

  it('kills a kernel that does not stop the cell within the grace period after the interrupt, and says so', async () => {
    // A cell blocked in a system call: neither the interrupt nor V8's termination reach it.
    const nb = codeNotebook('blocked.ipynb', ["import { execSync } from 'node:child_process';\nexecSync('sleep 9')", "console.log('never')"]);
    const r = await rnnLab('run', nb, '--out', 'blocked.out.ipynb', '--timeout', '1', '--allow-errors');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cell 1 ran longer than 1 s (--timeout 1); the kernel did not stop it within 5 s of an interrupt and was killed');
    const notebook = readNotebook(path.join(work, 'blocked.out.ipynb'));
    expect(validate(notebook)).toBe(true);
    expect(notebook.cells[1]!.execution_count).toBeNull();
  });

  it('rejects a timeout that is not a positive number', async () => {
    const r = await rnnLab('run', 'demo.ipynb', '--timeout', 'soon');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout "soon": expected a number of seconds greater than 0');
  });
});

describe('rnn-lab run and signals', () => {
  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`on ${signal} writes what ran with the running cell marked, stops the kernel and exits ${status}`, async () => {
      const pidFile = path.join(work, `${signal}.pid`);
      const nb = codeNotebook(`${signal}.ipynb`, [
        `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nconsole.log('started')`,
        "console.log('spinning');\nfor (;;) {}",
        "console.log('never')",
      ]);
      const html = signal === 'SIGTERM' ? ['--html', `${signal}.html`] : [];
      const r = await rnnLabWatched(['run', nb, '--out', `${signal}.out.ipynb`, ...html], (child, output) => {
        void waitFor(() => output().includes('[1/3] cell 1 ok')).then(() => setTimeout(() => child.kill(signal), 300));
      });
      expect(r.code, r.stderr).toBe(status);
      expect(r.stderr).toContain(`received ${signal}`);
      const notebook = readNotebook(path.join(work, `${signal}.out.ipynb`));
      expect(validate(notebook), JSON.stringify(validate.errors, null, 1)).toBe(true);
      expect(notebook.cells[0]!.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'started\n' }]);
      expect(notebook.cells[1]!.outputs).toEqual([
        { output_type: 'stream', name: 'stdout', text: 'spinning\n' },
        { output_type: 'error', ename: 'Interrupted', evalue: `the runner received ${signal}`, traceback: [`Interrupted: the runner received ${signal}`] },
      ]);
      expect(notebook.cells[2]!.execution_count).toBeNull();
      if (html.length > 0) expect(readFileSync(path.join(work, `${signal}.html`), 'utf8')).toContain(`stopped by ${signal}`);
      const kernelPid = Number(readFileSync(pidFile, 'utf8'));
      expect(processExists(kernelPid)).toBe(false);
    });
  }
});

describe('a kernel whose client is gone', () => {
  it('ends within seconds when its client is killed while a cell holds its main thread', async () => {
    const pidFile = path.join(work, 'orphan.pid');
    const nb = codeNotebook('orphan.ipynb', [
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nconsole.log('started')`,
      'for (;;) {}',
    ]);
    // SIGKILL: the runner cannot stop its kernel; the kernel's stdin ends, but its main thread spins.
    const r = await rnnLabWatched(['run', nb], (child, output) => {
      void waitFor(() => output().includes('[1/2] cell 1 ok')).then(() => setTimeout(() => child.kill('SIGKILL'), 500));
    });
    expect(r.code).toBe(-1);
    const kernelPid = Number(readFileSync(pidFile, 'utf8'));
    // An orphan is re-parented to init, which in a container may not reap it: a zombie has ended.
    const running = (): boolean => {
      try {
        return processExists(kernelPid) && !/State:\s+Z/.test(readFileSync(`/proc/${kernelPid}/status`, 'utf8'));
      } catch {
        return false; // gone between the two looks
      }
    };
    await waitFor(() => !running(), 10_000).catch(() => undefined);
    expect(running(), `kernel ${kernelPid} still runs after its runner was killed`).toBe(false);
  });
});

describe('rnn-lab run output files', () => {
  it('fails before the first cell runs when --out or --html cannot be written, naming the path', async () => {
    const nb = codeNotebook('marker.ipynb', ["import { writeFileSync } from 'node:fs';\nwriteFileSync('marker.ran', '')"]);
    writeFileSync(path.join(work, 'a-file'), '');
    mkdirSync(path.join(work, 'a-folder'), { recursive: true });
    const underFile = await rnnLab('run', nb, '--out', 'a-file/x.ipynb');
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toMatch(/--out a-file\/x\.ipynb: cannot create its folder .*a-file \((EEXIST|ENOTDIR)\)/);
    expect(underFile.stderr).toContain('Nothing was run or written.');
    const folder = await rnnLab('run', nb, '--out', 'ok.ipynb', '--html', 'a-folder');
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('--html a-folder: is a directory');
    const same = await rnnLab('run', nb, '--out', 'same.html', '--html', 'same.html');
    expect(same.stderr).toContain('--html same.html: is also the file of --out');
    expect(existsSync(path.join(work, 'marker.ran'))).toBe(false);
    expect(existsSync(path.join(work, 'ok.ipynb'))).toBe(false);
    // A missing folder is created, as when writing.
    const created = await rnnLab('run', nb, '--out', 'new/folder/marker.out.ipynb');
    expect(created.code).toBe(0);
    expect(existsSync(path.join(work, 'new/folder/marker.out.ipynb'))).toBe(true);
  });
});

describe('rnn-lab run bounds outputs', () => {
  it('keeps the first 8 MB of a 100 MB print, says how much was cut, and stays small in memory', async () => {
    const nb = codeNotebook('print.ipynb', ["console.log('x'.repeat(100_000_000))", "console.log('next')"]);
    const r = await rnnLabWatched(['run', nb, '--out', 'print.out.ipynb']);
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(work, 'print.out.ipynb');
    expect(statSync(file).size).toBeLessThan(20_000_000);
    const notebook = readNotebook(file);
    expect(validate(notebook)).toBe(true);
    const [printed, note] = notebook.cells[0]!.outputs!;
    expect(printed).toMatchObject({ output_type: 'stream', name: 'stdout' });
    const kept = text(printed!.text).length;
    expect(kept).toBeGreaterThan(1_000_000);
    expect(text(note!.data!['text/plain'])).toContain(`… output truncated: ${(100_000_001 - kept).toLocaleString('en-US')} more characters of stdout not shown`);
    expect(notebook.cells[1]!.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'next\n' }]);
    if (kernelBoundsOutputs() && r.peakRssMb !== null) expect(r.peakRssMb).toBeLessThan(250);
  });

  it.skipIf(!kernelBoundsOutputs())('accounts for both of two 270 M-character prints (needs the kernel to bound outputs)', async () => {
    const nb = codeNotebook('twice.ipynb', ["const big = 'y'.repeat(270_000_000);\nconsole.log(big);\nconsole.log(big);"]);
    const r = await rnnLab('run', nb, '--out', 'twice.out.ipynb');
    expect(r.code, r.stderr).toBe(0);
    const notebook = readNotebook(path.join(work, 'twice.out.ipynb'));
    expect(validate(notebook)).toBe(true);
    const [printed, note] = notebook.cells[0]!.outputs!;
    const kept = text(printed!.text).length;
    expect(text(note!.data!['text/plain'])).toContain(`${(2 * 270_000_001 - kept).toLocaleString('en-US')} more characters of stdout not shown`);
  });

  it.skipIf(!kernelBoundsOutputs())('shows a 2000×2000 heatmap (75 MB of JSON) as a note naming its size (needs the kernel to bound outputs)', async () => {
    const nb = codeNotebook('heatmap.ipynb', ["heatmap(Array.from({ length: 2000 }, (_, i) => new Array<number>(2000).fill((i % 7) / 7)), { title: 'big' })"]);
    const r = await rnnLabWatched(['run', nb, '--out', 'heatmap.out.ipynb']);
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(work, 'heatmap.out.ipynb');
    expect(statSync(file).size).toBeLessThan(1_000_000);
    const result = readNotebook(file).cells[0]!.outputs![0]!;
    expect(text(result.data!['text/plain'])).toMatch(/^big 2000×2000, values in .*\n… output not shown: its data is about \d+ MB, more than the 32 MB one output may hold/);
    if (r.peakRssMb !== null) expect(r.peakRssMb).toBeLessThan(400);
  });
});

describe('rnn-lab run and training still running after the last cell', () => {
  const setup = [
    "import { Linear, tensor, manualSeed, fit } from 'rnn-lab';",
    'manualSeed(1);',
    'const model = new Linear(4, 1);',
    'const xs = Array.from({ length: 64 }, (_, i) => [0, 1, 2, 3].map((j) => Math.sin(i * 1.7 + j)));',
    'const data = { x: tensor(xs), y: tensor(xs.map((r) => [r[0]! - 2 * r[1]!])) };',
  ].join('\n');
  const start = (epochs: number, checkpoint: string) => `const job = fit(model, data, { epochs: ${epochs}, batchSize: 16, lr: 0.01, loss: 'mse', checkpoint: { path: '${checkpoint}' } });\njob.id`;
  const last = "while (job.summary().step === 0) await new Promise((r) => setTimeout(r, 10));\nconsole.log('last cell')";

  it('waits for the job by default, logs it, notes the outcome on the cell that started it; the final checkpoint is written', async () => {
    const nb = codeNotebook('fit-wait.ipynb', [setup, start(5_000, 'wait.safetensors'), last]);
    const r = await rnnLab('run', nb, '--out', 'fit-wait.out.ipynb');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/job-1 \(training model\) is still training after the last cell \(step \d+\/20000\); waiting for it/);
    const notebook = readNotebook(path.join(work, 'fit-wait.out.ipynb'));
    expect(validate(notebook)).toBe(true);
    const started = notebook.cells[1]!.outputs!.at(-1)!;
    expect(started).toMatchObject({ output_type: 'stream', name: 'stderr' });
    expect(text(started.text)).toMatch(/^rnn-lab run: job-1 \(training model\) was still training after the last cell; the runner waited [\d.]+ s for it: done at step 20000\/20000/);
    expect(existsSync(path.join(work, 'wait.safetensors'))).toBe(true);
  });

  it('with --stop-training stops the job at its next step and still writes its final checkpoint', async () => {
    const nb = codeNotebook('fit-stop.ipynb', [setup, start(10_000_000, 'stop.safetensors'), last]);
    // A job of 10 million steps: without the stop the run outlasts the test's timeout.
    const r = await rnnLab('run', nb, '--out', 'fit-stop.out.ipynb', '--stop-training');
    expect(r.code, r.stderr).toBe(0);
    const notebook = readNotebook(path.join(work, 'fit-stop.out.ipynb'));
    const note = text(notebook.cells[1]!.outputs!.at(-1)!.text);
    expect(note).toMatch(/the runner stopped it \([\d.]+ s\): stopped at step \d+\/40000000/);
    expect(existsSync(path.join(work, 'stop.safetensors'))).toBe(true);
  });

  it('stops a paused job rather than waiting for it forever', async () => {
    const nb = codeNotebook('fit-paused.ipynb', [setup, start(10_000_000, 'paused.safetensors'), `${last}\njob.pause();`]);
    const r = await rnnLab('run', nb, '--out', 'fit-paused.out.ipynb');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('it is paused and would never end: stopping it');
    const note = text(readNotebook(path.join(work, 'fit-paused.out.ipynb')).cells[1]!.outputs!.at(-1)!.text);
    expect(note).toMatch(/it was paused, so it would never end; the runner stopped it \([\d.]+ s\): stopped at step \d+/);
  });
});

describe('rnn-lab run repairs input it cannot keep', () => {
  it('writes a valid notebook for nbformat_minor "five", repeated or invalid cell ids and invalid metadata, and says what it repaired', async () => {
    const nb = 'repair.ipynb';
    writeFileSync(
      path.join(work, nb),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 'five',
        metadata: { kernelspec: 'rnn-lab', title: 3 },
        cells: [
          { cell_type: 'code', id: 'same', metadata: { tags: ['a,b'] }, source: "console.log('one')", outputs: [], execution_count: null },
          { cell_type: 'markdown', id: 'same', metadata: {}, source: '# two', outputs: [] },
          { cell_type: 'code', id: 'no spaces allowed', metadata: { scrolled: 'yes' }, source: "console.log('three')", outputs: [], execution_count: null },
          { cell_type: 'raw', metadata: 'none', source: 'four' },
        ],
      }),
    );
    const r = await rnnLab('run', nb, '--out', 'repair.out.ipynb');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('repair.ipynb: nbformat_minor is "five", not a minor version number; the notebook is written as nbformat 4.5');
    expect(r.stdout).toMatch(/repair\.ipynb: cell 2: id "same" repeats the id of cell 1; it is written with id "[\w-]+"/);
    expect(r.stdout).toMatch(/repair\.ipynb: cell 3: id "no spaces allowed" is not a valid cell id/);
    expect(r.stdout).toContain('repair.ipynb: cell 1: metadata "tags" is ["a,b"], which nbformat does not allow; it is left out');
    const notebook = readNotebook(path.join(work, 'repair.out.ipynb'));
    expect(validate(notebook), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(notebook.nbformat_minor).toBe(5);
    expect(new Set(notebook.cells.map((c) => c.id)).size).toBe(4);
    expect(notebook.cells[0]!.id).toBe('same');
    expect(notebook.metadata.kernelspec).toMatchObject({ name: 'rnn-lab' });
  });
});

describe('a kernel and a runner that break the protocol', () => {
  it('the runner stops a kernel whose message header promises 100 GB, and reports it instead of hanging', async () => {
    const nb = codeNotebook('framing.ipynb', ["import { writeSync } from 'node:fs';\nwriteSync(1, 'Content-Length: 99999999999\\r\\n\\r\\n{');\nawait new Promise((r) => setTimeout(r, 60_000));", "console.log('never')"]);
    // The cell waits 60 s: a runner that waited for the rest of the message would outlast the test's timeout.
    const r = await rnnLab('run', nb, '--out', 'framing.out.ipynb');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('framing.ipynb: cell 1: KernelDied: The kernel was stopped: JSON-RPC protocol error: Content-Length 99999999999 is more than the 268435456 bytes a message may have');
    expect(validate(readNotebook(path.join(work, 'framing.out.ipynb')))).toBe(true);
  });

  it.skipIf(!kernelGuardsFraming())('the kernel exits on a header it cannot accept instead of waiting forever (needs the server.ts wiring)', async () => {
    const kernel = spawn(process.execPath, [path.join(root, 'dist/kernel.js'), '--stdio'], { cwd: work });
    let stderr = '';
    kernel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    kernel.stdin.write('Content-Length: 99999999999\r\n\r\n{"jsonrpc":"2.0"');
    const exit = await Promise.race([
      new Promise<number | null>((resolve) => kernel.on('exit', (code) => resolve(code))),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
    ]);
    if (exit === 'hung') kernel.kill('SIGKILL');
    expect(exit).not.toBe('hung');
    expect(exit).not.toBe(0);
    expect(stderr).toContain('Content-Length 99999999999 is more than the 268435456 bytes a message may have');
  });
});
