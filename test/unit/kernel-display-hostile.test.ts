// Displays a hostile or careless notebook makes: an object whose toMimeBundle() returns something
// that cannot be sent or drawn shows its text/plain repr with a line saying what was wrong (as
// IPython shows text/plain when a formatter fails), never nothing and never a transport error;
// the plot helpers given the wrong arguments fail naming the helper, the argument and what they
// expected; html()'s text/plain has no script in it. Part of it spawns the built kernel
// (npm run build first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import { bars, heatmap, html, htmlText, markdown, plotGradNorm, plotLines, plotLoss, table } from '../../kernel/runtime/plotHelpers';
import { specProblem } from '../../kernel/plots/specCheck';
import { RnnLabMime, type CellOutput } from '../../kernel/protocol';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
const plain = (o: CellOutput | undefined) => (o && 'data' in o ? o.data['text/plain'] : undefined);

describe('toMimeBundle() that returns an unusable bundle', () => {
  let kernel: KernelProcess;
  beforeAll(async () => {
    kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
  });
  afterAll(() => kernel.dispose());

  /** A class whose toMimeBundle() returns `bundle` (an expression), shown as the cell's value and by display(). */
  async function show(bundle: string): Promise<{ result: unknown; display: unknown; keys: string[] }> {
    const r = await kernel.execute(`class Weird { n = 1; toMimeBundle(): any { return ${bundle}; } }\ndisplay(new Weird());\nnew Weird()`);
    expect(r.status).toBe('ok');
    const result = r.outputs.find((o) => o.type === 'result');
    const display = r.outputs.find((o) => o.type === 'display');
    return { result: plain(result), display: plain(display), keys: Object.keys((result as { data: object }).data) };
  }

  it.each([
    ['null', "Weird { n: 1 }\n(toMimeBundle() of Weird returned null: expected an object of MIME type → data, such as { 'text/plain': 'some text' }; shown as text instead)"],
    ['5', "Weird { n: 1 }\n(toMimeBundle() of Weird returned 5: expected an object of MIME type → data, such as { 'text/plain': 'some text' }; shown as text instead)"],
    ['{}', "Weird { n: 1 }\n(toMimeBundle() of Weird returned {}: expected at least one MIME type, such as { 'text/plain': 'some text' }; shown as text instead)"],
    ["{ 'text/plain': 10n }", "Weird { n: 1 }\n(toMimeBundle() of Weird returned { 'text/plain': 10n }: expected 'text/plain' to be a string, got a bigint (10n); shown as text instead)"],
    ["{ plain: 'x' }", "Weird { n: 1 }\n(toMimeBundle() of Weird returned { plain: 'x' }: expected MIME types as keys (type/subtype, such as 'text/plain'), got 'plain'; shown as text instead)"],
  ])('toMimeBundle() returning %s shows the repr and says what was expected', async (bundle, expected) => {
    const { result, display, keys } = await show(bundle);
    expect(result).toBe(expected);
    expect(display).toBe(expected);
    expect(keys).toEqual(['text/plain']);
  });

  it('names where JSON data is circular or holds a bigint, and keeps the text/plain the object gave', async () => {
    const circular = await show("(() => { const o: any = { a: [1, {}] }; o.a[1].back = o; return { 'application/json': o, 'text/plain': 'mine' }; })()");
    expect(circular.result).toMatch(/^mine\n\(toMimeBundle\(\) of Weird returned .*: 'application\/json'\.a\[1\]\.back cannot be sent as JSON: it is circular \(it contains itself\); shown as text instead\)$/);
    const big = await show("{ 'application/json': { count: 10n } }");
    expect(big.result).toMatch(/^Weird \{ n: 1 \}\n\(toMimeBundle\(\) of Weird returned .*: 'application\/json'\.count cannot be sent as JSON: it is a bigint \(10n\), which JSON cannot hold; shown as text instead\)$/);
  });

  it('says a plot spec is malformed instead of drawing a blank plot', async () => {
    const { result, keys } = await show(`{ '${RnnLabMime.lines}': { kind: 'lines', series: 'loss' } }`);
    expect(keys).toEqual(['text/plain']);
    expect(result).toContain(`malformed '${RnnLabMime.lines}': expected series to be an array of { name, x, y }, got a string ("loss")`);
  });

  it('passes a valid bundle of its own through, with a static SVG of its plot', async () => {
    const { result, keys } = await show(`{ '${RnnLabMime.lines}': { kind: 'lines', series: [{ name: 'y', x: [0, 1], y: [1, 2] }] }, 'text/plain': 'two points' }`);
    expect(result).toBe('two points');
    expect(keys).toEqual([RnnLabMime.lines, 'image/svg+xml', 'text/plain']);
  });

  it('shows the error of a toMimeBundle() that throws, with its stack, as a failed cell', async () => {
    const r = await kernel.execute("class Broken { toMimeBundle() { throw new Error('no repr today'); } }\nnew Broken()");
    expect(r.status).toBe('error');
    expect(r.error?.message).toBe('no repr today');
  });

  it('fails a plot helper called with the wrong arguments with its message in the cell', async () => {
    const r = await kernel.execute("plotLines({ title: 'Loss' })");
    expect(r.status).toBe('error');
    expect(r.error?.message).toBe(
      'plotLines: expected series (an array of numbers, a tensor, { name: values, … } or [{ name, x, y }, …]), got an object with keys title; options go second: plotLines(values, { title: … })',
    );
  });
});

describe('plot helpers with the wrong arguments', () => {
  const SERIES = 'series (an array of numbers, a tensor, { name: values, … } or [{ name, x, y }, …])';
  it.each<[string, () => unknown, string]>([
    ['plotLines(options)', () => plotLines({ title: 'x' } as never), `plotLines: expected ${SERIES}, got an object with keys title; options go second: plotLines(values, { title: … })`],
    ['plotLoss(null)', () => plotLoss(null as never), `plotLoss: expected ${SERIES}, got null`],
    ['plotGradNorm(undefined)', () => plotGradNorm(undefined as never), `plotGradNorm: expected ${SERIES}, got nothing (undefined)`],
    ['plotLines(a string)', () => plotLines('abc' as never), `plotLines: expected ${SERIES}, got a string ("abc")`],
    ['plotLines({})', () => plotLines({}), `plotLines: expected ${SERIES}, got an object with no keys`],
    ['plotLines(strings)', () => plotLines([1, 'a'] as never), 'plotLines: series: expected numbers, got a string ("a") at [1]'],
    ['plotLines(options a string)', () => plotLines([1, 2], 'Loss' as never), 'plotLines: expected options (an object such as { title: … }), got a string ("Loss")'],
    ['plotLines(a series without y)', () => plotLines([{ name: 'a', x: [1] }] as never), 'plotLines: expected series[0] to be { name, x, y }, got an object with keys name, x'],
    ['heatmap([])', () => heatmap([]), 'heatmap: expected z with at least one value (rows × columns), got an empty array'],
    ['heatmap(null)', () => heatmap(null as never), 'heatmap: expected z as rows of numbers (a 2-D array such as [[1, 2], [3, 4]]) or a 2-D tensor, got null'],
    ['heatmap(1-D)', () => heatmap([1, 2] as never), 'heatmap: expected z as rows of numbers (a 2-D array such as [[1, 2], [3, 4]]) or a 2-D tensor, got a number (1) as z[0] (for one row of values, pass [values])'],
    ['table(null)', () => table(null as never), 'table: expected rows (an array of objects, or of arrays with options.columns), got null'],
    ['table(a null row)', () => table([{ a: 1 }, null] as never), 'table: expected rows[1] to be an object, as rows[0] is, got null'],
    ['table(columns a string)', () => table([[1]], { columns: 'a' as never }), 'table: expected options.columns (an array of names), got a string ("a")'],
    ['bars(null, …)', () => bars(null as never, [1]), 'bars: expected categories (an array of names), got null'],
    ['bars(…, null)', () => bars(['a'], null as never), 'bars: expected values (an array of numbers, or { name: values, … } for several series), got null'],
    ['bars(more values than categories)', () => bars(['a'], [1, 2]), 'bars: expected one value per category (1), got 2 in series "value"'],
    ['markdown(null)', () => markdown(null as never), 'markdown: expected text (a string), got null'],
    ['html(5)', () => html(5 as never), 'html: expected text (a string), got a number (5)'],
  ])('%s', (_, call, message) => {
    expect(call).toThrow(message);
    try {
      call();
    } catch (error) {
      expect((error as Error).message).toBe(message);
    }
  });

  it('still takes what it took: empty series (a live plot filled later), several series, LineSeries without x, numbers as categories', () => {
    expect(plotLoss([]).bundle['text/plain']).toBe('Loss (1 series)\n  loss: 0 points');
    expect(plotLines([{ name: 'a', y: [3, 1] }] as never).bundle['text/plain']).toBe('lines (1 series)\n  a: 2 points, last 1, min 1 at 1');
    expect((bars([1, 2] as never, { a: [1, 2] }).bundle[RnnLabMime.bars] as { categories: string[] }).categories).toEqual(['1', '2']);
    expect(heatmap([[NaN, NaN]]).bundle['text/plain']).toBe('heatmap 1×2, no finite values');
  });
});

describe("html()'s text/plain", () => {
  it('drops script and style contents and whole tags, quoted ">" included, and keeps the text', () => {
    expect(htmlText('<script>alert(2)</script>x<img src=x onerror="alert(4)">')).toBe('x');
    expect(htmlText('<img src=x onerror="a>alert(4)">y<style>p { color: red }</style>')).toBe('y');
    expect(htmlText('<b style="color:red">bold</b> &amp; <i>it</i><br>next<!-- hidden --> a &lt; b')).toBe('bold & it\nnext a < b');
    expect(html('<p>one</p><p>two</p>').bundle['text/plain']).toBe('one\ntwo');
  });
});

describe('specProblem', () => {
  it('accepts the specs the helpers make and names what is wrong in others', () => {
    for (const out of [plotLines({ a: [1, 2] }), heatmap([[1]]), bars(['a'], [1]), table([{ a: 1 }])]) {
      for (const [mime, data] of Object.entries(out.bundle)) expect(specProblem(mime, data)).toBeNull();
    }
    expect(specProblem(RnnLabMime.heatmap, { kind: 'heatmap', z: [[1], 'x'] })).toBe('expected z[1] to be an array of numbers, got a string ("x")');
    expect(specProblem(RnnLabMime.table, { kind: 'table', columns: ['a'], rows: [[{}]] })).toBe('expected rows[0][0] to be a string, a number or null, got an object with no keys');
    expect(specProblem(RnnLabMime.bars, null)).toBe("expected a bar chart spec { kind: 'bars', categories, series: [{ name, values }] }, got null");
  });
});
