// The headless runner's HTML report: every cell with its outputs, plots drawn by plotly.js
// inlined into the file (it opens offline). Figures are computed here with the same
// toPlotlyFigure the notebook renderer uses; the page only hands them to Plotly.newPlot.
//
// The notebook may come from anyone, and opening its report must not run anything it holds:
// notebook markup is sanitised (sanitize.ts), text and attribute values are escaped, images are
// checked to be base64, and a Content-Security-Policy lets only the report's own two scripts run.
import { randomBytes } from 'node:crypto';
import MarkdownIt from 'markdown-it';
import { RnnLabMime, type ModuleSummary, type TableSpec, type TensorSummary } from '../protocol';
import { escapeHtml, LIGHT_THEME, PLOTLY_CONFIG, tableHtml, toPlotlyFigure, type PlotlyFigure, type PlotSpec } from '../plots/figures';
import type { Notebook, NotebookOutput } from './notebook';
import { sanitizeNotebookHtml } from './sanitize';

// Light, as on GitHub: the report is read in a browser, not in the editor's theme.
const THEME = LIGHT_THEME;

const PLOT_MIMES = [RnnLabMime.lines, RnnLabMime.heatmap, RnnLabMime.bars];

export interface ReportOptions {
  title: string;
  /** The minified plotly.js source, inlined into a <script>. */
  plotlySource: string;
  /** Summary line under the title, e.g. "7 cells, 1 failed, 3.2 s". */
  summary: string;
}

export function renderReport(notebook: Notebook, options: ReportOptions): string {
  // html: true keeps the HTML a markdown cell may hold (<br>, <sub>, <details>); all of it then
  // goes through the sanitiser.
  const markdown = new MarkdownIt({ html: true, linkify: true });
  const renderMarkdown = (source: string) => sanitizeNotebookHtml(markdown.render(source));
  const figures: PlotlyFigure[] = [];
  const cells = notebook.cells.map((cell, index) => {
    const source = textOf(cell.source);
    if (cell.cell_type === 'markdown') return `<section class="cell markdown">${renderMarkdown(source)}</section>`;
    if (cell.cell_type === 'raw') return `<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`;
    const count = escapeHtml(String(cell.execution_count ?? ' '));
    const outputList = Array.isArray(cell.outputs) ? cell.outputs : [];
    const outputs = outputList.map((o) => renderOutputSafely(o, figures, renderMarkdown)).join('\n');
    const failed = outputList.some((o) => o?.output_type === 'error');
    return `<section class="cell code${failed ? ' failed' : ''}" id="cell-${index + 1}">
  <div class="prompt">[${count}]</div>
  <div class="body"><pre class="source"><code>${escapeHtml(source)}</code></pre>${outputs ? `<div class="outputs">${outputs}</div>` : ''}</div>
</section>`;
  });
  const nonce = randomBytes(18).toString('base64');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce)}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
<script nonce="${nonce}">${options.plotlySource.replace(/<\/script/gi, '<\\/script')}</script>
</head>
<body>
<header><h1>${escapeHtml(options.title)}</h1><p class="summary">${escapeHtml(options.summary)}</p></header>
<main>
${cells.join('\n')}
</main>
<script type="application/json" id="rnn-lab-figures">${scriptSafeJson(figures)}</script>
<script nonce="${nonce}">
(function () {
  var figures = JSON.parse(document.getElementById('rnn-lab-figures').textContent);
  var config = ${JSON.stringify(PLOTLY_CONFIG)};
  figures.forEach(function (figure, i) {
    Plotly.newPlot(document.getElementById('plot-' + i), figure.data, figure.layout, config);
  });
})();
</script>
</body>
</html>
`;
}

/**
 * Scripts: only the two nonce'd ones (plotly.js and the loop that draws the figures), a fresh
 * nonce per report; no 'unsafe-eval', which plotly does not need for the traces the report draws
 * (scatter, heatmap, bar). Styles: inline ones are allowed, because plotly adds a <style> element
 * and style attributes while it draws (with a nonce-only style-src it loses its modebar and hover
 * CSS), and html() outputs colour text with style attributes (which the sanitiser filters).
 * Styles run nothing, and with nothing loadable but images from data: and blob: they cannot send
 * anything out either. blob: is what plotly's "download plot as png" draws through; only a script
 * can make a blob: URL. Nothing remote, no frames, no plugins, no <base>, no form submissions.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** JSON for a <script type="application/json"> block: no "<" at all, so no "</script" or "<!--". */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Notebook text (a string or nbformat's list of lines); anything else is not text and shows as "". */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : '')).join('') : '';
}

/** One output; a malformed one (a crafted table spec, say) becomes a note, not a failed report. */
function renderOutputSafely(output: NotebookOutput, figures: PlotlyFigure[], renderMarkdown: (source: string) => string): string {
  const figureCount = figures.length;
  try {
    return renderOutput(output, figures, renderMarkdown);
  } catch {
    figures.length = figureCount;
    return '<div class="note">this output could not be shown (malformed data)</div>';
  }
}

function renderOutput(output: NotebookOutput, figures: PlotlyFigure[], renderMarkdown: (source: string) => string): string {
  switch (output.output_type) {
    case 'stream':
      // The name is a class: only the two nbformat allows.
      return `<pre class="stream ${output.name === 'stderr' ? 'stderr' : 'stdout'}">${escapeHtml(textOf(output.text))}</pre>`;
    case 'error':
      return `<pre class="error">${escapeHtml(stripAnsi(output.traceback.join('\n')))}</pre>`;
    default:
      return renderBundle(output.data, figures, renderMarkdown);
  }
}

function renderBundle(data: Record<string, unknown>, figures: PlotlyFigure[], renderMarkdown: (source: string) => string): string {
  const text = (mime: string) => {
    const value = data[mime];
    return Array.isArray(value) || typeof value === 'string' ? textOf(value) : undefined;
  };
  const plot = plotHtml(data, figures);
  if (plot !== undefined) return plot;
  if (data[RnnLabMime.table]) return `<div class="table">${tableHtml(data[RnnLabMime.table] as TableSpec)}</div>`;
  if (data[RnnLabMime.module]) return moduleHtml(data[RnnLabMime.module] as ModuleSummary, text('text/plain') ?? '');
  if (data[RnnLabMime.tensor]) return tensorHtml(data[RnnLabMime.tensor] as TensorSummary, text('text/plain') ?? '');
  const html = text('text/html');
  if (html !== undefined) return `<div class="html">${sanitizeNotebookHtml(html)}</div>`;
  const md = text('text/markdown');
  if (md !== undefined) return `<div class="markdown">${renderMarkdown(md)}</div>`;
  for (const image of ['image/png', 'image/jpeg']) {
    const b64 = text(image);
    if (b64 !== undefined) return base64Image(image, b64);
  }
  const svg = text('image/svg+xml');
  if (svg !== undefined) return svgImage(svg);
  return `<pre class="plain">${escapeHtml(text('text/plain') ?? '')}</pre>`;
}

/** An interactive plot's placeholder, or undefined when the bundle has none (or one plotly cannot take). */
function plotHtml(data: Record<string, unknown>, figures: PlotlyFigure[]): string | undefined {
  for (const mime of PLOT_MIMES) {
    if (!data[mime]) continue;
    let figure: PlotlyFigure;
    try {
      figure = toPlotlyFigure(data[mime] as PlotSpec, THEME);
    } catch {
      return undefined; // a malformed spec: the bundle's other items (its SVG) stand in
    }
    figures.push(figure);
    return `<div class="plot" id="plot-${figures.length - 1}"></div>`;
  }
  return undefined;
}

// Strict base64: anything else (a quote, say) could end the attribute it is put in.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Image(mime: string, value: string): string {
  const b64 = value.replace(/\s/g, '');
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return '<div class="note">invalid image data (not base64)</div>';
  return `<img alt="" src="data:${mime};base64,${b64}">`;
}

/**
 * SVG outputs are shown as an <img> of a data: URL rather than inlined. An SVG image is a sealed
 * document: its scripts, event handlers and <foreignObject> never run and it loads nothing, so no
 * SVG allowlist is needed (or has to follow what kernel/plots/svg emits), and the bytes drawn
 * are exactly the output's, so RNN Lab's static plots look as they do anywhere else.
 */
function svgImage(svg: string): string {
  // An SVG image needs its namespace; inline HTML did not, so add it when missing.
  const withNamespace = /<svg\b[^>]*\sxmlns\s*=/i.test(svg) ? svg : svg.replace(/<svg\b/i, '<svg xmlns="http://www.w3.org/2000/svg"');
  return `<img class="svg" alt="" src="data:image/svg+xml;base64,${Buffer.from(withNamespace, 'utf8').toString('base64')}">`;
}

function tensorHtml(t: TensorSummary, plain: string): string {
  const s = t.stats;
  const stats = `shape (${t.shape.join(', ')}) · mean ${fmt(s.mean)} · std ${fmt(s.std)} · min ${fmt(s.min)} · max ${fmt(s.max)}${t.requiresGrad ? ' · requiresGrad' : ''}`;
  return `<div class="tensor"><div class="caption">${escapeHtml(stats)}</div><pre class="plain">${escapeHtml(plain)}</pre></div>`;
}

function moduleHtml(m: ModuleSummary, plain: string): string {
  const spec: TableSpec = {
    kind: 'table',
    title: `${m.className}: ${m.parameterCount.toLocaleString('en-US')} parameters`,
    columns: ['parameter', 'shape', 'count', 'mean', 'std', 'min', 'max'],
    rows: m.parameters.map((p) => [p.name, `(${p.shape.join(', ')}${p.shape.length === 1 ? ',' : ''})`, p.count, p.mean, p.std, p.min, p.max]),
  };
  // The table says what the text's parameter list does, with statistics: the repr is enough above it.
  const repr = plain.split('\n\nparameters:')[0]!;
  return `<div class="module"><pre class="plain">${escapeHtml(repr)}</pre>${tableHtml(spec)}</div>`;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(4) : String(v);
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

const STYLE = `
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; color: #24292f; background: #f6f8fa; margin: 0; }
header { padding: 16px 32px; background: #fff; border-bottom: 1px solid #d0d7de; }
h1 { font-size: 20px; margin: 0 0 4px; }
.summary { margin: 0; color: #57606a; font-size: 13px; }
main { max-width: 1100px; margin: 16px auto; padding: 0 16px; }
.cell { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 12px 0; padding: 8px 12px; }
.cell.code { display: grid; grid-template-columns: 52px 1fr; gap: 8px; }
.cell.failed { border-color: #cf222e; }
.prompt { color: #57606a; font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; padding-top: 8px; text-align: right; }
.body { min-width: 0; }
pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; margin: 0; white-space: pre-wrap; word-break: break-word; }
pre.source { background: #f6f8fa; border-radius: 4px; padding: 8px; }
.outputs > * { margin-top: 8px; }
pre.stream.stderr { background: #fff8c5; }
pre.error { color: #cf222e; background: #ffebe9; border-radius: 4px; padding: 8px; }
.plot { width: 100%; min-height: 320px; }
table.rnn-lab-table { border-collapse: collapse; font-size: 12.5px; margin-top: 4px; }
table.rnn-lab-table th, table.rnn-lab-table td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; }
table.rnn-lab-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.rnn-lab-title, .caption { font-weight: 600; font-size: 13px; margin: 4px 0; }
.caption { font-weight: normal; color: #57606a; }
.markdown table { border-collapse: collapse; } .markdown td, .markdown th { border: 1px solid #d0d7de; padding: 3px 8px; }
img { max-width: 100%; height: auto; }
.note { color: #57606a; font-style: italic; font-size: 13px; }
`;
