// Parity with PyTorch: every fixture in test/fixtures/pytorch/rnn (RNN tanh/relu, LSTM, GRU ×
// layers × bidirectional × batchFirst × lengths × h0/c0). Forward values, the loss and every
// gradient (input, h0, c0, all parameters) must agree within float32 tolerance.

import { afterAll, describe, expect, it } from 'vitest';
import { add, mul, sum } from '../../kernel/engine/ops';
import { layerForFixture, loadRnnFixtures, maxAbsDiff, toleranceRatio, toTensor } from './recurrent-helpers';

const fixtures = loadRnnFixtures();
let worstRatio = 0;
let worstAbs = 0;
let worstWhere = '';

function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const ratio = toleranceRatio(actual, expected);
  const abs = maxAbsDiff(actual, expected);
  if (ratio > worstRatio) {
    worstRatio = ratio;
    worstWhere = what;
  }
  worstAbs = Math.max(worstAbs, abs);
  expect(ratio, `${what}: max |Δ| = ${abs.toExponential(2)}`).toBeLessThanOrEqual(1);
}

describe('recurrent layers match PyTorch fixtures', () => {
  it('has the 108 fixtures', () => {
    expect(fixtures.length).toBe(108);
  });

  for (const fx of fixtures) {
    it(fx.name, () => {
      const layer = layerForFixture(fx);
      layer.loadStateDict(Object.fromEntries(Object.entries(fx.params).map(([k, v]) => [k, toTensor(v)])));
      expect([...layer.namedParameters()].map(([k]) => k)).toEqual(Object.keys(fx.params));
      const x = toTensor(fx.input, true);
      const h0 = fx.h0 ? toTensor(fx.h0, true) : undefined;
      const c0 = fx.c0 ? toTensor(fx.c0, true) : undefined;
      const { output, h, c } = layer.forward(x, {
        h0,
        c0,
        lengths: fx.lengths ?? undefined,
      });
      expect(output.shape).toEqual(fx.output.shape);
      expect(h.shape).toEqual(fx.h_n.shape);
      expectClose(`${fx.name} output`, output.data, fx.output.data);
      expectClose(`${fx.name} h_n`, h.data, fx.h_n.data);
      if (fx.c_n) {
        expect(c!.shape).toEqual(fx.c_n.shape);
        expectClose(`${fx.name} c_n`, c!.data, fx.c_n.data);
      } else {
        expect(c).toBeNull();
      }
      let loss = add(sum(mul(output, toTensor(fx.lossWeights.output))), sum(mul(h, toTensor(fx.lossWeights.h_n))));
      if (c && fx.lossWeights.c_n) loss = add(loss, sum(mul(c, toTensor(fx.lossWeights.c_n))));
      expectClose(`${fx.name} loss`, [loss.item()], [fx.loss]);
      loss.backward();
      expectClose(`${fx.name} grad input`, x.grad!.data, fx.grads.input!.data);
      if (h0) expectClose(`${fx.name} grad h0`, h0.grad!.data, fx.grads.h0!.data);
      if (c0) expectClose(`${fx.name} grad c0`, c0.grad!.data, fx.grads.c0!.data);
      for (const [name, p] of layer.namedParameters()) {
        expect(p.grad, `${fx.name} grad ${name}`).not.toBeNull();
        expectClose(`${fx.name} grad ${name}`, p.grad!.data, fx.grads[name]!.data);
      }
    });
  }

  afterAll(() => {
    // Shown with --reporter=verbose; recorded in the report.
    console.log(`worst PyTorch parity: ${worstRatio.toFixed(3)} of tolerance (abs 1e-5 + rel 1e-4) at ${worstWhere}; max |Δ| ${worstAbs.toExponential(2)}`);
  });
});
