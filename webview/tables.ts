// HTML views of the non-plot outputs: tables, tensor summaries and module summaries. Built with
// DOM calls (textContent), so values from the notebook are never parsed as HTML.

import type { ModuleSummary, TableSpec, TensorSummary } from '../kernel/protocol';
import { formatCount, formatNumber, formatShape } from './format';

type Cell = string | number | null;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function cellText(value: Cell): string {
  if (value === null) return '–';
  return typeof value === 'number' ? formatNumber(value) : value;
}

function table(columns: string[], rows: Cell[][], numericColumns?: boolean[]): HTMLTableElement {
  const t = el('table', 'rnn-lab-table');
  const head = t.createTHead().insertRow();
  for (const c of columns) head.appendChild(el('th', undefined, c));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((value, i) => {
      const td = tr.insertCell();
      td.textContent = cellText(value);
      if (numericColumns?.[i] ?? typeof value === 'number') td.className = 'num';
    });
  }
  return t;
}

/** Wide tables scroll sideways inside the output instead of being cut at its right edge. */
function scrolling(content: HTMLElement): HTMLElement {
  const box = el('div', 'rnn-lab-scroll');
  box.appendChild(content);
  return box;
}

function titled(title: string | undefined, content: HTMLElement): HTMLElement {
  const wrap = el('div', 'rnn-lab-block');
  if (title) wrap.appendChild(el('div', 'rnn-lab-title', title));
  wrap.appendChild(content);
  return wrap;
}

export function renderTable(spec: TableSpec): HTMLElement {
  return titled(spec.title, scrolling(table(spec.columns, spec.rows)));
}

export function renderTensor(t: TensorSummary): HTMLElement {
  const header = `Tensor ${formatShape(t.shape)}${t.requiresGrad ? ', requiresGrad' : ''}`;
  const stats = `mean ${formatNumber(t.stats.mean)} · std ${formatNumber(t.stats.std)} · min ${formatNumber(t.stats.min)} · max ${formatNumber(t.stats.max)}`;
  const wrap = titled(header, el('div', 'rnn-lab-stats', stats));
  const total = t.shape.reduce((a, b) => a * b, 1);
  const preview = t.preview.map(formatNumber).join(', ');
  wrap.appendChild(el('pre', 'rnn-lab-preview', `[${preview}${total > t.preview.length ? ', …' : ''}]`));
  return wrap;
}

export function renderModule(m: ModuleSummary): HTMLElement {
  const title = `${m.className}: ${formatCount(m.parameterCount)} parameters${m.training ? '' : ' (eval mode)'}`;
  const wrap = titled(title, scrolling(table(
    ['layer', 'module', 'parameters'],
    m.layers.map((l) => [l.path || '(model)', l.description || l.className, formatCount(l.parameterCount)]),
    [false, false, true],
  )));
  wrap.appendChild(scrolling(table(
    ['parameter', 'shape', 'mean', 'std', 'min', 'max', '‖grad‖'],
    m.parameters.map((p) => [p.name, formatShape(p.shape), p.mean, p.std, p.min, p.max, p.gradNorm]),
    [false, false, true, true, true, true, true],
  )));
  return wrap;
}

/** Styles for the elements above; VS Code's CSS variables carry the theme. */
export const TABLE_CSS = `
.rnn-lab-block { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
.rnn-lab-title { font-weight: 600; margin: 4px 0; }
.rnn-lab-scroll { overflow-x: auto; max-width: 100%; }
.rnn-lab-table { border-collapse: collapse; margin: 4px 0 8px; }
.rnn-lab-table th, .rnn-lab-table td { padding: 2px 10px; border-bottom: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,0.35)); text-align: left; }
.rnn-lab-table td.num { text-align: right; font-family: var(--vscode-editor-font-family); font-variant-numeric: tabular-nums; }
.rnn-lab-stats { margin: 2px 0; }
.rnn-lab-preview { font-family: var(--vscode-editor-font-family); white-space: pre-wrap; margin: 4px 0; }
.rnn-lab-controls { display: flex; gap: 12px; align-items: center; font-size: 12px; margin: 2px 0; color: var(--vscode-descriptionForeground); }
.rnn-lab-error { color: var(--vscode-errorForeground); }
.rnn-lab-stop { margin-left: auto; padding: 2px 10px; font: inherit; cursor: pointer; background: var(--vscode-button-secondaryBackground, var(--vscode-button-background)); color: var(--vscode-button-secondaryForeground, var(--vscode-button-foreground)); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; }
.rnn-lab-stop:hover:not(:disabled) { background: var(--vscode-button-secondaryHoverBackground, var(--vscode-button-hoverBackground)); }
.rnn-lab-stop:disabled { opacity: 0.5; cursor: default; }
`;
