// The headless runner's HTML report: every cell with its outputs, plots drawn by plotly.js
// inlined into the file (it opens offline). Figures are computed here with the same
// toPlotlyFigure the notebook renderer uses; the page only hands them to Plotly.newPlot.
import MarkdownIt from 'markdown-it';
import { RnnLabMime, type ModuleSummary, type TableSpec, type TensorSummary } from '../../protocol';
import { escapeHtml, LIGHT_THEME, PLOTLY_CONFIG, tableHtml, toPlotlyFigure, type PlotlyFigure, type PlotSpec } from '../../../webview/plots';
import { sourceText, type Notebook, type NotebookOutput } from './notebook';

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
  const markdown = new MarkdownIt({ html: true, linkify: true });
  const figures: PlotlyFigure[] = [];
  const cells = notebook.cells.map((cell, index) => {
    const source = sourceText(cell.source);
    if (cell.cell_type === 'markdown') return `<section class="cell markdown">${markdown.render(source)}</section>`;
    if (cell.cell_type === 'raw') return `<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`;
    const count = cell.execution_count ?? ' ';
    const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, figures, markdown)).join('\n');
    const failed = (cell.outputs ?? []).some((o) => o.output_type === 'error');
    return `<section class="cell code${failed ? ' failed' : ''}" id="cell-${index + 1}">
  <div class="prompt">[${count}]</div>
  <div class="body"><pre class="source"><code>${escapeHtml(source)}</code></pre>${outputs ? `<div class="outputs">${outputs}</div>` : ''}</div>
</section>`;
  });
  // JSON in a <script> block: only "</" could end it early.
  const figureJson = JSON.stringify(figures).replace(/<\//g, '<\\/');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
<script>${options.plotlySource.replace(/<\/script/gi, '<\\/script')}</script>
</head>
<body>
<header><h1>${escapeHtml(options.title)}</h1><p class="summary">${escapeHtml(options.summary)}</p></header>
<main>
${cells.join('\n')}
</main>
<script>
(function () {
  var figures = ${figureJson};
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

function renderOutput(output: NotebookOutput, figures: PlotlyFigure[], markdown: MarkdownIt): string {
  switch (output.output_type) {
    case 'stream':
      return `<pre class="stream ${output.name}">${escapeHtml(sourceText(output.text))}</pre>`;
    case 'error':
      return `<pre class="error">${escapeHtml(stripAnsi(output.traceback.join('\n')))}</pre>`;
    default:
      return renderBundle(output.data, figures, markdown);
  }
}

function renderBundle(data: Record<string, unknown>, figures: PlotlyFigure[], markdown: MarkdownIt): string {
  const text = (mime: string) => {
    const value = data[mime];
    return Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : undefined;
  };
  for (const mime of PLOT_MIMES) {
    if (data[mime]) {
      figures.push(toPlotlyFigure(data[mime] as PlotSpec, THEME));
      return `<div class="plot" id="plot-${figures.length - 1}"></div>`;
    }
  }
  if (data[RnnLabMime.table]) return `<div class="table">${tableHtml(data[RnnLabMime.table] as TableSpec)}</div>`;
  if (data[RnnLabMime.module]) return moduleHtml(data[RnnLabMime.module] as ModuleSummary, text('text/plain') ?? '');
  if (data[RnnLabMime.tensor]) return tensorHtml(data[RnnLabMime.tensor] as TensorSummary, text('text/plain') ?? '');
  const html = text('text/html');
  if (html !== undefined) return `<div class="html">${html}</div>`;
  const md = text('text/markdown');
  if (md !== undefined) return `<div class="markdown">${markdown.render(md)}</div>`;
  for (const image of ['image/png', 'image/jpeg']) {
    const b64 = text(image);
    if (b64 !== undefined) return `<img alt="" src="data:${image};base64,${b64.replace(/\s/g, '')}">`;
  }
  const svg = text('image/svg+xml');
  if (svg !== undefined) return `<div class="svg">${svg}</div>`;
  return `<pre class="plain">${escapeHtml(text('text/plain') ?? '')}</pre>`;
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
img { max-width: 100%; }
`;
