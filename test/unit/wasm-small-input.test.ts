// The small-input kernels (wat/smallInput.ts) against the GEMM path they replace for a recurrent
// layer with 1–3 input features: the projection bit for bit as the GEMM and add_rows give it, the
// input-side sums bit for bit as the transposed GEMM (in KC-row runs) and col_sums give them where
// the GEMM has no one-row tiles, and both against float64; with the flush to zero on and off, and
// row counts and widths that leave vector and scalar tails.

import { afterAll, describe, expect, it } from 'vitest';
import { setFlushDenormal } from '../../kernel/engine/index';
import { gemmPacked, packMatrixB } from '../../kernel/engine/wasm/gemm';
import { F, useKernels, wasmKernels, type WasmKernels } from '../../kernel/engine/wasm/instance';
import { smallInputKernels } from '../../kernel/engine/wasm/smallInput';
import { KC } from '../../kernel/engine/wasm/wat/gemm';
import { SMALL_INPUT_MAX } from '../../kernel/engine/wasm/wat/smallInput';
import { multiplyByWeight, weightOperand } from '../../kernel/engine/wasm/weightOperand';
import { seededValues } from './recurrent-helpers';

const flavours = (['simd', 'relaxed'] as const).filter((f) => useKernels(f) === f);
useKernels('auto');
afterAll(() => {
  useKernels('auto');
  setFlushDenormal(true);
});

/** (rows, n): n's vector body with and without a scalar tail, and the wide passes' edges. */
const sizes: [rows: number, n: number][] = [
  [1, 1],
  [7, 3],
  [33, 20],
  [64, 192],
  [300, 37],
  [KC + 9, 24],
];

/** Values down to the subnormal range, so that the flush has something to do. */
function values(n: number, seed: number, tiny: boolean): Float32Array {
  const v = seededValues(n, seed);
  if (tiny) for (let i = 0; i < n; i += 3) v[i] = v[i]! * 1e-37;
  return v;
}

function withArena<T>(w: WasmKernels, body: () => T): T {
  const mark = w.arena.mark();
  try {
    return body();
  } finally {
    w.arena.release(mark);
  }
}

describe('small-input kernels (1–3 input features)', () => {
  for (const flavour of flavours) {
    for (const flush of [false, true]) {
      it(`${flavour}, flush ${flush ? 'on' : 'off'}: the projection is the GEMM's and add_rows', bit for bit`, () => {
        const w = (useKernels(flavour), wasmKernels()!);
        setFlushDenormal(flush);
        for (let I = 1; I <= SMALL_INPUT_MAX; I++) {
          for (const [rows, n] of sizes) {
            const x = values(rows * I, 1, flush);
            const W = values(n * I, 2, flush); // (n, I) as PyTorch keeps w_ih
            const bias = seededValues(n, 3);
            for (const withBias of [false, true]) {
              const viaGemm = withArena(w, () => {
                const out = w.arena.alloc(rows * n);
                multiplyByWeight(w, weightOperand(w, w.arena.put(W), n, I, rows, rows), rows, w.arena.put(x), I, out, n, 0);
                if (withBias) w.k.add_rows(out, rows, n * F, w.arena.put(bias), n);
                return w.arena.view(out, rows * n).slice();
              });
              const fused = withArena(w, () => {
                const out = w.arena.alloc(rows * n);
                const wT = w.arena.alloc(I * n);
                const f32 = w.arena.f32();
                for (let g = 0; g < n; g++) for (let i = 0; i < I; i++) f32[(wT >> 2) + i * n + g] = W[g * I + i]!;
                smallInputKernels(w, I).proj(out, rows, w.arena.put(x), wT, withBias ? w.arena.put(bias) : 0, n);
                return w.arena.view(out, rows * n).slice();
              });
              // The GEMM's one-row tiles (rows % 4 = 1, the last row) interleave k from K = 3 on.
              const lastTileOneRow = rows % 4 === 1 && I >= 3;
              for (let r = 0; r < rows; r++) {
                for (let g = 0; g < n; g++) {
                  let want = withBias ? bias[g]! : 0;
                  for (let i = 0; i < I; i++) want += x[r * I + i]! * W[g * I + i]!;
                  const got = fused[r * n + g]!;
                  expect(Math.abs(got - want), `I=${I} ${rows}×${n} at ${r},${g}`).toBeLessThan(1e-6 * (1 + Math.abs(want)));
                  if (!(lastTileOneRow && r === rows - 1)) expect(Object.is(got, viaGemm[r * n + g]), `I=${I} ${rows}×${n} bias ${withBias} at ${r},${g}: ${got} vs ${viaGemm[r * n + g]}`).toBe(true);
                }
              }
            }
          }
        }
        expect(w.arena.used).toBe(0);
      });

      it(`${flavour}, flush ${flush ? 'on' : 'off'}: the input-side sums are the GEMM's and col_sums', bit for bit`, () => {
        const w = (useKernels(flavour), wasmKernels()!);
        setFlushDenormal(flush);
        for (let I = 1; I <= SMALL_INPUT_MAX; I++) {
          for (const [rows, n] of sizes) {
            const ld = n + 3; // m's rows are the gate rows, GH floats and more apart
            const m = values(rows * ld, 4, flush);
            const x = values(rows * I, 5, flush);
            const dW0 = seededValues(n * I, 6);
            const db0 = seededValues(n, 7);
            for (const withBias of [false, true]) {
              const viaGemm = withArena(w, () => {
                const [dW, db] = [w.arena.put(dW0), w.arena.put(db0)];
                const b = packMatrixB(w, w.arena.put(x), I, false, rows, I, false);
                gemmPacked(w, true, n, rows, w.arena.put(m), ld, b, dW, I, 1);
                if (withBias) w.k.col_sums(db, w.arena.put(m), rows, ld * F, n);
                return [w.arena.view(dW, n * I).slice(), w.arena.view(db, n).slice()] as const;
              });
              const fused = withArena(w, () => {
                const [dW, db] = [w.arena.put(dW0), w.arena.put(db0)];
                smallInputKernels(w, I).sums(dW, withBias ? db : 0, w.arena.put(m), rows, ld * F, n, w.arena.put(x), KC);
                return [w.arena.view(dW, n * I).slice(), w.arena.view(db, n).slice()] as const;
              });
              for (let g = 0; g < n; g++) {
                const oneRowTile = n % 4 === 1 && g === n - 1; // the GEMM interleaves k there
                for (let i = 0; i < I; i++) {
                  let want = dW0[g * I + i]!;
                  for (let r = 0; r < rows; r++) want += m[r * ld + g]! * x[r * I + i]!;
                  const got = fused[0][g * I + i]!;
                  expect(Math.abs(got - want), `dW I=${I} ${rows}×${n} at ${g},${i}`).toBeLessThan(1e-6 * (1 + rows));
                  if (!oneRowTile) expect(Object.is(got, viaGemm[0][g * I + i]), `dW I=${I} ${rows}×${n} at ${g},${i}`).toBe(true);
                }
                expect(Object.is(fused[1][g], withBias ? viaGemm[1][g] : db0[g]), `db I=${I} ${rows}×${n} at ${g}`).toBe(true);
              }
            }
          }
        }
        expect(w.arena.used).toBe(0);
      });
    }
  }

  it('names the input features it cannot take', () => {
    const w = wasmKernels()!;
    expect(() => smallInputKernels(w, SMALL_INPUT_MAX + 1)).toThrow(/I = 4, the kernels take 1 to 3 input features/);
  });
});
