import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, makeNonce, webviewDocument } from '../../extension/webviewHtml';
import { formatCount, formatNumber, formatShape } from '../../webview/format';
import { binLabels, histogram, matrixShape, parameterHeatmapSpec, parameterHistogramSpec } from '../../webview/parameterSpecs';
import { toPlotlyFigure } from '../../kernel/plots/figures';
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
