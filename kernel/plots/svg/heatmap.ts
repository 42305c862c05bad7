// HeatmapSpec → SVG: row 0 on top (as in a matrix), token labels along the axes, a colour bar.
// Cells are drawn in cell units (a scaled group), one <path> per colour level, neighbouring cells
// of one level in a row merged into one rectangle: a 64 × 200 hidden-state map stays a few tens
// of kB. Blank where a value is missing, as in plotly.
import type { HeatmapSpec } from '../../protocol';
import { linearAxis, type Axis } from './axes';
import { categoryLayout, drawCategoryLabels, drawTitle, PAD, svgDocument, xAxisHeight, xTitle, type CategoryLayout, type Frame } from './chart';
import { LEVELS, levelColor, levelOf, type ScaleName } from './colors';
import { binHeatmap } from './downsample';
import { FONT, HEIGHT, INK, maxOf, px, text, textWidth, truncate, visibleLabel, WIDTH } from './markup';

const BAR_WIDTH = 14;

/** The colour range: the spec's, else the data's (symmetric about 0 on a diverging scale, as plotly's zmid). */
export function colorRange(spec: HeatmapSpec): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of spec.z) for (const v of row) if (v !== null && Number.isFinite(v)) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
  if (lo > hi) [lo, hi] = [0, 1];
  const diverging = (spec.scale ?? 'diverging') === 'diverging';
  if (diverging && spec.zmin === undefined && spec.zmax === undefined) {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  const zmin = spec.zmin ?? lo;
  const zmax = spec.zmax ?? hi;
  return zmin < zmax ? [zmin, zmax] : [zmin - 0.5, zmin + 0.5];
}

export function heatmapSvg(spec: HeatmapSpec): string {
  const scale: ScaleName = spec.scale ?? 'diverging';
  const rows = spec.z.length;
  const cols = maxOf(spec.z, (r) => r.length);
  const [zmin, zmax] = colorRange(spec);
  const title = drawTitle(spec.title);
  const top = title.bottom;

  // Colour bar and its labels on the right.
  const barAxis = linearAxis(zmin, zmax, { target: 5 });
  const barLabelsWidth = maxOf(barAxis.ticks, (t) => textWidth(String(t.label), FONT.tick));
  const right = WIDTH - PAD - barLabelsWidth - 6 - BAR_WIDTH - 16;

  // Row labels (units, tokens) on the left, else row numbers.
  const yLabels = rowLabels(spec, rows);
  const yLabelsWidth = maxOf(yLabels, (l) => textWidth(l, FONT.tick));
  const left = PAD + (spec.yLabel ? FONT.axisTitle + 8 : 0) + yLabelsWidth + 10;

  const pitchX = (right - left) / Math.max(1, cols);
  const xLayout = spec.xLabels && spec.xLabels.length > 0
    ? categoryLayout(spec.xLabels.slice(0, cols), pitchX)
    : numberedLayout(cols, pitchX);
  const bottom = HEIGHT - xAxisHeight(xLayout.rotated ? xLayout.height : 20, spec.xLabel !== undefined);
  const frame: Frame = { left, top, right, bottom };
  const pitchY = (bottom - top) / Math.max(1, rows);
  const rowsApart = Math.max(1, Math.ceil((FONT.tick + 3) / pitchY));
  // Given labels: every k-th; numbered rows: round numbers.
  const yStep = spec.yLabels && spec.yLabels.length > 0 ? rowsApart : niceAtLeast(rowsApart);

  const body = [title.markup, drawCells(spec, scale, zmin, zmax, frame, rows, cols)];
  // Row labels, centred on their rows.
  const yParts: string[] = [];
  for (let i = 0; i < rows; i += yStep) yParts.push(text(left - 6, top + (i + 0.5) * pitchY, yLabels[i]!, { dy: 0.35 }));
  body.push(`<g text-anchor="end" fill="${INK.muted}">${yParts.join('')}</g>`);
  if (spec.yLabel) body.push(text(PAD + FONT.axisTitle - 2, (top + bottom) / 2, truncate(spec.yLabel, 60), { anchor: 'middle', size: FONT.axisTitle, rotate: -90 }));
  body.push(drawCategoryLabels(xLayout, (j) => left + (j + 0.5) * pitchX, frame), xTitle(frame, spec.xLabel));
  body.push(`<rect x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="none" stroke="${INK.axis}"/>`);
  body.push(drawColorBar(scale, barAxis, zmin, zmax, right + 16, frame));
  return svgDocument(spec.title, body);
}

function rowLabels(spec: HeatmapSpec, rows: number): string[] {
  const given = spec.yLabels && spec.yLabels.length > 0 ? spec.yLabels : undefined;
  return Array.from({ length: rows }, (_, i) => truncate(visibleLabel(given ? (given[i] ?? '') : String(i)), 24));
}

/** Columns labelled by their index: level labels at round steps (0, 10, 20, …). */
function numberedLayout(cols: number, pitch: number): CategoryLayout {
  const labels = Array.from({ length: cols }, (_, j) => String(j));
  const widest = textWidth(String(Math.max(0, cols - 1)), FONT.tick);
  const apart = Math.max(Math.ceil((widest + 14) / Math.max(pitch, 1e-6)), Math.ceil(cols / 20));
  return { labels, step: niceAtLeast(apart), rotated: false, height: 20 };
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is ≥ n. */
function niceAtLeast(n: number): number {
  for (let p = 1; ; p *= 10) for (const m of [1, 2, 5]) if (m * p >= n) return m * p;
}

function drawCells(spec: HeatmapSpec, scale: ScaleName, zmin: number, zmax: number, frame: Frame, rows: number, cols: number): string {
  if (rows === 0 || cols === 0) return '';
  const binned = binHeatmap(spec.z);
  const byLevel = new Map<number, string[]>();
  binned.z.forEach((row, i) => {
    const y0 = binned.rowEdges[i]!;
    const h = binned.rowEdges[i + 1]! - y0;
    let j = 0;
    while (j < row.length) {
      const v = row[j]!;
      if (!Number.isFinite(v)) {
        j++;
        continue;
      }
      const level = levelOf(v, zmin, zmax);
      let end = j + 1;
      while (end < row.length && Number.isFinite(row[end]!) && levelOf(row[end]!, zmin, zmax) === level) end++;
      const x0 = binned.colEdges[j]!;
      const w = binned.colEdges[end]! - x0;
      let list = byLevel.get(level);
      if (!list) byLevel.set(level, (list = []));
      list.push(`M${x0} ${y0}h${w}v${h}h-${w}z`);
      j = end;
    }
  });
  const paths = [...byLevel.entries()].sort(([a], [b]) => a - b).map(([level, d]) => `<path fill="${levelColor(scale, level)}" d="${d.join('')}"/>`);
  const sx = (frame.right - frame.left) / cols;
  const sy = (frame.bottom - frame.top) / rows;
  // crispEdges: neighbouring cells meet without the hairline seams anti-aliasing would leave.
  return `<g transform="translate(${px(frame.left)} ${px(frame.top)}) scale(${sx.toPrecision(6)} ${sy.toPrecision(6)})" shape-rendering="crispEdges">${paths.join('')}</g>`;
}

function drawColorBar(scale: ScaleName, axis: Axis, zmin: number, zmax: number, x: number, frame: Frame): string {
  const height = frame.bottom - frame.top;
  // Level k is the band k (bottom) … k+1 in units of height / LEVELS.
  const bands = Array.from({ length: LEVELS }, (_, k) => `<path fill="${levelColor(scale, k)}" d="M0 ${LEVELS - 1 - k}h1v1h-1z"/>`).join('');
  const group = `<g transform="translate(${px(x)} ${px(frame.top)}) scale(${BAR_WIDTH} ${(height / LEVELS).toPrecision(6)})" shape-rendering="crispEdges">${bands}</g>`;
  const yOf = (v: number): number => frame.bottom - ((v - zmin) / (zmax - zmin)) * height;
  const ticks = axis.ticks.filter((t) => t.value >= zmin - 1e-9 && t.value <= zmax + 1e-9);
  const marks = ticks.map((t) => `M${px(x + BAR_WIDTH)} ${px(yOf(t.value))}h3`).join('');
  const labels = ticks.map((t) => text(x + BAR_WIDTH + 6, yOf(t.value), t.label, { dy: 0.35 })).join('');
  return `${group}<path d="${marks}" stroke="${INK.axis}"/><g fill="${INK.muted}">${labels}</g>`;
}
