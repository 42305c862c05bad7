// Reading an executed sample notebook: its outputs by kind and title, as the plot and table
// specs the kernel emitted (application/vnd.rnn-lab.*+json) or their text.
import { readFileSync } from 'node:fs';
import { RnnLabMime, type BarChartSpec, type HeatmapSpec, type LineChartSpec, type TableSpec } from '../../kernel/protocol';

export interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}

export interface NotebookCell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  execution_count?: number | null;
  outputs?: NotebookOutput[];
  metadata: Record<string, unknown>;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

export function readNotebook(file: string): Notebook {
  return JSON.parse(readFileSync(file, 'utf8')) as Notebook;
}

export const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

/** Every output's MIME bundle, in notebook order. */
function bundles(nb: Notebook): Record<string, unknown>[] {
  return nb.cells.flatMap((c) => (c.outputs ?? []).flatMap((o) => (o.data ? [o.data] : [])));
}

function byTitle<T extends { title?: string }>(nb: Notebook, mime: string, titleStart: string): T {
  const specs = bundles(nb).flatMap((b) => (b[mime] ? [b[mime] as T] : []));
  const found = specs.filter((s) => s.title?.startsWith(titleStart));
  if (found.length !== 1) {
    const titles = specs.map((s) => JSON.stringify(s.title)).join(', ');
    throw new Error(`expected one ${mime} output titled "${titleStart}…", found ${found.length} (titles: ${titles})`);
  }
  return found[0]!;
}

export const lineChart = (nb: Notebook, titleStart: string) => byTitle<LineChartSpec>(nb, RnnLabMime.lines, titleStart);
export const tableOutput = (nb: Notebook, titleStart: string) => byTitle<TableSpec>(nb, RnnLabMime.table, titleStart);
export const barChart = (nb: Notebook, titleStart: string) => byTitle<BarChartSpec>(nb, RnnLabMime.bars, titleStart);
export const heatmapOutput = (nb: Notebook, titleStart: string) => byTitle<HeatmapSpec>(nb, RnnLabMime.heatmap, titleStart);

/** y values of a named series (null where the kernel wrote a non-finite number). */
export function series(chart: LineChartSpec, name: string): (number | null)[] {
  const s = chart.series.find((x) => x.name === name);
  if (!s) throw new Error(`"${chart.title}" has no series "${name}" (it has ${chart.series.map((x) => x.name).join(', ')})`);
  return s.y as (number | null)[];
}

/** A table's rows as records of column → value (numbers given as strings are parsed). */
export function rows(spec: TableSpec): Record<string, string | number | null>[] {
  return spec.rows.map((r) => Object.fromEntries(spec.columns.map((c, i) => [c, r[i] ?? null])));
}

export function num(value: string | number | null | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return NaN;
  return Number(value.replace(/[^0-9eE+\-.]/g, ''));
}

/** The text of every markdown output (cells' computed summaries). */
export function markdownOutputs(nb: Notebook): string[] {
  return bundles(nb).flatMap((b) => (b['text/markdown'] !== undefined ? [text(b['text/markdown'] as string | string[])] : []));
}

export function errors(nb: Notebook): string[] {
  return nb.cells.flatMap((c, i) => (c.outputs ?? []).filter((o) => o.output_type === 'error').map((o) => `cell ${i + 1}: ${o.ename}: ${o.evalue}`));
}
