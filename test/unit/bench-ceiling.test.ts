// The benchmark's measured ceiling (bench/ceiling.ts, issue 18 §2): the hand-written module is
// what wabt assembles from its text, it validates, and it computes the multiply-add chains it
// claims (so that the flops it is credited with are really done). No timing is checked here; the
// rates are the bench's business.

import wabt from 'wabt';
import { describe, expect, it } from 'vitest';
import { bestCeiling, ceilingExpected, ceilingFlops, ceilingLine, ceilingModule, ceilingWat, CEILING_SHAPES, measureOneThread, measureThreads, type CeilingShape } from '../../bench/ceiling';
import { hasRelaxedSimd } from '../../kernel/engine/wasm/flags';
import { enableRelaxedSimd } from '../../kernel/node/relaxedSimd';

// Relaxed SIMD as the bench has it (Node 20 needs the V8 flag; newer V8s ship it).
enableRelaxedSimd();
const relaxed = hasRelaxedSimd();

const shapes: CeilingShape[] = CEILING_SHAPES.flatMap((s) => [
  { ...s, op: 'fma' as const },
  { ...s, op: 'mul-add' as const },
]);

function run(shape: CeilingShape, iters: number, a: number, b: number): number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(ceilingModule(shape)));
  return (instance.exports.run as (i: number, a: number, b: number) => number)(iters, a, b);
}

describe('the ceiling module', () => {
  it.each(shapes)('is what wabt assembles from its text ($chains chains × $unroll, $op)', async (shape) => {
    const w = await wabt();
    const features = { simd: true, relaxed_simd: true };
    const mod = w.parseWat('ceiling.wat', ceilingWat(shape), features);
    try {
      mod.resolveNames();
      (mod as unknown as { validate(f: typeof features): void }).validate(features);
      expect(Buffer.from(ceilingModule(shape)).toString('hex')).toBe(Buffer.from(mod.toBinary({}).buffer).toString('hex'));
    } finally {
      mod.destroy();
    }
  });

  it('validates here: the mul + add form always, the fused form where relaxed SIMD is on', () => {
    for (const shape of shapes) expect(WebAssembly.validate(ceilingModule(shape)), `${shape.op} ${shape.chains}`).toBe(shape.op === 'mul-add' || relaxed);
  });

  it.each(shapes)('computes acc_j ← acc_j·a + b, iters × unroll times per chain, and sums the lanes ($chains chains, $op)', (shape) => {
    if (shape.op === 'fma' && !relaxed) return; // no relaxed SIMD on this runtime: nothing to run
    // chains start at j: with a = 1, b = 1 each ends at j + iters·unroll; 4 lanes each
    const n = 3 * shape.unroll;
    const sum = shape.chains * (shape.chains - 1) / 2 + shape.chains * n;
    expect(run(shape, 3, 1, 1)).toBe(4 * sum);
    expect(ceilingExpected(shape, 3, 1, 1)).toBe(4 * sum);
    // a doubling (exact: fused and unfused agree), a halving towards 2, and a zero-iteration call
    for (const [iters, a, b] of [
      [2, 2, 0],
      [5, 0.5, 1],
      [0, 3, 7],
    ] as const) {
      expect(run(shape, iters, a, b)).toBe(ceilingExpected(shape, iters, a, b));
    }
    expect(run(shape, 0, 3, 7)).toBe(4 * (shape.chains * (shape.chains - 1)) / 2);
  });

  it('credits 8 flops per multiply-add of four lanes', () => {
    expect(ceilingFlops({ chains: 10, unroll: 6, op: 'fma' }, 1000)).toBe(1000 * 6 * 10 * 8);
  });

  it('rejects shapes that are not whole numbers ≥ 1', () => {
    expect(() => ceilingModule({ chains: 0, unroll: 1, op: 'fma' })).toThrow(/chains and unroll/);
    expect(() => ceilingModule({ chains: 4, unroll: 1.5, op: 'fma' })).toThrow(/chains and unroll/);
  });
});

describe('the ceiling measurement', () => {
  it('runs on this thread and on two worker threads at once (rates only checked to be positive)', async () => {
    const shape: CeilingShape = { chains: 8, unroll: 8, op: relaxed ? 'fma' : 'mul-add' };
    expect(measureOneThread(shape, 2, 2)).toBeGreaterThan(0);
    expect(await measureThreads(shape, 2, 2, 2)).toBeGreaterThan(0);
  });

  it('keeps the best of several measurements, field by field', () => {
    const best = bestCeiling([
      { op: 'fma', oneThread: 50, twoThreads: 70, chains: 8, mulAddOneThread: 40 },
      { op: 'fma', oneThread: 48, twoThreads: 95, chains: 12 },
    ]);
    expect(best).toEqual({ op: 'fma', oneThread: 50, twoThreads: 95, chains: 8, mulAddOneThread: 40 });
    expect(bestCeiling([])).toBeUndefined();
  });

  it('says which instruction it measured, and the old nominal figure as a note', () => {
    const line = ceilingLine({ op: 'fma', oneThread: 55.04, twoThreads: 108.2, chains: 10, mulAddOneThread: 43.1 }, 58.4);
    expect(line).toContain('10 independent f32x4.relaxed_madd');
    expect(line).toContain('55.0 GFLOP/s on one thread, 108.2 on two threads at once');
    expect(line).toContain('mul + add: 43.1');
    expect(line).toContain('58.4 per core');
    expect(ceilingLine({ op: 'mul-add', oneThread: 40, twoThreads: 80, chains: 12 })).toContain('f32x4.mul + f32x4.add (no relaxed SIMD)');
  });
});
