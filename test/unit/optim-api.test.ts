// Optimizer API: construction errors, param groups, lr, zeroGrad, skipped parameters, in-place
// updates (also on SharedArrayBuffer), state dicts and checkpoint resume.

import { describe, expect, it } from 'vitest';
import { Adam, AdamW, RMSprop, SGD, type OptimizerStateDict, type OptimizerStateDictInput } from '../../kernel/engine/optim/index';
import { mul, sum, sub } from '../../kernel/engine/ops';
import { Parameter, Tensor, tensor } from '../../kernel/engine/tensor';

function param(values: number[], shape?: number[]): Parameter {
  return new Parameter(Float32Array.from(values), shape ?? [values.length]);
}
function setGrad(p: Parameter, values: number[]): void {
  p.grad = new Tensor(Float32Array.from(values), p.shape);
}

describe('construction', () => {
  it('rejects an empty parameter list and invalid hyperparameters', () => {
    expect(() => new SGD([], { lr: 0.1 })).toThrow('SGD: got an empty parameter list');
    expect(() => new SGD([param([1])], { lr: -1 })).toThrow('SGD: invalid learning rate -1');
    expect(() => new SGD([param([1])], { lr: 0.1, nesterov: true })).toThrow('SGD: Nesterov momentum requires a momentum and zero dampening');
    expect(() => new Adam([param([1])], { betas: [0.9, 1] })).toThrow('Adam: invalid beta parameter at index 1: 1');
    expect(() => new AdamW([param([1])], { eps: -1 })).toThrow('AdamW: invalid epsilon -1');
    expect(() => new RMSprop([param([1])], { momentum: -0.5 })).toThrow('RMSprop: invalid momentum -0.5');
  });
  it('rejects a parameter listed twice and non-leaf tensors', () => {
    const p = param([1, 2]);
    expect(() => new SGD([{ params: [p] }, { params: [p] }])).toThrow('some parameters appear in more than one parameter group');
    const nonLeaf = mul(p, 2);
    expect(() => new SGD([nonLeaf])).toThrow("SGD: can't optimize a non-leaf tensor (parameter 0 of group 0, shape (2,))");
  });
  it('uses PyTorch defaults and lets groups override them', () => {
    const [a, b] = [param([1]), param([2])];
    const opt = new Adam([{ params: [a] }, { params: [b], lr: 0.1, weightDecay: 0.5 }]);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.1, weightDecay: 0.5, eps: 1e-8 });
    expect(new AdamW([a]).paramGroups[0]!.weightDecay).toBe(1e-2);
    expect(new RMSprop([a]).paramGroups[0]).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false });
    expect(new SGD([a]).paramGroups[0]).toMatchObject({ lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
  });
  it('accepts any iterable of parameters (e.g. a generator)', () => {
    const ps = [param([1]), param([2])];
    function* gen(): Generator<Parameter> {
      yield* ps;
    }
    expect(new SGD(gen(), { lr: 0.1 }).paramGroups[0]!.params).toEqual(ps);
  });
});

describe('lr, zeroGrad and skipped parameters', () => {
  it('lr reads the shared rate, sets every group, and refuses to guess between different rates', () => {
    const opt = new SGD([{ params: [param([1])] }, { params: [param([2])], lr: 0.5 }], { lr: 0.1 });
    expect(() => opt.lr).toThrow('SGD.lr: parameter groups have different learning rates (0.1, 0.5); read paramGroups[i].lr');
    opt.lr = 0.01;
    expect(opt.lr).toBe(0.01);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.01]);
    expect(() => {
      opt.lr = NaN;
    }).toThrow('invalid learning rate NaN');
  });
  it('zeroGrad sets gradients to null by default, or zero-fills them', () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    setGrad(p, [3, 4]);
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect([...g.data]).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });
  it('skips parameters without a gradient and creates no state for them', () => {
    const [a, b] = [param([1, 1]), param([5])];
    const opt = new Adam([a, b], { lr: 0.1 });
    setGrad(a, [1, -1]);
    opt.step();
    expect([...b.data]).toEqual([5]);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
    expect(a.data[0]).toBeCloseTo(0.9, 6); // Adam's first step moves by lr·sign(g)
    expect(a.data[1]).toBeCloseTo(1.1, 6);
  });
  it('updates SharedArrayBuffer-backed parameters in place', () => {
    const shared = new Float32Array(new SharedArrayBuffer(3 * 4));
    shared.set([1, 2, 3]);
    const p = new Parameter(shared, [3]);
    const opt = new SGD([p], { lr: 0.5, momentum: 0.9 });
    setGrad(p, [1, 1, 1]);
    opt.step();
    expect(p.data).toBe(shared);
    expect(p.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...shared]).toEqual([0.5, 1.5, 2.5]);
  });
});

describe('training', () => {
  for (const [name, make] of [
    ['SGD+nesterov', (ps: Parameter[]) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['Adam', (ps: Parameter[]) => new Adam(ps, { lr: 0.1 })],
    ['AdamW', (ps: Parameter[]) => new AdamW(ps, { lr: 0.1, weightDecay: 0 })],
    ['RMSprop centered', (ps: Parameter[]) => new RMSprop(ps, { lr: 0.05, centered: true, momentum: 0.5 })],
  ] as const) {
    it(`${name} minimises a quadratic through autograd`, () => {
      const x = param([0, 0, 0]);
      const target = tensor([3, -1, 2]);
      const opt = make([x]);
      for (let i = 0; i < 300; i++) {
        opt.zeroGrad();
        const d = sub(x, target);
        sum(mul(d, d)).backward();
        opt.step();
      }
      for (let i = 0; i < 3; i++) expect(x.data[i]).toBeCloseTo(target.data[i]!, 1);
    });
  }
});

describe('state dicts', () => {
  function trainSteps(opt: Adam | SGD | RMSprop, ps: Parameter[], from: number, to: number): void {
    for (let s = from; s < to; s++) {
      ps.forEach((p, k) => setGrad(p, Array.from({ length: p.size }, (_, i) => Math.sin(s * 7 + i * 3 + k))));
      opt.step();
    }
  }

  for (const [name, make] of [
    ['Adam amsgrad', (ps: Parameter[]) => new Adam(ps, { lr: 0.01, amsgrad: true })],
    ['SGD momentum', (ps: Parameter[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['RMSprop centered momentum', (ps: Parameter[]) => new RMSprop(ps, { momentum: 0.9, centered: true })],
  ] as const) {
    it(`${name}: resuming from a checkpoint (also through JSON) continues exactly`, () => {
      const ps = [param([1, 2, 3, 4], [2, 2]), param([0.5, -0.5])];
      const opt = make(ps);
      trainSteps(opt, ps, 0, 3);
      const saved = opt.stateDict();
      const savedParams = ps.map((p) => new Float32Array(p.data));
      trainSteps(opt, ps, 3, 6);

      // Through JSON: tensors become { shape, data: number[] }.
      const json = JSON.parse(JSON.stringify(saved, (k, v: unknown) => (v instanceof Tensor ? { shape: v.shape, data: [...v.data] } : v))) as OptimizerStateDictInput;
      const qs = savedParams.map((d, i) => new Parameter(new Float32Array(d), ps[i]!.shape));
      const resumed = make(qs);
      resumed.loadStateDict(json);
      trainSteps(resumed, qs, 3, 6);
      qs.forEach((q, i) => expect([...q.data]).toEqual([...ps[i]!.data]));
    });
  }

  it('stateDict is a copy and names its layout like torch.optim', () => {
    const p = param([1, 2]);
    const opt = new Adam([{ params: [p], lr: 0.1 }]);
    setGrad(p, [1, 1]);
    opt.step();
    const sd: OptimizerStateDict = opt.stateDict();
    expect(sd.paramGroups).toEqual([{ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0] }]);
    expect(Object.keys(sd.state['0']!)).toEqual(['step', 'expAvg', 'expAvgSq']);
    const before = [...(sd.state['0']!.expAvg as Tensor).data];
    opt.step();
    expect([...(sd.state['0']!.expAvg as Tensor).data]).toEqual(before);
  });

  it('loadStateDict restores hyperparameters and names every problem at once', () => {
    const [a, b] = [param([1, 2]), param([3])];
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
    setGrad(a, [1, 1]);
    setGrad(b, [1]);
    opt.step();
    const sd = opt.stateDict();
    sd.paramGroups[1]!.lr = 0.02;
    const other = new SGD([{ params: [param([0, 0])] }, { params: [param([0])] }], { lr: 0.5, momentum: 0.9 });
    other.loadStateDict(sd);
    expect(other.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.02]);

    expect(() => new SGD([param([0, 0]), param([0])], { lr: 1 }).loadStateDict(sd)).toThrow('SGD.loadStateDict: the saved state has 2 parameter groups, this optimizer has 1');
    const wrongShapes = new SGD([{ params: [param([0, 0, 0])] }, { params: [param([0]), param([0])] }], { lr: 1, momentum: 0.9 });
    expect(() => wrongShapes.loadStateDict(sd)).toThrow(
      /^SGD.loadStateDict: group 1 has 1 parameters in the saved state but 2 here; state 'momentumBuffer' of parameter 0 is \(2,\) but the parameter is \(3,\)$/,
    );
    expect(() => other.loadStateDict({ state: {}, paramGroups: 'x' } as unknown as OptimizerStateDictInput)).toThrow('expected { state, paramGroups }');
  });

  it('prints its groups', () => {
    const opt = new SGD([param([1]), param([2, 3])], { lr: 0.1, momentum: 0.9 });
    expect(opt.toString()).toBe('SGD (\n  group 0: lr=0.1, momentum=0.9, dampening=0, nesterov=false, weightDecay=0, maximize=false; 2 tensors\n)');
  });
});
