// Sending models to workers: the object-graph description, rebuilt without constructors.

import { describe, expect, it } from 'vitest';
import { Linear, LSTM, manualSeed, Module, Parameter, select, Tensor, tensor } from '../../kernel/engine/index';
import { GraphDecoder, GraphEncoder } from '../../kernel/train/worker/graph';
import { SourceScope } from '../../kernel/train/worker/userCode';
import { LSTMModel } from './train-helpers';

/** Encodes `value` and rebuilds it (in this thread), parameters sharing nothing with the original. */
function roundTrip<T>(value: T, slotOf: (t: Tensor) => number | undefined = () => undefined, scope = new SourceScope()): { copy: T; slots: Float32Array[] } {
  const encoder = new GraphEncoder(slotOf);
  const root = encoder.encode(value, 'model');
  const graph = structuredClone(encoder.graph(root));
  const slots: Float32Array[] = [];
  const decoder = new GraphDecoder(graph, scope, (i) => (slots[i] ??= new Float32Array(4)));
  return { copy: decoder.value(graph.root) as T, slots };
}

describe('model graphs', () => {
  it('rebuilds a cell-written model by source: same class name, fields, parameters and outputs', () => {
    manualSeed(3);
    const model = new LSTMModel(12, 8, 16, 3);
    const { copy } = roundTrip(model);
    expect(copy).not.toBe(model);
    expect(copy.constructor).not.toBe(LSTMModel); // re-evaluated from its source
    expect(copy.constructor.name).toBe('LSTMModel');
    expect(copy).toBeInstanceOf(Module);
    expect(copy.lstm).toBeInstanceOf(LSTM); // engine classes by name
    expect(copy.lstm.numLayers).toBe(2);
    expect(copy.lstm.dropout).toBe(0.3);
    expect([...copy.namedParameters()].map(([n]) => n)).toEqual([...model.namedParameters()].map(([n]) => n));
    const x = tensor([[1, 2, 3, 4], [5, 6, 7, 8]]);
    model.eval();
    copy.eval();
    expect(Array.from(copy.forward(x).data)).toEqual(Array.from(model.forward(x).data));
  });

  it('keeps shared references (tied weights) and cycles, and runs no constructor', () => {
    let constructed = 0;
    class Tied extends Module {
      a: Linear;
      b: Linear;
      info: { owner: Tied };
      constructor() {
        super();
        constructed++;
        this.a = new Linear(2, 2);
        this.b = new Linear(2, 2);
        this.b.weight = this.a.weight;
        this.info = { owner: this }; // a cycle (through a plain object: Module itself does not walk those)
      }
      forward(x: Tensor): Tensor {
        return this.b.forward(this.a.forward(x));
      }
    }
    const model = new Tied();
    const { copy } = roundTrip(model);
    expect(constructed).toBe(1);
    expect(copy.b.weight).toBe(copy.a.weight);
    expect(copy.info.owner).toBe(copy);
    expect(copy.parameters()).toHaveLength(3);
  });

  it('leaves the trace of the last instrumented forward behind', () => {
    const lstm = new LSTM(2, 3);
    lstm.instrument = true;
    lstm.forward(tensor([[[1, 2]], [[3, 4]]]));
    expect(lstm.trace).not.toBeNull();
    const { copy } = roundTrip(lstm);
    expect(copy.trace).toBeNull();
    expect(copy.instrument).toBe(true);
  });

  it('rebuilds a chain of cell classes (a subclass of a subclass of Module)', () => {
    class Base extends Module {
      scale = 2;
      forward(x: Tensor): Tensor {
        return x.mul(this.scale);
      }
    }
    class Child extends Base {
      fc = new Linear(2, 2);
      override forward(x: Tensor): Tensor {
        return super.forward(this.fc.forward(x));
      }
    }
    const model = new Child();
    const { copy } = roundTrip(model);
    const parent = Object.getPrototypeOf(copy.constructor) as { name: string; prototype: object };
    expect(parent.name).toBe('Base');
    expect(parent).not.toBe(Base);
    expect(Object.getPrototypeOf(parent.prototype)).toBe(Module.prototype);
    const x = tensor([[1, 2]]);
    expect(Array.from(copy.forward(x).data)).toEqual(Array.from(model.forward(x).data));
  });

  it('gives shared-weight parameters their slot storage and drops gradients', () => {
    const lin = new Linear(2, 2);
    lin.weight.grad = new Tensor(new Float32Array(4), [2, 2]);
    const { copy, slots } = roundTrip(lin, (t) => (t === lin.weight ? 0 : undefined));
    expect(copy.weight.data).toBe(slots[0]);
    expect(copy.weight).toBeInstanceOf(Parameter);
    expect(copy.weight.grad).toBeNull();
    expect(Array.from(copy.bias!.data)).toEqual(Array.from(lin.bias!.data)); // not in a slot: copied
  });

  it('carries plain data, Maps, Sets, typed arrays and functions', () => {
    const value = {
      n: 1.5,
      s: 'text',
      flags: [true, null, undefined],
      map: new Map([['k', 2]]),
      set: new Set([3]),
      ints: new Int32Array([4, 5]),
      arrow: (v: number) => v * 2,
      method(v: number) {
        return v + 1;
      },
      engine: select,
    };
    const { copy } = roundTrip(value);
    expect(copy.n).toBe(1.5);
    expect(copy.flags).toEqual([true, null, undefined]);
    expect(copy.map.get('k')).toBe(2);
    expect(copy.set.has(3)).toBe(true);
    expect(Array.from(copy.ints)).toEqual([4, 5]);
    expect(copy.arrow(3)).toBe(6);
    expect(copy.method(3)).toBe(4); // method shorthand evaluated as a method
    expect(copy.engine).toBe(select);
  });

  it('refuses what cannot be sent and says where it is', () => {
    expect(() => new GraphEncoder().encode({ cb: Math.max }, 'model')).toThrow(/model\.cb: max is a built-in or bound function/);
    expect(() => new GraphEncoder().encode({ p: Promise.resolve() }, 'model')).toThrow(/model\.p is a Promise/);
    function OldStyle(this: { v: number }) {
      this.v = 1;
    }
    const old = new (OldStyle as unknown as new () => object)();
    expect(() => new GraphEncoder().encode({ old }, 'model')).toThrow(/model\.old is an instance of OldStyle, which is not a class/);
  });

  it('evaluates sources with the engine, the aliases and esbuild helpers in scope', () => {
    const scope = new SourceScope();
    scope.define('L', Linear);
    const f = scope.evaluate({ name: 'make', source: '() => __name(new L(2, 3), "x") && new L(2, 3).outFeatures' }, 'function make') as () => number;
    expect(f()).toBe(3);
    const g = scope.evaluate({ name: 'g', source: '() => import_rnn_lab.Linear === Linear' }, 'function g') as () => boolean;
    expect(g()).toBe(true);
    const h = scope.evaluate({ name: 'h', source: '() => missingThing + 1' }, 'function h') as () => number;
    expect(() => h()).toThrow(/function h uses 'missingThing', which the training worker cannot see/);
  });
});
