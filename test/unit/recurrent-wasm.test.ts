// The WebAssembly sequence kernels against the TypeScript ones on the same float32 problems:
// every cell (LSTM, both GRU forms, RNN tanh/relu), forward and reverse, with and without lengths,
// h0/c0 and biases, batch 1 (GEMV panels), a few rows (≤ 8 in all: the weights read in place by
// gemv_rows, as for one generated token), hidden sizes that leave a scalar tail (H % 4 ≠ 0). Outputs,
// tapes, all gradients and the per-step gradient norms must agree; a tape of one path must feed
// the backward of the other. (The float64 finite-difference checks and the PyTorch fixtures run
// on the wasm path too, in recurrent-kernels, recurrent-gradcheck and recurrent-parity.)

import { afterAll, describe, expect, it } from 'vitest';
import { GRU, LSTM } from '../../kernel/engine/layers/recurrent';
import { noGrad, Tensor } from '../../kernel/engine/tensor';
import { manualSeed } from '../../kernel/engine/rng';
import { cellBackward, cellForward, gateCount, type CellSpec, type CellTape } from '../../kernel/engine/rnn/cell';
import { type SequenceInputGrads, type SequenceProblem } from '../../kernel/engine/rnn/sequence';
import { dropAll, residentBytes } from '../../kernel/engine/rnn/wasmResident';
import { kernelFlavour, useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { seededValues, toleranceRatio } from './recurrent-helpers';

afterAll(() => void useKernels('auto'));

const cells: [string, CellSpec][] = [
  ['lstm', { kind: 'lstm' }],
  ['gru', { kind: 'gru', resetAfter: true }],
  ['gru (Cho)', { kind: 'gru', resetAfter: false }],
  ['rnn tanh', { kind: 'rnn', nonlinearity: 'tanh' }],
  ['rnn relu', { kind: 'rnn', nonlinearity: 'relu' }],
];

interface Case {
  T: number;
  N: number;
  I: number;
  H: number;
  reverse: boolean;
  lengths: number[] | null;
  initial: boolean;
  bias: boolean;
}

const cases: Case[] = [
  { T: 6, N: 5, I: 3, H: 8, reverse: false, lengths: null, initial: false, bias: true },
  { T: 6, N: 5, I: 3, H: 7, reverse: true, lengths: [6, 2, 5, 1, 6], initial: true, bias: true },
  { T: 5, N: 3, I: 4, H: 13, reverse: false, lengths: [3, 5, 1], initial: true, bias: false },
  { T: 9, N: 1, I: 5, H: 36, reverse: false, lengths: null, initial: true, bias: true }, // batch 1, 9 rows: GEMV panels
  { T: 7, N: 1, I: 5, H: 36, reverse: true, lengths: null, initial: true, bias: true }, // 7 rows: weights in place
  { T: 1, N: 1, I: 6, H: 9, reverse: false, lengths: null, initial: true, bias: true }, // one generated token
  { T: 2, N: 3, I: 3, H: 10, reverse: false, lengths: [2, 1, 2], initial: false, bias: false }, // 6 rows in place, N > 1
  { T: 4, N: 9, I: 2, H: 20, reverse: true, lengths: null, initial: false, bias: true },
];

function run(cell: CellSpec, c: Case, kernels: 'js' | 'auto', seed: number) {
  useKernels(kernels);
  const { T, N, I, H } = c;
  const G = gateCount(cell) * H;
  const lstm = cell.kind === 'lstm';
  const p: SequenceProblem<Float32Array> = {
    T,
    N,
    I,
    H,
    reverse: c.reverse,
    lengths: Int32Array.from(c.lengths ?? new Array<number>(N).fill(T)),
    x: seededValues(T * N * I, seed),
    wIh: seededValues(G * I, seed + 1, -0.7, 0.7),
    wHh: seededValues(G * H, seed + 2, -0.7, 0.7),
    bIh: c.bias ? seededValues(G, seed + 3, -0.5, 0.5) : null,
    bHh: c.bias ? seededValues(G, seed + 4, -0.5, 0.5) : null,
    h0: c.initial ? seededValues(N * H, seed + 5) : new Float32Array(N * H),
    c0: lstm && c.initial ? seededValues(N * H, seed + 6) : null,
  };
  const out = { y: new Float32Array(T * N * H), hN: new Float32Array(N * H), cN: lstm ? new Float32Array(N * H) : null };
  const tape = cellForward(cell, p, out);
  const grads = { dy: seededValues(T * N * H, seed + 7), dhN: seededValues(N * H, seed + 8), dcN: lstm ? seededValues(N * H, seed + 9) : null };
  const stepNorms = new Float64Array(T);
  const g = cellBackward(p, tape, grads, { needDx: true, stepNorms });
  return { p, out, tape, grads, g, stepNorms };
}

function tapeArrays(t: CellTape<Float32Array>): Record<string, Float32Array> {
  if (t.kind === 'lstm') return { gates: t.tape.gates, hs: t.tape.hs, cs: t.tape.cs };
  if (t.kind === 'gru') return { gates: t.tape.gates, hs: t.tape.hs, hidden: t.tape.hidden };
  return { hs: t.tape.hs };
}

function gradArrays(g: SequenceInputGrads<Float32Array>): Record<string, Float32Array | null> {
  return { dx: g.dx, dWih: g.dWih, dWhh: g.dWhh, dbIh: g.dbIh, dbHh: g.dbHh, dh0: g.dh0, dc0: g.dc0 };
}

/** Rows past their length hold unspecified tape values (gates, GRU hidden): compare active rows only. */
function activeOnly(p: SequenceProblem, a: Float32Array, width: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let t = 0; t < p.T; t++)
    for (let n = 0; n < p.N; n++) if (t < p.lengths[n]!) out.set(a.subarray((t * p.N + n) * width, (t * p.N + n + 1) * width), (t * p.N + n) * width);
  return out;
}

describe('wasm sequence kernels match the TypeScript kernels (float32)', () => {
  it('runs the wasm kernels here', () => {
    expect(useKernels('auto')).not.toBe('js');
  });

  for (const [label, cell] of cells) {
    cases.forEach((c, ci) => {
      const name = `${label}: T=${c.T} N=${c.N} I=${c.I} H=${c.H}, ${c.reverse ? 'reverse' : 'forward'}${c.lengths ? `, lengths [${c.lengths.join(',')}]` : ''}${c.initial ? ', h0/c0' : ''}${c.bias ? '' : ', no bias'}`;
      it(name, () => {
        const ref = run(cell, c, 'js', 100 + ci);
        const fast = run(cell, c, 'auto', 100 + ci);
        expect(kernelFlavour()).not.toBe('js');
        const close = (what: string, a: ArrayLike<number> | null, b: ArrayLike<number> | null): void => {
          if (a === null || b === null) {
            expect(a, what).toBe(b);
            return;
          }
          expect(a.length, what).toBe(b.length);
          expect(toleranceRatio(a, b, 2e-5, 2e-4), what).toBeLessThanOrEqual(1);
        };
        close('y', fast.out.y, ref.out.y);
        close('h_n', fast.out.hN, ref.out.hN);
        close('c_n', fast.out.cN, ref.out.cN);
        // Outputs past a row's length are exactly 0, and so is dx there.
        for (let t = 0; t < c.T; t++)
          for (let n = 0; n < c.N; n++)
            if (t >= fast.p.lengths[n]!) {
              for (let j = 0; j < c.H; j++) expect(fast.out.y[(t * c.N + n) * c.H + j]).toBe(0);
              for (let j = 0; j < c.I; j++) expect(fast.g.dx![(t * c.N + n) * c.I + j]).toBe(0);
            }
        const ft = tapeArrays(fast.tape);
        const rt = tapeArrays(ref.tape);
        for (const k of Object.keys(rt)) {
          const width = rt[k]!.length / (c.T * c.N);
          close(`tape ${k}`, activeOnly(fast.p, ft[k]!, width), activeOnly(ref.p, rt[k]!, width));
        }
        const fg = gradArrays(fast.g);
        const rg = gradArrays(ref.g);
        for (const k of Object.keys(rg)) close(k, fg[k]!, rg[k]!);
        close('step norms', fast.stepNorms, ref.stepNorms);
      });
    });
  }
});

describe('tapes cross between the paths', () => {
  for (const [label, cell] of cells) {
    it(`${label}: a wasm forward's tape feeds the TypeScript backward and the other way round`, () => {
      const c = cases[1]!;
      const fast = run(cell, c, 'auto', 7);
      const ref = run(cell, c, 'js', 7);
      useKernels('js');
      const jsFromWasm = cellBackward(fast.p, fast.tape, fast.grads, { needDx: true, stepNorms: null });
      useKernels('auto');
      const wasmFromJs = cellBackward(ref.p, ref.tape, ref.grads, { needDx: true, stepNorms: null });
      for (const [k, v] of Object.entries(gradArrays(ref.g))) {
        if (v === null) continue;
        expect(toleranceRatio(gradArrays(jsFromWasm)[k]!, v, 2e-5, 2e-4), `${k} (wasm tape, TS backward)`).toBeLessThanOrEqual(1);
        expect(toleranceRatio(gradArrays(wasmFromJs)[k]!, v, 2e-5, 2e-4), `${k} (TS tape, wasm backward)`).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('inference keeps no tape', () => {
  for (const [label, cell] of cells) {
    it(`${label}: forward without a tape gives the same outputs and returns null`, () => {
      useKernels('auto');
      const c = cases[1]!;
      const { p, out } = run(cell, c, 'auto', 11);
      const lean = { y: new Float32Array(out.y.length), hN: new Float32Array(out.hN.length), cN: out.cN ? new Float32Array(out.cN.length) : null };
      expect(cellForward(cell, p, lean, false)).toBeNull();
      expect(lean.y).toEqual(out.y);
      expect(lean.hN).toEqual(out.hN);
      expect(lean.cN).toEqual(out.cN);
    });
  }

  it('an LSTM layer under noGrad matches the same forward with gradients on', () => {
    useKernels('auto');
    const lstm = new LSTM(3, 6, { numLayers: 2, bidirectional: true });
    const x = new Tensor(seededValues(4 * 2 * 3, 5), [4, 2, 3]);
    const withGrad = lstm.forward(x);
    const without = noGrad(() => lstm.forward(x));
    expect(without.output.requiresGrad).toBe(false);
    expect(without.output.data).toEqual(withGrad.output.data);
    expect(without.h.data).toEqual(withGrad.h.data);
    expect(without.c.data).toEqual(withGrad.c.data);
  });
});

describe('resident forward buffers', () => {
  it('a backward finds its forward in wasm memory, pops it, and a second backward gives the same gradients', () => {
    useKernels('auto');
    const w = wasmKernels()!;
    dropAll(w);
    const used = w.arena.used;
    const cell: CellSpec = { kind: 'lstm' };
    const c = cases[1]!;
    const { p, tape, grads, g } = run(cell, c, 'auto', 21); // forward + backward (resident path)
    expect(w.arena.used).toBe(used);
    expect(residentBytes(w)).toBe(0);
    const again = cellBackward(p, tape, grads, { needDx: true, stepNorms: null }); // copies the tape in
    for (const [k, v] of Object.entries(gradArrays(g))) expect(gradArrays(again)[k], k).toEqual(v);
  });

  it('backwards in any order, and forwards that never see a backward, leave the arena as it was', () => {
    useKernels('auto');
    const w = wasmKernels()!;
    dropAll(w);
    const used = w.arena.used;
    const probs = cells.map(([, cell], i) => {
      const c = cases[(i + 1) % cases.length]!;
      const ref = run(cell, c, 'js', 40 + i);
      useKernels('auto');
      const out = { y: new Float32Array(ref.out.y.length), hN: new Float32Array(ref.out.hN.length), cN: ref.out.cN ? new Float32Array(ref.out.cN.length) : null };
      const tape = cellForward(cell, ref.p, out);
      return { ref, tape };
    });
    expect(residentBytes(w)).toBeGreaterThan(0);
    for (const i of [1, 3, 0, 4, 2]) {
      const { ref, tape } = probs[i]!;
      const g = cellBackward(ref.p, tape, ref.grads, { needDx: true, stepNorms: null });
      for (const [k, v] of Object.entries(gradArrays(ref.g))) if (v) expect(toleranceRatio(gradArrays(g)[k]!, v, 2e-5, 2e-4), k).toBeLessThanOrEqual(1);
    }
    expect(residentBytes(w)).toBe(0);
    expect(w.arena.used).toBe(used);
    // Forwards without a backward pile up to the budget, then are dropped.
    const { p } = run({ kind: 'lstm' }, { T: 64, N: 32, I: 32, H: 128, reverse: false, lengths: null, initial: false, bias: true }, 'auto', 3);
    const out = { y: new Float32Array(64 * 32 * 128), hN: new Float32Array(32 * 128), cN: new Float32Array(32 * 128) };
    for (let i = 0; i < 60; i++) cellForward({ kind: 'lstm' }, p, out);
    expect(residentBytes(w)).toBeLessThanOrEqual(256 * 2 ** 20);
    dropAll(w);
    expect(w.arena.used).toBe(used);
  });

  it("a tape beyond the budget stays in wasm memory until its backward (a copy out would hold it twice), and the next forward's drops it", () => {
    useKernels('auto');
    const w = wasmKernels()!;
    dropAll(w);
    const used = w.arena.used;
    const big = { T: 2200, N: 16, I: 32, H: 256, reverse: false, lengths: null, initial: false, bias: true }; // tape ≈ 150 MB
    const { p, grads, g } = run({ kind: 'gru', resetAfter: true }, big, 'auto', 5);
    expect(w.arena.used).toBe(used); // forward + backward: freed
    const out = { y: new Float32Array(big.T * big.N * big.H), hN: new Float32Array(big.N * big.H), cN: null };
    const tape = cellForward({ kind: 'gru', resetAfter: true }, p, out);
    expect(residentBytes(w)).toBeGreaterThan(128 * 2 ** 20);
    const again = cellBackward(p, tape, grads, { needDx: true, stepNorms: null, retainTape: false });
    for (const [k, v] of Object.entries(gradArrays(g))) expect(gradArrays(again)[k], k).toEqual(v);
    expect(residentBytes(w)).toBe(0);
    expect(w.arena.used).toBe(used);
  });
});

describe('saved buffers and retainGraph (as PyTorch)', () => {
  const forwardLoss = (): { lstm: LSTM; loss: Tensor } => {
    useKernels('auto');
    manualSeed(3);
    const lstm = new LSTM(5, 12, { numLayers: 2 });
    const x = new Tensor(seededValues(9 * 4 * 5, 8), [9, 4, 5]);
    return { lstm, loss: lstm.forward(x).output.sum() };
  };

  it('a second backward through a recurrent layer says to pass retainGraph', () => {
    const { loss } = forwardLoss();
    loss.backward();
    expect(() => loss.backward()).toThrow(/second time.*retainGraph: true/);
  });

  it('with retainGraph the second backward accumulates the same gradients again', () => {
    const { lstm, loss } = forwardLoss();
    loss.backward({ retainGraph: true });
    const once = lstm.parameters().map((p) => new Float32Array(p.grad!.data));
    loss.backward();
    lstm.parameters().forEach((p, i) => {
      const twice = once[i]!.map((v) => 2 * v);
      expect(toleranceRatio(p.grad!.data, twice, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    });
  });

  it('a backward that frees the tape writes the gate gradients over its gates: the same gradients bit for bit as one that keeps it', () => {
    const grads = (kind: 'lstm' | 'gru', retainGraph: boolean, instrument: boolean): Float32Array[] => {
      useKernels('auto');
      manualSeed(5);
      const layer = kind === 'lstm' ? new LSTM(5, 12, { numLayers: 2, bidirectional: true }) : new GRU(5, 12, { numLayers: 2 });
      layer.instrument = instrument;
      const x = new Tensor(seededValues(9 * 4 * 5, 8), [9, 4, 5]);
      const { output } = layer.forward(x, { lengths: [9, 4, 7, 1] });
      const gatesBefore = instrument ? Object.values(layer.trace!.directions).map((d) => new Float32Array(Object.values(d.gates)[0]!.data)) : [];
      output.mul(new Tensor(seededValues(output.size, 9), output.shape)).sum().backward({ retainGraph });
      // The trace copied the gates out at forward time: what it shows is not the gradients.
      if (instrument) Object.values(layer.trace!.directions).forEach((d, i) => expect(Object.values(d.gates)[0]!.data).toEqual(gatesBefore[i]));
      return layer.parameters().map((p) => p.grad!.data);
    };
    for (const kind of ['lstm', 'gru'] as const) {
      const kept = grads(kind, true, false);
      grads(kind, false, false).forEach((g, i) => expect(g, `${kind} tensor ${i}`).toEqual(kept[i]));
      grads(kind, false, true).forEach((g, i) => expect(g, `${kind} instrumented, tensor ${i}`).toEqual(kept[i]));
    }
  });

  it('a tape whose buffers were dropped from wasm memory (budget) was copied out first', () => {
    const { lstm: l1, loss: loss1 } = forwardLoss();
    loss1.backward();
    const expected = l1.parameters().map((p) => p.grad!.data);
    const { lstm: l2, loss: loss2 } = forwardLoss();
    dropAll(wasmKernels()!);
    loss2.backward();
    l2.parameters().forEach((p, i) => expect(p.grad!.data).toEqual(expected[i]));
  });

  it('instrumentation reads the tape at forward time and the backward still frees it', () => {
    useKernels('auto');
    const lstm = new LSTM(3, 8);
    lstm.instrument = true;
    const loss = lstm.forward(new Tensor(seededValues(6 * 2 * 3, 2), [6, 2, 3])).output.sum();
    expect(lstm.trace!.directions['l0']!.gates['f']!.shape).toEqual([6, 2, 8]);
    loss.backward();
    expect(lstm.trace!.directions['l0']!.gradNorm!.length).toBe(6);
    expect(() => loss.backward()).toThrow(/retainGraph/);
  });
});

describe('batchFirst layers write (N,T,H) themselves', () => {
  const run = (forwardKernels: 'auto' | 'js', backwardKernels: 'auto' | 'js'): Float32Array[] => {
    useKernels(forwardKernels);
    manualSeed(4);
    const lstm = new LSTM(3, 7, { numLayers: 2, batchFirst: true });
    const x = new Tensor(seededValues(4 * 6 * 3, 6), [4, 6, 3]); // (N,T,I)
    const { output } = lstm.forward(x, { lengths: [6, 3, 5, 1] });
    expect(output.shape).toEqual([4, 6, 7]);
    useKernels(backwardKernels);
    output.mul(new Tensor(seededValues(4 * 6 * 7, 7), [4, 6, 7])).sum().backward();
    useKernels('auto');
    return [output.data, ...lstm.parameters().map((p) => p.grad!.data)];
  };

  it('on the wasm path, the TypeScript path and across them, with the same numbers', () => {
    const fast = run('auto', 'auto');
    for (const [f, b] of [['js', 'js'], ['auto', 'js'], ['js', 'auto']] as const) {
      const other = run(f, b);
      fast.forEach((v, i) => expect(toleranceRatio(other[i]!, v, 2e-5, 2e-4), `${f}/${b} tensor ${i}`).toBeLessThanOrEqual(1));
    }
    // rows past a sequence's length are 0: sequence 3 has 1 step
    expect(Array.from(fast[0]!.subarray((3 * 6 + 1) * 7, 4 * 6 * 7)).every((v) => v === 0)).toBe(true);
  });
});

describe('a traced batchFirst layer', () => {
  it('keeps h time-major in its trace, as the same layer fed time-major input', () => {
    useKernels('auto');
    const trace = (batchFirst: boolean): Float32Array => {
      manualSeed(8);
      const gru = new GRU(3, 5, { batchFirst });
      gru.instrument = true;
      const data = seededValues(2 * 4 * 3, 9); // (T=4, N=2, I=3) time-major
      const x = new Tensor(data, [4, 2, 3]);
      gru.forward(batchFirst ? x.transpose(0, 1) : x);
      return gru.trace!.directions['l0']!.h.data;
    };
    expect(trace(true)).toEqual(trace(false));
  });
});
