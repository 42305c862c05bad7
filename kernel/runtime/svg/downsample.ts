// Keeps each static SVG small (it is stored in the notebook next to the spec it draws):
// - a curve keeps at most MAX_POINTS points: the first and the last, and the lowest and the highest
//   of each run of neighbours between them, so spikes and the envelope of a noisy loss survive
//   (at 800 px wide that is more than two points per pixel column, which the eye cannot tell apart);
// - a heatmap keeps at most MAX_CELLS cells: larger ones are averaged over blocks of neighbouring
//   rows and columns (a long time axis is shortened first; few rows are left as they are).
// The interactive plot still has every value.

import { maxOf } from './markup';

export const MAX_POINTS = 2000;
export const MAX_CELLS = 20_000;

/** A point to draw, or null where the curve is broken (a missing or non-finite value). */
export type CurvePoint = readonly [x: number, y: number] | null;

function isPoint(x: number | undefined, y: number | null | undefined): boolean {
  return x !== undefined && y !== null && y !== undefined && Number.isFinite(x) && Number.isFinite(y);
}

/**
 * The points of (x, y) to draw, in order, with null for each break. No more than `max` points
 * (max ≥ 4); the first and the last drawable points are always kept.
 */
export function decimate(x: readonly number[], y: readonly (number | null)[], max = MAX_POINTS): CurvePoint[] {
  const n = Math.min(x.length, y.length);
  const valid = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    valid[i] = isPoint(x[i], y[i]) ? 1 : 0;
    count += valid[i]!;
  }
  const out: CurvePoint[] = [];
  const push = (i: number): void => void out.push([x[i]!, y[i]!]);
  const gap = (): void => {
    if (out.length > 0 && out[out.length - 1] !== null) out.push(null);
  };
  if (count <= max) {
    for (let i = 0; i < n; i++) (valid[i] ? push(i) : gap());
    if (out[out.length - 1] === null) out.pop();
    return out;
  }
  const first = valid.indexOf(1);
  const last = valid.lastIndexOf(1);
  push(first);
  // Interior indices (first, last) in `buckets` runs; each gives its lowest and highest point.
  const buckets = Math.floor((max - 2) / 2);
  const span = last - first - 1;
  for (let b = 0; b < buckets; b++) {
    const from = first + 1 + Math.floor((b * span) / buckets);
    const to = first + 1 + Math.floor(((b + 1) * span) / buckets);
    let lo = -1;
    let hi = -1;
    let firstGap = -1;
    for (let i = from; i < to; i++) {
      if (!valid[i]) {
        if (firstGap < 0) firstGap = i;
        continue;
      }
      if (lo < 0 || y[i]! < y[lo]!) lo = i;
      if (hi < 0 || y[i]! > y[hi]!) hi = i;
    }
    const events = [lo, hi, firstGap].filter((i, k, all) => i >= 0 && all.indexOf(i) === k).sort((a, b) => a - b);
    for (const i of events) (i === firstGap ? gap() : push(i));
  }
  if (!valid[last - 1]) gap();
  push(last);
  return out;
}

/** A heatmap after averaging: cell (i, j) covers rows rowEdges[i]…rowEdges[i+1]-1, likewise columns. */
export interface BinnedHeatmap {
  z: number[][];
  rowEdges: number[];
  colEdges: number[];
}

function edges(n: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => Math.floor((i * n) / bins));
}

/** z (rows × cols) with at most `maxCells` cells; NaN where a block has no finite value. */
export function binHeatmap(z: readonly (readonly number[])[], maxCells = MAX_CELLS): BinnedHeatmap {
  const rows = z.length;
  const cols = maxOf(z, (row) => row.length);
  let r = rows;
  let c = cols;
  if (rows * cols > maxCells) {
    const side = Math.sqrt(maxCells);
    if (rows <= side) c = Math.floor(maxCells / rows);
    else if (cols <= side) r = Math.floor(maxCells / cols);
    else {
      const f = Math.sqrt((rows * cols) / maxCells);
      r = Math.floor(rows / f);
      c = Math.floor(cols / f);
    }
  }
  const rowEdges = edges(rows, r);
  const colEdges = edges(cols, c);
  if (r === rows && c === cols) return { z: z.map((row) => Array.from({ length: cols }, (_, j) => row[j] ?? Number.NaN)), rowEdges, colEdges };
  const out: number[][] = [];
  for (let i = 0; i < r; i++) {
    const row: number[] = [];
    for (let j = 0; j < c; j++) {
      let sum = 0;
      let count = 0;
      for (let a = rowEdges[i]!; a < rowEdges[i + 1]!; a++) {
        const source = z[a]!;
        for (let b = colEdges[j]!; b < colEdges[j + 1]!; b++) {
          const v = source[b];
          if (v !== undefined && Number.isFinite(v)) ((sum += v), count++);
        }
      }
      row.push(count > 0 ? sum / count : Number.NaN);
    }
    out.push(row);
  }
  return { z: out, rowEdges, colEdges };
}
