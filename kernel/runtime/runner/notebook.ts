// Reading a notebook file (nbformat 4) and turning kernel outputs into nbformat outputs.
import { randomUUID } from 'node:crypto';
import type { CellOutput, ErrorInfo, MimeBundle } from '../../protocol';

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

/** Parses and checks the structure the runner relies on; throws NotebookFormatError. */
export function parseNotebook(text: string, file: string): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NotebookFormatError(file, `it is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new NotebookFormatError(file, 'the top level is not an object');
  if (value.nbformat !== 4) throw new NotebookFormatError(file, `nbformat is ${JSON.stringify(value.nbformat)}, expected 4`);
  if (!Array.isArray(value.cells)) throw new NotebookFormatError(file, '"cells" is missing or not an array');
  value.cells.forEach((cell: unknown, i: number) => {
    const where = `cell ${i + 1}`;
    if (!isRecord(cell)) throw new NotebookFormatError(file, `${where} is not an object`);
    if (cell.cell_type !== 'code' && cell.cell_type !== 'markdown' && cell.cell_type !== 'raw') {
      throw new NotebookFormatError(file, `${where} has cell_type ${JSON.stringify(cell.cell_type)}`);
    }
    const source = cell.source;
    const isText = typeof source === 'string' || (Array.isArray(source) && source.every((s) => typeof s === 'string'));
    if (!isText) throw new NotebookFormatError(file, `${where} has no text "source"`);
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

/**
 * Collects one executed notebook: outputs per cell, with updates applied to every earlier display
 * of the same id (displays are replaced in place, as in the notebook UI).
 */
export class OutputCollector {
  private readonly displays = new Map<string, { data: MimeBundle }[]>();

  /** Adds a kernel output to `outputs` (the cell's nbformat output list). */
  add(outputs: NotebookOutput[], output: CellOutput, executionCount: number): void {
    switch (output.type) {
      case 'stream': {
        const last = outputs[outputs.length - 1];
        if (last?.output_type === 'stream' && last.name === output.name) last.text = sourceText(last.text) + output.text;
        else outputs.push({ output_type: 'stream', name: output.name, text: output.text });
        break;
      }
      case 'display': {
        const entry: NotebookOutput = { output_type: 'display_data', data: jsonBundle(output.data), metadata: {} };
        outputs.push(entry);
        if (output.displayId) this.displays.set(output.displayId, [...(this.displays.get(output.displayId) ?? []), entry]);
        break;
      }
      case 'update':
        for (const entry of this.displays.get(output.displayId) ?? []) entry.data = jsonBundle(output.data);
        break;
      case 'result':
        outputs.push({ output_type: 'execute_result', execution_count: executionCount, data: jsonBundle(output.data), metadata: {} });
        break;
      case 'error':
        outputs.push(errorOutput(output.error));
        break;
    }
  }
}

export function errorOutput(error: ErrorInfo): NotebookOutput {
  return { output_type: 'error', ename: error.name, evalue: error.message, traceback: error.stack.split('\n') };
}

/** Text MIME types as multiline strings, JSON types as they are. */
function jsonBundle(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(bundle)) {
    out[mime] = typeof value === 'string' && !/json$/.test(mime) ? toMultiline(value) : value;
  }
  return out;
}

/** The notebook to write: nbformat 4.5 (cell ids), the RNN Lab kernelspec unless one is set. */
export function finishNotebook(notebook: Notebook, cells: NotebookCell[]): Notebook {
  const metadata = { ...notebook.metadata };
  metadata.kernelspec ??= { name: 'rnn-lab', display_name: 'RNN Lab (TypeScript)', language: 'typescript' };
  metadata.language_info ??= { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' };
  const withIds = cells.map((cell) => {
    const id = typeof cell.id === 'string' && /^[a-zA-Z0-9-_]{1,64}$/.test(cell.id) ? cell.id : randomUUID().slice(0, 8);
    return { ...cell, id, metadata: isRecord(cell.metadata) ? cell.metadata : {} };
  });
  return { nbformat: 4, nbformat_minor: Math.max(5, notebook.nbformat_minor ?? 5), metadata, cells: withIds };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
