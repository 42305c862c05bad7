// Reading .ipynb files (the samples shipped with the extension) into plain cells and outputs, so
// a sample opens as a new untitled notebook instead of the installed file. Pure.

import type { CellOutput, MimeBundle } from '../kernel/protocol';
import type { IpynbTopLevel } from './notebookMetadata';

export interface PlainCell {
  kind: 'code' | 'markdown' | 'raw';
  source: string;
  outputs: CellOutput[];
  executionCount?: number;
}

export interface PlainNotebook {
  cells: PlainCell[];
  /** nbformat, nbformat_minor and metadata, as in the file. */
  topLevel: IpynbTopLevel;
}

type Multiline = string | string[];

interface RawOutput {
  output_type?: string;
  name?: string;
  text?: Multiline;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

interface RawCell {
  cell_type?: string;
  source?: Multiline;
  outputs?: RawOutput[];
  execution_count?: number | null;
}

function joinLines(text: Multiline | undefined): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}

function bundle(data: Record<string, unknown> | undefined): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(data ?? {})) {
    // Jupyter splits text values into lines; JSON values stay as they are.
    out[mime] = Array.isArray(value) && !mime.endsWith('json') ? value.join('') : value;
  }
  return out;
}

function toOutput(raw: RawOutput): CellOutput | undefined {
  switch (raw.output_type) {
    case 'stream':
      return { type: 'stream', name: raw.name === 'stderr' ? 'stderr' : 'stdout', text: joinLines(raw.text) };
    case 'display_data':
      return { type: 'display', data: bundle(raw.data) };
    case 'execute_result':
      return { type: 'result', data: bundle(raw.data) };
    case 'error':
      return { type: 'error', error: { name: raw.ename ?? 'Error', message: raw.evalue ?? '', stack: (raw.traceback ?? []).join('\n') } };
    default:
      return undefined;
  }
}

export function parseIpynb(text: string): PlainNotebook {
  const json = JSON.parse(text) as { cells?: RawCell[] } & IpynbTopLevel;
  if (!Array.isArray(json.cells)) throw new Error('not a Jupyter notebook: no "cells" array');
  const { cells, ...topLevel } = json;
  return {
    topLevel,
    cells: cells.map((c) => ({
      kind: c.cell_type === 'markdown' ? 'markdown' : c.cell_type === 'raw' ? 'raw' : 'code',
      source: joinLines(c.source),
      outputs: c.cell_type === 'code' ? (c.outputs ?? []).map(toOutput).filter((o): o is CellOutput => o !== undefined) : [],
      executionCount: typeof c.execution_count === 'number' ? c.execution_count : undefined,
    })),
  };
}

/** The notebook's title: its first Markdown heading, else the file name without extension. */
export function notebookTitle(nb: PlainNotebook, fileName: string): string {
  for (const cell of nb.cells) {
    if (cell.kind !== 'markdown') continue;
    const heading = /^\s*#+\s+(.+)$/m.exec(cell.source);
    if (heading) return heading[1].trim();
  }
  return fileName.replace(/\.ipynb$/, '');
}
