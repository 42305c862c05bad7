// The embedding lookup: rows of a table picked by integer indices, the gradient summed back into
// the rows (tableRows.ts, which also tells a recurrent layer that its input is rows of a table).

import { markTableRows, scatterAddRows } from '../tableRows';
import { fromOp, Tensor } from '../tensor';

/** Rows of `weight` (V,D) picked by integer `indices` (any shape) → (...indices.shape, D). */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number): Tensor {
  const [V, D] = [weight.shape[0]!, weight.shape[1]!];
  const n = indices.size;
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const idx = indices.data[i]!;
    if (!Number.isInteger(idx) || idx < 0 || idx >= V) {
      throw new Error(`embedding: index ${idx} at position ${i} is out of range for ${V} embeddings`);
    }
    out.set(weight.data.subarray(idx * D, (idx + 1) * D), i * D);
  }
  const rows = { table: weight, index: Int32Array.from(indices.data), paddingIdx: paddingIdx ?? -1 };
  const result = fromOp(out, [...indices.shape, D], [weight], () => ({
    name: 'EmbeddingBackward',
    inputs: [weight],
    backward: (g) => [scatterAddRows(g, rows.index, rows.paddingIdx, V, D)],
  }));
  markTableRows(result, rows);
  return result;
}
