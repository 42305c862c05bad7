// Keeps each static SVG small (it is stored in the notebook next to the spec it draws): a curve
// keeps at most MAX_POINTS points (at 800 px wide that is more than two per pixel column, which the
// eye cannot tell apart), a heatmap at most MAX_CELLS cells. The rules are kernel/plots/decimate's
// (a curve's envelope, a heatmap's block means); the interactive plot still has every value.

import { binHeatmap as binBlocks, envelope, type BinnedHeatmap, type CurvePoint } from '../decimate';

export type { BinnedHeatmap, CurvePoint };

export const MAX_POINTS = 2000;
export const MAX_CELLS = 20_000;

/** The points of (x, y) to draw, with null for each break: the envelope of at most `max` points. */
export function decimate(x: readonly number[], y: readonly (number | null)[], max = MAX_POINTS): CurvePoint[] {
  return envelope(x, y, max);
}

/** z (rows × cols) averaged over blocks down to at most `maxCells` cells. */
export function binHeatmap(z: readonly (readonly number[])[], maxCells = MAX_CELLS): BinnedHeatmap {
  return binBlocks(z, maxCells);
}
