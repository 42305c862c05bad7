// The plotting and formatting helpers cells call: each returns a RichOutput (shown when it is the
// cell's last expression, or passed to display()). Specs are the types in protocol.ts; each plot
// bundle also carries a static SVG of the plot (svg/) for viewers without our renderer (GitHub,
// JupyterLab) and a text/plain summary for places that cannot draw at all.
import { Tensor } from './engine';
import {
  RnnLabMime,
  type BarChartSpec,
  type HeatmapSpec,
  type LineChartSpec,
  type LineSeries,
  type TableSpec,
} from '../protocol';
import { RichOutput } from './richOutput';
import { withStaticPlot } from '../plots/svg';
import { maxOf } from '../plots/svg/markup';

export interface LineOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
  /** EMA factor in [0,1) for the drawn curve. */
  smoothing?: number;
  /** x values shared by every series given as plain arrays; default 0, 1, 2, … */
  x?: number[];
}

/** One series (an array), several named ones, or full LineSeries objects. */
export type SeriesInput = ArrayLike<number> | Tensor | Record<string, ArrayLike<number> | Tensor> | LineSeries[];

export function plotLoss(loss: SeriesInput, options: LineOptions = {}): RichOutput {
  return lineChart('loss', loss, { xLabel: 'step', yLabel: 'loss', title: 'Loss', ...options }, 'loss');
}

export function plotLines(series: SeriesInput, options: LineOptions = {}): RichOutput {
  return lineChart('lines', series, options, 'y');
}

/** ‖∂L/∂h_t‖ against the time step t: a vanishing gradient shows as a slope on the log axis. */
export function plotGradNorm(norms: SeriesInput, options: LineOptions = {}): RichOutput {
  const defaults: LineOptions = { xLabel: 'time step t', yLabel: '‖∂L/∂h_t‖', title: 'Gradient norm per time step', logY: true };
  return lineChart('gradnorm', norms, { ...defaults, ...options }, 'grad norm');
}

function lineChart(kind: LineChartSpec['kind'], input: SeriesInput, options: LineOptions, defaultName: string): RichOutput {
  const series = toSeries(input, options.x, defaultName);
  const spec: LineChartSpec = { kind, series };
  copyDefined(spec, options, ['title', 'xLabel', 'yLabel', 'logY', 'smoothing']);
  const lines = series.map((s) => `  ${s.name}: ${describeSeries(s.y)}`);
  const text = [`${spec.title ?? kind} (${series.length} series)`, ...lines].join('\n');
  return new RichOutput(withStaticPlot({ [RnnLabMime.lines]: spec, 'text/plain': text }));
}

function toSeries(input: SeriesInput, x: number[] | undefined, defaultName: string): LineSeries[] {
  if (Array.isArray(input) && input.length > 0 && typeof input[0] === 'object' && input[0] !== null && 'y' in input[0]) {
    return (input as LineSeries[]).map((s) => ({ ...s, x: [...s.x], y: [...s.y] }));
  }
  if (input instanceof Tensor || isArrayLike(input)) return [makeSeries(defaultName, toNumbers(input as ArrayLike<number> | Tensor), x)];
  return Object.entries(input as Record<string, ArrayLike<number> | Tensor>).map(([name, values]) => {
    const s = makeSeries(name, toNumbers(values), x);
    // Validation curves are dashed, the way they usually are drawn.
    return /^val|valid|test/i.test(name) ? { ...s, dash: true } : s;
  });
}

function makeSeries(name: string, y: number[], x: number[] | undefined): LineSeries {
  return { name, x: x ? x.slice(0, y.length) : y.map((_, i) => i), y };
}

function describeSeries(y: number[]): string {
  // A loop: Math.min(...values) overflows the stack past ~10⁵ points.
  let at = -1;
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i]!) && (at < 0 || y[i]! < y[at]!)) at = i;
  if (at < 0) return `${y.length} points`;
  return `${y.length} points, last ${format(y[y.length - 1]!)}, min ${format(y[at]!)} at ${at}`;
}

/** The spec's own fields (title, labels, zmin/zmax, scale), and how to lay out z. */
export interface HeatmapOptions extends Partial<Omit<HeatmapSpec, 'kind' | 'z'>> {
  /** Swap rows and columns, e.g. to draw a (T,H) hidden-state tensor as units × time. */
  transpose?: boolean;
}

/** z is (rows, cols): a 2-D array or tensor (leading dimensions of size 1 are dropped). */
export function heatmap(z: number[][] | Tensor, options: HeatmapOptions = {}): RichOutput {
  let rows = z instanceof Tensor ? tensorRows(z) : z.map((row) => Array.from(row, Number));
  if (options.transpose) rows = transpose(rows);
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) for (const v of row) if (Number.isFinite(v)) ((min = Math.min(min, v)), (max = Math.max(max, v)));
  // Default scale: 'diverging' when values are signed, 'sequential' when all are ≥ 0.
  const spec: HeatmapSpec = { kind: 'heatmap', z: rows, scale: options.scale ?? (min < 0 ? 'diverging' : 'sequential') };
  copyDefined(spec, options, ['title', 'xLabels', 'yLabels', 'xLabel', 'yLabel', 'zmin', 'zmax']);
  const size = `${rows.length}×${rows[0]?.length ?? 0}`;
  const text = `${options.title ?? 'heatmap'} ${size}, values in [${format(min)}, ${format(max)}]`;
  return new RichOutput(withStaticPlot({ [RnnLabMime.heatmap]: spec, 'text/plain': text }));
}

function tensorRows(t: Tensor): number[][] {
  const shape = [...t.shape];
  while (shape.length > 2 && shape[0] === 1) shape.shift();
  if (shape.length === 1) shape.unshift(1);
  if (shape.length !== 2) throw new Error(`heatmap: tensor is ${`(${t.shape.join(',')})`} but must be 2-D (rows, cols)`);
  const [r, c] = shape as [number, number];
  return Array.from({ length: r }, (_, i) => Array.from(t.data.subarray(i * c, (i + 1) * c)));
}

function transpose(rows: number[][]): number[][] {
  const cols = rows[0]?.length ?? 0;
  return Array.from({ length: cols }, (_, j) => rows.map((row) => row[j]!));
}

export interface BarOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  stacked?: boolean;
}

export function bars(categories: string[], values: ArrayLike<number> | Record<string, ArrayLike<number>>, options: BarOptions = {}): RichOutput {
  const series = isArrayLike(values)
    ? [{ name: options.yLabel ?? 'value', values: Array.from(values, Number) }]
    : Object.entries(values).map(([name, v]) => ({ name, values: Array.from(v, Number) }));
  const spec: BarChartSpec = { kind: 'bars', categories: [...categories], series };
  copyDefined(spec, options, ['title', 'xLabel', 'yLabel', 'stacked']);
  const rows = categories.map((c, i) => [c, ...series.map((s) => s.values[i] ?? null)]);
  const text = asciiTable(['', ...series.map((s) => s.name)], rows, options.title);
  return new RichOutput(withStaticPlot({ [RnnLabMime.bars]: spec, 'text/plain': text }));
}

export type TableCell = string | number | boolean | null | undefined;

/** rows: objects (columns are their keys) or arrays (then give options.columns). */
export function table(rows: Record<string, TableCell>[] | TableCell[][], options: { columns?: string[]; title?: string } = {}): RichOutput {
  let columns = options.columns;
  let cells: (string | number | null)[][];
  if (rows.length > 0 && !Array.isArray(rows[0])) {
    const records = rows as Record<string, TableCell>[];
    columns ??= [...new Set(records.flatMap((r) => Object.keys(r)))];
    const keys = columns;
    cells = records.map((r) => keys.map((k) => tableCell(r[k])));
  } else {
    cells = (rows as TableCell[][]).map((r) => r.map(tableCell));
    columns ??= (cells[0] ?? []).map((_, i) => `${i}`);
  }
  const spec: TableSpec = { kind: 'table', columns, rows: cells };
  if (options.title !== undefined) spec.title = options.title;
  return new RichOutput({ [RnnLabMime.table]: spec, 'text/plain': asciiTable(columns, cells, options.title) });
}

function tableCell(v: TableCell): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  return String(v);
}

function asciiTable(columns: string[], rows: (string | number | null)[][], title?: string): string {
  const text = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? format(v) : v);
  const grid = [columns, ...rows.map((r) => r.map(text))];
  const widths = columns.map((_, j) => maxOf(grid, (r) => (r[j] ?? '').length));
  const line = (r: string[]) => r.map((v, j) => (v ?? '').padEnd(widths[j]!)).join('  ').trimEnd();
  const body = [line(grid[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...grid.slice(1).map(line)];
  return (title ? [title, ...body] : body).join('\n');
}

export function markdown(text: string): RichOutput {
  return new RichOutput({ 'text/markdown': text, 'text/plain': text });
}

export function html(text: string): RichOutput {
  return new RichOutput({ 'text/html': text, 'text/plain': text.replace(/<[^>]*>/g, '') });
}

function toNumbers(values: ArrayLike<number> | Tensor): number[] {
  const source = values instanceof Tensor ? values.data : values;
  // An array of numbers is copied whole (fast for 10⁶ points); anything else value by value.
  if (Array.isArray(source) && source.every((v) => typeof v === 'number')) return source.slice();
  const out = new Array<number>(source.length);
  for (let i = 0; i < source.length; i++) out[i] = Number(source[i]);
  return out;
}

function isArrayLike(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

function format(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toFixed(4);
}

/** Copies the options that are set (exactOptionalPropertyTypes-friendly, and keeps JSON small). */
function copyDefined<T extends object, K extends keyof T>(target: T, source: Partial<Pick<T, K>>, keys: K[]): void {
  for (const key of keys) if (source[key] !== undefined) target[key] = source[key] as T[K];
}
