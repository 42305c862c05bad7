import { describe, expect, it } from 'vitest';
import { Linear, Module, type Tensor } from '../../kernel/engine/index';

class Head extends Module {
  fc = new Linear(2, 2);
  owner: Module | null = null;
  forward(x: Tensor): Tensor {
    return this.fc.forward(x);
  }
}

class Model extends Module {
  head = new Head();
  shared = new Linear(2, 2);
  again: Linear;
  constructor() {
    super();
    this.again = this.shared; // the same module under two names
    this.head.owner = this; // a reference back to the parent
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(this.shared.forward(x));
  }
}

describe('Module trees with shared and cyclic references', () => {
  it('lists every module and parameter once, under its first path', () => {
    const m = new Model();
    expect([...m.namedModules()].map(([n]) => n)).toEqual(['', 'head', 'head.fc', 'shared']);
    expect([...m.namedParameters()].map(([n]) => n)).toEqual(['head.fc.weight', 'head.fc.bias', 'shared.weight', 'shared.bias']);
    expect(m.numParameters()).toBe(12);
  });
});

describe('repr of a tree with a reference back to the parent', () => {
  it('marks the cycle instead of recursing', () => {
    const text = String(new Model());
    expect(text).toContain('(owner): Model(↻)');
    expect(text).toContain('(fc): Linear(inFeatures=2, outFeatures=2, bias=true)');
  });
});
