// Tensors whose rows are rows of a table: what an embedding lookup returns. A recurrent layer fed
// such a tensor projects the table instead of every row (V·I·G·H multiply-adds for the input
// projection instead of T·N·I·G·H, and the same for the gradients of w_ih and of the table): for
// a character LM with 64 symbols and 2048 rows a step, 32× less work on that side.

import { type Tensor } from './tensor';

/** x (…, I) = table (V, I) [index], row by row. */
export interface TableRows {
  table: Tensor;
  /** Table row of each row of x, in x's row order. */
  index: Int32Array;
  /** Rows of this index get no gradient (Embedding's paddingIdx), or -1. */
  paddingIdx: number;
}

const rowsOf = new WeakMap<Tensor, TableRows>();

/** Records that `x`'s rows are rows of `rows.table` (called by the embedding op). */
export function markTableRows(x: Tensor, rows: TableRows): void {
  rowsOf.set(x, rows);
}

/**
 * The table rows behind `x`, when x came from an embedding lookup and still holds exactly those
 * rows (nothing wrote into it, and the table has not changed since), else null.
 */
export function tableRowsOf(x: Tensor): TableRows | null {
  const rows = rowsOf.get(x);
  if (!rows) return null;
  const I = rows.table.shape[1]!;
  const t = rows.table.data;
  const d = x.data;
  if (d.length !== rows.index.length * I) return null;
  for (let r = 0; r < rows.index.length; r++) {
    const from = rows.index[r]! * I;
    for (let j = 0; j < I; j++) if (d[r * I + j] !== t[from + j]) return null;
  }
  return rows;
}

/**
 * The gradient of a table (V, D) from the gradient g of its rows (rows, D): Σ of g's rows per
 * table row; rows whose index is paddingIdx add nothing (embedding backward, and a recurrent
 * layer's table gradient on the TypeScript path).
 */
export function scatterAddRows(g: Float32Array, index: Int32Array, paddingIdx: number, V: number, D: number): Float32Array {
  const out = new Float32Array(V * D);
  for (let r = 0; r < index.length; r++) {
    const idx = index[r]!;
    if (idx === paddingIdx) continue;
    for (let j = 0; j < D; j++) out[idx * D + j]! += g[r * D + j]!;
  }
  return out;
}
