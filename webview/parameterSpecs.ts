// Plot specs for one parameter: its values as a heatmap (rows × columns) and a histogram. Pure.

import type { BarChartSpec, HeatmapSpec } from '../kernel/protocol';

/** Rows × columns for a heatmap: (d0, d1·d2·…) for 2-D and up, one row for 1-D. */
export function matrixShape(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [1, shape[0]];
  return [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
}

/**
 * `gates`: a recurrent layer's weights and biases stack one block per gate along their first
 * dimension (rows of a matrix, the columns of a bias shown as one row): the blocks are marked.
 */
export function parameterHeatmapSpec(name: string, shape: readonly number[], values: readonly number[], gates?: readonly string[]): HeatmapSpec {
  const [rows, cols] = matrixShape(shape);
  const z: number[][] = [];
  for (let r = 0; r < rows; r++) z.push(Array.from(values.slice(r * cols, (r + 1) * cols)));
  let maxAbs = 0;
  for (const v of values) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const spec: HeatmapSpec = {
    kind: 'heatmap',
    title: `${name} ${shape.length > 2 ? `(shown as ${rows} × ${cols})` : ''}`.trim(),
    z,
    xLabel: shape.length === 1 ? 'index' : 'column',
    yLabel: shape.length === 1 ? '' : 'row',
    zmin: -maxAbs || -1,
    zmax: maxAbs || 1,
    scale: 'diverging',
  };
  const stacked = shape[0] ?? 0;
  if (gates && gates.length > 1 && stacked % gates.length === 0) {
    const H = stacked / gates.length;
    const bands = gates.map((gate, k) => ({ label: gate, start: k * H, end: (k + 1) * H }));
    if (shape.length === 1) spec.columnBands = bands;
    else spec.rowBands = bands;
    spec.title = `${spec.title} · gate blocks ${gates.join(', ')}`;
  }
  return spec;
}

/** Counts in `bins` equal-width bins between the finite min and max. */
export function histogram(values: readonly number[], bins: number): { edges: number[]; counts: number[] } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return { edges: [0, 1], counts: [0] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of finite) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return { edges: [lo, hi], counts: [finite.length] };
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  return { edges, counts };
}

/**
 * Bin centres as short labels: as many decimals as the bin width needs to tell neighbours apart
 * (bars with equal labels would merge), no more, so the axis stays readable.
 */
export function binLabels(edges: readonly number[]): string[] {
  const width = edges.length > 1 ? Math.abs(edges[1] - edges[0]) : 0;
  const decimals = width > 0 ? Math.min(8, Math.max(0, Math.ceil(-Math.log10(width)))) : 4;
  return edges.slice(0, -1).map((lo, i) => ((lo + edges[i + 1]) / 2).toFixed(decimals));
}

export function parameterHistogramSpec(name: string, values: readonly number[], bins = 30): BarChartSpec {
  const { edges, counts } = histogram(values, Math.max(1, Math.min(bins, values.length)));
  return { kind: 'bars', title: `${name}: distribution of values`, xLabel: 'value (bin centre)', yLabel: 'count', categories: binLabels(edges), series: [{ name, values: counts }] };
}
