// A recurrent sequence on two kernel threads by rows of the batch (rnn/rowSplit.ts): the caller
// runs the first rows' steps, the helper replays a trace of the others' kernel calls
// (wasm/replay.ts). Outputs and gradients must equal the one-thread ones bit for bit — every cell,
// lengths, both directions, h0/c0, batchFirst, a select of the last step, batches not a multiple
// of the tile rows and above the streaming limit, checkpointing through time — and the per-step
// gradient norms agree to rounding. Small batches and large weights keep the per-product split.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type RNNBase } from '../../kernel/engine/layers/recurrent';
import { manualSeed } from '../../kernel/engine/rng';
import { tensor } from '../../kernel/engine/tensor';
import { recordKernelCalls, putTrace, replayHere, traceResults, UntraceableError } from '../../kernel/engine/wasm/replay';
import { useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { runReplay, setNumThreads, teamStats } from '../../kernel/engine/wasm/team';
import { seededValues } from './recurrent-helpers';
import { twoKernelThreads } from './team-helpers';

afterAll(() => {
  setNumThreads(1);
  useKernels('auto');
});

describe('a trace of kernel calls', () => {
  beforeAll(() => useKernels('auto'));

  it('records the calls without running them; replayed, they do what the calls do, results in their slots', () => {
    const w = wasmKernels()!;
    const mark = w.arena.mark();
    try {
      const rows = 3;
      const src = w.arena.put(Float32Array.from({ length: 12 }, (_, i) => i + 1));
      const dst = w.arena.zeros(12);
      const copyRow = (i: number): number => {
        w.k.copy_rows(src + i * 16, 16, dst + i * 16, 16, 1, 16);
        return i === 1 ? w.k.copy_rows(src, 16, src, 16, 0, 16) as unknown as number : 0;
      };
      const trace = recordKernelCalls(w, rows, copyRow);
      expect(trace.calls.map((c) => c.args.length)).toEqual([6, 6, 6, 6]);
      expect([...w.arena.view(dst, 12)]).toEqual(new Array(12).fill(0)); // nothing ran
      expect(trace.calls[1]!.slot).toBe(-1);
      expect(trace.calls[2]!.slot).toBe(1); // the call whose result step 1 returned
      const { results } = putTrace(w, trace);
      replayHere(w, trace, results);
      expect([...w.arena.view(dst, 12)]).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(Number.isNaN(traceResults(w, trace, results)[1]!)).toBe(true); // copy_rows returns nothing
    } finally {
      w.arena.release(mark);
    }
  });

  it('refuses a call it cannot replay, and leaves the kernels as they were', () => {
    const w = wasmKernels()!;
    const k = w.k;
    expect(() => recordKernelCalls(w, 1, () => void w.k.copy_rows(0.5, 0, 0, 0, 0, 0))).toThrow(UntraceableError);
    expect(() => recordKernelCalls(w, 1, () => void w.k.copy_rows(0, 0, 0, 0, 0, 2 ** 31))).toThrow(/not an i32/);
    expect(w.k).toBe(k);
  });
});

type Kind = 'LSTM' | 'GRU' | 'GRU-cho' | 'RNN-tanh' | 'RNN-relu';

function layerOf(kind: Kind, I: number, H: number, options: { bidirectional?: boolean; batchFirst?: boolean; checkpoint?: { segment: number } } = {}): RNNBase {
  if (kind === 'LSTM') return new LSTM(I, H, options);
  if (kind === 'GRU' || kind === 'GRU-cho') return new GRU(I, H, { ...options, resetAfter: kind === 'GRU' });
  return new RNN(I, H, { ...options, nonlinearity: kind === 'RNN-relu' ? 'relu' : 'tanh' });
}

interface Case {
  kind: Kind;
  T: number;
  N: number;
  H: number;
  bidirectional?: boolean;
  batchFirst?: boolean;
  lengths?: boolean;
  lastStep?: boolean;
  /** Checkpointing through time in segments of this many steps. */
  segment?: number;
}

/** Output, every gradient (parameters, x, h0) and the per-step gradient norms of one training pass. */
function pass(threads: 1 | 2, c: Case): { data: Float32Array[]; norms: number[][]; rowSplits: number } {
  setNumThreads(threads);
  const before = teamStats.rowSplits;
  manualSeed(7);
  const I = 6;
  const D = c.bidirectional ? 2 : 1;
  const layer = layerOf(c.kind, I, c.H, { bidirectional: c.bidirectional, batchFirst: c.batchFirst, ...(c.segment ? { checkpoint: { segment: c.segment } } : {}) });
  layer.instrument = true;
  const x = tensor(seededValues(c.T * c.N * I, 3), c.batchFirst ? [c.N, c.T, I] : [c.T, c.N, I]).requiresGrad_();
  const h0 = tensor(seededValues(D * c.N * c.H, 4), [D, c.N, c.H]).requiresGrad_();
  const lengths = c.lengths ? Array.from({ length: c.N }, (_, n) => c.T - ((n * 5) % Math.max(1, c.T - 1))) : undefined;
  const c0 = c.kind === 'LSTM' ? tensor(seededValues(D * c.N * c.H, 5), [D, c.N, c.H]) : undefined;
  const out = layer.forward(x, { h0, c0, lengths }).output;
  const y = c.lastStep ? out.select(c.batchFirst ? 1 : 0, c.T - 1) : out;
  y.mul(tensor(seededValues(y.size, 6), y.shape)).sum().backward();
  const norms = Object.values(layer.trace?.directions ?? {}).map((d) => d.gradNorm ?? []);
  const data = [out.data, x.grad!.data, h0.grad!.data, ...layer.parameters().map((p) => p.grad!.data)];
  return { data, norms, rowSplits: teamStats.rowSplits - before };
}

describe('a recurrent sequence by rows on two threads gives the one-thread results bit for bit', () => {
  beforeAll(async () => {
    useKernels('auto');
    await twoKernelThreads();
  });

  const cases: Case[] = [
    { kind: 'LSTM', T: 40, N: 16, H: 96 },
    { kind: 'LSTM', T: 30, N: 13, H: 80, bidirectional: true, lengths: true },
    { kind: 'GRU', T: 35, N: 12, H: 96, batchFirst: true, lastStep: true },
    { kind: 'GRU-cho', T: 30, N: 9, H: 96, lengths: true },
    { kind: 'RNN-tanh', T: 50, N: 40, H: 160, batchFirst: true },
    { kind: 'RNN-relu', T: 45, N: 10, H: 128, bidirectional: true, lastStep: true },
    // 64 rows: the whole batch's products do not stream (K = 4H > the GEMM's reduction block)
    { kind: 'LSTM', T: 12, N: 64, H: 72, batchFirst: true, lengths: true },
    // checkpointing through time: each segment's forward, recomputed tape and backward by rows
    { kind: 'GRU', T: 60, N: 16, H: 96, lengths: true, segment: 20 },
    { kind: 'LSTM', T: 50, N: 12, H: 96, bidirectional: true, segment: 20 },
  ];
  it.each(cases)('%o', (c) => {
    // The helper may be paused for a moment on a busy machine: then the pass runs on one thread.
    let two = pass(2, c);
    for (let i = 0; i < 20 && two.rowSplits === 0; i++) two = pass(2, c);
    expect(two.rowSplits).toBeGreaterThan(0);
    const one = pass(1, c);
    expect(one.rowSplits).toBe(0);
    one.data.forEach((a, i) => {
      const b = two.data[i]!;
      expect(b.length).toBe(a.length);
      const differ = a.findIndex((v, j) => !Object.is(v, b[j]));
      expect(differ, `array ${i} differs at ${differ}`).toBe(-1);
    });
    expect(two.norms.length).toBe(one.norms.length);
    one.norms.forEach((series, d) => series.forEach((v, t) => expect(two.norms[d]![t]!).toBeCloseTo(v, 5)));
  });

  it('replays a trace on the helper; an error in the caller\'s part goes on once the helper is off the job, and the team works after it', async () => {
    const team = await twoKernelThreads();
    const w = wasmKernels()!;
    const mark = w.arena.mark();
    try {
      const src = w.arena.put(Float32Array.from({ length: 64 }, (_, i) => i - 20));
      const dst = w.arena.zeros(64);
      const trace = recordKernelCalls(w, 1, () => void w.k.copy_rows(src, 256, dst, 256, 1, 256));
      const { at, results } = putTrace(w, trace);
      expect(() => runReplay(team, at, () => { throw new Error('the caller failed'); }, () => replayHere(w, trace, results))).toThrow('the caller failed');
      w.arena.f32().fill(0, dst >> 2, (dst >> 2) + 64);
      let mine = false;
      runReplay(team, at, () => void (mine = true), () => replayHere(w, trace, results));
      expect(mine).toBe(true);
      expect([...w.arena.view(dst, 64)]).toEqual(Array.from({ length: 64 }, (_, i) => i - 20));
    } finally {
      w.arena.release(mark);
    }
  });

  it('keeps the per-product split for small batches and for weights beyond a core\'s cache', () => {
    expect(pass(2, { kind: 'LSTM', T: 40, N: 4, H: 128 }).rowSplits).toBe(0);
    expect(pass(2, { kind: 'LSTM', T: 8, N: 16, H: 400 }).rowSplits).toBe(0); // w_hh 2.4 MB
  });
});
