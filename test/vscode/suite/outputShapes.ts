// Structural checks of RNN Lab's output MIME items against kernel/protocol.ts: the renderer can
// only draw what is well formed, so each item is checked for the invariants a plot needs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BarChartSpec, HeatmapSpec, LineChartSpec, ModuleSummary, TableSpec, TensorSummary } from '../../../kernel/protocol';
import { RNN_LAB_MIMES } from './contract';

export type RnnLabSpec = LineChartSpec | HeatmapSpec | BarChartSpec | TableSpec | TensorSummary | ModuleSummary;
export interface RnnLabOutput {
  mime: string;
  spec: RnnLabSpec;
}

const finite = (xs: unknown[], what: string): void => {
  for (const x of xs) assert.ok(typeof x === 'number' && (Number.isFinite(x) || Number.isNaN(x)), `${what}: ${String(x)} is not a number`);
};
/**
 * Plotted values: numbers, or null where the value is not finite (JSON has no NaN or Infinity, so
 * a diverging loss arrives as null; the plots draw it as a gap).
 */
const valuesOrGaps = (xs: unknown[], what: string): void => {
  for (const x of xs) assert.ok(x === null || (typeof x === 'number' && Number.isFinite(x)), `${what}: ${String(x)} is neither a number nor null`);
};

const rnnLabMimes = new Set<string>(Object.values(RNN_LAB_MIMES));

/**
 * After a notebook ran: every code cell succeeded, and each RNN Lab item of its outputs is well
 * formed with a text/plain beside it. Returns the items, checked.
 */
export function checkNotebookRan(notebook: vscode.NotebookDocument, name: string): RnnLabOutput[] {
  const outputs: RnnLabOutput[] = [];
  const decoder = new TextDecoder();
  for (const cell of notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code)) {
    const where = `${name} cell ${cell.index + 1}`;
    const shown = () => JSON.stringify(cell.outputs.flatMap((o) => o.items.map((i) => ({ mime: i.mime, text: decoder.decode(i.data) })))).slice(0, 2000);
    assert.equal(cell.executionSummary?.success, true, `${where} failed: ${shown()}`);
    for (const output of cell.outputs) {
      const mimes = output.items.map((i) => i.mime);
      for (const item of output.items.filter((i) => rnnLabMimes.has(i.mime))) {
        assert.ok(mimes.includes('text/plain'), `${where}: ${item.mime} output has no text/plain beside it`);
        outputs.push(checkRnnLabItem(item.mime, decoder.decode(item.data), where));
      }
    }
  }
  return outputs;
}

/** Parses and checks one item; throws an assertion naming `where` and what is wrong. */
export function checkRnnLabItem(mime: string, text: string, where: string): RnnLabOutput {
  const spec = JSON.parse(text) as RnnLabSpec;
  const at = `${where} (${mime})`;
  switch (mime) {
    case RNN_LAB_MIMES.lines: {
      const s = spec as LineChartSpec;
      assert.ok(['loss', 'gradnorm', 'lines'].includes(s.kind), `${at}: kind ${s.kind}`);
      assert.ok(s.series.length > 0, `${at}: no series`);
      for (const series of s.series) {
        assert.equal(series.x.length, series.y.length, `${at}: series ${series.name} has ${series.x.length} x but ${series.y.length} y`);
        finite(series.x, `${at} ${series.name}.x`);
        valuesOrGaps(series.y, `${at} ${series.name}.y`);
      }
      break;
    }
    case RNN_LAB_MIMES.heatmap: {
      const s = spec as HeatmapSpec;
      assert.equal(s.kind, 'heatmap', at);
      assert.ok(s.z.length > 0, `${at}: empty z`);
      const cols = s.z[0].length;
      s.z.forEach((row, r) => {
        assert.equal(row.length, cols, `${at}: z row ${r} has ${row.length} columns, row 0 has ${cols}`);
        valuesOrGaps(row, `${at} z[${r}]`);
      });
      if (s.xLabels) assert.equal(s.xLabels.length, cols, `${at}: xLabels vs columns`);
      if (s.yLabels) assert.equal(s.yLabels.length, s.z.length, `${at}: yLabels vs rows`);
      break;
    }
    case RNN_LAB_MIMES.bars: {
      const s = spec as BarChartSpec;
      assert.equal(s.kind, 'bars', at);
      for (const series of s.series) {
        assert.equal(series.values.length, s.categories.length, `${at}: series ${series.name} vs categories`);
        finite(series.values, `${at} ${series.name}`);
      }
      break;
    }
    case RNN_LAB_MIMES.table: {
      const s = spec as TableSpec;
      assert.equal(s.kind, 'table', at);
      s.rows.forEach((row, r) => assert.equal(row.length, s.columns.length, `${at}: row ${r} has ${row.length} cells for ${s.columns.length} columns`));
      break;
    }
    case RNN_LAB_MIMES.tensor: {
      const s = spec as TensorSummary;
      assert.equal(s.kind, 'tensor', at);
      const size = s.shape.reduce((a, b) => a * b, 1);
      assert.ok(s.preview.length <= size, `${at}: preview of ${s.preview.length} values for shape (${s.shape.join(',')})`);
      finite(Object.values(s.stats), `${at} stats`);
      break;
    }
    case RNN_LAB_MIMES.module: {
      const s = spec as ModuleSummary;
      assert.equal(s.kind, 'module', at);
      for (const p of s.parameters) {
        assert.equal(p.count, p.shape.reduce((a, b) => a * b, 1), `${at}: parameter ${p.name} count vs shape (${p.shape.join(',')})`);
      }
      const total = s.parameters.reduce((sum, p) => sum + p.count, 0);
      assert.equal(total, s.parameterCount, `${at}: parameterCount ${s.parameterCount} but parameters add up to ${total}`);
      break;
    }
    default:
      assert.fail(`${at}: not an RNN Lab MIME type`);
  }
  return { mime, spec };
}
