// Plot specs (kernel/protocol.ts) → plotly figures. Pure: no DOM, no plotly import, so the notebook
// renderer, the dashboard and the headless runner's HTML report (in Node) draw the same figures.
// Tables are not plots: tableHtml() gives them as an HTML string for places without a DOM.
import type { BarChartSpec, HeatmapBand, HeatmapSpec, LineChartSpec, TableSpec } from '../protocol';
import { CHART_COLORS, type PlotTheme } from './theme';

export type PlotSpec = LineChartSpec | HeatmapSpec | BarChartSpec;

/** The parts of a plotly trace these figures use. */
export interface PlotlyTrace {
  type: 'scatter' | 'heatmap' | 'bar';
  name?: string;
  x?: (number | string | null)[];
  y?: (number | string | null)[];
  z?: (number | null)[][];
  mode?: string;
  line?: { dash?: string; width?: number; color?: string };
  opacity?: number;
  showlegend?: boolean;
  hoverinfo?: string;
  hovertemplate?: string;
  /** Per-cell hover text of a heatmap (rows × columns). */
  text?: string[][];
  colorscale?: [number, string][];
  zmin?: number;
  zmax?: number;
  zmid?: number;
  colorbar?: Record<string, unknown>;
  legendgroup?: string;
}

export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
}

export function toPlotlyFigure(spec: PlotSpec, theme: PlotTheme): PlotlyFigure {
  switch (spec.kind) {
    case 'heatmap':
      return heatmapFigure(spec, theme);
    case 'bars':
      return barFigure(spec, theme);
    default:
      return lineFigure(spec, theme);
  }
}

/** Plots outside VS Code (the headless runner's HTML report, the static SVG in every plot output). */
export const LIGHT_THEME: PlotTheme = {
  kind: 'light',
  foreground: '#24292f',
  background: '#ffffff',
  grid: 'rgba(0,0,0,0.1)',
  fontFamily: 'system-ui, -apple-system, Segoe UI, sans-serif',
  fontSize: 12,
  // VS Code's chart colours, so a plot looks alike everywhere.
  colorway: [...CHART_COLORS],
};

/** Plotly config for every figure: no logo, no editing, responsive width. */
export const PLOTLY_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] } as const;

function lineFigure(spec: LineChartSpec, theme: PlotTheme): PlotlyFigure {
  const smoothing = spec.smoothing ?? 0;
  const data: PlotlyTrace[] = [];
  spec.series.forEach((s, i) => {
    const color = theme.colorway[i % theme.colorway.length];
    const y = spec.logY ? s.y.map((v) => (v > 0 ? v : null)) : s.y;
    const line = { dash: s.dash ? 'dash' : 'solid', width: 2, ...(color ? { color } : {}) };
    if (smoothing > 0) {
      // The raw curve stays visible behind the smoothed one, as in TensorBoard.
      data.push({ type: 'scatter', mode: 'lines', name: s.name, x: s.x, y, line: { ...line, width: 1 }, opacity: 0.3, showlegend: false, hoverinfo: 'skip', legendgroup: s.name });
      data.push({ type: 'scatter', mode: s.mode ?? 'lines', name: s.name, x: s.x, y: emaSmooth(y, smoothing), line, legendgroup: s.name });
    } else {
      data.push({ type: 'scatter', mode: s.mode ?? 'lines', name: s.name, x: s.x, y, line });
    }
  });
  const layout = baseLayout(spec.title, theme);
  layout.xaxis = axis(spec.xLabel, theme);
  layout.yaxis = { ...axis(spec.yLabel, theme), type: 'linear' };
  if (spec.logY) {
    const log = logAxisLayout(spec.series);
    layout.yaxis = { ...(layout.yaxis as Record<string, unknown>), ...log.axis };
    // Room for labels such as 10⁻²⁴ and the axis title beside them. `automargin` would find it,
    // but only where plotly can measure text when it draws (not in an output that is still hidden).
    const needed = Math.ceil(log.labelEm * theme.fontSize + (spec.yLabel ? theme.fontSize * 1.3 + 26 : 14));
    const margin = layout.margin as { l: number };
    layout.margin = { ...margin, l: Math.max(margin.l, needed) };
  }
  layout.showlegend = spec.series.length > 1;
  return { data, layout };
}

/** How a log axis spanning `decades` is labelled (the plotly figures and the static SVG agree). */
export type LogTickSpacing = { labels: 'auto' } | { labels: '1-2-5' } | { labels: 'decades'; every: number };

/**
 * Under a decade: plain values (plotly's own choice). Up to three decades: 1, 2 and 5 of each.
 * Beyond: decades only, every n-th so that about eight are written. (Plotly's 'D2' over 25
 * decades wrote a label every few pixels, one on top of the other.)
 */
export function logTickSpacing(decades: number): LogTickSpacing {
  if (!(decades >= 1)) return { labels: 'auto' };
  if (decades <= 3) return { labels: '1-2-5' };
  return { labels: 'decades', every: Math.max(1, Math.ceil(decades / 8)) };
}

/** The log y axis for these series, and the width of its widest tick label in em (estimated). */
function logAxisLayout(series: LineChartSpec['series']): { axis: Record<string, unknown>; labelEm: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) for (const v of s.y) if (v > 0 && Number.isFinite(v)) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
  const spacing = logTickSpacing(hi > lo ? Math.log10(hi / lo) : 0);
  // Decade labels as 10 with a superscript exponent; `automargin` keeps them clear of the title.
  const base = { type: 'log', exponentformat: 'power', automargin: true };
  // Label widths: "10" (or "2x10") and a superscript of ~0.7 em per character ("−24"), which
  // plotly writes 1.25 times the axis font; plain values under a decade ("0.55").
  const exponentChars = hi > lo ? Math.max(String(Math.floor(Math.log10(lo))).length, String(Math.ceil(Math.log10(hi))).length) : 1;
  const power = (base: number): number => 1.25 * (base + 0.42 * exponentChars);
  // 'complete': the 2 and 5 between decades are written out (2×10⁻⁴), not as a bare "2" that reads as 2.
  if (spacing.labels === '1-2-5') return { axis: { ...base, dtick: 'D2', minorloglabels: 'complete' }, labelEm: power(2.4) };
  if (spacing.labels === 'decades') return { axis: { ...base, dtick: spacing.every }, labelEm: power(1.2) };
  return { axis: base, labelEm: 2.4 };
}

/**
 * Exponential moving average with the start-up bias removed (TensorBoard's smoothing):
 * s_t = β s_{t-1} + (1-β) y_t, shown as s_t / (1 - β^t). Gaps (null, NaN) are kept as gaps.
 */
export function emaSmooth(y: readonly (number | null)[], beta: number): (number | null)[] {
  let s = 0;
  let n = 0;
  return y.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    s = beta * s + (1 - beta) * v;
    n++;
    return s / (1 - beta ** n);
  });
}

// Diverging: blue for negative, white at 0, red for positive (like a tanh activation map).
export const DIVERGING: [number, string][] = [
  [0, '#2166ac'],
  [0.25, '#67a9cf'],
  [0.5, '#f7f7f7'],
  [0.75, '#ef8a62'],
  [1, '#b2182b'],
];
// The same on a dark background: 0 is a dark grey near the editor's, the large values are the
// bright ones (a white midpoint would glare across a mostly-zero map).
export const DIVERGING_DARK: [number, string][] = [
  [0, '#92c5de'],
  [0.25, '#3a7ab8'],
  [0.5, '#2e2e2e'],
  [0.75, '#c0504d'],
  [1, '#f4a582'],
];

/** The diverging scale for the theme's background. */
export function divergingScale(theme: PlotTheme): [number, string][] {
  return theme.kind === 'dark' || theme.kind === 'high-contrast' ? DIVERGING_DARK : DIVERGING;
}
// Sequential (viridis) for values in [0,1] such as gate activations.
export const SEQUENTIAL: [number, string][] = [
  [0, '#440154'],
  [0.25, '#3b528b'],
  [0.5, '#21918c'],
  [0.75, '#5ec962'],
  [1, '#fde725'],
];

function heatmapFigure(spec: HeatmapSpec, theme: PlotTheme): PlotlyFigure {
  const rows = spec.z.length;
  const cols = spec.z[0]?.length ?? 0;
  const diverging = (spec.scale ?? 'diverging') === 'diverging';
  // Numeric positions with tick labels: tokens repeat ("the … the"), categories would merge them.
  const x = Array.from({ length: cols }, (_, i) => i);
  const y = Array.from({ length: rows }, (_, i) => i);
  const trace: PlotlyTrace = {
    type: 'heatmap',
    x,
    y,
    z: spec.z.map((row) => row.map((v) => (Number.isFinite(v) ? v : null))),
    colorscale: diverging ? divergingScale(theme) : SEQUENTIAL,
    colorbar: { outlinewidth: 0, tickfont: { color: theme.foreground }, thickness: 12 },
    hovertemplate: `${spec.xLabel ?? 'x'} %{x}, ${spec.yLabel ?? 'y'} %{y}: %{z:.4g}<extra></extra>`,
  };
  // With labels or bands, hover names the cell by them (the axes write only some).
  const named = (spec.xLabels?.length ?? 0) > 0 || (spec.yLabels?.length ?? 0) > 0 || spec.rowBands?.length || spec.columnBands?.length;
  if (named) {
    trace.text = y.map((r) => x.map((c) => `${spec.xLabel ?? 'x'} ${cellName(spec.xLabels, spec.columnBands, c)}, ${spec.yLabel ?? 'y'} ${cellName(spec.yLabels, spec.rowBands, r)}`));
    trace.hovertemplate = '%{text}: %{z:.4g}<extra></extra>';
  }
  if (spec.zmin !== undefined) trace.zmin = spec.zmin;
  if (spec.zmax !== undefined) trace.zmax = spec.zmax;
  if (diverging && spec.zmin === undefined && spec.zmax === undefined) trace.zmid = 0;
  const layout = baseLayout(spec.title, theme);
  layout.xaxis = { ...axis(spec.xLabel, theme), showgrid: false, automargin: true, ...ticks(spec.xLabels, spec.columnBands, cols, MAX_X_LABELS) };
  // Row 0 on top, as in a matrix.
  // automargin: long row labels (training steps, tokens) push the axis title out instead of under it.
  layout.yaxis = { ...axis(spec.yLabel, theme), showgrid: false, autorange: 'reversed', automargin: true, ...ticks(spec.yLabels, spec.rowBands, rows, MAX_Y_LABELS) };
  const shapes = [...bandLines(spec.rowBands, 'y', theme), ...bandLines(spec.columnBands, 'x', theme)];
  if (shapes.length) layout.shapes = shapes;
  return { data: [trace], layout };
}

/** Most labels written along a heatmap's x and y axes: more pile up on a 300-pixel plot. */
const MAX_X_LABELS = 24;
const MAX_Y_LABELS = 12;

/** The index of a row or column, with its label (tokens repeat: "the (4)") or its band ("f 3 (row 19)"). */
function cellName(labels: string[] | undefined, bands: HeatmapBand[] | undefined, i: number): string {
  const band = bands?.find((b) => i >= b.start && i < b.end);
  if (band) return `${i} (${band.label} ${i - band.start})`;
  const label = labels?.[i];
  return label === undefined || label === String(i) ? String(i) : `${label} (${i})`;
}

function ticks(labels: string[] | undefined, bands: HeatmapBand[] | undefined, count: number, max: number): Record<string, unknown> {
  // Bands: their names in their middles.
  if (bands?.length) return { tickmode: 'array', tickvals: bands.map((b) => (b.start + b.end - 1) / 2), ticktext: bands.map((b) => b.label), ticks: '' };
  // Indices: whole numbers only (plotly would write −0.5, 0, 0.5 … along two columns).
  if (!labels || labels.length === 0) return { tickmode: 'linear', tick0: 0, dtick: niceStep(count / max) };
  // With many labels only every k-th is written; hover still names each cell's index.
  const step = Math.max(1, Math.ceil(count / max));
  const tickvals = labels.map((_, i) => i).filter((i) => i % step === 0);
  return { tickmode: 'array', tickvals, ticktext: tickvals.map((i) => labels[i] ?? '') };
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is at least `least`. */
export function niceStep(least: number): number {
  let step = 1;
  for (let decade = 1; step < least; decade *= 10) step = [1, 2, 5, 10].map((m) => m * decade).find((s) => s >= least) ?? 10 * decade;
  return step;
}

/** Lines between the bands (rows: across the plot at each boundary; columns: down it). */
function bandLines(bands: HeatmapBand[] | undefined, along: 'x' | 'y', theme: PlotTheme): Record<string, unknown>[] {
  const line = { color: theme.foreground, width: 1.5 };
  return (bands ?? []).slice(1).map((b) =>
    along === 'y'
      ? { type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: b.start - 0.5, y1: b.start - 0.5, line }
      : { type: 'line', yref: 'paper', y0: 0, y1: 1, xref: 'x', x0: b.start - 0.5, x1: b.start - 0.5, line },
  );
}

function barFigure(spec: BarChartSpec, theme: PlotTheme): PlotlyFigure {
  const data: PlotlyTrace[] = spec.series.map((s, i) => {
    const color = theme.colorway[i % theme.colorway.length];
    const trace: PlotlyTrace = { type: 'bar', name: s.name, x: spec.categories, y: s.values };
    if (color) (trace as PlotlyTrace & { marker?: unknown }).marker = { color };
    return trace;
  });
  const layout = baseLayout(spec.title, theme);
  layout.barmode = spec.stacked ? 'stack' : 'group';
  layout.xaxis = { ...axis(spec.xLabel, theme), type: 'category' };
  layout.yaxis = axis(spec.yLabel, theme);
  layout.showlegend = spec.series.length > 1;
  return { data, layout };
}

function baseLayout(title: string | undefined, theme: PlotTheme): Record<string, unknown> {
  return {
    ...(title ? { title: { text: title, font: { size: theme.fontSize + 2 }, x: 0.02, xanchor: 'left' } } : {}),
    paper_bgcolor: theme.background,
    plot_bgcolor: theme.background,
    font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
    colorway: theme.colorway,
    margin: { l: 60, r: 20, t: title ? 40 : 16, b: 48 },
    height: 320,
    legend: { bgcolor: 'rgba(0,0,0,0)' },
    hovermode: 'closest',
  };
}

function axis(label: string | undefined, theme: PlotTheme): Record<string, unknown> {
  return {
    ...(label ? { title: { text: label } } : {}),
    gridcolor: theme.grid,
    zerolinecolor: theme.grid,
    linecolor: theme.grid,
    color: theme.foreground,
  };
}

/** A TableSpec as an HTML string (values escaped). */
export function tableHtml(spec: TableSpec): string {
  const cell = (v: string | number | null, tag: 'td' | 'th') => {
    const numeric = typeof v === 'number';
    const text = v === null ? '–' : numeric ? formatCellNumber(v) : v;
    return `<${tag}${numeric ? ' class="num"' : ''}>${escapeHtml(text)}</${tag}>`;
  };
  const head = `<tr>${spec.columns.map((c) => cell(c, 'th')).join('')}</tr>`;
  const body = spec.rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('');
  const title = spec.title ? `<div class="rnn-lab-title">${escapeHtml(spec.title)}</div>` : '';
  return `${title}<table class="rnn-lab-table"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function formatCellNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toPrecision(4);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
