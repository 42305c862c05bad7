// Fewer points for a chart than a long run produced. Pure (no I/O, no DOM, no Node): the kernel's
// live displays and static SVGs and the webviews' job histories all decimate here. The rule
// follows from what the kept points are for:
//
// - a series a chart smooths or a person reads point by point (a loss curve under an EMA slider,
//   a heatmap row per snapshot): every k-th point, evenly spaced over the whole run, so that a
//   smoothing over points means the same at the start as at the end. `appendDecimated` keeps this
//   while points stream in (k doubles as the series outgrows its budget); `keepEvenly` is the
//   same rule over a whole series at once.
// - a curve drawn once at a fixed width (the static SVG, no zoom or hover): `envelope` keeps the
//   first and the last point and the lowest and highest of each run of neighbours between them,
//   so spikes and the band of a noisy loss survive.
// - a heatmap with more cells than pixels: `binHeatmap` averages blocks of neighbouring cells.

// ---- evenly spaced ---------------------------------------------------------------------------

/** How a streamed series is decimated: it keeps every `every`-th point; `seen` points have arrived. */
export interface Decimation {
  every: number;
  seen: number;
}

/**
 * Appends the incoming points a series keeps: every `every`-th of all that arrived. When the
 * series outgrows `max`, every second point is dropped and `every` doubles, so the kept points
 * stay evenly spaced over the whole run. (Halving only the older half made the early run
 * exponentially sparse, and a smoothed loss curve then lagged thousands of steps behind.)
 */
export function appendDecimated<T>(series: T[], incoming: readonly T[], d: Decimation, max: number): T[] {
  let kept = series;
  for (const point of incoming) {
    if (d.seen % d.every === 0) kept.push(point);
    d.seen++;
  }
  while (kept.length > max) {
    kept = kept.filter((_, i) => i % 2 === 0);
    d.every *= 2;
  }
  return kept;
}

/** At most `max` of the points, evenly spaced: the rule of appendDecimated with the stride known up front. */
export function keepEvenly<T>(points: readonly T[], max: number): T[] {
  return appendDecimated([], points, { every: Math.max(1, Math.ceil(points.length / max)), seen: 0 }, max);
}

// ---- envelope of a drawn curve ---------------------------------------------------------------

/** A point to draw, or null where the curve is broken (a missing or non-finite value). */
export type CurvePoint = readonly [x: number, y: number] | null;

function isPoint(x: number | undefined, y: number | null | undefined): boolean {
  return x !== undefined && y !== null && y !== undefined && Number.isFinite(x) && Number.isFinite(y);
}

/**
 * The points of (x, y) to draw, in order, with null for each break. No more than `max` points
 * (max ≥ 4); the first and the last drawable points are always kept.
 */
export function envelope(x: readonly number[], y: readonly (number | null)[], max: number): CurvePoint[] {
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

// ---- heatmap blocks --------------------------------------------------------------------------

/** A heatmap after averaging: cell (i, j) covers rows rowEdges[i]…rowEdges[i+1]-1, likewise columns. */
export interface BinnedHeatmap {
  z: number[][];
  rowEdges: number[];
  colEdges: number[];
}

function edges(n: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => Math.floor((i * n) / bins));
}

/**
 * z (rows × cols) with at most `maxCells` cells; NaN where a block has no finite value. A long
 * axis is shortened first; few rows (or columns) are left as they are.
 */
export function binHeatmap(z: readonly (readonly number[])[], maxCells: number): BinnedHeatmap {
  const rows = z.length;
  let cols = 0;
  for (const row of z) if (row.length > cols) cols = row.length;
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
