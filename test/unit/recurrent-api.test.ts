// The public surface of RNN, LSTM and GRU: PyTorch names, shapes, order and init; reprs; input
// layouts (time-major, batchFirst, unbatched); lengths as an array or a tensor; dropout; errors
// that name the shapes.

import { describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN } from '../../kernel/engine/layers/recurrent';
import { transpose } from '../../kernel/engine/ops';
import { manualSeed } from '../../kernel/engine/rng';
import { noGrad, Tensor, zeros } from '../../kernel/engine/tensor';
import { seededValues, toleranceRatio } from './recurrent-helpers';

const rand = (shape: number[], seed: number): Tensor => new Tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);

describe('parameters', () => {
  it('have PyTorch names, shapes and order', () => {
    const lstm = new LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const names: [string, number[]][] = [];
    for (const l of [0, 1])
      for (const sfx of ['', '_reverse']) {
        const inSize = l === 0 ? 3 : 10;
        names.push([`weight_ih_l${l}${sfx}`, [20, inSize]], [`weight_hh_l${l}${sfx}`, [20, 5]], [`bias_ih_l${l}${sfx}`, [20]], [`bias_hh_l${l}${sfx}`, [20]]);
      }
    expect([...lstm.namedParameters()].map(([k, p]) => [k, p.shape])).toEqual(names);
    expect([...new GRU(4, 6).namedParameters()].map(([k, p]) => [k, p.shape])).toEqual([
      ['weight_ih_l0', [18, 4]],
      ['weight_hh_l0', [18, 6]],
      ['bias_ih_l0', [18]],
      ['bias_hh_l0', [18]],
    ]);
    expect([...new RNN(4, 6, { bias: false }).namedParameters()].map(([k]) => k)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(lstm.weight_hh_l1_reverse!.shape).toEqual([20, 5]);
  });

  it('are initialised from U(−1/√H, 1/√H), seeded', () => {
    manualSeed(0);
    const a = new LSTM(8, 16);
    manualSeed(0);
    const b = new LSTM(8, 16);
    const bound = 1 / Math.sqrt(16);
    for (const [name, p] of a.namedParameters()) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of p.data) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(lo).toBeGreaterThanOrEqual(-bound);
      expect(hi).toBeLessThanOrEqual(bound);
      expect(hi - lo).toBeGreaterThan(bound); // spread over the interval, not constant
      expect(Array.from(p.data)).toEqual(Array.from(b.stateDict()[name]!.data));
    }
  });
});

describe('repr', () => {
  it('reads like PyTorch', () => {
    expect(new LSTM(8, 16, { numLayers: 2, dropout: 0.3 }).toString()).toBe('LSTM(8, 16, numLayers=2, dropout=0.3)');
    expect(new GRU(3, 4, { bidirectional: true, batchFirst: true }).toString()).toBe('GRU(3, 4, batchFirst=true, bidirectional=true)');
    expect(new RNN(3, 4, { nonlinearity: 'relu', bias: false }).toString()).toBe("RNN(3, 4, bias=false, nonlinearity='relu')");
  });
});

describe('input layouts', () => {
  it('batchFirst is the time-major computation on the transposed input', () => {
    manualSeed(1);
    const tm = new GRU(3, 4, { numLayers: 2, bidirectional: true });
    const bf = new GRU(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    bf.loadStateDict(tm.stateDict());
    const x = rand([5, 2, 3], 1);
    const a = tm.forward(x, { lengths: [5, 3] });
    const b = bf.forward(transpose(x, 0, 1), { lengths: [5, 3] });
    expect(b.output.shape).toEqual([2, 5, 8]);
    expect(Array.from(transpose(b.output, 0, 1).data)).toEqual(Array.from(a.output.data));
    expect(Array.from(b.h.data)).toEqual(Array.from(a.h.data));
  });

  it('accepts unbatched (T,I) input like PyTorch', () => {
    manualSeed(2);
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    const x = rand([6, 3], 2);
    const h0 = rand([4, 4], 3);
    const c0 = rand([4, 4], 4);
    const single = lstm.forward(x, { h0, c0 });
    expect(single.output.shape).toEqual([6, 8]);
    expect(single.h.shape).toEqual([4, 4]);
    expect(single.c.shape).toEqual([4, 4]);
    const batched = lstm.forward(x.reshape(1, 6, 3), { h0: h0.reshape(4, 1, 4), c0: c0.reshape(4, 1, 4) });
    expect(Array.from(single.output.data)).toEqual(Array.from(batched.output.data));
    expect(Array.from(single.h.data)).toEqual(Array.from(batched.h.data));
    expect(Array.from(single.c.data)).toEqual(Array.from(batched.c.data));
  });

  it('takes lengths as numbers or a tensor; full lengths change nothing', () => {
    manualSeed(3);
    const rnn = new RNN(3, 4, { bidirectional: true });
    const x = rand([5, 3, 3], 5);
    const asArray = rnn.forward(x, { lengths: [2, 5, 4] });
    const asTensor = rnn.forward(x, { lengths: new Tensor(new Float32Array([2, 5, 4]), [3]) });
    expect(Array.from(asTensor.output.data)).toEqual(Array.from(asArray.output.data));
    expect(Array.from(rnn.forward(x, { lengths: [5, 5, 5] }).output.data)).toEqual(Array.from(rnn.forward(x).output.data));
  });

  it('runs under noGrad without recording', () => {
    const lstm = new LSTM(3, 4);
    const out = noGrad(() => lstm.forward(rand([4, 2, 3], 6)));
    expect(out.output.requiresGrad).toBe(false);
    expect(out.output.gradFn).toBeNull();
  });
});

describe('dropout', () => {
  it('acts between layers in training mode only', () => {
    manualSeed(4);
    const lstm = new LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = rand([5, 2, 3], 7);
    lstm.eval();
    const a = lstm.forward(x).output;
    const b = lstm.forward(x).output;
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    lstm.train();
    const c = lstm.forward(x).output;
    expect(toleranceRatio(c.data, a.data)).toBeGreaterThan(1);
    // A single layer has no "between": dropout changes nothing even when training.
    const one = new LSTM(3, 4, { dropout: 0.5 });
    expect(Array.from(one.forward(x).output.data)).toEqual(Array.from(one.eval().forward(x).output.data));
  });
});

describe('errors name the shapes', () => {
  it('wrong input size', () => {
    expect(() => new LSTM(32, 8).forward(zeros([32, 64, 16]))).toThrow('LSTM.forward: input is (32,64,16) but inputSize is 32');
    expect(() => new GRU(3, 8).forward(zeros([2, 2, 2, 3]))).toThrow('GRU.forward: input is (2,2,2,3) but must be (T,N,3) or unbatched (T,3)');
  });

  it('wrong h0 / c0', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    const x = zeros([5, 3, 3]);
    expect(() => lstm.forward(x, { h0: zeros([1, 3, 4]) })).toThrow('LSTM.forward: h0 is (1,3,4) but expected (2,3,4) = (numLayers·numDirections, N, hiddenSize)');
    expect(() => lstm.forward(x, { c0: zeros([2, 2, 4]) })).toThrow('LSTM.forward: c0 is (2,2,4) but expected (2,3,4)');
    expect(() => new GRU(3, 4).forward(x, { c0: zeros([1, 3, 4]) })).toThrow('GRU.forward: c0 is only used by LSTM');
    expect(() => new RNN(3, 4).forward(zeros([5, 3]), { h0: zeros([1, 3, 4]) })).toThrow('RNN.forward: h0 is (1,3,4) but expected (1,4)');
  });

  it('bad lengths', () => {
    const rnn = new RNN(3, 4);
    const x = zeros([5, 3, 3]);
    expect(() => rnn.forward(x, { lengths: [5, 5] })).toThrow('RNN.forward: lengths has 2 entries but input (5,3,3) has N=3 sequences');
    expect(() => rnn.forward(x, { lengths: [5, 6, 1] })).toThrow('RNN.forward: lengths[1] is 6 but must be an integer in [1, 5] for input (5,3,3) (T=5)');
    expect(() => rnn.forward(x, { lengths: [5, 0, 1] })).toThrow('lengths[1] is 0');
    expect(() => rnn.forward(x, { lengths: [5, 2.5, 1] })).toThrow('lengths[1] is 2.5');
    expect(() => rnn.forward(zeros([5, 3]), { lengths: [5] })).toThrow('RNN.forward: lengths needs batched input, got unbatched (5,3)');
  });

  it('bad constructor arguments', () => {
    expect(() => new LSTM(0, 4)).toThrow('LSTM(0, 4): inputSize and hiddenSize must be positive integers');
    expect(() => new GRU(3, 4, { numLayers: 0 })).toThrow('GRU: numLayers must be a positive integer, got 0');
    expect(() => new RNN(3, 4, { dropout: 1 })).toThrow('RNN: dropout must be in [0, 1), got 1');
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow("RNN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'");
  });
});
