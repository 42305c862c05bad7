// setFlushDenormal (issue 18 §0): the kernels flush subnormal float32 results to zero themselves,
// as torch.set_flush_denormal(True) makes x86 do, because a gradient vanishing through time is
// slow to compute in the subnormal range. Checked on the WebAssembly kernels of every flavour this
// runtime has and on the TypeScript reference kernels (relaxed SIMD, which vitest's processes do not
// turn on, in a child process started with the flag):
//   - the switch: on by default, returns true (supported), a getter, exported from the engine;
//   - a gradient that decays into the subnormals (exact powers of two, so the expected values are
//     known) is exactly 0 with the flush on and the non-zero subnormal with it off — along an
//     LSTM's dc chain, a GRU's carry (gate kernel) and an RNN's carry (the per-step GEMM);
//   - a GEMM's results: only those below FLT_MIN change (to ±0 of their sign);
//   - whole recurrent layers trained over long sequences: flush on/off differ only in values
//     within a few FLT_MIN of zero, and with the flush on no output or gradient is subnormal;
//   - optimizer states decaying into the subnormals (Adam's m and v, SGD's momentum, RMSprop's
//     average) are 0 with the flush on;
//   - the kernel-thread helper (same memory) and fit()'s training workers honour the switch.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  Adam,
  GRU,
  LSTM,
  Linear,
  manualSeed,
  Module,
  mseLoss,
  RMSprop,
  RNN,
  SGD,
  select,
  tensor,
  zeros,
  getFlushDenormal,
  setFlushDenormal,
  type Tensor,
} from '../../kernel/engine/index';
import * as engine from '../../kernel/engine/index';
import { FLT_MIN, FLUSH_DENORMAL_DEFAULT } from '../../kernel/engine/denormal';
import { gemm } from '../../kernel/engine/gemm';
import { Parameter } from '../../kernel/engine/tensor';
import { useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { setNumThreads, teamFor, teamStats } from '../../kernel/engine/wasm/team';
import { SCRATCH_BYTES } from '../../kernel/engine/wasm/wat/gemm';
import { fit, drainWorkerPool } from '../../kernel/train/index';
import { sinInputs, hiddenTarget } from '../../bench/subnormals';
import { seededValues } from './recurrent-helpers';

afterEach(() => {
  setFlushDenormal(FLUSH_DENORMAL_DEFAULT);
  setNumThreads(1);
  useKernels('auto');
});

afterAll(() => {
  drainWorkerPool();
});

/** The kernels to check: each wasm flavour this process validates, and the TypeScript ones. */
const KERNELS = (['relaxed', 'simd', 'js'] as const).filter((k) => useKernels(k) === k);
useKernels('auto');

const isSubnormal = (v: number): boolean => v !== 0 && Math.abs(v) < FLT_MIN;

describe('setFlushDenormal', () => {
  it('is on by default, says it is supported, and has a getter; both are engine exports', () => {
    expect(FLUSH_DENORMAL_DEFAULT).toBe(true);
    expect(getFlushDenormal()).toBe(true);
    expect(setFlushDenormal(false)).toBe(true);
    expect(getFlushDenormal()).toBe(false);
    expect(setFlushDenormal(true)).toBe(true);
    expect(getFlushDenormal()).toBe(true);
    expect(() => setFlushDenormal('yes' as unknown as boolean)).toThrow(/expected true or false/);
    const exported = engine as unknown as Record<string, unknown>;
    expect(typeof exported.setFlushDenormal).toBe('function');
    expect(typeof exported.getFlushDenormal).toBe('function');
  });

  it('checks every flavour it can: this runtime has wasm kernels', () => {
    expect(KERNELS).toContain('js');
    expect(KERNELS.length).toBeGreaterThan(1);
  });
});

/**
 * A chain that halves the gradient at every step, exactly (sigmoid(0) = 0.5, tanh(0) = 0, or a
 * recurrent weight 0.5·I): the gradient at the start of T steps is 2^−T.
 */
function decayedGradient(kind: 'lstm' | 'gru' | 'rnn', T: number): Float32Array {
  const [N, H] = [3, 5];
  const layer = kind === 'lstm' ? new LSTM(2, H) : kind === 'gru' ? new GRU(2, H) : new RNN(2, H);
  for (const p of layer.parameters()) p.data.fill(0);
  // RNN: w_hh = 0.5·I, so the carry ∂L/∂h_{t−1} = 0.5·∂L/∂h_t comes out of the per-step GEMM
  if (kind === 'rnn') for (let j = 0; j < H; j++) [...layer.namedParameters()].find(([n]) => n === 'weight_hh_l0')![1].data[j * H + j] = 0.5;
  const x = zeros([T, N, 2]);
  const state = zeros([1, N, H], { requiresGrad: true });
  if (layer instanceof LSTM) {
    // c' = f ⊙ c + i ⊙ g = 0.5·c: ∂L/∂c_0 along the dc chain of the gate kernel
    const { c } = layer.forward(x, { c0: state });
    c.sum().backward();
  } else {
    // GRU: h' = (1 − z) ⊙ n + z ⊙ h = 0.5·h (n = 0): the carry z ⊙ dh of the gate kernel
    const { h } = layer.forward(x, { h0: state });
    h.sum().backward();
  }
  return state.grad!.data;
}

describe('a gradient that decays into the subnormals', () => {
  for (const kernels of KERNELS) {
    for (const kind of ['lstm', 'gru', 'rnn'] as const) {
      it(`${kind}, ${kernels} kernels: 2^−140 with the flush off, exactly 0 with it on; 2^−120 (normal) either way`, () => {
        useKernels(kernels);
        setFlushDenormal(false);
        const off = decayedGradient(kind, 140);
        const normalOff = decayedGradient(kind, 120);
        setFlushDenormal(true);
        const on = decayedGradient(kind, 140);
        const normalOn = decayedGradient(kind, 120);
        expect(isSubnormal(2 ** -140)).toBe(true);
        expect([...off]).toEqual(new Array(off.length).fill(2 ** -140));
        expect(on.every((v) => Object.is(v, 0))).toBe(true);
        expect([...normalOff]).toEqual(new Array(off.length).fill(2 ** -120));
        expect([...normalOn]).toEqual([...normalOff]);
      });
    }
  }
});

describe('a GEMM: only results below FLT_MIN change', () => {
  // Products around 2^−128, sums over K ≤ 256 (one reduction block): a mix of subnormal and
  // normal results, both signs; edge tiles (M, N not multiples of the tile) and the GEMV (M = 1).
  const shapes: [number, number, number][] = [
    [37, 29, 64],
    [32, 512, 128],
    [1, 100, 200],
  ];
  for (const kernels of KERNELS) {
    for (const [M, N, K] of shapes) {
      for (const [transA, transB] of [
        [false, false],
        [false, true],
        [true, false],
      ] as const) {
        it(`${kernels}: ${M}×${N}×${K}, op(A)=${transA ? 'Aᵀ' : 'A'}, op(B)=${transB ? 'Bᵀ' : 'B'}`, () => {
          useKernels(kernels);
          const A = seededValues(M * K, 7).map((v) => v * 2 ** -64);
          const B = seededValues(K * N, 8).map((v) => v * 2 ** -64);
          const product = (flush: boolean): Float32Array => {
            setFlushDenormal(flush);
            const C = new Float32Array(M * N);
            gemm(transA, transB, M, N, K, A, 0, B, 0, C, 0, 0);
            return C;
          };
          const off = product(false);
          const on = product(true);
          let subnormal = 0;
          let normal = 0;
          const wrong: string[] = [];
          for (let i = 0; i < off.length; i++) {
            const v = off[i]!;
            if (isSubnormal(v)) subnormal++;
            else if (v !== 0) normal++;
            // a subnormal becomes ±0 of its sign; everything else is stored as it was, bit for bit
            const expected = isSubnormal(v) ? (v < 0 ? -0 : 0) : v;
            if (!Object.is(on[i], expected)) wrong.push(`C[${i}] = ${v} → ${on[i]}`);
          }
          expect(wrong.slice(0, 5)).toEqual([]);
          expect(subnormal).toBeGreaterThan(0);
          expect(normal).toBeGreaterThan(0);
        });
      }
    }
  }
});

/** Every output and gradient of a layer trained one step on a long sin sequence, loss on h_T. */
function layerStep(Cell: typeof LSTM | typeof GRU | typeof RNN, T: number, flush: boolean): Float32Array[] {
  setFlushDenormal(flush);
  manualSeed(3);
  const layer = new Cell(4, 16, { batchFirst: true });
  const h0 = zeros([1, 3, 16], { requiresGrad: true });
  const r = layer.forward(sinInputs(3, T, 4), { h0 });
  mseLoss(select(r.h, 0, 0), hiddenTarget(3, 16)).backward();
  return [r.output.data, r.h.data, h0.grad!.data, ...layer.parameters().map((p) => p.grad!.data)];
}

describe('whole layers over long sequences: the flush changes only values near zero', () => {
  for (const kernels of KERNELS) {
    it(`${kernels} kernels: LSTM, GRU, RNN at T = 140 … 260`, () => {
      useKernels(kernels);
      let subnormalOff = 0;
      let changed = 0;
      for (const Cell of [LSTM, GRU, RNN]) {
        for (const T of [140, 160, 200, 260]) {
          const off = layerStep(Cell, T, false);
          const on = layerStep(Cell, T, true);
          const wrong: string[] = [];
          off.forEach((a, k) =>
            a.forEach((v, i) => {
              const w = on[k]![i]!;
              if (isSubnormal(v)) subnormalOff++;
              if (isSubnormal(w)) wrong.push(`tensor ${k}[${i}] = ${w} with the flush on`);
              if (v === w) return; // ±0 alike
              changed++;
              // What changed was near zero: a subnormal became 0, or a value took a flushed
              // term's absence (measured: at most 1.8e-38 apart, all below 2.1e-35).
              if (!(Math.abs(v) < 1e-30 && Math.abs(v - w) < 4 * FLT_MIN)) wrong.push(`tensor ${k}[${i}]: ${v} vs ${w}`);
            }),
          );
          expect(wrong.slice(0, 5), `${Cell.name} T=${T}`).toEqual([]);
        }
      }
      expect(subnormalOff).toBeGreaterThan(0); // the fixture does reach the subnormals
      expect(changed).toBeGreaterThanOrEqual(subnormalOff);
    });
  }
});

describe('optimizer states that decay into the subnormals are 0 with the flush on', () => {
  const n = 10; // two vectors and a scalar tail in the wasm Adam
  /** Runs `steps` steps: gradient g0 first, zeros after; returns the state and the parameter. */
  function decay(make: (p: Parameter[]) => Adam | SGD | RMSprop, g0: number, steps: number, flush: boolean): { state: Record<string, Tensor | number>; theta: Float32Array } {
    setFlushDenormal(flush);
    const p = new Parameter(seededValues(n, 1), [n]);
    const opt = make([p]);
    for (let s = 0; s < steps; s++) {
      p.grad = tensor(new Float32Array(n).fill(s === 0 ? g0 : 0), [n]);
      opt.step();
    }
    return { state: opt.stateDict().state['0']!, theta: p.data };
  }
  const data = (v: Tensor | number | undefined): Float32Array => (v as Tensor).data;
  const cases: [string, (p: Parameter[]) => Adam | SGD | RMSprop, number, number, string][] = [
    // m = 0.1·1e-30, then ×0.9 per step: ~8e-41 after 200 steps
    ['Adam m', (p) => new Adam(p, { lr: 0.01 }), 1e-30, 200, 'expAvg'],
    // v = (1 − β₂)·g² = 1e-41 at once
    ['Adam v', (p) => new Adam(p, { lr: 0.01 }), 1e-19, 1, 'expAvgSq'],
    ['SGD momentum', (p) => new SGD(p, { lr: 0.01, momentum: 0.9 }), 1e-30, 200, 'momentumBuffer'],
    ['RMSprop square average', (p) => new RMSprop(p, { lr: 0.01 }), 1e-19, 1, 'squareAvg'],
  ];
  for (const kernels of KERNELS) {
    for (const [name, make, g0, steps, key] of cases) {
      it(`${name}, ${kernels} kernels`, () => {
        useKernels(kernels);
        const off = decay(make, g0, steps, false);
        const on = decay(make, g0, steps, true);
        expect(data(off.state[key]).every(isSubnormal)).toBe(true);
        expect(data(on.state[key]).every((v) => v === 0)).toBe(true);
        expect([...on.theta]).toEqual([...off.theta]); // the update was far below θ's precision
      });
    }
  }
});

describe('relaxed SIMD (in a process started with its flag)', () => {
  // The chains above, a GEMM with subnormal and normal results, and Adam's v, flush off then on.
  const probe = `
import './kernel/node/install';
import { GRU, LSTM, RNN, Adam, Parameter, tensor, zeros, gemm, kernelFlavour, setFlushDenormal } from './kernel/engine/index';
function chain(kind, T) {
  const layer = kind === 'lstm' ? new LSTM(2, 5) : kind === 'gru' ? new GRU(2, 5) : new RNN(2, 5);
  for (const p of layer.parameters()) p.data.fill(0);
  if (kind === 'rnn') for (let j = 0; j < 5; j++) layer.weight_hh_l0.data[j * 5 + j] = 0.5;
  const state = zeros([1, 3, 5], { requiresGrad: true });
  const r = layer.forward(zeros([T, 3, 2]), kind === 'lstm' ? { c0: state } : { h0: state });
  (kind === 'lstm' ? r.c : r.h).sum().backward();
  return Array.from(state.grad.data);
}
const out = { flavour: kernelFlavour() };
for (const flush of [false, true]) {
  setFlushDenormal(flush);
  const A = new Float32Array(37 * 64).map((_, i) => Math.sin(i) * 2 ** -64), B = new Float32Array(64 * 29).map((_, i) => Math.cos(i) * 2 ** -64);
  const C = new Float32Array(37 * 29);
  gemm(false, false, 37, 29, 64, A, 0, B, 0, C, 0, 0);
  const p = new Parameter(new Float32Array(10).fill(0.5), [10]);
  p.grad = tensor(new Float32Array(10).fill(1e-19), [10]);
  const opt = new Adam([p], { lr: 0.01 });
  opt.step();
  out[flush] = { lstm: chain('lstm', 140), gru: chain('gru', 140), rnn: chain('rnn', 140), C: Array.from(C), v: Array.from(opt.stateDict().state['0'].expAvgSq.data) };
}
console.log(JSON.stringify(out));
`;
  it('flushes as the other flavours do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-subnormal-'));
    try {
      const script = join(dir, 'probe.js');
      await build({ stdin: { contents: probe, resolveDir: resolve(__dirname, '..', '..'), loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: script, logLevel: 'silent' });
      const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', script], { encoding: 'utf8', env: { ...process.env, RNN_LAB_KERNELS: '' } });
      expect(r.status, r.stderr).toBe(0);
      type Run = { lstm: number[]; gru: number[]; rnn: number[]; C: number[]; v: number[] };
      const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { flavour: string; false: Run; true: Run };
      expect(got.flavour).toBe('relaxed');
      for (const kind of ['lstm', 'gru', 'rnn'] as const) {
        expect(got.false[kind]).toEqual(new Array(15).fill(2 ** -140));
        expect(got.true[kind]).toEqual(new Array(15).fill(0));
      }
      expect(got.false.C.some(isSubnormal)).toBe(true);
      got.false.C.forEach((v, i) => expect(got.true.C[i], `C[${i}]`).toBe(isSubnormal(v) ? 0 : v));
      expect(got.false.v.every(isSubnormal)).toBe(true);
      expect(got.true.v.every((v) => v === 0)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the kernel-thread helper and the training workers honour the switch', () => {
  it('a second instance on the same memory (the helper thread) flushes as this thread says', () => {
    useKernels('auto');
    const w = wasmKernels()!;
    const helper = new WebAssembly.Instance(w.module, { env: { memory: w.memory } }).exports as unknown as typeof w.k;
    helper.set_scratch(SCRATCH_BYTES);
    // c (1, 24) = a (1, 4) · B: every sum 4·2^−140 = 2^−138, subnormal
    const arena = w.arena;
    const mark = arena.mark();
    try {
      const a = arena.put(new Float32Array(4).fill(2 ** -70));
      const b = arena.put(new Float32Array(4 * 24).fill(2 ** -70)); // one packed 24-column GEMV panel
      const c = arena.alloc(24);
      for (const flush of [false, true]) {
        setFlushDenormal(flush);
        helper.gemv(a, 4, b, 4 * 24 * 4, 24, 4, c, 0);
        expect([...arena.view(c, 24)]).toEqual(new Array(24).fill(flush ? 0 : 2 ** -138));
      }
    } finally {
      arena.release(mark);
    }
  });

  it('products split over two kernel threads are flushed in both halves', async () => {
    useKernels('auto');
    setNumThreads(2);
    const w = wasmKernels()!;
    for (let i = 0; i < 500 && !teamFor(w); i++) await new Promise((r) => setTimeout(r, 10));
    const [M, N, K] = [64, 256, 128]; // 2^21 multiply-adds: split by columns
    const A = new Float32Array(M * K).fill(2 ** -70);
    const B = new Float32Array(K * N).fill(2 ** -70);
    for (const flush of [false, true]) {
      setFlushDenormal(flush);
      const before = teamStats.split;
      let C = new Float32Array(M * N);
      for (let i = 0; i < 20 && teamStats.split === before; i++) {
        C = new Float32Array(M * N);
        gemm(false, false, M, N, K, A, 0, B, 0, C, 0, 0);
        if (teamStats.split === before) await new Promise((r) => setTimeout(r, 100));
      }
      expect(teamStats.split).toBeGreaterThan(before);
      expect(C.every((v) => v === (flush ? 0 : 2 ** -133))).toBe(true); // 128·2^−140
    }
  });

  it("fit()'s workers compute with the switch of the thread that started them", async () => {
    // The probe's forward reports the worker's switch and a product whose sums are 2^−136.
    const Probe = new Function(
      'Module',
      'Linear',
      'getFlushDenormal',
      'gemm',
      `'use strict'; return (class FlushProbe extends Module {
        constructor() { super(); this.fc = new Linear(1, 1); }
        forward(x) {
          const a = new Float32Array(16 * 16).fill(2 ** -70);
          const c = new Float32Array(16 * 16);
          gemm(false, false, 16, 16, 16, a, 0, a, 0, c, 0, 0);
          console.log('flush=' + getFlushDenormal() + ' c=' + c[0]);
          return this.fc.forward(x);
        }
      });`,
    )(Module, Linear, getFlushDenormal, engine.gemm) as new () => Module;
    const seen: string[] = [];
    for (const flush of [false, true]) {
      setFlushDenormal(flush);
      manualSeed(0);
      const x = tensor(new Float32Array(2), [2, 1]);
      const job = fit(new Probe(), { x, y: x }, { batchSize: 2, maxSteps: 1, loss: 'mse', gradNormEvery: 0, display: false });
      const lines: string[] = [];
      job.onLog((_stream, text) => {
        for (const m of text.matchAll(/flush=\w+ c=\S+/g)) lines.push(m[0]);
      });
      await job.done;
      for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      seen.push(lines[0] ?? 'no output');
    }
    expect(seen).toEqual([`flush=false c=${2 ** -136}`, 'flush=true c=0']);
  });
});
