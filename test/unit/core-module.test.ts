// Module: parameter registration and names (nested modules, arrays of modules, computed names,
// tied weights), train/eval, state dicts and their errors, and the repr; plus the core layers.

import { describe, expect, it } from 'vitest';
import { Dropout } from '../../kernel/engine/layers/dropout';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { Linear } from '../../kernel/engine/layers/linear';
import { Module } from '../../kernel/engine/module';
import { manualSeed } from '../../kernel/engine/rng';
import { Parameter, Tensor, tensor } from '../../kernel/engine/tensor';

class Block extends Module {
  lin = new Linear(3, 4);
  drop = new Dropout(0.1);
  forward(x: Tensor): Tensor {
    return this.drop.forward(this.lin.forward(x));
  }
}

class Net extends Module {
  scale = new Parameter(new Float32Array([1]), [1]);
  emb = new Embedding(10, 3);
  blocks = [new Block(), new Block()];
  notModules = [1, 2, 3];
  head = new Linear(4, 2, { bias: false });
  forward(x: Tensor): Tensor {
    let h = this.emb.forward(x);
    for (const b of this.blocks) h = b.forward(h).narrow(-1, 0, 3);
    return h;
  }
}

/** Parameters under names computed at run time, as the recurrent layers do. */
class Computed extends Module {
  constructor(layers: number) {
    super();
    for (let l = 0; l < layers; l++) this.registerParameter(`weight_l${l}`, new Parameter(new Float32Array(2), [2]));
  }
  forward(): null {
    return null;
  }
}

describe('namedParameters', () => {
  it('lists own parameters first, then children in assignment order, arrays as name.i (PyTorch names)', () => {
    const names = [...new Net().namedParameters()].map(([n, p]) => `${n} ${p.shape.join('x')}`);
    expect(names).toEqual([
      'scale 1',
      'emb.weight 10x3',
      'blocks.0.lin.weight 4x3',
      'blocks.0.lin.bias 4',
      'blocks.1.lin.weight 4x3',
      'blocks.1.lin.bias 4',
      'head.weight 2x4',
    ]);
  });
  it('parameters(), numParameters(), namedModules() and namedChildren()', () => {
    const net = new Net();
    expect(net.parameters()).toHaveLength(7);
    expect(net.numParameters()).toBe(1 + 30 + 2 * (12 + 4) + 8);
    expect([...net.namedModules()].map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual([
      ':Net',
      'emb:Embedding',
      'blocks.0:Block',
      'blocks.0.lin:Linear',
      'blocks.0.drop:Dropout',
      'blocks.1:Block',
      'blocks.1.lin:Linear',
      'blocks.1.drop:Dropout',
      'head:Linear',
    ]);
    expect([...net.namedChildren()].map(([n]) => n)).toEqual(['emb', 'blocks.0', 'blocks.1', 'head']);
  });
  it('registers parameters under computed names and lists tied weights once', () => {
    expect([...new Computed(3).namedParameters()].map(([n]) => n)).toEqual(['weight_l0', 'weight_l1', 'weight_l2']);
    class Tied extends Module {
      emb = new Embedding(5, 4);
      out = new Linear(4, 5, { bias: false });
      constructor() {
        super();
        this.out.weight = this.emb.weight;
      }
      forward(): null {
        return null;
      }
    }
    expect([...new Tied().namedParameters()].map(([n]) => n)).toEqual(['emb.weight']);
  });
});

describe('train / eval and zeroGrad', () => {
  it('set the mode on every submodule, including those in arrays', () => {
    const net = new Net();
    expect(net.eval()).toBe(net);
    expect([...net.namedModules()].every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.blocks[1]!.drop.training).toBe(true);
    net.train(false);
    expect(net.blocks[0]!.drop.training).toBe(false);
  });
  it('eval turns dropout into the identity', () => {
    const net = new Net().eval();
    const x = tensor([1, 2, 3]);
    const a = net.forward(x);
    const b = net.forward(x);
    expect([...a.data]).toEqual([...b.data]);
  });
  it('zeroGrad clears every parameter gradient', () => {
    const net = new Net();
    for (const p of net.parameters()) p.grad = new Tensor(new Float32Array(p.size), p.shape);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe('stateDict / loadStateDict', () => {
  it('stateDict copies values under PyTorch names', () => {
    const net = new Net();
    const sd = net.stateDict();
    expect(Object.keys(sd)).toEqual([...net.namedParameters()].map(([n]) => n));
    sd['scale']!.data[0] = 42;
    expect(net.scale.data[0]).toBe(1);
  });
  it('loadStateDict writes into the existing buffers (optimizers and shared memory keep working)', () => {
    const a = new Net();
    const b = new Net();
    const buffers = b.parameters().map((p) => p.data);
    b.loadStateDict(a.stateDict());
    b.parameters().forEach((p, i) => {
      expect(p.data).toBe(buffers[i]);
      expect([...p.data]).toEqual([...a.parameters()[i]!.data]);
    });
    // Plain { shape, data } objects (e.g. after JSON) are accepted too.
    const json = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: [...t.data] }])))) as Record<
      string,
      { shape: number[]; data: number[] }
    >;
    expect(() => new Net().loadStateDict(json)).not.toThrow();
  });
  it('names missing, unexpected and mis-shaped keys in one message', () => {
    const net = new Net();
    const sd: Record<string, Tensor> = net.stateDict();
    delete sd['head.weight'];
    delete sd['scale'];
    sd['head.bias'] = tensor([1, 2]);
    sd['emb.weight'] = new Tensor(new Float32Array(12), [4, 3]);
    expect(() => new Net().loadStateDict(sd)).toThrow(
      'Net.loadStateDict: size mismatch for emb.weight: expected (10,3), got (4,3). missing keys: scale, head.weight. unexpected keys: head.bias',
    );
  });
  it('rejects { shape, data } whose data do not fill the shape, before loading anything', () => {
    const lin = new Linear(2, 2);
    const before = [...lin.weight.data, ...lin.bias!.data];
    expect(() => lin.loadStateDict({ weight: { shape: [2, 2], data: [1, 2, 3] }, bias: { shape: [2], data: [1, 2] } })).toThrow(
      'Linear.loadStateDict: size mismatch for weight: shape (2,2) but 3 values',
    );
    expect([...lin.weight.data, ...lin.bias!.data]).toEqual(before);
  });
  it('strict: false tolerates missing and unexpected keys (not mis-shaped ones) and reports them', () => {
    const net = new Net();
    const before = [...net.scale.data];
    const result = net.loadStateDict({ 'head.weight': tensor(new Float32Array(8).fill(0.5), [2, 4]), extra: tensor([1]) }, { strict: false });
    expect(result.unexpected).toEqual(['extra']);
    expect(result.missing).toHaveLength(6);
    expect([...net.head.weight.data]).toEqual(new Array(8).fill(0.5));
    expect([...net.scale.data]).toEqual(before);
    expect(() => net.loadStateDict({ 'head.weight': tensor([1]) }, { strict: false })).toThrow('size mismatch for head.weight: expected (2,4), got (1,)');
  });
});

describe('repr', () => {
  it('nests children like PyTorch, with each layer’s extra repr', () => {
    expect(new Net().toString()).toBe(
      [
        'Net(',
        '  (emb): Embedding(10, 3)',
        '  (blocks.0): Block(',
        '    (lin): Linear(inFeatures=3, outFeatures=4, bias=true)',
        '    (drop): Dropout(p=0.1)',
        '  )',
        '  (blocks.1): Block(',
        '    (lin): Linear(inFeatures=3, outFeatures=4, bias=true)',
        '    (drop): Dropout(p=0.1)',
        '  )',
        '  (head): Linear(inFeatures=4, outFeatures=2, bias=false)',
        ')',
      ].join('\n'),
    );
    expect(new Computed(1).toString()).toBe('Computed()');
    expect(new Embedding(5, 2, { paddingIdx: 0 }).toString()).toBe('Embedding(5, 2, paddingIdx=0)');
  });
});

describe('core layers', () => {
  it('Linear: PyTorch init bound 1/√in, shapes, and an error naming the input shape', () => {
    manualSeed(1);
    const lin = new Linear(16, 8);
    expect(lin.weight.shape).toEqual([8, 16]);
    expect(lin.bias!.shape).toEqual([8]);
    for (const v of [...lin.weight.data, ...lin.bias!.data]) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
    expect(lin.forward(new Tensor(new Float32Array(2 * 5 * 16), [2, 5, 16])).shape).toEqual([2, 5, 8]);
    expect(() => lin.forward(tensor([1, 2, 3]))).toThrow('Linear.forward: input is (3,) but inFeatures is 16');
    expect(() => new Linear(0, 3)).toThrow('Linear(0, 3): sizes must be positive integers');
  });
  it('Embedding: N(0,1) init, zero padding row, shapes', () => {
    manualSeed(2);
    const emb = new Embedding(100, 4, { paddingIdx: 3 });
    expect([...emb.weight.data.subarray(12, 16)]).toEqual([0, 0, 0, 0]);
    const vals = [...emb.weight.data];
    const m = vals.reduce((a, b) => a + b, 0) / vals.length;
    const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
    expect(Math.abs(m)).toBeLessThan(0.2);
    expect(Math.abs(sd - 1)).toBeLessThan(0.2);
    expect(emb.forward(tensor([[1, 2, 3]])).shape).toEqual([1, 3, 4]);
  });
  it('the same seed gives the same parameters', () => {
    manualSeed(7);
    const a = new Net().stateDict();
    manualSeed(7);
    const b = new Net().stateDict();
    for (const k of Object.keys(a)) expect([...b[k]!.data]).toEqual([...a[k]!.data]);
  });
});
