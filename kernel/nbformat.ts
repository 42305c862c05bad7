// Jupyter notebook files (nbformat 4): their shapes, reading one with its structure checked, and
// outputs converted between nbformat and the protocol's CellOutput, both ways. Shared by the
// extension (it opens the samples) and the headless runner (it reads and writes notebooks), like
// protocol.ts: types and pure functions only, no 'vscode', no Node.

import type { CellOutput, ErrorInfo, MimeBundle } from './protocol';

/** nbformat's multiline string: one string, or lines that keep their '\n'. */
export type MultilineString = string | string[];

export interface NotebookCell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: NotebookOutput[];
  attachments?: Record<string, unknown>;
}

export type NotebookOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: MultilineString }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; execution_count: number; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** A notebook file that is not a notebook: the message says what and where. */
export class NotebookFormatError extends Error {
  constructor(file: string, problem: string) {
    super(`${file} is not a valid nbformat 4 notebook: ${problem}`);
    this.name = 'NotebookFormatError';
  }
}

export interface ReadOptions {
  /** A file without an "nbformat" field is read as version 4 (else it is refused). */
  assumeVersion4?: boolean;
}

/**
 * Parses a notebook and checks the structure every reader relies on: an object with a "cells"
 * array of code, markdown and raw cells that each have a text source. Throws NotebookFormatError.
 * Other fields are returned as they are in the file (metadata of the wrong type, say): what to do
 * about them is the reader's choice.
 */
export function readNotebook(text: string, file: string, options: ReadOptions = {}): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NotebookFormatError(file, `it is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new NotebookFormatError(file, 'the top level is not an object');
  const versionOk = value.nbformat === 4 || (options.assumeVersion4 === true && value.nbformat === undefined);
  if (!versionOk) throw new NotebookFormatError(file, `nbformat is ${JSON.stringify(value.nbformat)}, expected 4`);
  if (!Array.isArray(value.cells)) throw new NotebookFormatError(file, '"cells" is missing or not an array');
  value.cells.forEach((cell: unknown, i: number) => {
    const where = `cell ${i + 1}`;
    if (!isRecord(cell)) throw new NotebookFormatError(file, `${where} is not an object`);
    if (cell.cell_type !== 'code' && cell.cell_type !== 'markdown' && cell.cell_type !== 'raw') {
      throw new NotebookFormatError(file, `${where} has cell_type ${JSON.stringify(cell.cell_type)}`);
    }
    if (!isMultiline(cell.source)) throw new NotebookFormatError(file, `${where} has no text "source"`);
  });
  if (value.metadata !== undefined && !isRecord(value.metadata)) throw new NotebookFormatError(file, '"metadata" is not an object');
  return value as unknown as Notebook;
}

export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** nbformat's multiline string: lines that keep their '\n'. */
export function toMultiline(text: string): string[] {
  return text.split(/(?<=\n)/);
}

/** The MIME types nbformat stores as JSON values rather than text. */
export function isJsonMime(mime: string): boolean {
  return /^application\/(.*\+)?json$/.test(mime);
}

export function isMultiline(value: unknown): value is MultilineString {
  return typeof value === 'string' || (Array.isArray(value) && value.every((line) => typeof line === 'string'));
}

// ---- outputs: kernel → file ------------------------------------------------------------------

/** Text MIME types as multiline strings (other values as their JSON text), JSON types as they are. */
export function toNbformatBundle(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(bundle)) {
    if (isJsonMime(mime)) out[mime] = value;
    else if (typeof value === 'string') out[mime] = toMultiline(value);
    else out[mime] = isMultiline(value) ? value : (JSON.stringify(value) ?? String(value));
  }
  return out;
}

export function errorOutput(error: ErrorInfo): NotebookOutput {
  return { output_type: 'error', ename: String(error.name), evalue: String(error.message), traceback: String(error.stack).split('\n') };
}

// ---- outputs: file → kernel ------------------------------------------------------------------

/** A bundle as the kernel sends it: text values as one string, JSON values as they are. */
export function fromNbformatBundle(data: unknown): MimeBundle {
  const out: MimeBundle = {};
  if (!isRecord(data)) return out;
  for (const [mime, value] of Object.entries(data)) {
    out[mime] = !isJsonMime(mime) && Array.isArray(value) ? value.join('') : value;
  }
  return out;
}

/** A stored output as the kernel would have sent it; undefined for output types it has no form for. */
export function fromNbformatOutput(raw: unknown): CellOutput | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.output_type) {
    case 'stream':
      return { type: 'stream', name: raw.name === 'stderr' ? 'stderr' : 'stdout', text: isMultiline(raw.text) ? sourceText(raw.text) : '' };
    case 'display_data':
      return { type: 'display', data: fromNbformatBundle(raw.data) };
    case 'execute_result':
      return { type: 'result', data: fromNbformatBundle(raw.data) };
    case 'error': {
      const traceback = Array.isArray(raw.traceback) ? raw.traceback.map(String) : [];
      return { type: 'error', error: { name: typeof raw.ename === 'string' ? raw.ename : 'Error', message: typeof raw.evalue === 'string' ? raw.evalue : '', stack: traceback.join('\n') } };
    }
    default:
      return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
