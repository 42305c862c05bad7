// The headless runner's HTML report with an untrusted notebook (issue 15 §3): what the notebook
// holds comes out inert (no script but the report's own nonce'd ones, no event handlers, no
// javascript: URLs, images checked to be base64), under a strict Content-Security-Policy, while
// ordinary markdown, HTML and SVG outputs still show. Static checks of the markup; the same
// corpus opened in Chromium is report-xss-browser.test.ts.
import { describe, expect, it } from 'vitest';
import { RnnLabMime } from '../../kernel/protocol';
import { renderReport } from '../../kernel/runner/htmlReport';
import type { Notebook, NotebookCell } from '../../kernel/runner/notebook';
import { XSS_SUMMARY, XSS_TITLE, XSS_VECTORS, xssNotebook, type XssVector } from '../fixtures/report/xssCorpus';

const PLOTLY_STUB = 'window.Plotly = { newPlot: function () {} };';

interface Tag {
  name: string;
  attrs: Record<string, string>;
}

/** Start tags of well-formed markup (what renderReport writes), with decoded attribute values. */
function startTags(html: string): Tag[] {
  const withoutScriptText = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
  return [...withoutScriptText.matchAll(/<([a-zA-Z][\w:-]*)([^>]*)>/g)].map((m) => {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([^\s=/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      attrs[a[1]!.toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    }
    return { name: m[1]!.toLowerCase(), attrs };
  });
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&(quot|amp|lt|gt|apos|Tab|NewLine);/g, (_, n: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'", Tab: '\t', NewLine: '\n' })[n]!);
}

function urlScheme(url: string): string {
  try {
    return new URL(url, 'file:///reports/report.html').protocol;
  } catch {
    return 'invalid:';
  }
}

/** The markup between <main> and </main>: everything that came from the notebook. */
function mainOf(html: string): string {
  return html.slice(html.indexOf('<main>'), html.indexOf('</main>') + '</main>'.length);
}

function report(notebook: Notebook, title = 'test.ipynb', summary = '1 cell'): string {
  return renderReport(notebook, { title, summary, plotlySource: PLOTLY_STUB });
}

const notebookOf = (...cells: NotebookCell[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
const display = (data: Record<string, unknown>): NotebookCell => ({
  cell_type: 'code',
  source: 'display(x)',
  metadata: {},
  execution_count: 1,
  outputs: [{ output_type: 'display_data', data, metadata: {} }],
});

// Elements a notebook's markup must never produce (inline SVG/MathML included: SVG outputs are images).
const FORBIDDEN_IN_MAIN = new Set(['script', 'style', 'link', 'meta', 'base', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'textarea', 'select', 'svg', 'math', 'foreignobject', 'template', 'noscript', 'video', 'audio', 'source', 'marquee', 'body', 'html', 'head', 'title', 'xmp']);

/** Every way a vector could be live in the static markup; an empty list when all are inert. */
function liveMarkup(html: string): string[] {
  const problems: string[] = [];
  const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
  for (const tag of startTags(html)) {
    if (tag.name === 'script' && tag.attrs.nonce !== nonce && tag.attrs.type !== 'application/json') problems.push(`a script without the nonce: ${JSON.stringify(tag.attrs)}`);
    for (const [name, value] of Object.entries(tag.attrs)) {
      if (/^on/.test(name)) problems.push(`<${tag.name} ${name}="${value}">`);
      if (/^\s*(javascript|vbscript|data:text)/i.test(value.replace(/[\u0000-\u0020]/g, ''))) problems.push(`<${tag.name} ${name}="${value}">`);
    }
    // As the browser reads them: a relative URL (a file next to the report) is harmless.
    if (tag.attrs.href !== undefined && !['http:', 'https:', 'mailto:', 'file:'].includes(urlScheme(tag.attrs.href))) problems.push(`href ${tag.attrs.href}`);
    if (tag.attrs.src !== undefined && !/^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]*={0,2}$/.test(tag.attrs.src)) problems.push(`src ${tag.attrs.src}`);
  }
  for (const tag of startTags(mainOf(html))) {
    if (FORBIDDEN_IN_MAIN.has(tag.name)) problems.push(`<${tag.name}> in the notebook's part`);
    if (tag.attrs.id !== undefined && !/^(cell|plot)-\d+$/.test(tag.attrs.id)) problems.push(`id ${tag.attrs.id}`);
    if (tag.attrs.name !== undefined) problems.push(`name ${tag.attrs.name}`);
    if (/position|url\(|expression/i.test(tag.attrs.style ?? '')) problems.push(`style ${tag.attrs.style}`);
  }
  return problems;
}

describe('the report of an untrusted notebook', () => {
  it('has a strict CSP as the first element of <head>, with a fresh nonce on each of its own scripts', () => {
    const html = report(notebookOf(display({ [RnnLabMime.lines]: { kind: 'loss', series: [{ name: 'a', x: [0, 1], y: [1, 0] }] } })));
    const head = html.slice(html.indexOf('<head>') + '<head>'.length).trimStart();
    const csp = /^<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(head)?.[1];
    expect(csp).toBeDefined();
    const directives = new Map(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toHaveLength(1);
    expect(directives.get('script-src')![0]).toMatch(/^'nonce-[A-Za-z0-9+/]{24}'$/);
    expect(directives.get('img-src')).toEqual(['data:', 'blob:']);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/https?:|\*/);
    const nonce = directives.get('script-src')![0]!.slice("'nonce-".length, -1);
    const scripts = startTags(html).filter((t) => t.name === 'script');
    expect(scripts.map((s) => s.attrs)).toEqual([{ nonce }, { type: 'application/json', id: 'rnn-lab-figures' }, { nonce }]);
    expect(/script-src 'nonce-([^']+)'/.exec(report(notebookOf()))![1]).not.toBe(nonce);
  });

  it.each(XSS_VECTORS.map((v): [string, XssVector] => [v.id, v]))('%s comes out inert', (_id, vector) => {
    const html = report(notebookOf(vector.cell));
    expect(liveMarkup(html)).toEqual([]);
  });

  it('renders the whole corpus in one report, with a hostile title and summary, inertly', () => {
    const html = report(xssNotebook(), XSS_TITLE, XSS_SUMMARY);
    expect(liveMarkup(html)).toEqual([]);
    expect(html).toContain('<title>&quot;&gt;&lt;script&gt;');
    // Every vector's cell is there (nothing made the report drop the rest).
    expect(html.match(/<section class="cell /g)).toHaveLength(XSS_VECTORS.length + 1);
  });

  it('keeps plot data as data: a title with </script> or <!-- stays inside the JSON block', () => {
    const title = '</script><script>alert(1)</script><!--<script>';
    const html = report(notebookOf(display({ [RnnLabMime.lines]: { kind: 'lines', title, series: [{ name: '<b>a</b>', x: [0], y: [1] }] } })));
    const block = /<script type="application\/json" id="rnn-lab-figures">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(block).not.toContain('<');
    const figures = JSON.parse(block) as { layout: { title: { text: string } | string }; data: { name: string }[] }[];
    expect(JSON.stringify(figures[0]!.layout)).toContain(JSON.stringify(title).slice(1, -1));
    expect(figures[0]!.data[0]!.name).toBe('<b>a</b>');
    expect(html).toContain('<div class="plot" id="plot-0"></div>');
  });

  it('shows an image whose data is not strict base64 as a note, and valid base64 as an image', () => {
    const bad = report(notebookOf(display({ 'image/png': 'AAAA"/onerror="alert(8)' }), display({ 'image/jpeg': 'AAA' })));
    expect(bad.match(/invalid image data \(not base64\)/g)).toHaveLength(2);
    expect(mainOf(bad)).not.toContain('<img');
    const good = report(notebookOf(display({ 'image/png': ['iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n'] })));
    expect(good).toContain('<img alt="" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==">');
  });

  it('shows a malformed output as a note and goes on with the rest', () => {
    const html = report(notebookOf(display({ [RnnLabMime.table]: { kind: 'table', columns: 'x', rows: 1 } }), display({ 'text/plain': 'next' })));
    expect(html).toContain('this output could not be shown (malformed data)');
    expect(html).toContain('<pre class="plain">next</pre>');
  });
});

describe('ordinary content still shows', () => {
  const markdownCell: NotebookCell = {
    cell_type: 'markdown',
    metadata: {},
    source: [
      '# Heading\n',
      '\n',
      'Some *emphasis*, **strong**, `code`, $\\tau < 1$, H<sub>2</sub>O and a [link](https://example.com "title") and <mailto:a@example.com>.\n',
      '\n',
      '| a | b |\n',
      '|:--|--:|\n',
      '| 1 | 2 |\n',
      '\n',
      '```ts\n',
      'const x = a < b;\n',
      '```\n',
      '\n',
      '![dot](data:image/png;base64,iVBORw0KGgo=)\n',
      '\n',
      '<details><summary>more</summary>hidden</details>\n',
    ],
  };
  const html = mainOf(
    report(
      notebookOf(
        markdownCell,
        display({ 'text/html': '<div style="font-family:monospace;white-space:pre-wrap"><span style="background:rgba(214,39,40,0.57)">s</span><b>bold</b></div><table><tr><th>h</th></tr><tr><td>1</td></tr></table>' }),
        display({ 'text/markdown': ['**What this run shows.** RNN 0.009\n', '\n', '- one\n', '- two\n'] }),
        display({ 'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400" viewBox="0 0 800 400"><rect width="800" height="400" fill="#ffffff"/><text x="10" y="20">τ</text></svg>\n' }),
        display({ [RnnLabMime.table]: { kind: 'table', title: 'results', columns: ['model', 'mse'], rows: [['LSTM', 0.0123]] } }),
      ),
    ),
  );

  it('markdown: headings, emphasis, code, math as text, links, tables with alignment, data: images, details', () => {
    expect(html).toContain('<h1>Heading</h1>');
    expect(html).toContain('<em>emphasis</em>');
    expect(html).toContain('<strong>strong</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('$\\tau &lt; 1$');
    expect(html).toContain('H<sub>2</sub>O');
    expect(html).toContain('<a href="https://example.com" title="title">link</a>');
    expect(html).toContain('<a href="mailto:a@example.com">mailto:a@example.com</a>');
    expect(html).toMatch(/<th style="text-align:left;?">a<\/th>/);
    expect(html).toMatch(/<td style="text-align:right;?">2<\/td>/);
    expect(html).toContain('<pre><code class="language-ts">const x = a &lt; b;\n</code></pre>');
    expect(html).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot" />');
    expect(html).toContain('<details><summary>more</summary>hidden</details>');
  });

  it('html outputs keep their inline formatting; markdown outputs render', () => {
    expect(html).toContain('<div style="font-family:monospace;white-space:pre-wrap"><span style="background:rgba(214,39,40,0.57)">s</span><b>bold</b></div>');
    expect(html).toContain('<table><tr><th>h</th></tr><tr><td>1</td></tr></table>');
    expect(html).toContain('<p><strong>What this run shows.</strong> RNN 0.009</p>');
    expect(html).toContain('<li>two</li>');
  });

  it('SVG outputs are images of the same bytes; tables are RNN Lab tables', () => {
    const src = /<img class="svg" alt="" src="data:image\/svg\+xml;base64,([^"]+)">/.exec(html)?.[1];
    expect(Buffer.from(src!, 'base64').toString('utf8')).toContain('<text x="10" y="20">τ</text>');
    expect(html).toContain('<div class="rnn-lab-title">results</div><table class="rnn-lab-table">');
    expect(html).toContain('<td class="num">0.01230</td>');
  });

  it('an image from anywhere but a data: URL keeps only its alt text (the CSP would block it)', () => {
    const out = mainOf(report(notebookOf({ cell_type: 'markdown', metadata: {}, source: '![plot](plot.png) ![remote](https://example.com/x.png) <img src="//example.com/y.png" alt="y">' })));
    expect(out).toContain('<img alt="plot" /> <img alt="remote" /> <img alt="y" />');
  });

  it('an SVG without its namespace gets one, so the image still draws', () => {
    const out = report(notebookOf(display({ 'image/svg+xml': '<svg width="10" height="10"><rect width="10" height="10"/></svg>' })));
    const src = /src="data:image\/svg\+xml;base64,([^"]+)"/.exec(out)![1]!;
    expect(Buffer.from(src, 'base64').toString('utf8')).toBe('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
  });
});
