// F.linear on the WebAssembly kernels (kernel/engine/wasm/linear.ts) against its plain loops
// (linearForwardReference / linearBackwardReference in ops/matmul.ts): batch 1 and 7 rows (the weight
// read in place, wasm/weightOperand.ts), one output, no bias,
// gradients asked for in part, on every flavour this runtime supports; and through linear() with
// a finite-difference check of all three gradients.

import { afterAll, describe, expect, it } from 'vitest';
import { gradcheck } from '../../kernel/engine/gradcheck';
import { linear, linearBackwardReference, linearForwardReference } from '../../kernel/engine/ops';
import { tensor } from '../../kernel/engine/tensor';
import { useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { wasmLinearBackward, wasmLinearForward } from '../../kernel/engine/wasm/linear';
import { seededValues } from './recurrent-helpers';

const flavours = (['simd', 'relaxed'] as const).filter((f) => useKernels(f) === f);
useKernels('auto');
afterAll(() => void useKernels('auto'));

function expectClose(actual: Float32Array | null, expected: Float32Array | null, tol: number): void {
  expect(actual === null).toBe(expected === null);
  if (actual === null || expected === null) return;
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  expect(worst).toBeLessThan(tol);
}

// [M, I, O]
const shapes: [number, number, number][] = [
  [1, 33, 70],
  [7, 13, 5],
  [64, 128, 1],
  [1024, 128, 64],
  [50, 2, 128],
];

describe.each(flavours)('linear on the %s kernels', (flavour) => {
  it('matches the plain loops, forward and every subset of gradients', () => {
    expect(useKernels(flavour)).toBe(flavour);
    const w = wasmKernels()!;
    try {
      for (const [M, I, O] of shapes) {
        const x = seededValues(M * I, 1);
        const weight = seededValues(O * I, 2);
        const bias = seededValues(O, 3);
        const g = seededValues(M * O, 4);
        for (const b of [bias, null]) expectClose(wasmLinearForward(w, x, M, I, weight, O, b), linearForwardReference(x, M, I, weight, O, b), 1e-5);
        for (const want of [
          { gx: true, gw: true, gb: true },
          { gx: false, gw: true, gb: false },
          { gx: true, gw: false, gb: true },
        ]) {
          const fast = wasmLinearBackward(w, g, M, O, x, I, weight, want);
          const ref = linearBackwardReference(g, M, O, x, I, weight, want);
          expectClose(fast.gx, ref.gx, 1e-5);
          expectClose(fast.gw, ref.gw, 1e-5);
          expectClose(fast.gb, ref.gb, 1e-5);
        }
      }
    } finally {
      useKernels('auto');
    }
  });
});

describe('linear', () => {
  it('passes a finite-difference check of x, weight and bias on the kernels this thread runs (the product is big enough for wasm)', () => {
    const x = tensor(seededValues(24 * 16, 5), [4, 6, 16], { requiresGrad: true });
    const weight = tensor(seededValues(12 * 16, 6), [12, 16], { requiresGrad: true });
    const bias = tensor(seededValues(12, 7), [12], { requiresGrad: true });
    expect(24 * 12 * 16).toBeGreaterThanOrEqual(4096);
    expect(gradcheck((a, b, c) => linear(a, b, c), [x, weight, bias]).ok).toBe(true);
  });
});
