// Reading a notebook file for the runner (nbformat 4, read and checked by kernel/nbformat.ts; what
// the written notebook could not keep is repaired) and turning kernel outputs into nbformat outputs
// that validate against nbformat 4.5.
import { randomUUID } from 'node:crypto';
import type { CellOutput, MimeBundle } from '../protocol';
import {
  errorOutput,
  isJsonMime,
  isMultiline,
  isRecord,
  NotebookFormatError,
  readNotebook,
  sourceText,
  toNbformatBundle,
  type Notebook,
  type NotebookCell,
  type NotebookOutput,
} from '../nbformat';

export { errorOutput, NotebookFormatError, sourceText, toMultiline } from '../nbformat';
export type { MultilineString, Notebook, NotebookCell, NotebookOutput } from '../nbformat';

/**
 * Parses and checks the structure the runner relies on; throws NotebookFormatError. Values the
 * written notebook could not keep as they are (an nbformat_minor that is not a number, repeated
 * cell ids, metadata of the wrong type) are repaired as nbformat's own validator repairs them, and
 * each repair is told to `repaired` in words that name the cell.
 */
export function parseNotebook(text: string, file: string, repaired: (what: string) => void = () => undefined): Notebook {
  // Jupyter (Python's json with utf-8-sig) and VS Code read a file that starts with a UTF-8 BOM.
  const notebook = readNotebook(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file);
  const deep = nestedTooDeep(notebook);
  if (deep !== null) throw new NotebookFormatError(file, `${deep} is nested more than ${MAX_NESTING} levels deep (Jupyter cannot read it either)`);
  return repairNotebook(notebook, repaired);
}

/**
 * The deepest nesting of arrays and objects a notebook may have. Jupyter's reader (Python's json)
 * stops near 1000 levels (the recursion limit); far deeper, JSON.stringify overflows the stack,
 * which would lose the executed notebook after the whole run.
 */
export const MAX_NESTING = 1000;

/**
 * Where `notebook` nests arrays and objects more than `limit` levels deep ('the notebook metadata',
 * 'cell 3 "outputs"'), or null. Iterative: the value may be far too deep for recursion.
 */
export function nestedTooDeep(notebook: Notebook, limit = MAX_NESTING): string | null {
  for (const [key, value] of Object.entries(notebook)) {
    if (key === 'cells' && Array.isArray(value)) {
      for (const [i, cell] of (value as unknown[]).entries()) {
        if (!isRecord(cell)) continue;
        for (const [field, part] of Object.entries(cell)) if (depthExceeds(part, limit - 3)) return `cell ${i + 1} "${field}"`;
      }
    } else if (depthExceeds(value, limit - 1)) {
      return key === 'metadata' ? 'the notebook metadata' : `"${key}"`;
    }
  }
  return null;
}

/** Whether arrays and objects nest more than `limit` levels deep in `value` (a plain JSON value). */
function depthExceeds(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    const children: readonly unknown[] = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
  return false;
}

/** Fixes what nbformat 4.5's schema would reject in the notebook to write (see parseNotebook). */
function repairNotebook(notebook: Notebook, repaired: (what: string) => void): Notebook {
  const minor: unknown = notebook.nbformat_minor;
  if (minor !== undefined && !(Number.isInteger(minor) && (minor as number) >= 0)) {
    repaired(`nbformat_minor is ${JSON.stringify(minor)}, not a minor version number; the notebook is written as nbformat 4.5`);
    notebook.nbformat_minor = 5;
  }
  const metadata: Record<string, unknown> = { ...(notebook.metadata ?? {}) };
  for (const [key, valid] of Object.entries(NOTEBOOK_METADATA)) {
    if (metadata[key] !== undefined && !valid(metadata[key])) {
      repaired(`notebook metadata "${key}" is ${describe(metadata[key])}, which nbformat does not allow; it is left out`);
      delete metadata[key];
    }
  }
  notebook.metadata = metadata;
  const taken = new Map<string, number>();
  notebook.cells.forEach((cell, i) => {
    const where = `cell ${i + 1}`;
    if (!isRecord(cell.metadata)) {
      if (cell.metadata !== undefined) repaired(`${where}: metadata is ${describe(cell.metadata)}, not an object; it is left out`);
      cell.metadata = {};
    }
    for (const [key, valid] of Object.entries(CELL_METADATA[cell.cell_type])) {
      if (cell.metadata[key] !== undefined && !valid(cell.metadata[key])) {
        repaired(`${where}: metadata "${key}" is ${describe(cell.metadata[key])}, which nbformat does not allow; it is left out`);
        cell.metadata = { ...cell.metadata };
        delete cell.metadata[key];
      }
    }
    if (cell.attachments !== undefined && !isAttachments(cell.attachments)) {
      repaired(`${where}: "attachments" is not a map of MIME bundles; it is left out`);
      delete cell.attachments;
    }
    const id: unknown = cell.id;
    const clash = typeof id === 'string' ? taken.get(id) : undefined;
    if (typeof id === 'string' && isCellId(id) && clash === undefined) {
      taken.set(id, i + 1);
      return;
    }
    const fresh = newCellId(taken);
    taken.set(fresh, i + 1);
    cell.id = fresh;
    if (clash !== undefined) repaired(`${where}: id ${JSON.stringify(id)} repeats the id of cell ${clash}; it is written with id "${fresh}"`);
    else if (id !== undefined) repaired(`${where}: id ${describe(id)} is not a valid cell id; it is written with id "${fresh}"`);
  });
  return notebook;
}

/** Notebook metadata the nbformat 4.5 schema constrains, with what it accepts. */
const NOTEBOOK_METADATA: Record<string, (v: unknown) => boolean> = {
  kernelspec: (v) => isRecord(v) && typeof v.name === 'string' && typeof v.display_name === 'string',
  language_info: (v) =>
    isRecord(v) &&
    typeof v.name === 'string' &&
    ['file_extension', 'mimetype', 'pygments_lexer'].every((k) => v[k] === undefined || typeof v[k] === 'string') &&
    (v.codemirror_mode === undefined || typeof v.codemirror_mode === 'string' || isRecord(v.codemirror_mode)),
  orig_nbformat: (v) => Number.isInteger(v) && (v as number) >= 1,
  title: (v) => typeof v === 'string',
  authors: (v) => Array.isArray(v),
};

/** Cell metadata the schema constrains, with what it accepts, by cell type. */
const COMMON_CELL_METADATA: Record<string, (v: unknown) => boolean> = {
  name: (v) => typeof v === 'string' && /^.+$/.test(v),
  tags: (v) => Array.isArray(v) && v.every((t) => typeof t === 'string' && /^[^,]+$/.test(t)) && new Set(v).size === v.length,
  jupyter: isRecord,
};
const CELL_METADATA: Record<NotebookCell['cell_type'], Record<string, (v: unknown) => boolean>> = {
  code: {
    ...COMMON_CELL_METADATA,
    execution: (v) => isRecord(v) && Object.values(v).every((t) => typeof t === 'string'),
    collapsed: (v) => typeof v === 'boolean',
    scrolled: (v) => v === true || v === false || v === 'auto',
  },
  markdown: COMMON_CELL_METADATA,
  raw: { ...COMMON_CELL_METADATA, format: (v) => typeof v === 'string' },
};

const isCellId = (id: string): boolean => /^[a-zA-Z0-9-_]{1,64}$/.test(id);

function newCellId(taken: ReadonlyMap<string, number>): string {
  for (;;) {
    const id = randomUUID().slice(0, 8);
    if (!taken.has(id)) return id;
  }
}

function isAttachments(value: unknown): boolean {
  return isRecord(value) && Object.values(value).every((bundle) => isRecord(bundle) && Object.entries(bundle).every(([mime, v]) => isJsonMime(mime) || isMultiline(v)));
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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
        const entry: NotebookOutput = { output_type: 'display_data', data: toNbformatBundle(output.data), metadata: {} };
        outputs.push(entry);
        if (output.displayId) this.displays.set(output.displayId, [...(this.displays.get(output.displayId) ?? []), entry]);
        break;
      }
      case 'update':
        for (const entry of this.displays.get(output.displayId) ?? []) entry.data = toNbformatBundle(output.data);
        break;
      case 'result':
        outputs.push({ output_type: 'execute_result', execution_count: executionCount, data: toNbformatBundle(output.data), metadata: {} });
        break;
      case 'error':
        outputs.push(errorOutput(output.error));
        break;
    }
  }
}

/**
 * The notebook to write: nbformat 4.5 (unique cell ids), the RNN Lab kernelspec unless one is set,
 * and only the fields the schema allows on each cell.
 */
export function finishNotebook(notebook: Notebook, cells: NotebookCell[]): Notebook {
  const metadata = { ...notebook.metadata };
  metadata.kernelspec ??= { name: 'rnn-lab', display_name: 'RNN Lab (TypeScript)', language: 'typescript' };
  metadata.language_info ??= { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' };
  const taken = new Map<string, number>();
  const written = cells.map((cell, i): NotebookCell => {
    const id = typeof cell.id === 'string' && isCellId(cell.id) && !taken.has(cell.id) ? cell.id : newCellId(taken);
    taken.set(id, i + 1);
    const common = { id, cell_type: cell.cell_type, metadata: isRecord(cell.metadata) ? cell.metadata : {}, source: cell.source };
    if (cell.cell_type === 'code') return { ...common, execution_count: cell.execution_count ?? null, outputs: cell.outputs ?? [] };
    return cell.attachments !== undefined ? { ...common, attachments: cell.attachments } : common;
  });
  const minor = Number.isInteger(notebook.nbformat_minor) ? notebook.nbformat_minor : 5;
  return { nbformat: 4, nbformat_minor: Math.max(5, minor), metadata, cells: written };
}
