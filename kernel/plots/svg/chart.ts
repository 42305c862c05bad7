// The parts every static plot shares: the <svg> document, the title, the legend, axes with their
// grid, tick labels and titles, and category labels (tokens, bar names) that turn 45° when they do
// not fit side by side.
import type { Axis } from './axes';
import { escapeXml, FONT, FONT_FAMILY, HEIGHT, INK, labelWidth, maxOf, px, text, textWidth, truncate, visibleLabel, WIDTH } from './markup';

/** The plot area, in px from the top left of the image. */
export interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export const PAD = 12;

export function svgDocument(title: string | undefined, body: string[]): string {
  const label = title ? `<title>${escapeXml(title)}</title>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `font-family="${escapeXml(FONT_FAMILY)}" font-size="${FONT.tick}" fill="${INK.text}">${label}` +
    // An opaque background: the image must read on a dark page (GitHub's dark theme) too.
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="${INK.background}"/>${body.join('')}</svg>\n`
  );
}

/** Splits `value` into at most `maxLines` lines of at most `maxWidth` px (the last one cut with …). */
export function wrapText(value: string, fontSize: number, maxWidth: number, maxLines = 2): string[] {
  const words = value.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && textWidth(candidate, fontSize) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = `${kept[maxLines - 1]} ${lines.slice(maxLines).join(' ')}`;
  while (textWidth(`${last}…`, fontSize) > maxWidth && last.length > 1) last = last.slice(0, -1);
  kept[maxLines - 1] = `${last.trimEnd()}…`;
  return kept;
}

/** The title's markup and the y where what follows it may start. */
export function drawTitle(title: string | undefined): { markup: string; bottom: number } {
  if (!title) return { markup: '', bottom: PAD };
  const lines = wrapText(title, FONT.title, WIDTH - 2 * PAD);
  const lineHeight = FONT.title + 4;
  const markup = lines.map((line, i) => text(PAD, PAD + FONT.title + i * lineHeight, line, { size: FONT.title, weight: 600 })).join('');
  return { markup, bottom: PAD + lines.length * lineHeight + 8 };
}

export interface LegendEntry {
  name: string;
  color: string;
  /** A line sample (dashed or not, with a dot for markers), or a filled square for bars. */
  swatch: { kind: 'line'; dash: boolean; line: boolean; marker: boolean } | { kind: 'box' };
}

const LEGEND_ROW = 18;
const SWATCH = 24;

/** The legend in rows under the title, left to right; its markup and the y below it. */
export function drawLegend(entries: LegendEntry[], top: number): { markup: string; bottom: number } {
  if (entries.length === 0) return { markup: '', bottom: top };
  const parts: string[] = [];
  let x = PAD;
  let row = 0;
  for (const entry of entries) {
    const name = truncate(entry.name, 48);
    const width = SWATCH + 6 + textWidth(name, FONT.legend);
    if (x > PAD && x + width > WIDTH - PAD) ((x = PAD), row++);
    const y = top + row * LEGEND_ROW + LEGEND_ROW / 2;
    parts.push(swatch(entry, x, y), text(x + SWATCH + 6, y, name, { size: FONT.legend, dy: 0.35 }));
    x += width + 18;
  }
  return { markup: `<g>${parts.join('')}</g>`, bottom: top + (row + 1) * LEGEND_ROW + 6 };
}

function swatch(entry: LegendEntry, x: number, y: number): string {
  const s = entry.swatch;
  if (s.kind === 'box') return `<rect x="${px(x + 6)}" y="${px(y - 6)}" width="12" height="12" fill="${entry.color}"/>`;
  const line = s.line
    ? `<path d="M${px(x)} ${px(y)}h${SWATCH}" stroke="${entry.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="6 4"' : ''}/>`
    : '';
  const dot = s.marker ? `<path d="M${px(x + SWATCH / 2)} ${px(y)}h0" stroke="${entry.color}" stroke-width="7" stroke-linecap="round"/>` : '';
  return line + dot;
}

/** Room the y tick labels need, in px. */
export function tickLabelWidth(axis: Axis): number {
  return maxOf(axis.ticks, (t) => labelWidth(t.label, FONT.tick));
}

/** Left margin for a y axis with these tick labels (and an axis title). */
export function leftMargin(labelsWidth: number, hasTitle: boolean): number {
  return PAD + (hasTitle ? FONT.axisTitle + 8 : 0) + labelsWidth + 8;
}

/** The y position of value v on a vertical axis in the frame (lo at the bottom). */
export function yOf(axis: Axis, frame: Frame, v: number): number {
  return frame.bottom - axis.fraction(v) * (frame.bottom - frame.top);
}

export function xOf(axis: Axis, frame: Frame, v: number): number {
  return frame.left + axis.fraction(v) * (frame.right - frame.left);
}

/** Horizontal grid lines and labels of a value axis on the left, and its title. */
export function drawYAxis(axis: Axis, frame: Frame, title: string | undefined): string {
  const grid = axis.ticks.map((t) => `M${px(frame.left)} ${px(yOf(axis, frame, t.value))}H${px(frame.right)}`).join('');
  const minor = axis.minorGrid.map((v) => `M${px(frame.left)} ${px(yOf(axis, frame, v))}H${px(frame.right)}`).join('');
  const labels = axis.ticks.map((t) => text(frame.left - 6, yOf(axis, frame, t.value), t.label, { dy: 0.35 }));
  const parts = [
    minor ? `<path d="${minor}" stroke="${INK.minorGrid}"/>` : '',
    grid ? `<path d="${grid}" stroke="${INK.grid}"/>` : '',
    `<g text-anchor="end" fill="${INK.muted}">${labels.join('')}</g>`,
  ];
  if (title) parts.push(text(PAD + FONT.axisTitle - 2, (frame.top + frame.bottom) / 2, truncate(title, 60), { anchor: 'middle', size: FONT.axisTitle, rotate: -90 }));
  return parts.join('');
}

/** Vertical grid lines and labels of a value axis at the bottom, and its title. */
export function drawXAxis(axis: Axis, frame: Frame, title: string | undefined): string {
  const grid = axis.ticks.map((t) => `M${px(xOf(axis, frame, t.value))} ${px(frame.top)}V${px(frame.bottom)}`).join('');
  const labels = axis.ticks.map((t) => text(xOf(axis, frame, t.value), frame.bottom + 16, t.label));
  return [
    grid ? `<path d="${grid}" stroke="${INK.grid}"/>` : '',
    `<g text-anchor="middle" fill="${INK.muted}">${labels.join('')}</g>`,
    xTitle(frame, title),
  ].join('');
}

export function xTitle(frame: Frame, title: string | undefined): string {
  return title ? text((frame.left + frame.right) / 2, HEIGHT - PAD + 2, truncate(title, 90), { anchor: 'middle', size: FONT.axisTitle }) : '';
}

/** Height of an x axis below the frame: tick labels and title. */
export function xAxisHeight(labelsHeight: number, hasTitle: boolean): number {
  return labelsHeight + (hasTitle ? FONT.axisTitle + 10 : 0) + PAD - 4;
}

/** The left and bottom axis lines. */
export function drawAxisLines(frame: Frame): string {
  return `<path d="M${px(frame.left)} ${px(frame.top)}V${px(frame.bottom)}H${px(frame.right)}" fill="none" stroke="${INK.axis}"/>`;
}

const MAX_LABEL = 16;

/** How category labels are written along x: every step-th, level or turned 45°. */
export interface CategoryLayout {
  labels: string[];
  step: number;
  rotated: boolean;
  /** Room they need below the axis, in px. */
  height: number;
}

/** `pitch` is the distance between neighbouring categories in px. */
export function categoryLayout(labels: readonly string[], pitch: number): CategoryLayout {
  const shown = labels.map((l) => truncate(visibleLabel(l), MAX_LABEL));
  const widest = maxOf(shown, (l) => textWidth(l, FONT.tick));
  if (widest + 6 <= pitch) return { labels: shown, step: 1, rotated: false, height: 20 };
  const level = Math.ceil((widest + 8) / pitch);
  const turned = Math.ceil((FONT.tick * 1.3) / (pitch * Math.SQRT1_2));
  // Level labels when turning them would not show more of them (a few long names).
  if (level <= turned) return { labels: shown, step: level, rotated: false, height: 20 };
  return { labels: shown, step: turned, rotated: true, height: widest * Math.SQRT1_2 + FONT.tick + 10 };
}

/** Category labels under the frame; `centre(i)` is the x of category i. */
export function drawCategoryLabels(layout: CategoryLayout, centre: (i: number) => number, frame: Frame): string {
  const parts: string[] = [];
  for (let i = 0; i < layout.labels.length; i += layout.step) {
    const x = centre(i);
    parts.push(layout.rotated ? text(x + 4, frame.bottom + 10, layout.labels[i]!, { rotate: -45 }) : text(x, frame.bottom + 16, layout.labels[i]!));
  }
  const ticks = Array.from({ length: Math.ceil(layout.labels.length / layout.step) }, (_, k) => `M${px(centre(k * layout.step))} ${px(frame.bottom)}v4`).join('');
  return `<path d="${ticks}" stroke="${INK.axis}"/><g text-anchor="${layout.rotated ? 'end' : 'middle'}" fill="${INK.muted}">${parts.join('')}</g>`;
}
