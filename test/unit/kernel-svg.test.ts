// kernel/plots/svg: the static SVG every plot bundle carries for viewers without our renderer.
import { describe, expect, it } from 'vitest';
import { RnnLabMime, type BarChartSpec, type HeatmapSpec, type LineChartSpec, type OutputParams } from '../../kernel/protocol';
import { bars, heatmap, plotGradNorm, plotLoss, table } from '../../kernel/runtime/plotHelpers';
import { displayValue } from '../../kernel/runtime/display';
import { OutputRouter } from '../../kernel/runtime/output';
import { plotSvg, SVG_MIME, withStaticPlot } from '../../kernel/plots/svg';
import { formatTick, linearAxis, logAxis } from '../../kernel/plots/svg/axes';
import { binHeatmap, decimate, MAX_CELLS, MAX_POINTS } from '../../kernel/plots/svg/downsample';
import { labelText } from '../../kernel/plots/svg/markup';
import { LEVELS } from '../../kernel/plots/svg/colors';

// ---------------------------------------------------------------------------------------------
// A small well-formedness check: tags nest and close, attributes are name="value" without '<',
// text has no stray '<' and only the five XML entities or numeric references. Returns the
// elements as [name, attributes, text inside up to the first child] in document order.

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

function parseXml(source: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  const checkText = (s: string): string => {
    if (s.includes('<')) throw new Error(`stray < in text: ${s.slice(0, 40)}`);
    for (const m of s.matchAll(/&([^;]*);?/g)) {
      if (!/^(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+)$/i.test(m[1]!) || !m[0].endsWith(';')) throw new Error(`bad entity ${m[0]}`);
    }
    return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  };
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textPart = source.slice(i, lt < 0 ? source.length : lt);
    const decoded = checkText(textPart);
    if (open.length > 0) open[open.length - 1]!.text += decoded;
    else if (textPart.trim()) throw new Error(`text outside the root: ${textPart.slice(0, 40)}`);
    if (lt < 0) break;
    const gt = source.indexOf('>', lt);
    if (gt < 0) throw new Error('unclosed tag');
    const tag = source.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const top = open.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> closes <${top?.name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*$/.exec(body);
    if (!m) throw new Error(`malformed tag <${tag.slice(0, 60)}>`);
    const attributes: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
      if (a[1]! in attributes) throw new Error(`attribute ${a[1]} twice`);
      attributes[a[1]!] = checkText(a[2]!);
    }
    if (open.length === 0 && elements.length > 0) throw new Error('a second root element');
    const element = { name: m[1]!, attributes, text: '' };
    elements.push(element);
    if (!selfClosing) open.push(element);
  }
  if (open.length > 0) throw new Error(`<${open[open.length - 1]!.name}> is not closed`);
  return elements;
}

function texts(elements: XmlElement[]): string[] {
  return elements.filter((e) => e.name === 'text').map((e) => e.text);
}

/** The drawable points of a path's data (each "M"/"m"/"l" pair). */
function pathPoints(d: string): number {
  const numbers = d.match(/-?\d*\.?\d+/g) ?? [];
  const hZero = (d.match(/h0/g) ?? []).length;
  return (numbers.length - hZero) / 2;
}

function fills(elements: XmlElement[]): string[] {
  return elements.filter((e) => e.name === 'path' && e.attributes.fill).map((e) => e.attributes.fill!);
}

const range = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('static SVG of a line chart', () => {
  const spec: LineChartSpec = {
    kind: 'loss',
    title: 'Loss <train> & "val"',
    xLabel: 'step',
    yLabel: 'loss',
    logY: true,
    smoothing: 0.9,
    series: [
      { name: 'train', x: range(500, (i) => i), y: range(500, (i) => 2 * Math.exp(-i / 100) + 0.01) },
      { name: 'validation', x: [0, 250, 499], y: [2, 0.2, 0.05], dash: true, mode: 'lines+markers' },
    ],
  };

  it('is well-formed 800 × 400 SVG with the title and series names as text', () => {
    const svg = plotSvg(spec);
    const elements = parseXml(svg);
    expect(elements[0]).toMatchObject({ name: 'svg', attributes: { xmlns: 'http://www.w3.org/2000/svg', width: '800', height: '400', viewBox: '0 0 800 400' } });
    const words = texts(elements);
    expect(words).toContain('Loss <train> & "val"');
    expect(words).toEqual(expect.arrayContaining(['train', 'validation', 'step', 'loss']));
    // Smoothing: a faint raw curve behind each smoothed one; the validation curve is dashed with dots.
    const paths = elements.filter((e) => e.name === 'path');
    expect(paths.filter((p) => p.attributes['stroke-opacity'] === '0.3')).toHaveLength(2);
    expect(paths.some((p) => p.attributes['stroke-dasharray'] === '6 4' && p.attributes.d!.length > 20)).toBe(true);
  });

  it('labels a log axis by decades (1, 2 and 5 over a short range, powers of ten over a long one)', () => {
    const short = logAxis(0.05, 2);
    expect(short.ticks.map((t) => labelText(t.label))).toEqual(['0.05', '0.1', '0.2', '0.5', '1', '2']);
    // Far from 1, the 2 and 5 are written in full (a bare "2" would read as 2), as plotly does.
    expect(logAxis(1e-6, 1e-4).ticks.map((t) => labelText(t.label))).toEqual(['10^−6', '2×10^−6', '5×10^−6', '10^−5', '2×10^−5', '5×10^−5', '10^−4']);
    const plain = logAxis(1e-3, 10);
    expect(plain.ticks.map((t) => labelText(t.label))).toEqual(['0.001', '0.01', '0.1', '1', '10']);
    expect(plain.minorGrid).toContain(0.002);
    // 22 decades: every third one is written, as 10 with a superscript exponent.
    const long = logAxis(1e-20, 10);
    expect(long.ticks.map((t) => labelText(t.label))).toEqual(['10^−18', '10^−15', '10^−12', '10^−9', '10^−6', '10^−3', '1']);
    // Ticks sit where their value is on the log scale.
    for (const t of long.ticks) expect(long.fraction(t.value)).toBeCloseTo((Math.log10(t.value) - Math.log10(long.lo)) / (Math.log10(long.hi) - Math.log10(long.lo)), 9);
    const svg = plotSvg({ kind: 'gradnorm', logY: true, series: [{ name: 'RNN', x: [0, 1, 2], y: [1e-20, 1e-10, 1] }] });
    expect(svg).toContain('10<tspan dy="-0.45em" font-size="75%">−15</tspan>');
  });

  it('gives non-positive values on a log axis and NaN (null in JSON) gaps, not lines to zero', () => {
    const svg = plotSvg({ kind: 'lines', logY: true, series: [{ name: 'a', x: [0, 1, 2, 3, 4], y: [1, 2, 0, 4, Number.NaN] }] });
    const d = parseXml(svg).find((e) => e.name === 'path' && e.attributes['stroke-width'] === '2')!.attributes.d!;
    // Two runs: (0, 1) and the lone point 3.
    expect(d.match(/M/g)).toHaveLength(2);
  });

  it('writes linear ticks at nice steps with as many decimals as the step needs', () => {
    expect(linearAxis(0, 1, { target: 5 }).ticks.map((t) => t.label)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(formatTick(-0.5, 0.5)).toBe('−0.5');
    expect(formatTick(25_000, 5_000)).toBe('25k');
    expect(formatTick(3e-5, 1e-5)).toBe('3e−5');
  });

  it('is the same bytes for the same spec', () => {
    expect(plotSvg(spec)).toBe(plotSvg(structuredClone(spec)));
  });
});

describe('downsampling', () => {
  it('keeps at most MAX_POINTS points per curve, the first and the last, and the spikes', () => {
    const n = 50_000;
    const y = range(n, (i) => Math.sin(i / 100));
    y[12_345] = 9;
    const points = decimate(range(n, (i) => i), y);
    const drawn = points.filter((p) => p !== null);
    expect(drawn.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(drawn[0]).toEqual([0, y[0]]);
    expect(drawn[drawn.length - 1]).toEqual([n - 1, y[n - 1]]);
    expect(drawn).toContainEqual([12_345, 9]);
    // x stays in order.
    expect(drawn.every((p, i) => i === 0 || p![0] > drawn[i - 1]![0])).toBe(true);
  });

  it('keeps gaps as breaks', () => {
    const y: (number | null)[] = range(10_000, (i) => i);
    for (let i = 4000; i < 4100; i++) y[i] = null;
    const points = decimate(range(10_000, (i) => i), y);
    expect(points.filter((p) => p === null)).toHaveLength(1);
    expect(decimate([0, 1, 2], [null, 1, null])).toEqual([[1, 1]]);
  });

  it('draws a long series with no more than MAX_POINTS points in the SVG', () => {
    const n = 30_000;
    const svg = plotSvg({ kind: 'lines', series: [{ name: 'long', x: range(n, (i) => i), y: range(n, (i) => Math.cos(i)) }] });
    const d = parseXml(svg).find((e) => e.name === 'path' && e.attributes['stroke-width'] === '2')!.attributes.d!;
    expect(pathPoints(d)).toBeLessThanOrEqual(MAX_POINTS);
    expect(pathPoints(d)).toBeGreaterThan(MAX_POINTS / 2);
    expect(svg.length).toBeLessThan(40_000);
  });

  it('averages heatmaps above MAX_CELLS over blocks', () => {
    const z = range(100, (i) => range(1000, (j) => i + j));
    const binned = binHeatmap(z);
    expect(binned.z.length * binned.z[0]!.length).toBeLessThanOrEqual(MAX_CELLS);
    expect(binned.rowEdges).toHaveLength(101); // 100 rows stay rows
    expect(binned.colEdges[binned.colEdges.length - 1]).toBe(1000);
    // Block (0, 0) covers columns 0…4: the mean of 0…4.
    expect(binned.colEdges[1]).toBe(5);
    expect(binned.z[0]![0]).toBe(2);
    const small = binHeatmap([[1, Number.NaN]]);
    expect(small.z).toEqual([[1, Number.NaN]]);
  });
});

describe('static SVG of a heatmap', () => {
  it('gives the lowest value the first colour of its scale and the highest the last', () => {
    const spec: HeatmapSpec = { kind: 'heatmap', z: [[0, 0.5], [1, Number.NaN]], scale: 'sequential', xLabels: ['the', ' '], yLabels: ['unit 0', 'unit 1'] };
    const elements = parseXml(plotSvg(spec));
    const cells = fills(elements.slice(0, elements.findIndex((e) => e.name === 'g' && e.attributes.transform?.includes('scale(14 '))));
    expect(cells).toContain('#440154'); // viridis 0
    expect(cells).toContain('#fde725'); // viridis 1
    // Token labels, a space made visible; row labels.
    expect(texts(elements)).toEqual(expect.arrayContaining(['the', '␣', 'unit 0', 'unit 1']));
    // Diverging without zmin/zmax: symmetric about 0, so -2 is the bluest and 2 the reddest.
    const diverging = fills(parseXml(plotSvg({ kind: 'heatmap', z: [[-2, 0, 2]], scale: 'diverging' })));
    expect(diverging.slice(0, 3)).toEqual(['#2166ac', '#f7f7f7', '#b2182b']);
    // zmin/zmax clamp: values beyond them take the end colours.
    const clamped = fills(parseXml(plotSvg({ kind: 'heatmap', z: [[-5, 5]], scale: 'diverging', zmin: -1, zmax: 1 })));
    expect(clamped.slice(0, 2)).toEqual(['#2166ac', '#b2182b']);
  });

  it('draws a large heatmap within MAX_CELLS cells', () => {
    const z = range(200, (i) => range(400, (j) => Math.sin(i * j)));
    const svg = plotSvg({ kind: 'heatmap', z, title: 'big' });
    const cells = parseXml(svg)
      .filter((e) => e.name === 'path' && e.attributes.fill)
      .reduce((n, e) => n + (e.attributes.d!.match(/z/g)?.length ?? 0), 0);
    expect(cells).toBeLessThanOrEqual(MAX_CELLS + LEVELS); // + the colour bar's bands
    expect(svg.length).toBeLessThan(400_000);
  });
});

describe('static SVG of bars', () => {
  it('draws grouped and stacked bars with category and series names', () => {
    const spec: BarChartSpec = { kind: 'bars', title: 'Gates', categories: ['input', 'forget'], series: [{ name: 'a', values: [1, -2] }, { name: 'b', values: [3, 4] }] };
    for (const stacked of [false, true]) {
      const elements = parseXml(plotSvg({ ...spec, stacked }));
      expect(texts(elements)).toEqual(expect.arrayContaining(['Gates', 'input', 'forget', 'a', 'b']));
      // One path per series, a bar per non-zero value.
      const bars = elements.filter((e) => e.name === 'path' && e.attributes.fill && e.attributes.fill !== 'none' && e.attributes.d!.includes('V'));
      expect(bars.map((b) => b.attributes.d!.match(/z/g)!.length)).toEqual([2, 2]);
    }
  });
});

describe('awkward specs', () => {
  it('still give well-formed SVG', () => {
    const specs = [
      { kind: 'lines', series: [] },
      { kind: 'lines', series: [{ name: 'one', x: [3], y: [7] }] },
      { kind: 'lines', logY: true, series: [{ name: 'none', x: [0, 1], y: [0, -1] }] },
      { kind: 'loss', smoothing: 0.5, series: [{ name: 'nan', x: [0, 1], y: [Number.NaN, Number.NaN] }] },
      { kind: 'lines', series: [{ name: 'json nulls', x: [0, 1, 2], y: [1, null, 3] }] },
      { kind: 'heatmap', z: [] },
      { kind: 'heatmap', z: [[Number.NaN]] },
      { kind: 'heatmap', z: [[1, 1], [1, 1]], scale: 'sequential' },
      { kind: 'bars', categories: [], series: [] },
      { kind: 'bars', categories: ['x'], series: [{ name: 's', values: [0] }] },
    ] as unknown as Parameters<typeof plotSvg>[0][];
    for (const spec of specs) expect(() => parseXml(plotSvg(spec)), JSON.stringify(spec)).not.toThrow();
  });
});

describe('plot bundles', () => {
  it('carry the SVG right after the interactive item, text/plain last', () => {
    expect(Object.keys(plotLoss([3, 2, 1]).bundle)).toEqual([RnnLabMime.lines, SVG_MIME, 'text/plain']);
    expect(Object.keys(plotGradNorm([1, 0.1]).bundle)).toEqual([RnnLabMime.lines, SVG_MIME, 'text/plain']);
    expect(Object.keys(heatmap([[1, 2]]).bundle)).toEqual([RnnLabMime.heatmap, SVG_MIME, 'text/plain']);
    expect(Object.keys(bars(['a'], [1]).bundle)).toEqual([RnnLabMime.bars, SVG_MIME, 'text/plain']);
    expect(table([{ a: 1 }]).bundle[SVG_MIME]).toBeUndefined();
  });

  it('get an SVG in display() when a value brings its own plot bundle without one', () => {
    const sent: OutputParams[] = [];
    const router = new OutputRouter({ sendOutput: (p) => sent.push(p), sendNotification: () => undefined });
    const spec: LineChartSpec = { kind: 'lines', series: [{ name: 'mine', x: [0, 1], y: [1, 2] }] };
    router.run('exec-1', () => displayValue(router, { toMimeBundle: () => ({ [RnnLabMime.lines]: spec, 'text/plain': 'mine' }) }));
    const output = sent[0]!.output as { type: 'display'; data: Record<string, unknown> };
    expect(Object.keys(output.data)).toEqual([RnnLabMime.lines, SVG_MIME, 'text/plain']);
    expect(withStaticPlot({ 'text/plain': 'x' })).toEqual({ 'text/plain': 'x' });
  });
});
