// Colour scales of the static heatmaps: the same stops as the plotly figures (kernel/plots/figures.ts),
// interpolated in RGB as plotly does, and cut into LEVELS steps so that cells of one colour can
// share one <path> (a heatmap is drawn with one element per colour, not one per cell).
import { DIVERGING, SEQUENTIAL } from '../figures';

// Odd, so that the middle level is exactly the middle of the scale (white at 0 when diverging).
export const LEVELS = 65;

export type ScaleName = 'diverging' | 'sequential';

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hex([r, g, b]: [number, number, number]): string {
  return `#${((1 << 24) | (Math.round(r) << 16) | (Math.round(g) << 8) | Math.round(b)).toString(16).slice(1)}`;
}

/** The colour at t in [0, 1] (clamped). */
export function colorAt(scale: ScaleName, t: number): string {
  const stops = scale === 'diverging' ? DIVERGING : SEQUENTIAL;
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  for (let i = 1; i < stops.length; i++) {
    const [t1, c1] = stops[i]!;
    if (u <= t1) {
      const [t0, c0] = stops[i - 1]!;
      const f = t1 > t0 ? (u - t0) / (t1 - t0) : 0;
      const a = rgb(c0);
      const b = rgb(c1);
      return hex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
    }
  }
  return stops[stops.length - 1]![1];
}

/** The level (0 … LEVELS-1) of v on [zmin, zmax]; the ends of the range get the ends of the scale. */
export function levelOf(v: number, zmin: number, zmax: number): number {
  const t = zmax > zmin ? (v - zmin) / (zmax - zmin) : 0.5;
  return Math.round(Math.min(1, Math.max(0, t)) * (LEVELS - 1));
}

/** The colour of a level. */
export function levelColor(scale: ScaleName, level: number): string {
  return colorAt(scale, level / (LEVELS - 1));
}
