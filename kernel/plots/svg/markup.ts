// SVG markup primitives for the static plots: escaping, compact numbers, text and its estimated
// width. Output must be deterministic (the same spec gives the same bytes), so nothing here reads
// the clock, the locale or the fonts on the machine: text widths are estimated from the characters.

/** The static plots are drawn at this size (CSS pixels); viewBox lets viewers scale them. */
export const WIDTH = 800;
export const HEIGHT = 400;

export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
export const FONT = { title: 15, axisTitle: 12, tick: 11, legend: 12 } as const;
export const INK = { text: '#24292f', muted: '#57606a', axis: '#8c959f', grid: '#e6e8eb', minorGrid: '#f3f4f6', background: '#ffffff' } as const;

/**
 * The largest f(item), or `empty` when there are none (or all are smaller). A loop, not
 * Math.max(...items.map(f)): spreading puts every item on the stack, which overflows ("Maximum
 * call stack size exceeded") somewhere past 10⁵ items.
 */
export function maxOf<T>(items: readonly T[], f: (item: T) => number, empty = 0): number {
  let max = empty;
  for (const item of items) {
    const v = f(item);
    if (v > max) max = v;
  }
  return max;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A coordinate rounded to 0.1 px: enough for any screen, and short. Never "-0". */
export function px(v: number): string {
  const r = Math.round(v * 10) / 10;
  return r === 0 ? '0' : String(r);
}

// Relative widths (in em) of a sans-serif font's characters, roughly those of Helvetica/Arial.
const NARROW = /[ilI.,:;|!'`()[\]{}jf tr\-]/;
const WIDE = /[mwMW@%]/;

/**
 * Estimated width of `text` at `fontSize`, in px. Used only for layout (margins, label spacing),
 * so it errs on the wide side.
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x2e80) em += 1; // CJK and other full-width scripts
    else if (NARROW.test(ch)) em += 0.32;
    else if (WIDE.test(ch)) em += 0.88;
    else if (ch >= 'A' && ch <= 'Z') em += 0.68;
    else em += 0.58;
  }
  return em * fontSize;
}

/** A label cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Tokens such as " " or "\n" as something one can see (tick labels of token heatmaps). */
export function visibleLabel(label: string): string {
  if (label === ' ') return '␣';
  return label.replace(/\r?\n/g, '↵').replace(/\t/g, '⇥');
}

export interface TextOptions {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  weight?: number;
  fill?: string;
  /** Degrees, around (x, y). */
  rotate?: number;
  /** Vertical alignment by a baseline shift in em (0.35 centres digits on y). */
  dy?: number;
}

/** A text element; `content` is plain text (escaped here) or a label with a superscript. */
export function text(x: number, y: number, content: string | Label, options: TextOptions = {}): string {
  const attrs: string[] = [];
  if (options.rotate) attrs.push(`transform="translate(${px(x)} ${px(y)}) rotate(${options.rotate})"`);
  else attrs.push(`x="${px(x)}" y="${px(y)}"`);
  if (options.dy) attrs.push(`dy="${options.dy}em"`);
  if (options.anchor && options.anchor !== 'start') attrs.push(`text-anchor="${options.anchor}"`);
  if (options.size) attrs.push(`font-size="${options.size}"`);
  if (options.weight) attrs.push(`font-weight="${options.weight}"`);
  if (options.fill) attrs.push(`fill="${options.fill}"`);
  return `<text ${attrs.join(' ')}>${labelMarkup(content)}</text>`;
}

/** A tick label: plain text, or a base with a superscript (10⁻³ drawn as "10" and a raised "−3"). */
export type Label = string | { base: string; sup: string };

export function labelText(label: Label): string {
  return typeof label === 'string' ? label : `${label.base}^${label.sup}`;
}

export function labelWidth(label: Label, fontSize: number): number {
  return typeof label === 'string' ? textWidth(label, fontSize) : textWidth(label.base, fontSize) + textWidth(label.sup, fontSize * 0.75);
}

function labelMarkup(label: Label): string {
  if (typeof label === 'string') return escapeXml(label);
  // dy moves the baseline for the rest of the text; the superscript is the last part, so no reset.
  return `${escapeXml(label.base)}<tspan dy="-0.45em" font-size="75%">${escapeXml(label.sup)}</tspan>`;
}
