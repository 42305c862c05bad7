// The headless runner: `rnn-lab run notebook.ipynb [--out executed.ipynb] [--html report.html]`.
// Runs every cell in the same kernel process the extension uses (dist/kernel.js beside this file).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { transform } from 'esbuild';
import { runNotebook } from './runtime/runner/runNotebook';
import { NotebookFormatError } from './runtime/runner/notebook';

const USAGE = `Usage: rnn-lab run <notebook.ipynb> [--out <executed.ipynb>] [--html <report.html>] [--keep-going]

Runs every code cell of the notebook with the RNN Lab kernel and prints progress per cell.
  --out <file>     write the executed notebook (nbformat 4, with outputs)
  --html <file>    write an HTML report; plots are drawn with plotly.js inlined (opens offline)
  --keep-going     run the remaining cells after one fails
Exit status: 0 when every cell ran, 1 when a cell failed (named with its line), 2 for usage errors.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        html: { type: 'string' },
        'keep-going': { type: 'boolean' },
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
  try {
    const summary = await runNotebook({
      notebookPath,
      kernelPath: path.join(__dirname, 'kernel.js'),
      plotlySource: loadPlotly,
      log: (line) => process.stdout.write(`${line}\n`),
      ...(parsed.values.out ? { outPath: parsed.values.out } : {}),
      ...(parsed.values.html ? { htmlPath: parsed.values.html } : {}),
      ...(parsed.values['keep-going'] ? { keepGoing: true } : {}),
    });
    if (summary.failures.length === 0) return 0;
    for (const f of summary.failures) {
      const where = f.line ? `cell ${f.cell}, line ${f.line}` : `cell ${f.cell}`;
      process.stderr.write(`${notebookPath}: ${where}: ${f.error.name}: ${f.error.message}\n`);
    }
    return 1;
  } catch (error) {
    if (error instanceof NotebookFormatError) {
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
