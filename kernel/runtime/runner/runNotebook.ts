// Runs every code cell of a notebook in a fresh kernel process and writes the executed notebook
// and an HTML report. Nothing is written unless the input parsed as a notebook.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../io/atomicWrite';
import * as path from 'node:path';
import { KernelDiedError, KernelProcess } from './kernelProcess';
import { errorOutput, finishNotebook, OutputCollector, parseNotebook, sourceText, type NotebookCell, type NotebookOutput } from './notebook';
import { renderReport } from './htmlReport';
import type { ErrorInfo, OutputParams } from '../../protocol';

export interface RunOptions {
  notebookPath: string;
  outPath?: string;
  htmlPath?: string;
  kernelPath: string;
  /** Returns the minified plotly.js source (only called when an HTML report is asked for). */
  plotlySource: () => Promise<string>;
  /** Keep running the cells after one fails (default: stop, like nbconvert). */
  keepGoing?: boolean;
  log: (line: string) => void;
}

export interface CellFailure {
  /** 1-based index among all cells of the notebook. */
  cell: number;
  line?: number;
  error: ErrorInfo;
}

export interface RunSummary {
  executed: number;
  failures: CellFailure[];
  kernelDied: boolean;
  durationMs: number;
}

export async function runNotebook(options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const file = options.notebookPath;
  const notebook = parseNotebook(readFileSync(file, 'utf8'), file);
  const codeCells = notebook.cells.filter((c) => c.cell_type === 'code').length;
  const kernel = new KernelProcess({ kernelPath: options.kernelPath, cwd: path.dirname(path.resolve(file)) });
  const cells: NotebookCell[] = notebook.cells.map((cell) =>
    cell.cell_type === 'code'
      ? { id: cell.id, cell_type: 'code', metadata: cell.metadata ?? {}, source: cell.source, execution_count: null, outputs: [] }
      : { ...cell, metadata: cell.metadata ?? {} },
  );
  const collector = new OutputCollector();
  const targets = new Map<string, { outputs: NotebookOutput[]; count: number }>();
  kernel.onOutput(({ executionId, output }: OutputParams) => {
    const target = targets.get(executionId);
    if (target) collector.add(target.outputs, output, target.count);
  });
  const summary: RunSummary = { executed: 0, failures: [], kernelDied: false, durationMs: 0 };
  try {
    await kernel.initialize();
    let count = 0;
    for (const [index, cell] of cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      const label = `cell ${index + 1}`;
      count++;
      cell.execution_count = count;
      const outputs = cell.outputs!;
      const executionId = `cell-${index + 1}`;
      targets.set(executionId, { outputs, count });
      const prefix = `[${count}/${codeCells}] ${label}`;
      try {
        const result = await kernel.execute(sourceText(cell.source), { executionId, cellLabel: label, cwd: path.dirname(path.resolve(file)) });
        summary.executed++;
        const seconds = (result.durationMs / 1000).toFixed(2);
        if (result.status === 'ok') {
          options.log(`${prefix} ok (${seconds} s)`);
          continue;
        }
        const error = result.error ?? { name: 'Error', message: result.status, stack: '' };
        summary.failures.push({ cell: index + 1, ...(error.line ? { line: error.line } : {}), error });
        const where = error.line ? `${label}, line ${error.line}` : label;
        options.log(`${prefix} FAILED (${seconds} s)\n  ${where}: ${error.name}: ${error.message}`);
      } catch (error) {
        if (!(error instanceof KernelDiedError)) throw error;
        summary.kernelDied = true;
        const info: ErrorInfo = { name: 'KernelDied', message: error.message, stack: `KernelDied: ${error.message}` };
        outputs.push(errorOutput(info));
        summary.failures.push({ cell: index + 1, error: info });
        options.log(`${prefix} FAILED\n  ${label}: ${error.message}`);
        break;
      }
      if (!options.keepGoing) break;
    }
  } finally {
    await kernel.dispose();
  }
  summary.durationMs = performance.now() - started;
  const executed = finishNotebook(notebook, cells);
  if (options.outPath) {
    writeFileAtomic(options.outPath, `${JSON.stringify(executed, null, 1)}\n`);
    options.log(`wrote ${options.outPath}`);
  }
  if (options.htmlPath) {
    const failed = summary.failures.length;
    const text = `${codeCells} code cells, ${summary.executed} run${failed ? `, ${failed} failed` : ''}${summary.kernelDied ? ' (the kernel died)' : ''}, ${(summary.durationMs / 1000).toFixed(1)} s`;
    const title = path.basename(file);
    writeFileAtomic(options.htmlPath, renderReport(executed, { title, summary: text, plotlySource: await options.plotlySource() }));
    options.log(`wrote ${options.htmlPath}`);
  }
  return summary;
}
