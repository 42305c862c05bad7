// The recurrent state a decoder carries from step to step, and row selection on it (for beams).

import { Tensor } from '../engine/tensor';

/** h is (L,N,H); c is (L,N,H) for an LSTM and null for a GRU. */
export interface RecurrentState {
  h: Tensor;
  c: Tensor | null;
}

/**
 * Rows `rows` along dimension `dim` of t (no gradient; used while decoding). A row may repeat,
 * which is how one source is copied into several beams.
 */
export function selectRows(t: Tensor, dim: number, rows: readonly number[]): Tensor {
  const outer = t.shape.slice(0, dim).reduce((a, b) => a * b, 1);
  const n = t.shape[dim]!;
  const inner = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(outer * rows.length * inner);
  for (let o = 0; o < outer; o++) {
    rows.forEach((r, k) => {
      if (!(r >= 0 && r < n)) throw new Error(`selectRows: row ${r} is out of range for ${n}`);
      out.set(t.data.subarray((o * n + r) * inner, (o * n + r + 1) * inner), (o * rows.length + k) * inner);
    });
  }
  const shape = [...t.shape];
  shape[dim] = rows.length;
  return new Tensor(out, shape);
}

export function selectStateRows(state: RecurrentState, rows: readonly number[]): RecurrentState {
  return { h: selectRows(state.h, 1, rows), c: state.c ? selectRows(state.c, 1, rows) : null };
}
