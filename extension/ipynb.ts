// The samples shipped with the extension as plain cells and outputs, so a sample opens as a new
// untitled notebook instead of the installed file. The file is read by kernel/nbformat.ts (the
// runner's reader too); this adds only what opening a sample needs. Pure.

import type { CellOutput } from '../kernel/protocol';
import { fromNbformatOutput, readNotebook, sourceText } from '../kernel/nbformat';
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

export function parseIpynb(text: string, fileName = 'the notebook'): PlainNotebook {
  const { cells, ...topLevel } = readNotebook(text, fileName, { assumeVersion4: true });
  return {
    topLevel: topLevel as IpynbTopLevel,
    cells: cells.map((c) => ({
      kind: c.cell_type,
      source: sourceText(c.source),
      outputs: c.cell_type === 'code' ? (c.outputs ?? []).map(fromNbformatOutput).filter((o): o is CellOutput => o !== undefined) : [],
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
