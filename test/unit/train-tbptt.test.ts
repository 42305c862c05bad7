// fit()'s truncated BPTT ({ tbptt: { k1, k2 } }, kernel/train/tbptt.ts): the chunks it cuts, the
// same losses and weights bit for bit as an explicit loop written here with the engine's ops
// (the state detached at each window's start, k2 − k1 steps run again before each chunk), plain
// training when k1 ≥ T, checkpointed layers inside it, a worker thread, and its checks; and
// fit({ gradientCheckpointing }).

import { describe, expect, it } from 'vitest';
import { GRU, LSTM, type RNNBase } from '../../kernel/engine/layers/recurrent';
import { Linear } from '../../kernel/engine/layers/linear';
import { mseLoss } from '../../kernel/engine/losses';
import { Module } from '../../kernel/engine/module';
import { narrow } from '../../kernel/engine/ops';
import { SGD } from '../../kernel/engine/optim/index';
import { manualSeed } from '../../kernel/engine/rng';
import { noGrad, Tensor } from '../../kernel/engine/tensor';
import { fit, trainSteps } from '../../kernel/train/index';
import { tbpttChunks } from '../../kernel/train/tbptt';
import { seededValues } from './recurrent-helpers';
import { weightsOf } from './train-helpers';

/** A recurrent layer (batchFirst) and a linear head on every step: (N,T,I) → (N,T,1). */
class Tagger extends Module {
  rnn: RNNBase;
  head: Linear;
  constructor(kind: 'lstm' | 'gru', checkpoint = false) {
    super();
    this.rnn = kind === 'lstm' ? new LSTM(2, 6, { numLayers: 2, batchFirst: true, checkpoint }) : new GRU(2, 6, { batchFirst: true, checkpoint });
    this.head = new Linear(6, 1);
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(x).output);
  }
}

function tagger(kind: 'lstm' | 'gru', checkpoint = false): Tagger {
  manualSeed(5);
  return new Tagger(kind, checkpoint);
}

const [N, T] = [4, 24];
const data = { x: new Tensor(seededValues(N * T * 2, 21), [N, T, 2]), y: new Tensor(seededValues(N * T, 22), [N, T, 1]) };
const options = { optimizer: 'sgd', lr: 0.1, batchSize: N, shuffle: false, epochs: 2 } as const;

/** Bits of every weight, for exact comparison. */
function bitsOf(model: Module): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, w] of Object.entries(weightsOf(model))) out[name] = Array.from(new Uint32Array(Float32Array.from(w).buffer));
  return out;
}

/**
 * The explicit loop: per chunk [s, e) of k1 steps, start at w = max(0, s − (k2 − k1)) from the
 * detached state there, run [w, s) then [s, e) (the state carried, with its gradient), MSE on
 * [s, e), backward, SGD step; the next window's start state from a forward without gradient up
 * to it. Returns the losses.
 */
function explicitLoop(model: Tagger, k1: number, k2: number, epochs: number): number[] {
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const losses: number[] = [];
  const run = (x: Tensor, h0: Tensor | undefined, c0: Tensor | undefined): { out: Tensor; h: Tensor; c: Tensor | null } => {
    const r = model.rnn.forward(x, { h0, c0 });
    return { out: r.output, h: r.h, c: r.c };
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    let start: { h?: Tensor; c?: Tensor; at: number } = { at: 0 };
    for (let s = 0; s < T; s += k1) {
      const e = Math.min(T, s + k1);
      const w = Math.max(0, s - (k2 - k1));
      expect(start.at).toBe(w);
      opt.zeroGrad();
      let h = start.h;
      let c = start.c;
      if (w < s) {
        const warm = run(narrow(data.x, 1, w, s - w), h, c);
        h = warm.h;
        c = warm.c ?? undefined;
      }
      const { out } = run(narrow(data.x, 1, s, e - s), h, c);
      const loss = mseLoss(model.head.forward(out), narrow(data.y, 1, s, e - s));
      loss.backward();
      losses.push(loss.item());
      // The next window's start, with the weights of before this update (fit captures it in the forward).
      const nextFrom = Math.max(0, e - (k2 - k1));
      if (e < T && nextFrom > w) {
        const again = noGrad(() => run(narrow(data.x, 1, w, nextFrom - w), start.h, start.c));
        start = { h: again.h, c: again.c ?? undefined, at: nextFrom };
      }
      opt.step();
    }
  }
  return losses;
}

describe('the chunks', () => {
  it('k1 steps each, the window k2 back from the chunk end, the next window start inside this one', () => {
    expect(tbpttChunks(10, { k1: 4, k2: 4 })).toEqual([
      { from: 0, lossFrom: 0, to: 4, next: 4 },
      { from: 4, lossFrom: 4, to: 8, next: 8 },
      { from: 8, lossFrom: 8, to: 10, next: null },
    ]);
    expect(tbpttChunks(10, { k1: 3, k2: 5 })).toEqual([
      { from: 0, lossFrom: 0, to: 3, next: 1 },
      { from: 1, lossFrom: 3, to: 6, next: 4 },
      { from: 4, lossFrom: 6, to: 9, next: 7 },
      { from: 7, lossFrom: 9, to: 10, next: null },
    ]);
    expect(tbpttChunks(10, { k1: 2, k2: 7 }).map((c) => c.from)).toEqual([0, 0, 0, 1, 3]);
    expect(tbpttChunks(10, { k1: 50, k2: 50 })).toEqual([{ from: 0, lossFrom: 0, to: 10, next: null }]);
  });
});

describe('fit({ tbptt }) is the explicit loop with detach, bit for bit', () => {
  for (const kind of ['lstm', 'gru'] as const) {
    for (const [k1, k2] of [
      [6, 6],
      [5, 5], // an uneven last chunk
      [6, 9], // windows reach back 3 steps into the chunk before; the next start lies in the loss part
      [4, 10], // … and in the part before it
    ] as const) {
      it(`${kind}, k1 = ${k1}, k2 = ${k2}`, () => {
        const viaFit = tagger(kind);
        const result = trainSteps(viaFit, data, { ...options, loss: 'mse', tbptt: { k1, k2 } });
        const chunks = Math.ceil(T / k1);
        expect(result.steps).toBe(2 * chunks);
        expect(result.epochs).toBe(2);
        const byHand = tagger(kind);
        const losses = explicitLoop(byHand, k1, k2, 2);
        expect(result.losses).toEqual(losses);
        expect(bitsOf(viaFit)).toEqual(bitsOf(byHand));
      });
    }
  }
});

describe('fit({ tbptt }) and the rest of fit', () => {
  it('with k1 ≥ T it is plain training, bit for bit', () => {
    const plain = tagger('lstm');
    const whole = trainSteps(plain, data, { ...options, loss: 'mse' });
    const oneChunk = tagger('lstm');
    const chunked = trainSteps(oneChunk, data, { ...options, loss: 'mse', tbptt: { k1: T } });
    expect(chunked.losses).toEqual(whole.losses);
    expect(bitsOf(oneChunk)).toEqual(bitsOf(plain));
  });

  it('checkpointed layers inside it give the same numbers', () => {
    const D = { x: new Tensor(seededValues(8 * 160 * 2, 31), [8, 160, 2]), y: new Tensor(seededValues(8 * 160, 32), [8, 160, 1]) };
    const o = { ...options, batchSize: 8, epochs: 1, loss: 'mse', tbptt: { k1: 100, k2: 120 } } as const;
    const plain = tagger('lstm');
    const a = trainSteps(plain, D, o);
    const checkpointed = tagger('lstm', true); // windows of 120 steps: segments of 32
    const b = trainSteps(checkpointed, D, o);
    expect(b.losses).toEqual(a.losses);
    expect(bitsOf(checkpointed)).toEqual(bitsOf(plain));
  });

  it('fit({ gradientCheckpointing }) checkpoints every recurrent layer while it trains: the same numbers, the layers as they were after', () => {
    const D = { x: new Tensor(seededValues(8 * 100 * 2, 33), [8, 100, 2]), y: new Tensor(seededValues(8 * 100, 34), [8, 100, 1]) };
    const o = { ...options, batchSize: 8, loss: 'mse' } as const;
    const plain = tagger('gru');
    const a = trainSteps(plain, D, o);
    const checkpointed = tagger('gru');
    const b = trainSteps(checkpointed, D, { ...o, gradientCheckpointing: { segment: 40 } });
    expect(b.losses).toEqual(a.losses);
    expect(bitsOf(checkpointed)).toEqual(bitsOf(plain));
    expect(checkpointed.rnn.checkpoint).toBe(false);
  });

  it('a forwardLoss sees the chunk: its x, y and lengths cut to the chunk', () => {
    const seen: string[] = [];
    trainSteps(tagger('gru'), { ...data, lengths: [24, 20, 13, 7] }, {
      ...options,
      epochs: 1,
      tbptt: { k1: 10 },
      forwardLoss: (model, batch) => {
        seen.push(`${batch.x.shape.join('×')} ${batch.y.shape.join('×')} [${batch.lengths.join(',')}]`);
        return mseLoss(model.forward(batch.x), batch.y);
      },
    });
    expect(seen).toEqual(['4×10×2 4×10×1 [10,10,10,7]', '4×10×2 4×10×1 [10,10,3,0]', '4×4×2 4×4×1 [4,0,0,0]']);
  });

  it('trains in a worker thread as on this one, and counts chunks as steps', async () => {
    const onThread = trainSteps(tagger('lstm'), data, { ...options, loss: 'mse', tbptt: { k1: 8, k2: 12 } });
    const model = tagger('lstm');
    const job = fit(model, data, { ...options, loss: 'mse', tbptt: { k1: 8, k2: 12 } });
    expect(job.summary().totalSteps).toBe(6);
    const inWorker = await job.done;
    expect(inWorker.losses).toEqual(onThread.losses);
    expect(model.rnn.stream).toBeNull();
  });
});

describe('fit checks tbptt before training', () => {
  const error = (o: object, model: Module = tagger('lstm'), d: { x: Tensor; y: Tensor } = data): string => {
    try {
      trainSteps(model, d, { ...options, loss: 'mse', ...o });
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  it('its values and names', () => {
    expect(error({ tbptt: { k1: 0 } })).toBe('fit: tbptt.k1 must be a positive integer, got 0');
    expect(error({ tbptt: {} })).toBe('fit: tbptt.k1 must be a positive integer, got undefined');
    expect(error({ tbptt: { k1: 10, k2: 5 } })).toBe("fit: tbptt.k2 must be an integer ≥ tbptt.k1 = 10 (the steps the gradient goes back from a chunk's end, as h ≥ h′ in Williams & Peng's BPTT(h; h′)), got 5");
    expect(error({ tbptt: { k1: 10, k3: 5 } })).toMatch(/^fit: tbptt: unknown option 'k3'/);
    expect(error({ tbptt: 10 })).toBe('fit: tbptt must be an object { k1, k2 }, got 10');
    expect(error({ gradientCheckpointing: { segment: -1 } })).toBe('fit: gradientCheckpointing must be true, false or { segment: n } with n a positive integer (steps per segment), got {"segment":-1}');
    expect(error({ gradientCheckpointing: 'yes' })).toBe("fit: gradientCheckpointing must be true, false or { segment: n } with n a positive integer (steps per segment), got 'yes' (a string)");
  });
  it('what it needs of the model and the data', () => {
    class Bi extends Module {
      lstm = new LSTM(2, 3, { bidirectional: true, batchFirst: true });
      forward(x: Tensor): Tensor {
        return this.lstm.forward(x).output;
      }
    }
    expect(error({ tbptt: { k1: 5 } }, new Bi())).toBe("fit: tbptt carries each recurrent layer's state from one chunk to the next, which a bidirectional layer cannot (its reverse direction starts at the sequence's end): lstm is bidirectional");
    expect(error({ tbptt: { k1: 5 } }, tagger('lstm'), { x: data.x, y: new Tensor(new Float32Array(N), [N, 1]) })).toBe(
      'fit: tbptt needs a target at every time step, y (N,T) or (N,T,O) with T = 24 as x\'s; got x (N,24,2) and y (N,1)',
    );
    class Twice extends Module {
      lstm = new LSTM(2, 2, { batchFirst: true });
      forward(x: Tensor): Tensor {
        return narrow(this.lstm.forward(this.lstm.forward(x).output).output, 2, 0, 1);
      }
    }
    expect(error({ tbptt: { k1: 5 } }, new Twice())).toBe("fit: tbptt carries each recurrent layer's state from one chunk to the next, but lstm (LSTM) ran 2 times in one forward of the model");
  });
});
