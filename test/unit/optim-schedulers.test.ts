// LR schedules against PyTorch's sequences (test/fixtures/pytorch/optim/schedulers.json), plus
// state dicts and errors. The optimizer has two groups (lr 0.1 and 0.05), as in the generator.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SGD } from '../../kernel/engine/optim/index';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  linearWarmup,
  type LRScheduler,
  MultiStepLR,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  SequentialLR,
  StepLR,
} from '../../kernel/engine/schedulers';
import { Parameter } from '../../kernel/engine/tensor';

type Spec = [string, Record<string, unknown>];
interface SchedCase {
  name: string;
  schedulers?: Spec[];
  sequential?: number[];
  plateau?: ReduceLROnPlateauOptions;
  metrics?: number[];
  lrs: number[][];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/pytorch/optim/schedulers.json'), 'utf8')) as { epochs: number; cases: SchedCase[] };

// The generator's named lambdas.
const LAMBDAS: Record<string, (e: number) => number> = { pow095: (e) => 0.95 ** e, warmup4: (e) => Math.min(1.0, (e + 1) / 4) };

function twoGroupSGD(): SGD {
  return new SGD([{ params: [new Parameter(new Float32Array(2), [2])] }, { params: [new Parameter(new Float32Array(2), [2])], lr: 0.05 }], { lr: 0.1 });
}

function build(opt: SGD, [kind, o]: Spec): LRScheduler {
  const options = o as never;
  switch (kind) {
    case 'StepLR':
      return new StepLR(opt, options);
    case 'MultiStepLR':
      return new MultiStepLR(opt, options);
    case 'ExponentialLR':
      return new ExponentialLR(opt, options);
    case 'LinearLR':
      return new LinearLR(opt, options);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, options);
    case 'LambdaLR':
      return new LambdaLR(opt, (o.lambdas as string[]).map((n) => LAMBDAS[n]!));
    default:
      throw new Error(kind);
  }
}

describe('schedulers match PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const opt = twoGroupSGD();
      const lrs = (): number[] => opt.paramGroups.map((g) => g.lr);
      const seq: number[][] = [];
      if (c.plateau) {
        const s = new ReduceLROnPlateau(opt, c.plateau);
        seq.push(lrs());
        for (const m of c.metrics!) {
          s.step(m);
          expect(s.getLastLr()).toEqual(lrs());
          seq.push(lrs());
        }
      } else {
        const made = c.schedulers!.map((spec) => build(opt, spec));
        const steppers: { step(): void; getLastLr(): number[] }[] = c.sequential ? [new SequentialLR(opt, made, c.sequential)] : made;
        seq.push(lrs());
        for (let e = 0; e < fixture.epochs; e++) {
          for (const s of steppers) s.step();
          seq.push(lrs());
        }
        expect(steppers[steppers.length - 1]!.getLastLr()).toEqual(lrs());
      }
      // The same double-precision arithmetic in the same order as PyTorch; only Math.cos/Math.pow
      // and C's libm may differ in the last bits, and the recursive forms carry that along.
      seq.forEach((row, e) =>
        row.forEach((lr, g) => {
          const ref = c.lrs[e]![g]!;
          expect(Math.abs(lr - ref), `epoch ${e}, group ${g}: ${lr} vs ${ref}`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(ref));
        }),
      );
    });
  }
});

describe('scheduler API', () => {
  it('sets initialLr on the groups and exposes baseLrs', () => {
    const opt = twoGroupSGD();
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    expect(s.baseLrs).toEqual([0.1, 0.05]);
    s.step();
    expect(s.getLastLr()).toEqual([0.05, 0.025]);
    expect(s.lastEpoch).toBe(1);
  });
  it('linearWarmup is LinearLR up to the full rate', () => {
    const opt = twoGroupSGD();
    const s = linearWarmup(opt, 4, 0.25);
    const seen = [s.getLastLr()[0]];
    for (let i = 0; i < 5; i++) {
      s.step();
      seen.push(s.getLastLr()[0]);
    }
    expect(seen.map((x) => Number(x!.toFixed(6)))).toEqual([0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1]);
  });
  it('stateDict/loadStateDict resume a schedule', () => {
    const a = twoGroupSGD();
    const s1 = new CosineAnnealingLR(a, { tMax: 10 });
    for (let i = 0; i < 4; i++) s1.step();
    const saved = JSON.parse(JSON.stringify(s1.stateDict())) as Record<string, unknown>;
    expect(saved).toMatchObject({ lastEpoch: 4, tMax: 10, baseLrs: [0.1, 0.05] });
    const b = twoGroupSGD();
    b.paramGroups.forEach((g, i) => (g.lr = a.paramGroups[i]!.lr));
    const s2 = new CosineAnnealingLR(b, { tMax: 10 });
    b.paramGroups.forEach((g, i) => (g.lr = a.paramGroups[i]!.lr));
    s2.loadStateDict(saved);
    for (let i = 0; i < 3; i++) {
      s1.step();
      s2.step();
    }
    expect(s2.getLastLr()).toEqual(s1.getLastLr());
  });
  it('LambdaLR state leaves out the functions; ReduceLROnPlateau survives JSON Infinity', () => {
    const opt = twoGroupSGD();
    const s = new LambdaLR(opt, (e) => 1 / (e + 1));
    expect(Object.keys(s.stateDict())).not.toContain('lrLambdas');
    const p = new ReduceLROnPlateau(opt);
    const restored = new ReduceLROnPlateau(opt);
    restored.loadStateDict(JSON.parse(JSON.stringify(p.stateDict())) as Record<string, unknown>);
    expect(restored.best).toBe(Infinity);
  });
  it('rejects bad arguments with clear messages', () => {
    const opt = twoGroupSGD();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow('LinearLR: startFactor must be in (0, 1], got 0');
    expect(() => new CosineAnnealingLR(opt, { tMax: 0 })).toThrow('CosineAnnealingLR: tMax must be positive, got 0');
    expect(() => new LambdaLR(opt, [(e) => e])).toThrow('LambdaLR: expected 2 lrLambdas (one per parameter group), got 1');
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow('ReduceLROnPlateau: factor must be < 1, got 1');
    expect(() => new ReduceLROnPlateau(opt, { minLr: [0] })).toThrow('ReduceLROnPlateau: expected 2 minLr values (one per parameter group), got 1');
    expect(() => new SequentialLR(opt, [new StepLR(opt, { stepSize: 2 })], [3])).toThrow('SequentialLR: expected 0 milestones for 1 schedulers, got 1');
    const fresh = twoGroupSGD();
    expect(() => new StepLR(fresh, { stepSize: 2, lastEpoch: 5 })).toThrow('StepLR: initialLr is not set in paramGroups[0] when resuming at lastEpoch 5');
  });
});
