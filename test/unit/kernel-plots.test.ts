// kernel/plots/figures.ts: plot specs → plotly figures (pure), and the display helpers that make specs.
import { describe, expect, it } from 'vitest';
import { emaSmooth, logTickSpacing, tableHtml, toPlotlyFigure } from '../../kernel/plots/figures';
import type { PlotTheme } from '../../webview/theme';
import { bars, heatmap, plotGradNorm, plotLines, plotLoss, table } from '../../kernel/runtime/plotHelpers';
import { SVG_MIME } from '../../kernel/plots/svg/index';
import { maxOf } from '../../kernel/plots/svg/markup';
import { RnnLabMime, type HeatmapSpec, type LineChartSpec } from '../../kernel/protocol';

const theme: PlotTheme = {
  kind: 'dark',
  foreground: '#ccc',
  background: '#111',
  grid: '#333',
  fontFamily: 'sans-serif',
  fontSize: 12,
  colorway: ['#f00', '#0f0'],
};

describe('toPlotlyFigure', () => {
  it('draws loss curves on a log axis with the raw curve behind the smoothed one', () => {
    const spec: LineChartSpec = { kind: 'loss', logY: true, smoothing: 0.5, series: [{ name: 'train', x: [0, 1, 2], y: [4, 0, 1] }] };
    const { data, layout } = toPlotlyFigure(spec, theme);
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({ opacity: 0.3, showlegend: false, y: [4, null, 1] });
    // Debiased EMA: the first value is the first point; the gap stays a gap.
    expect(data[1]!.y).toEqual([4, null, 0.5 * 4 * (1 - 0.5) / (1 - 0.25) + (1 - 0.5) * 1 / (1 - 0.25)]);
    expect(layout.yaxis).toMatchObject({ type: 'log', gridcolor: '#333' });
    expect(layout).toMatchObject({ paper_bgcolor: '#111', font: { color: '#ccc' } });
  });

  it('labels a log axis by the decades its data spans, without piling labels up', () => {
    const yaxis = (y: number[]) => toPlotlyFigure({ kind: 'gradnorm', logY: true, series: [{ name: 'g', x: y.map((_, i) => i), y }] }, theme).layout.yaxis;
    // Under a decade plotly's own ticks; up to three decades 1, 2 and 5; beyond, decades only.
    expect(yaxis([0.3, 0.9])).not.toHaveProperty('dtick');
    expect(yaxis([0.01, 2])).toMatchObject({ type: 'log', dtick: 'D2', exponentformat: 'power', automargin: true });
    expect(yaxis([1e-6, 1])).toMatchObject({ dtick: 1 });
    // 25 decades (a vanishing gradient): every fourth is written.
    expect(yaxis([1e-25, 0, 1])).toMatchObject({ dtick: 4 });
    expect(logTickSpacing(25)).toEqual({ labels: 'decades', every: 4 });
    // Room on the left for "10⁻²⁴" and the axis title, also where plotly cannot measure (automargin).
    const margin = (y: number[], yLabel?: string) =>
      (toPlotlyFigure({ kind: 'gradnorm', logY: true, ...(yLabel ? { yLabel } : {}), series: [{ name: 'g', x: y.map((_, i) => i), y }] }, theme).layout.margin as { l: number }).l;
    expect(margin([1e-25, 1], '‖∂L/∂h_t‖')).toBeGreaterThan(margin([1e-25, 1]));
    expect(margin([1e-25, 1], '‖∂L/∂h_t‖')).toBeGreaterThan(60);
  });

  it('draws a heatmap with a diverging scale centred on 0, token labels and row 0 on top', () => {
    const spec: HeatmapSpec = { kind: 'heatmap', z: [[-1, 1, 0.5]], xLabels: ['the', 'cat', 'the'], scale: 'diverging' };
    const { data, layout } = toPlotlyFigure(spec, theme);
    expect(data[0]).toMatchObject({ type: 'heatmap', zmid: 0, x: [0, 1, 2] });
    expect(layout.xaxis).toMatchObject({ tickvals: [0, 1, 2], ticktext: ['the', 'cat', 'the'] });
    expect(layout.yaxis).toMatchObject({ autorange: 'reversed' });
    const sequential = toPlotlyFigure({ ...spec, scale: 'sequential' }, theme);
    expect(sequential.data[0]!.zmid).toBeUndefined();
    expect(sequential.data[0]!.colorscale).not.toEqual(data[0]!.colorscale);
  });

  it('names a heatmap cell on hover by its labels, and by index without them', () => {
    const spec: HeatmapSpec = { kind: 'heatmap', z: [[0.1, 0.2], [0.3, 0.4]], xLabels: ['a', 'b'], yLabels: ['t0'], xLabel: 'source', yLabel: 'step' };
    const trace = toPlotlyFigure(spec, theme).data[0]!;
    expect(trace.text).toEqual([
      ['source a (0), step t0 (0)', 'source b (1), step t0 (0)'],
      ['source a (0), step 1', 'source b (1), step 1'],
    ]);
    expect(trace.hovertemplate).toBe('%{text}: %{z:.4g}<extra></extra>');
    const numbered = toPlotlyFigure({ kind: 'heatmap', z: [[1, 2]], xLabels: ['0', '1'] }, theme).data[0]!;
    expect(numbered.text).toEqual([['x 0, y 0', 'x 1, y 0']]); // labels that are the index are not repeated
    const plain = toPlotlyFigure({ kind: 'heatmap', z: [[1]] }, theme).data[0]!;
    expect(plain.text).toBeUndefined();
    expect(plain.hovertemplate).toContain('x %{x}, y %{y}');
  });

  it('draws stacked bars', () => {
    const fig = toPlotlyFigure({ kind: 'bars', categories: ['i', 'f'], series: [{ name: 'a', values: [1, 2] }, { name: 'b', values: [3, 4] }], stacked: true }, theme);
    expect(fig.data.map((t) => t.type)).toEqual(['bar', 'bar']);
    expect(fig.layout.barmode).toBe('stack');
  });

  it('writes tables as escaped HTML', () => {
    expect(tableHtml({ kind: 'table', columns: ['a<b'], rows: [[1.23456], [null]] })).toBe(
      '<table class="rnn-lab-table"><thead><tr><th>a&lt;b</th></tr></thead><tbody><tr><td class="num">1.235</td></tr><tr><td>–</td></tr></tbody></table>',
    );
  });

  it('smooths with a debiased EMA', () => {
    expect(emaSmooth([2, 2, 2], 0.9).map((v) => Number(v!.toFixed(10)))).toEqual([2, 2, 2]);
  });
});

describe('display helpers', () => {
  it('make specs with a readable text/plain', () => {
    const loss = plotLoss({ train: [3, 2, 1], val: [3.5, 2.5] }).bundle;
    const spec = loss[RnnLabMime.lines] as LineChartSpec;
    expect(spec.series.map((s) => [s.name, s.dash ?? false])).toEqual([['train', false], ['val', true]]);
    expect(loss['text/plain']).toContain('train: 3 points, last 1, min 1 at 2');
    const grad = plotGradNorm([1, 0.1, 0.01]).bundle[RnnLabMime.lines] as LineChartSpec;
    expect(grad).toMatchObject({ kind: 'gradnorm', logY: true, xLabel: 'time step t' });
    const map = heatmap([[0, 0.5], [1, 0.25]], { transpose: true }).bundle[RnnLabMime.heatmap] as HeatmapSpec;
    expect(map).toMatchObject({ z: [[0, 1], [0.5, 0.25]], scale: 'sequential' });
    expect(table([{ a: 1, b: 'x' }, { a: 2 }]).bundle['text/plain']).toBe('a  b\n-  -\n1  x\n2');
  });
});

// Issue 15 §5: nothing spreads a data-sized array into a call (Math.max(...y) overflows the stack
// somewhere past 10⁵ values): plots of 2·10⁵ and 2·10⁶ points draw, with their static SVG.
describe('many points', () => {
  const wave = (n: number): number[] => Array.from({ length: n }, (_, i) => (i === n - 7 ? 0.5 : 2 + Math.sin(i / 1000)));

  it.each([2e5, 2e6])('plotLines with %d points: the spec keeps them all, the summary finds the minimum, the SVG is decimated', (n) => {
    const y = wave(n);
    const { bundle } = plotLines({ train: y, val: new Float32Array(y) }, { smoothing: 0.6, logY: true });
    const spec = bundle[RnnLabMime.lines] as LineChartSpec;
    expect(spec.series.map((s) => s.y.length)).toEqual([n, n]);
    expect(bundle['text/plain']).toContain(`train: ${n} points, last ${(y[n - 1]!).toFixed(4)}, min 0.5000 at ${n - 7}`);
    const svg = bundle[SVG_MIME] as string;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.length).toBeLessThan(200_000); // at most 2000 points a curve
    const figure = toPlotlyFigure(spec, theme);
    expect(figure.data).toHaveLength(4);
  }, 120_000);

  it('plotLoss and plotGradNorm of a long run, a tensor-sized heatmap, bars and a table of 2·10⁵ rows', () => {
    const n = 2e5;
    const y = wave(n);
    expect(plotLoss(y).bundle['text/plain']).toContain(`${n} points`);
    expect(plotGradNorm(y).bundle[SVG_MIME]).toBeDefined();
    const tall = heatmap(y.map((v) => [v, -v])).bundle;
    expect(tall['text/plain']).toMatch(new RegExp(`^heatmap ${n}×2, values in \\[-3\\.0000, 3\\.0000\\]$`));
    expect((tall[SVG_MIME] as string).length).toBeLessThan(2_000_000);
    const wide = heatmap([y], { xLabels: y.map((_, i) => `t${i}`), yLabels: ['h'] }).bundle;
    expect(wide[SVG_MIME]).toBeDefined();
    expect(bars(y.map((_, i) => `c${i}`), y).bundle[SVG_MIME]).toBeDefined();
    const rows = table(y.map((v, i) => ({ i, v }))).bundle['text/plain'] as string;
    expect(rows.split('\n')).toHaveLength(n + 2);
  }, 120_000);

  it('maxOf is a loop: no limit on the number of items', () => {
    expect(maxOf(new Array<number>(3e6).fill(1), (v) => v)).toBe(1);
    expect(maxOf([] as number[], (v) => v)).toBe(0);
    expect(maxOf(['a', 'abc'], (v) => v.length, -1)).toBe(3);
  });
});
