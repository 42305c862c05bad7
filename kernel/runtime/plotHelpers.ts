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
import { kindOf } from '../plots/specCheck';

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
  return lineChart('plotLoss', 'loss', loss, { xLabel: 'step', yLabel: 'loss', title: 'Loss', ...checkOptions('plotLoss', options) }, 'loss');
}

export function plotLines(series: SeriesInput, options: LineOptions = {}): RichOutput {
  return lineChart('plotLines', 'lines', series, checkOptions('plotLines', options), 'y');
}

/** ‖∂L/∂h_t‖ against the time step t: a vanishing gradient shows as a slope on the log axis. */
export function plotGradNorm(norms: SeriesInput, options: LineOptions = {}): RichOutput {
  const defaults: LineOptions = { xLabel: 'time step t', yLabel: '‖∂L/∂h_t‖', title: 'Gradient norm per time step', logY: true };
  return lineChart('plotGradNorm', 'gradnorm', norms, { ...defaults, ...checkOptions('plotGradNorm', options) }, 'grad norm');
}

function lineChart(helper: string, kind: LineChartSpec['kind'], input: SeriesInput, options: LineOptions, defaultName: string): RichOutput {
  const x = options.x === undefined ? undefined : toNumbers(options.x, `${helper}: options.x`);
  const series = toSeries(helper, input, x, defaultName);
  const spec: LineChartSpec = { kind, series };
  copyDefined(spec, options, ['title', 'xLabel', 'yLabel', 'logY', 'smoothing']);
  const lines = series.map((s) => `  ${s.name}: ${describeSeries(s.y)}`);
  const text = [`${spec.title ?? kind} (${series.length} series)`, ...lines].join('\n');
  return new RichOutput(withStaticPlot({ [RnnLabMime.lines]: spec, 'text/plain': text }));
}

const SERIES_EXPECTED = 'series (an array of numbers, a tensor, { name: values, … } or [{ name, x, y }, …])';
/** Keys of LineOptions: an object of these given as the series is options in the wrong place. */
const LINE_OPTION_KEYS = ['title', 'xLabel', 'yLabel', 'logY', 'smoothing', 'x'];

function toSeries(helper: string, input: unknown, x: number[] | undefined, defaultName: string): LineSeries[] {
  if (Array.isArray(input) && input.length > 0 && typeof input[0] === 'object' && input[0] !== null && !isArrayLike(input[0]) && !(input[0] instanceof Tensor)) {
    return input.map((s: unknown, i) => fullSeries(helper, s, i));
  }
  if (input instanceof Tensor || isArrayLike(input)) return [makeSeries(defaultName, toNumbers(input, `${helper}: series`), x)];
  if (!isRecord(input) || Object.keys(input).length === 0) throw new TypeError(`${helper}: expected ${SERIES_EXPECTED}, got ${kindOf(input)}`);
  const entries = Object.entries(input);
  if (entries.some(([, values]) => !(values instanceof Tensor) && !isArrayLike(values))) {
    const misplaced = Object.keys(input).some((key) => LINE_OPTION_KEYS.includes(key));
    const hint = misplaced ? `; options go second: ${helper}(values, { title: … })` : '';
    throw new TypeError(`${helper}: expected ${SERIES_EXPECTED}, got ${kindOf(input)}${hint}`);
  }
  return entries.map(([name, values]) => {
    const s = makeSeries(name, toNumbers(values as ArrayLike<unknown> | Tensor, `${helper}: series ${JSON.stringify(name)}`), x);
    // Validation curves are dashed, the way they usually are drawn.
    return /^val|valid|test/i.test(name) ? { ...s, dash: true } : s;
  });
}

/** One { name, x?, y } of a LineSeries[] input; x defaults to 0, 1, 2, … */
function fullSeries(helper: string, s: unknown, i: number): LineSeries {
  if (!isRecord(s) || s.y === undefined) throw new TypeError(`${helper}: expected series[${i}] to be { name, x, y }, got ${kindOf(s)}`);
  const y = toNumbers(s.y, `${helper}: series[${i}].y`);
  const x = s.x === undefined ? y.map((_, j) => j) : toNumbers(s.x, `${helper}: series[${i}].x`);
  const name = s.name === undefined ? `series ${i}` : String(s.name);
  const out: LineSeries = { ...(s as Partial<LineSeries>), name, x, y };
  return out;
}

/** The options argument: an object, or nothing. */
function checkOptions<T extends object>(helper: string, options: T | undefined | null): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${helper}: expected options (an object such as { title: … }), got ${kindOf(options)}`);
  return options;
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
  options = checkOptions('heatmap', options);
  let rows = z instanceof Tensor ? tensorRows(z) : heatmapRows(z);
  if (rows.length === 0 || rows.every((row) => row.length === 0)) {
    throw new RangeError(`heatmap: expected z with at least one value (rows × columns), got ${z instanceof Tensor ? `a tensor of shape (${z.shape.join(', ')})` : kindOf(z)}`);
  }
  if (options.transpose) rows = transpose(rows);
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) for (const v of row) if (Number.isFinite(v)) ((min = Math.min(min, v)), (max = Math.max(max, v)));
  // Default scale: 'diverging' when values are signed, 'sequential' when all are ≥ 0.
  const spec: HeatmapSpec = { kind: 'heatmap', z: rows, scale: options.scale ?? (min < 0 ? 'diverging' : 'sequential') };
  copyDefined(spec, options, ['title', 'xLabels', 'yLabels', 'xLabel', 'yLabel', 'zmin', 'zmax']);
  const size = `${rows.length}×${rows[0]?.length ?? 0}`;
  const range = min <= max ? `values in [${format(min)}, ${format(max)}]` : 'no finite values';
  const text = `${options.title ?? 'heatmap'} ${size}, ${range}`;
  return new RichOutput(withStaticPlot({ [RnnLabMime.heatmap]: spec, 'text/plain': text }));
}

const HEATMAP_EXPECTED = 'z as rows of numbers (a 2-D array such as [[1, 2], [3, 4]]) or a 2-D tensor';

function heatmapRows(z: unknown): number[][] {
  if (!Array.isArray(z)) throw new TypeError(`heatmap: expected ${HEATMAP_EXPECTED}, got ${kindOf(z)}`);
  return z.map((row: unknown, i) => {
    if (!isArrayLike(row)) {
      const hint = typeof row === 'number' ? ' (for one row of values, pass [values])' : '';
      throw new TypeError(`heatmap: expected ${HEATMAP_EXPECTED}, got ${kindOf(row)} as z[${i}]${hint}`);
    }
    return toNumbers(row, `heatmap: z[${i}]`);
  });
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
  options = checkOptions('bars', options);
  if (!isArrayLike(categories)) throw new TypeError(`bars: expected categories (an array of names), got ${kindOf(categories)}`);
  categories = Array.from(categories as ArrayLike<unknown>, String);
  const series = barSeries(values, options.yLabel ?? 'value');
  for (const s of series) {
    if (s.values.length !== categories.length) {
      throw new RangeError(`bars: expected one value per category (${categories.length}), got ${s.values.length} in series ${JSON.stringify(s.name)}`);
    }
  }
  const spec: BarChartSpec = { kind: 'bars', categories: [...categories], series };
  copyDefined(spec, options, ['title', 'xLabel', 'yLabel', 'stacked']);
  const rows = categories.map((c, i) => [c, ...series.map((s) => s.values[i] ?? null)]);
  const text = asciiTable(['', ...series.map((s) => s.name)], rows, options.title);
  return new RichOutput(withStaticPlot({ [RnnLabMime.bars]: spec, 'text/plain': text }));
}

const BARS_EXPECTED = 'values (an array of numbers, or { name: values, … } for several series)';

function barSeries(values: unknown, defaultName: string): { name: string; values: number[] }[] {
  if (isArrayLike(values)) return [{ name: defaultName, values: toNumbers(values, 'bars: values') }];
  if (!isRecord(values) || Object.keys(values).length === 0) throw new TypeError(`bars: expected ${BARS_EXPECTED}, got ${kindOf(values)}`);
  return Object.entries(values).map(([name, v]) => {
    if (!isArrayLike(v) && !(v instanceof Tensor)) throw new TypeError(`bars: expected ${BARS_EXPECTED}, got ${kindOf(v)} as values.${name}`);
    return { name, values: toNumbers(v, `bars: values.${name}`) };
  });
}

export type TableCell = string | number | boolean | null | undefined;

const TABLE_EXPECTED = 'rows (an array of objects, or of arrays with options.columns)';

/** rows: objects (columns are their keys) or arrays (then give options.columns). */
export function table(rows: Record<string, TableCell>[] | TableCell[][], options: { columns?: string[]; title?: string } = {}): RichOutput {
  options = checkOptions('table', options);
  checkTableRows(rows, options.columns);
  let columns = options.columns?.map(String);
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

/** Rows all of one kind (objects, or arrays), and columns an array when given. */
function checkTableRows(rows: unknown, columns: unknown): void {
  if (!Array.isArray(rows)) throw new TypeError(`table: expected ${TABLE_EXPECTED}, got ${kindOf(rows)}`);
  if (columns !== undefined && !Array.isArray(columns)) throw new TypeError(`table: expected options.columns (an array of names), got ${kindOf(columns)}`);
  const ofArrays = Array.isArray(rows[0]);
  rows.forEach((row: unknown, i) => {
    const ok = ofArrays ? Array.isArray(row) : isRecord(row);
    if (!ok) throw new TypeError(`table: expected rows[${i}] to be ${ofArrays ? 'an array, as rows[0] is' : 'an object, as rows[0] is'}, got ${kindOf(row)}`);
  });
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
  checkText('markdown', text);
  return new RichOutput({ 'text/markdown': text, 'text/plain': text });
}

export function html(text: string): RichOutput {
  checkText('html', text);
  return new RichOutput({ 'text/html': text, 'text/plain': htmlText(text) });
}

function checkText(helper: string, text: unknown): void {
  if (typeof text !== 'string') throw new TypeError(`${helper}: expected text (a string), got ${kindOf(text)}`);
}

/** Elements whose content is not text a reader sees: dropped whole from the plain text. */
const HIDDEN_ELEMENTS = 'script|style|template|noscript|iframe|object|textarea|title';
const HIDDEN = new RegExp(`<(${HIDDEN_ELEMENTS})\\b[^]*?(</\\1\\s*>|$)`, 'gi');
/** A tag, its attribute values quoted with either quote (a ">" inside one does not end it). */
const TAG = /<\/?[A-Za-z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*>?/g;
const BLOCK_END = /<\/(p|div|li|tr|h[1-6]|pre|blockquote|table)\s*>|<br\s*\/?>/gi;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The text/plain of html(): what a reader of the markup sees, without tags, comments or script. */
export function htmlText(markup: string): string {
  return markup
    .replace(/<!--[^]*?(-->|$)/g, '')
    .replace(HIDDEN, '')
    .replace(BLOCK_END, '\n')
    .replace(TAG, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => decodeEntity(name) ?? entity)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function decodeEntity(name: string): string | undefined {
  if (name[0] !== '#') return ENTITIES[name.toLowerCase()];
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/**
 * The values as numbers; `what` names the argument in the error a value that is not a number
 * gives ("plotLines: series"). null and undefined are gaps (NaN), bigints are converted.
 */
function toNumbers(values: unknown, what: string): number[] {
  if (!(values instanceof Tensor) && !isArrayLike(values)) throw new TypeError(`${what}: expected an array of numbers, got ${kindOf(values)}`);
  const source: ArrayLike<unknown> = values instanceof Tensor ? values.data : values;
  // An array of numbers is copied whole (fast for 10⁶ points); anything else value by value.
  if (Array.isArray(source) && source.every((v) => typeof v === 'number')) return source.slice() as number[];
  const out = new Array<number>(source.length);
  for (let i = 0; i < source.length; i++) out[i] = toNumber(source[i], what, i);
  return out;
}

function toNumber(v: unknown, what: string, i: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return NaN;
  throw new TypeError(`${what}: expected numbers, got ${kindOf(v)} at [${i}]`);
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !(value instanceof Tensor);
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
