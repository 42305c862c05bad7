// The headless runner: `rnn-lab run notebook.ipynb [--out executed.ipynb] [--html report.html]`.
// Runs every cell in the same kernel process the extension uses (dist/kernel.js beside this file).
import './node/install';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { constants } from 'node:os';
import { transform } from 'esbuild';
import { runNotebook } from './runner/runNotebook';
import { NotebookFormatError } from './runner/notebook';
import { OutputPathError } from './runner/outputFiles';

const USAGE = `Usage: rnn-lab run <notebook.ipynb> [--out <executed.ipynb>] [--html <report.html>]
                   [--timeout <seconds>] [--allow-errors] [--stop-training]

Runs every code cell of the notebook with the RNN Lab kernel and prints progress per cell.
  --out <file>         write the executed notebook (nbformat 4.5, with outputs)
  --html <file>        write an HTML report; plots are drawn with plotly.js inlined (opens offline)
  --timeout <seconds>  interrupt a cell that runs longer, and fail it (CellTimeoutError); a kernel
                       that does not stop the cell within 5 s is killed and the run ends there
  --allow-errors       run the remaining cells after one fails or times out (alias: --keep-going)
  --stop-training      stop fit() jobs still training after the last cell at their next step
                       (default: wait for them); either way a job writes its final checkpoint
                       if fit() was given one, and the cell that started it says how it ended
Both files are checked before the first cell runs. They are written however the run ends: also on
Ctrl-C or SIGTERM, with the running cell marked as interrupted (a second signal exits at once).
Outputs are bounded per cell (the first 8 MB of printed text; displays up to 32 MB each, 64 MB in
all); what is cut is said in the cell.
Exit status: 0 when every cell ran, 1 when a cell failed or timed out (named with its line) or a
training job waited for failed, 2 for usage errors or files that cannot be read or written,
128 + the signal's number when a signal ended the run (130 for SIGINT, 143 for SIGTERM).`;

/** Signals that end a run: the notebook is still written. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        html: { type: 'string' },
        timeout: { type: 'string' },
        'allow-errors': { type: 'boolean' },
        'keep-going': { type: 'boolean' },
        'stop-training': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command, notebookPath, ...extra] = parsed.positionals;
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'run' || !notebookPath || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { timeout } = parsed.values;
  const timeoutSeconds = timeout === undefined ? undefined : Number(timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0 && Number.isFinite(timeoutSeconds))) {
    process.stderr.write(`--timeout ${JSON.stringify(timeout)}: expected a number of seconds greater than 0\n\n${USAGE}\n`);
    return 2;
  }
  const stop = stopOnSignals();
  try {
    const summary = await runNotebook({
      notebookPath,
      kernelPath: path.join(__dirname, 'kernel.js'),
      plotlySource: loadPlotly,
      log: (line) => process.stdout.write(`${line}\n`),
      signal: stop.signal,
      ...(parsed.values.out ? { outPath: parsed.values.out } : {}),
      ...(parsed.values.html ? { htmlPath: parsed.values.html } : {}),
      ...(parsed.values['allow-errors'] || parsed.values['keep-going'] ? { allowErrors: true } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      ...(parsed.values['stop-training'] ? { jobsAtEnd: 'stop' as const } : {}),
    });
    for (const f of summary.failures) {
      const where = f.line ? `cell ${f.cell}, line ${f.line}` : `cell ${f.cell}`;
      process.stderr.write(`${notebookPath}: ${where}: ${f.error.name}: ${f.error.message}\n`);
    }
    for (const u of summary.unwritten) process.stderr.write(`${u.option} ${u.file}: could not be written: ${u.problem}\n`);
    // The promise that both files are written was broken: as for a file found unwritable before the run.
    if (summary.unwritten.length > 0) return 2;
    if (summary.stoppedBy !== undefined) return signalStatus(summary.stoppedBy);
    return summary.failures.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof NotebookFormatError || error instanceof OutputPathError) {
      process.stderr.write(`${error.message}\nNothing was run or written.\n`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      process.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * The first SIGINT/SIGTERM/SIGHUP aborts the run (the notebook is still written); a second one
 * exits at once (the kernel is killed as this process exits, see KernelProcess).
 */
function stopOnSignals(): AbortController {
  const stop = new AbortController();
  for (const name of STOP_SIGNALS) {
    process.on(name, () => {
      if (!stop.signal.aborted) {
        process.stderr.write(`rnn-lab: received ${name}: stopping the kernel and writing what ran (again to exit at once)\n`);
        stop.abort(name);
        return;
      }
      process.stderr.write(`rnn-lab: received ${name} again: exiting without writing\n`);
      process.exit(signalStatus(name));
    });
  }
  return stop;
}

/** The shell's status for a process ended by a signal: 128 + its number. */
function signalStatus(name: string): number {
  return 128 + (constants.signals[name as NodeJS.Signals] ?? 1);
}

/** plotly.js from the installed plotly.js-dist package, minified with esbuild. */
async function loadPlotly(): Promise<string> {
  const require = createRequire(__filename);
  const source = readFileSync(require.resolve('plotly.js-dist'), 'utf8');
  return (await transform(source, { minify: true, legalComments: 'inline' })).code;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`rnn-lab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
