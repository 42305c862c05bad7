// The WebAssembly row softmax behind crossEntropy against its Math.exp reference (float64): each
// probability within a few ulp plus what rounding x − max to float32 costs (relative |x − max|·2⁻²⁴,
// as in any float32 log-softmax), log-sum-exp within 1e-6, on widths that exercise the vector body
// and the scalar tail, large and tiny logits, −inf and NaN.

import { afterAll, describe, expect, it } from 'vitest';
import { softmaxRows, softmaxRowsReference } from '../../kernel/engine/softmaxRows';
import { useKernels } from '../../kernel/engine/wasm/instance';

afterAll(() => void useKernels('auto'));

function rows(R: number, C: number, fill: (r: number, c: number) => number): Float32Array {
  const x = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) x[r * C + c] = fill(r, c);
  return x;
}

/** Worst error over the allowed error (below 1 passes) of the probabilities, worst lse error. */
function compare(x: Float32Array, R: number, C: number): { prob: number; lse: number } {
  expect(useKernels('relaxed') === 'relaxed' || useKernels('simd') === 'simd').toBe(true);
  const [p1, l1] = [new Float32Array(R * C), new Float64Array(R)];
  softmaxRows(x, R, C, p1, l1);
  const [p2, l2] = [new Float32Array(R * C), new Float64Array(R)];
  softmaxRowsReference(x, R, C, p2, l2);
  let prob = 0;
  let lse = 0;
  for (let r = 0; r < R; r++) {
    const m = Math.max(...x.subarray(r * C, (r + 1) * C));
    for (let i = r * C; i < (r + 1) * C; i++) {
      const allowed = 4e-7 * Math.max(1, Math.log2(C)) + Math.abs(x[i]! - m) * 2 ** -23;
      prob = Math.max(prob, Math.abs(p1[i]! - p2[i]!) / Math.max(p2[i]!, 1e-30) / allowed);
    }
  }
  for (let r = 0; r < R; r++) lse = Math.max(lse, Math.abs(l1[r]! - l2[r]!) / Math.max(1, Math.abs(l2[r]!)));
  return { prob, lse };
}

describe('softmax_rows', () => {
  it.each([1, 3, 4, 7, 64, 65, 1000])('matches the reference on rows of %i classes', (C) => {
    const R = 300;
    const x = rows(R, C, (r, c) => Math.sin(r * 7.1 + c * 3.3) * (1 + (r % 13)) * 2);
    const e = compare(x, R, C);
    expect(e.prob).toBeLessThan(1);
    expect(e.lse).toBeLessThan(1e-6);
  });

  it('keeps its accuracy over the whole range of exp, down to the clamp', () => {
    // Differences to the row maximum from 0 to −100: exp underflows below about −87.3.
    const C = 1001;
    const x = rows(4, C, (r, c) => r * 1000 - c * 0.1);
    const [p1, l1] = [new Float32Array(4 * C), new Float64Array(4)];
    softmaxRows(x, 4, C, p1, l1);
    const [p2, l2] = [new Float32Array(4 * C), new Float64Array(4)];
    softmaxRowsReference(x, 4, C, p2, l2);
    for (let i = 0; i < 4 * C; i++) {
      if (p2[i]! > 1e-37) expect(Math.abs(p1[i]! - p2[i]!) / p2[i]!).toBeLessThan(4e-7 + (i % C) * 0.1 * 2 ** -23);
      else expect(p1[i]!).toBeLessThan(2e-37);
    }
    for (let r = 0; r < 4; r++) expect(l1[r]!).toBeCloseTo(l2[r]!, 4);
  });

  it('gives −inf logits (masked classes) zero-ish probability and propagates NaN', () => {
    const C = 9;
    const x = rows(3, C, (r, c) => (r === 0 && c % 2 === 0 ? -Infinity : r === 1 && c === 5 ? NaN : c));
    const [p, l] = [new Float32Array(3 * C), new Float64Array(3)];
    softmaxRows(x, 3, C, p, l);
    for (let c = 0; c < C; c += 2) expect(p[c]!).toBeLessThan(1e-37);
    expect(p.subarray(0, C).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(Number.isNaN(l[1]!)).toBe(true);
    expect(Number.isFinite(l[2]!)).toBe(true);
  });
});
