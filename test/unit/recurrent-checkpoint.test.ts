// Gradient checkpointing through time (kernel/engine/rnn/checkpointed.ts) against plain BPTT on
// the same layer: the same outputs, final states and gradients (weights, biases, input, h0, c0,
// an embedding's table) bit for bit, for every cell kind, on the wasm kernels and on the
// TypeScript reference kernels, with an uneven last segment, several layers, both directions,
// batchFirst, variable lengths, dropout between layers (its masks drawn once, in the forward), a
// loss on the last step only, and subnormals flushed or not. And the forward keeps no tape.

import { afterAll, describe, expect, it } from 'vitest';
import { setFlushDenormal } from '../../kernel/engine/denormal';
import { Embedding } from '../../kernel/engine/layers/embedding';
import { GRU, LSTM, RNN, type RecurrentOptions, type RNNBase } from '../../kernel/engine/layers/recurrent';
import { add, mul, select, sum } from '../../kernel/engine/ops';
import { manualSeed } from '../../kernel/engine/rng';
import { blockSteps, segmentSteps, timeBlocks } from '../../kernel/engine/rnn/timeBlocks';
import { residentBytes } from '../../kernel/engine/rnn/wasmResident';
import { tensor, Tensor } from '../../kernel/engine/tensor';
import { useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { setNumThreads, teamFor, teamStats } from '../../kernel/engine/wasm/team';
import { CELL_NAMES, makeLayer, seededValues, type CellName } from './recurrent-helpers';

afterAll(() => {
  useKernels('auto');
  setFlushDenormal(true);
});

const cells = CELL_NAMES;

/** The bits of a float32 array: equal bits, equal numbers (and −0 ≠ +0, NaN = NaN). */
function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

interface Case {
  T: number;
  N: number;
  layer: RecurrentOptions;
  lengths?: number[];
  /** Pass h0 (and c0) that need gradients. */
  initial?: boolean;
  /** The loss reads only the output's last step (a select: the kernels see dyTimes). */
  lastStepOnly?: boolean;
  segment?: number;
}

const [I, H] = [3, 5];

const cases: [string, Case][] = [
  ['1 layer, N = 8, T = 75: segments 32, 32, 11', { T: 75, N: 8, layer: {} }],
  [
    '2 layers, bidirectional, batchFirst, lengths, h0/c0, segment 40 → 64',
    { T: 150, N: 8, layer: { numLayers: 2, bidirectional: true, batchFirst: true }, lengths: [150, 3, 64, 65, 129, 1, 100, 150], initial: true, segment: 40 },
  ],
  ['3 layers, dropout 0.3 between them (training mode)', { T: 70, N: 8, layer: { numLayers: 3, dropout: 0.3 }, initial: true }],
  ['N = 3 (blocks of 88 steps), loss on the last step and h_n only', { T: 200, N: 3, layer: { bidirectional: true }, lastStepOnly: true }],
  ['N = 1 (blocks of 256 steps), lengths do not matter at batch 1', { T: 600, N: 1, layer: {}, initial: true, segment: 1 }],
];

/** Everything a forward and backward through `layer` gives, as bits. */
function outcome(layer: RNNBase, c: Case, checkpoint: boolean): Uint32Array[] {
  layer.checkpoint = checkpoint ? (c.segment !== undefined ? { segment: c.segment } : true) : false;
  layer.zeroGrad();
  const { T, N } = c;
  const H = layer.hiddenSize;
  const D = layer.numDirections;
  const L = layer.numLayers;
  const batchFirst = layer.batchFirst;
  const x = new Tensor(seededValues(T * N * I, 11), batchFirst ? [N, T, I] : [T, N, I], true);
  const h0 = c.initial ? new Tensor(seededValues(L * D * N * H, 12), [L * D, N, H], true) : undefined;
  const c0 = c.initial && layer.cell.kind === 'lstm' ? new Tensor(seededValues(L * D * N * H, 13), [L * D, N, H], true) : undefined;
  manualSeed(7); // the same dropout masks in both runs
  const { output, h, c: cN } = layer.forward(x, { h0, c0, lengths: c.lengths });
  const seen = c.lastStepOnly ? select(output, batchFirst ? 1 : 0, T - 1) : output;
  let loss = add(sum(mul(seen, new Tensor(seededValues(seen.size, 14), seen.shape))), sum(mul(h, new Tensor(seededValues(h.size, 15), h.shape))));
  if (cN) loss = add(loss, sum(mul(cN, new Tensor(seededValues(cN.size, 16), cN.shape))));
  loss.backward();
  const out = [output.data, h.data, ...(cN ? [cN.data] : []), x.grad!.data, ...layer.parameters().map((p) => p.grad!.data)];
  if (h0) out.push(h0.grad!.data);
  if (c0) out.push(c0.grad!.data);
  return out.map((a) => bits(new Float32Array(a)));
}

function expectSameBits(cell: CellName, c: Case): void {
  manualSeed(cell.length + c.T);
  const layer = makeLayer(cell, I, H, c.layer);
  layer.train();
  const plain = outcome(layer, c, false);
  const checkpointed = outcome(layer, c, true);
  expect(checkpointed.length).toBe(plain.length);
  checkpointed.forEach((got, i) => expect(got, `tensor ${i}`).toEqual(plain[i]));
}

for (const kernels of ['wasm', 'js'] as const) {
  describe(`checkpointed = plain BPTT, bit for bit, ${kernels === 'wasm' ? 'on the wasm kernels' : 'on the TypeScript kernels'}`, () => {
    for (const cell of cells) {
      for (const [label, c] of cases) {
        it(`${cell}: ${label}`, () => {
          expect(useKernels(kernels === 'wasm' ? 'auto' : 'js') === 'js').toBe(kernels === 'js');
          expectSameBits(cell, c);
        });
      }
    }

    it('with subnormals not flushed (IEEE gradual underflow)', () => {
      useKernels(kernels === 'wasm' ? 'auto' : 'js');
      setFlushDenormal(false);
      try {
        expectSameBits('lstm', cases[0]![1]);
      } finally {
        setFlushDenormal(true);
      }
    });

    it('an embedding feeding the layer: the table gradient too', () => {
      useKernels(kernels === 'wasm' ? 'auto' : 'js');
      const [T, N, V] = [90, 8, 13];
      const run = (checkpoint: boolean): Uint32Array[] => {
        manualSeed(3);
        const emb = new Embedding(V, I, { paddingIdx: 0 });
        const lstm = new LSTM(I, H, { numLayers: 2, checkpoint });
        const ids = tensor(Array.from({ length: T * N }, (_, i) => (i * 7 + 2) % V), [T, N]);
        const { output } = lstm.forward(emb.forward(ids));
        sum(mul(output, new Tensor(seededValues(output.size, 4), output.shape))).backward();
        return [output.data, emb.weight.grad!.data, ...lstm.parameters().map((p) => p.grad!.data)].map((a) => bits(new Float32Array(a)));
      };
      const plain = run(false);
      run(true).forEach((got, i) => expect(got, `tensor ${i}`).toEqual(plain[i]));
    });
  });
}

describe('checkpointed = plain BPTT on two kernel threads', () => {
  afterAll(() => setNumThreads(1));
  it('products split between the threads, and the batch-1 forward of each long segment split by hidden units', async () => {
    useKernels('auto');
    setNumThreads(2);
    const w = wasmKernels()!;
    for (let i = 0; i < 500 && !teamFor(w); i++) await new Promise((r) => setTimeout(r, 10));
    expect(teamFor(w)).not.toBeNull();
    manualSeed(9);
    const lstm = new LSTM(I, 200);
    const c: Case = { T: 520, N: 1, layer: {}, initial: true }; // blocks of 256 steps: segments of 256, 256, 8
    const plain = outcome(lstm, c, false);
    const [products, sequenceSteps] = [teamStats.split, teamStats.sequenceSteps];
    const checkpointed = outcome(lstm, c, true);
    expect(teamStats.split).toBeGreaterThan(products);
    expect(teamStats.sequenceSteps - sequenceSteps).toBe(512); // the two segments longer than 8 steps (a split forward packs its weights: not for a few steps)
    checkpointed.forEach((got, i) => expect(got, `tensor ${i}`).toEqual(plain[i]));
  });
});

describe('the grid', () => {
  it('blocks hold at least 256 rows, a whole number of 4-row tiles, and are visited as the backward goes', () => {
    for (const N of [1, 2, 3, 5, 8, 25, 32, 300]) {
      const steps = blockSteps(N);
      expect(steps * N).toBeGreaterThanOrEqual(256);
      expect((steps * N) % 4).toBe(0);
    }
    expect(timeBlocks(75, 8, false)).toEqual([[64, 75], [32, 64], [0, 32]]);
    expect(timeBlocks(75, 8, true)).toEqual([[0, 32], [32, 64], [64, 75]]);
  });

  it('segments default to ⌈√T⌉ steps, rounded up to whole blocks, at most the whole sequence', () => {
    expect(segmentSteps(10_000, 8, null)).toBe(128); // √T = 100 → 4 blocks of 32
    expect(segmentSteps(75, 8, null)).toBe(32);
    expect(segmentSteps(75, 8, 33)).toBe(64);
    expect(segmentSteps(20, 8, null)).toBe(32); // one segment: plain BPTT
  });
});

describe('what a checkpointed layer keeps', () => {
  it('its forward leaves no tape in wasm memory; a plain forward does', () => {
    useKernels('auto');
    const w = wasmKernels();
    if (!w) return;
    manualSeed(1);
    const lstm = new LSTM(I, H, { checkpoint: true });
    const x = new Tensor(seededValues(100 * 8 * I, 2), [100, 8, I], true);
    const before = residentBytes(w);
    const { output } = lstm.forward(x);
    expect(residentBytes(w)).toBe(before);
    output.sum().backward();
    lstm.checkpoint = false;
    const plain = lstm.forward(x).output;
    expect(residentBytes(w)).toBeGreaterThan(before);
    plain.sum().backward();
    expect(residentBytes(w)).toBe(before);
  });

  it('an instrumented checkpointed forward traces the same states and gates, and the backward the same ‖∂L/∂h_t‖', () => {
    useKernels('auto');
    manualSeed(4);
    const gru = new GRU(I, H, { numLayers: 2 });
    const x = new Tensor(seededValues(80 * 8 * I, 5), [80, 8, I]);
    const traceOf = (checkpoint: boolean): { h: Float32Array; n: Float32Array; z: number; norms: number[] } => {
      gru.checkpoint = checkpoint;
      gru.instrument = true;
      gru.zeroGrad();
      gru.forward(x).output.sum().backward();
      const l1 = gru.trace!.directions.l1!;
      const weights = gru.parameters().map((p) => p.data.slice());
      for (const p of gru.parameters()) p.data[0] += 0.5; // an optimizer step: the trace must not see it
      const seen = { h: l1.h.data, n: l1.gates.n!.data, z: l1.saturation.z!.high, norms: l1.gradNorm! };
      gru.parameters().forEach((p, i) => p.data.set(weights[i]!));
      return seen;
    };
    const plain = traceOf(false);
    const checkpointed = traceOf(true);
    expect(bits(checkpointed.h)).toEqual(bits(plain.h));
    expect(bits(checkpointed.n)).toEqual(bits(plain.n));
    expect(checkpointed.z).toBe(plain.z);
    expect(checkpointed.norms).toEqual(plain.norms);
  });

  it('checks the option', () => {
    expect(() => new LSTM(2, 3, { checkpoint: { segment: 0 } })).toThrow(/LSTM: checkpoint must be true, false or \{ segment: n \} with n a positive integer \(steps per segment\), got/);
    expect(() => new GRU(2, 3, { checkpoint: { steps: 4 } as never })).toThrow(/GRU: checkpoint must be/);
    const rnn = new RNN(2, 3, { checkpoint: { segment: 50 } });
    expect(rnn.toString()).toBe('RNN(2, 3, checkpoint={"segment":50})');
    rnn.checkpoint = { segment: 2.5 };
    expect(() => rnn.forward(tensor([1, 2], [1, 1, 2]))).toThrow(/RNN.forward: checkpoint must be/);
  });
});
