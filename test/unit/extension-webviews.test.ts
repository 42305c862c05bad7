import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, makeNonce, webviewDocument } from '../../extension/webviewHtml';
import { formatCount, formatNumber, formatShape } from '../../webview/format';
import { binLabels, histogram, matrixShape, parameterHeatmapSpec, parameterHistogramSpec } from '../../webview/parameterSpecs';
import { niceStep, toPlotlyFigure } from '../../kernel/plots/figures';
import { themeFrom } from '../../webview/theme';

describe('webview documents', () => {
  it('allow scripts only with the nonce and nothing remote', () => {
    const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https:|\*)/);
    expect(csp).not.toContain('http://');
  });

  it('puts the nonce on the one script and escapes the title', () => {
    const nonce = makeNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    const html = webviewDocument({ cspSource: 'vscode-resource:', nonce, scriptUri: 'vscode-resource:/dist/dashboard.js', title: '<x>', body: '<main></main>', css: 'body{}' });
    expect(html).toContain(`<script nonce="${nonce}" src="vscode-resource:/dist/dashboard.js"></script>`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<title>&#60;x&#62;</title>');
  });
});

describe('theme colours for plots', () => {
  const vars: Record<string, string> = {
    '--vscode-editor-foreground': '#d4d4d4',
    '--vscode-editor-background': '#1e1e1e',
    '--vscode-charts-blue': '#4080ff',
    '--vscode-font-family': 'Segoe WPC',
    '--vscode-font-size': '13px',
  };
  it('reads VS Code CSS variables and the theme kind from the body class', () => {
    const theme = themeFrom('vscode-dark', (n) => vars[n] ?? '');
    expect(theme).toMatchObject({ kind: 'dark', foreground: '#d4d4d4', background: '#1e1e1e', fontFamily: 'Segoe WPC', fontSize: 12 });
    expect(theme.colorway[0]).toBe('#4080ff');
    expect(theme.colorway).toHaveLength(6);
  });
  it('falls back per kind, and high contrast uses the contrast border for grids', () => {
    expect(themeFrom('vscode-light', () => '').foreground).toBe('#3b3b3b');
    const hc = themeFrom('vscode-high-contrast', (n) => (n === '--vscode-contrastBorder' ? '#6fc3df' : ''));
    expect(hc).toMatchObject({ kind: 'high-contrast', grid: '#6fc3df', foreground: '#ffffff' });
    expect(themeFrom('vscode-high-contrast-light vscode-high-contrast', () => '').kind).toBe('high-contrast-light');
  });
});

describe('parameter view', () => {
  it('shows 1-D as one row and 3-D folded to (d0, rest)', () => {
    expect(matrixShape([5])).toEqual([1, 5]);
    expect(matrixShape([4, 3])).toEqual([4, 3]);
    expect(matrixShape([2, 3, 4])).toEqual([2, 12]);
    const spec = parameterHeatmapSpec('w', [2, 3], [1, -2, 3, 4, 5, -6]);
    expect(spec.z).toEqual([[1, -2, 3], [4, 5, -6]]);
    expect([spec.zmin, spec.zmax]).toEqual([-6, 6]);
  });
  it("marks the gate blocks of a recurrent layer's weights (rows) and biases (columns of the one row)", () => {
    const weight = parameterHeatmapSpec('lstm.weight_hh_l0', [8, 2], Array.from({ length: 16 }, (_, i) => i), ['i', 'f', 'g', 'o']);
    expect(weight.rowBands).toEqual([
      { label: 'i', start: 0, end: 2 },
      { label: 'f', start: 2, end: 4 },
      { label: 'g', start: 4, end: 6 },
      { label: 'o', start: 6, end: 8 },
    ]);
    expect(weight.title).toBe('lstm.weight_hh_l0 · gate blocks i, f, g, o');
    const bias = parameterHeatmapSpec('gru.bias_ih_l0', [6], [1, 2, 3, 4, 5, 6], ['r', 'z', 'n']);
    expect(bias.columnBands?.map((b) => [b.label, b.start, b.end])).toEqual([['r', 0, 2], ['z', 2, 4], ['n', 4, 6]]);
    expect(bias.rowBands).toBeUndefined();
    expect(parameterHeatmapSpec('head.weight', [2, 8], Array.from({ length: 16 }, () => 0)).rowBands).toBeUndefined();

    const { data, layout } = toPlotlyFigure(weight, themeFrom('vscode-dark', () => ''));
    const y = layout.yaxis as { tickvals: number[]; ticktext: string[] };
    expect([y.tickvals, y.ticktext]).toEqual([[0.5, 2.5, 4.5, 6.5], ['i', 'f', 'g', 'o']]);
    // A line between each two blocks, across the plot.
    expect((layout.shapes as { y0: number }[]).map((l) => l.y0)).toEqual([1.5, 3.5, 5.5]);
    expect(data[0]!.text![3]![1]).toBe('column 1, row 3 (f 1)');
  });
  it('writes whole column and row numbers only: a (64, 2) matrix gets no −0.5 … 1.5', () => {
    const { layout } = toPlotlyFigure(parameterHeatmapSpec('w', [64, 2], new Array<number>(128).fill(0.1)), themeFrom('vscode-dark', () => ''));
    expect(layout.xaxis).toMatchObject({ tickmode: 'linear', tick0: 0, dtick: 1 });
    expect(layout.yaxis).toMatchObject({ tickmode: 'linear', tick0: 0, dtick: 10 });
    expect([0.1, 1, 1.01, 2.5, 5.3, 23, 140].map(niceStep)).toEqual([1, 1, 2, 5, 10, 50, 200]);
  });
  it('centres a diverging map on a dark grey in dark themes, on white in light ones', () => {
    const spec = parameterHeatmapSpec('w', [2, 2], [-1, 0, 0, 1]);
    const middle = (kind: string) => (toPlotlyFigure(spec, themeFrom(kind, () => '')).data[0]!.colorscale!.find(([at]) => at === 0.5) ?? [])[1];
    expect(middle('vscode-light')).toBe('#f7f7f7');
    expect(middle('vscode-dark')).toBe('#2e2e2e');
    expect(middle('vscode-high-contrast')).toBe('#2e2e2e');
  });
  it('bins values into a histogram', () => {
    const { edges, counts } = histogram([0, 0.1, 0.5, 0.9, 1, Number.NaN], 2);
    expect(edges).toEqual([0, 0.5, 1]);
    expect(counts).toEqual([2, 3]);
    expect(histogram([2, 2, 2], 10).counts).toEqual([3]);
    const bars = parameterHistogramSpec('b', [0, 1, 2, 3], 2);
    expect(bars.series[0].values).toEqual([2, 2]);
    expect(bars.categories).toEqual(['1', '2']); // centres 0.75 and 2.25, bins 1.5 wide
  });
  it('labels bins with just the decimals that tell them apart', () => {
    const labels = binLabels([-0.21, -0.18, -0.15, -0.12]);
    expect(labels).toEqual(['-0.20', '-0.16', '-0.14']); // -0.165 is -0.16499… in floating point
    expect(new Set(binLabels(Array.from({ length: 41 }, (_, i) => -2.1 + i * 0.0875))).size).toBe(40);
    expect(binLabels([100, 300, 500])).toEqual(['200', '400']);
  });
});

describe('number formatting', () => {
  it('formats numbers, counts and shapes', () => {
    expect(formatNumber(0.000012)).toBe('1.20e-5');
    expect(formatNumber(3.14159)).toBe('3.142');
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatCount(1408)).toBe('1,408');
    expect(formatCount(2_500_000)).toBe('2.50M');
    expect(formatShape([64, 8])).toBe('(64, 8)');
    expect(formatShape([64])).toBe('(64,)');
  });
});

describe('dashboard charts as drawn', () => {
  const theme = themeFrom('vscode-dark', () => '');

  it('write at most a dozen row labels on a tall heatmap (gradient norms over 300 snapshots)', () => {
    const rows = 300;
    const spec = { kind: 'heatmap' as const, z: Array.from({ length: rows }, () => [1, 2]), yLabels: Array.from({ length: rows }, (_, i) => String(i * 10)), xLabels: ['0', '1'] };
    const { layout } = toPlotlyFigure(spec, theme);
    const y = layout.yaxis as { ticktext: string[] };
    expect(y.ticktext.length).toBeLessThanOrEqual(12);
    expect(y.ticktext[0]).toBe('0');
    expect((layout.xaxis as { ticktext: string[] }).ticktext).toEqual(['0', '1']);
  });

  it('write the 2s and 5s of a log axis out in full', () => {
    const { layout } = toPlotlyFigure({ kind: 'gradnorm', logY: true, series: [{ name: 'a', x: [0, 1], y: [1e-4, 5e-3] }] }, theme);
    expect(layout.yaxis).toMatchObject({ type: 'log', dtick: 'D2', minorloglabels: 'complete' });
  });
});
