// The grid the sums over time follow. A recurrent layer's weight and bias gradients are sums over
// every step,
//
//   dW_ih = Σ_t dG_tᵀ·x_t    dW_hh = Σ_t dG_tᵀ·h_{t−1}    db = Σ_t Σ_n dG_t[n]
//
// and float addition is not associative: the order in which the steps are added decides the last
// bits. The backward adds them in blocks of whole steps, about BLOCK_ROWS rows (steps × batch)
// each, one GEMM (and one column sum) per block, the blocks in the order the backward visits the
// steps: t = T−1 … 0 for a forward direction, 0 … T−1 for a reverse one. Blocks start at multiples
// of blockSteps(N) from t = 0 (the last one may be shorter).
//
// A checkpointed backward (checkpointed.ts) recomputes the sequence segment by segment, in the
// same order, and cuts its segments on this grid: each block then lies in one segment, the
// segment's backward makes the same calls on the same rows as the whole sequence's, and the
// gradients are the same bit for bit.

/**
 * Rows a block holds at least: the GEMM's reduction block (KC in wasm/wat/module.ts), so that a
 * block's product runs like a slice of one long product (C is read and written once per KC rows
 * either way).
 */
const BLOCK_ROWS = 256;

/**
 * Rows of the GEMM's micro-tile (MR). A block's rows are a multiple of it, so that the rows of a
 * segment fall into the same tiles of the input projection and of dx as the whole sequence's rows
 * do (a one-row tile sums in another order).
 */
const TILE_ROWS = 4;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Steps per block for a batch of N: at least BLOCK_ROWS rows, and a whole number of tiles. */
export function blockSteps(N: number): number {
  const align = TILE_ROWS / gcd(N, TILE_ROWS);
  return Math.ceil(Math.ceil(BLOCK_ROWS / N) / align) * align;
}

/** Cuts [0, T) into runs of `steps` (the last one shorter), in the order the backward visits them. */
export function runsInBackwardOrder(T: number, steps: number, reverse: boolean): [t0: number, t1: number][] {
  const runs: [number, number][] = [];
  for (let t0 = 0; t0 < T; t0 += steps) runs.push([t0, Math.min(T, t0 + steps)]);
  return reverse ? runs : runs.reverse();
}

/** The blocks of a sequence of T steps over a batch of N, in the order the backward visits them. */
export function timeBlocks(T: number, N: number, reverse: boolean): [t0: number, t1: number][] {
  return runsInBackwardOrder(T, blockSteps(N), reverse);
}

/**
 * Steps per checkpoint segment: `requested` (default ⌈√T⌉, which keeps the boundary states and one
 * segment's tape about equally large) rounded up to whole blocks, at most T.
 */
export function segmentSteps(T: number, N: number, requested: number | null): number {
  const block = blockSteps(N);
  const want = requested ?? Math.ceil(Math.sqrt(T));
  return Math.min(Math.ceil(want / block) * block, Math.ceil(T / block) * block);
}
