// The WebAssembly module itself: the committed binaries are what the generator and wabt produce
// from source, the rational tanh/sigmoid keep their error bounds, the arena allocates, grows and
// releases, and the kernels work in a worker_thread (own instance, same numbers) and, in a process
// started with --experimental-wasm-relaxed-simd, in their relaxed-SIMD flavour.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { useKernels, wasmKernels } from '../../kernel/engine/wasm/instance';
import { RELAXED_WASM, SIMD_WASM } from '../../kernel/engine/wasm/modules.generated';
import { assembleModule } from '../../kernel/engine/wasm/wat/assemble';

afterAll(() => void useKernels('auto'));

describe('generated module', () => {
  it('modules.generated.ts holds what the generator assembles (run npm run build after editing wat/)', async () => {
    expect(Buffer.from(await assembleModule('simd')).toString('base64')).toBe(SIMD_WASM);
    expect(Buffer.from(await assembleModule('relaxed')).toString('base64')).toBe(RELAXED_WASM);
  }, 30_000);
});

describe('rational tanh and sigmoid', () => {
  // Inputs: a dense grid over the interesting range, large values, signed zeros; 4099 values so
  // that the scalar tail (H % 4) runs too.
  const xs = new Float32Array(4099);
  for (let i = 0; i < 4090; i++) xs[i] = -12 + (24 * i) / 4089;
  xs.set([0, -0, 1e-8, -3e-5, 30, -30, 1e30, -1e30, 7.9], 4090);

  it('tanh (rnn_tanh_fwd): max error < 4e-7, |tanh| ≤ 1, odd', () => {
    const w = (useKernels('auto'), wasmKernels()!);
    const a = w.arena;
    const mark = a.mark();
    const H = xs.length;
    const pre = a.put(xs);
    const h0 = a.zeros(H);
    const out = a.alloc(H);
    const len = a.putInt32(Int32Array.of(1));
    w.k.rnn_tanh_fwd(pre, h0, out, 1, H, len, 0);
    const got = a.view(out, H).slice();
    a.release(mark);
    let worst = 0;
    for (let i = 0; i < H; i++) {
      worst = Math.max(worst, Math.abs(got[i]! - Math.tanh(xs[i]!)));
      expect(Math.abs(got[i]!)).toBeLessThanOrEqual(1);
    }
    expect(worst).toBeLessThan(4e-7);
    expect(got[4095]).toBe(-got[4094]!); // tanh(−x) = −tanh(x) exactly (odd rational function)
    expect(Object.is(got[4091], -0)).toBe(true); // tanh(−0) = −0
  });

  it('sigmoid (the LSTM input gate): max error < 3e-7, within [0, 1]', () => {
    const w = (useKernels('auto'), wasmKernels()!);
    const a = w.arena;
    const mark = a.mark();
    const H = xs.length;
    const gates = a.alloc(4 * H);
    a.f32().set(xs, gates >> 2);
    a.f32().fill(0, (gates >> 2) + H, (gates >> 2) + 4 * H);
    const zeros = a.zeros(H);
    const c = a.alloc(H);
    const h = a.alloc(H);
    const len = a.putInt32(Int32Array.of(1));
    w.k.lstm_fwd(gates, zeros, zeros, c, h, 1, H, len, 0);
    const got = a.view(gates, H).slice();
    a.release(mark);
    let worst = 0;
    for (let i = 0; i < H; i++) {
      const x = xs[i]!;
      worst = Math.max(worst, Math.abs(got[i]! - 1 / (1 + Math.exp(-x))));
      expect(got[i]!).toBeGreaterThanOrEqual(0);
      expect(got[i]!).toBeLessThanOrEqual(1);
    }
    expect(worst).toBeLessThan(3e-7);
  });
});

describe('arena', () => {
  it('allocates aligned blocks, grows the memory, keeps data across growth, releases in stack order', () => {
    const w = (useKernels('auto'), wasmKernels()!);
    const a = w.arena;
    const mark = a.mark();
    const first = a.put(Float32Array.of(1, 2, 3));
    expect(first % 64).toBe(0);
    const before = w.k.memory.buffer.byteLength;
    const big = a.alloc(before / 4 + 1000); // more than the whole memory: must grow
    expect(w.k.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(big % 64).toBe(0);
    expect(Array.from(a.view(first, 3))).toEqual([1, 2, 3]);
    a.release(mark);
    expect(a.mark()).toBe(mark);
  });
});

/** A small deterministic workload over the public kernels; prints or posts its results. */
const probeSource = `
import { isMainThread, parentPort } from 'node:worker_threads';
import './kernel/node/install';
import { kernelFlavour } from './kernel/engine/wasm/instance';
import { cellBackward, cellForward } from './kernel/engine/rnn/cell';
import { gemm } from './kernel/engine/gemm';

function values(n, seed) {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; out[i] = s / 4294967296 - 0.5; }
  return out;
}
const [T, N, I, H] = [9, 6, 5, 12];
const p = { T, N, I, H, reverse: false, lengths: Int32Array.of(9, 4, 9, 9, 2, 9), x: values(T * N * I, 1), wIh: values(4 * H * I, 2),
  wHh: values(4 * H * H, 3), bIh: values(4 * H, 4), bHh: values(4 * H, 5), h0: values(N * H, 6), c0: values(N * H, 7) };
const out = { y: new Float32Array(T * N * H), hN: new Float32Array(N * H), cN: new Float32Array(N * H) };
const tape = cellForward({ kind: 'lstm' }, p, out);
const g = cellBackward(p, tape, { dy: values(T * N * H, 8), dhN: null, dcN: null }, { needDx: true, stepNorms: null });
const C = new Float32Array(40 * 30);
gemm(false, true, 40, 30, 50, values(40 * 50, 9), 0, values(30 * 50, 10), 0, C, 0, 0);
const result = { flavour: kernelFlavour(), y: Array.from(out.y), dWhh: Array.from(g.dWhh), dx: Array.from(g.dx), C: Array.from(C) };
if (isMainThread) console.log(JSON.stringify(result)); else parentPort.postMessage(result);
`;

interface ProbeResult {
  flavour: string;
  y: number[];
  dWhh: number[];
  dx: number[];
  C: number[];
}

describe('threads and flavours', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-wasm-'));
  const script = join(dir, 'probe.js');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function bundle(): Promise<void> {
    await build({ stdin: { contents: probeSource, resolveDir: resolve(__dirname, '..', '..'), loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: script, logLevel: 'silent' });
  }

  function inProcess(flags: string[]): ProbeResult {
    const r = spawnSync(process.execPath, [...flags, script], { encoding: 'utf8', env: { ...process.env, RNN_LAB_KERNELS: '' } });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as ProbeResult;
  }

  it('a worker_thread instantiates its own kernels and gets the same numbers as its process', async () => {
    await bundle();
    const main = inProcess([]);
    const fromWorker = await new Promise<ProbeResult>((res, rej) => {
      const worker = new Worker(script, { env: { ...process.env, RNN_LAB_KERNELS: '' } });
      worker.once('message', (m: ProbeResult) => void worker.terminate().then(() => res(m)));
      worker.once('error', rej);
    });
    expect(main.flavour).not.toBe('js');
    expect(fromWorker.flavour).toBe(main.flavour);
    expect(fromWorker).toEqual(main);
  }, 60_000);

  it('relaxed SIMD (--experimental-wasm-relaxed-simd) agrees with SIMD128 and with TypeScript', async () => {
    await bundle();
    const simd = inProcess([]);
    const relaxed = inProcess(['--experimental-wasm-relaxed-simd']);
    const js = JSON.parse(spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, RNN_LAB_KERNELS: 'js' } }).stdout.trim()) as ProbeResult;
    expect(js.flavour).toBe('js');
    expect(relaxed.flavour).toBe('relaxed');
    for (const other of [simd, js]) {
      for (const k of ['y', 'dWhh', 'dx', 'C'] as const) {
        const a = relaxed[k];
        const b = other[k];
        expect(a.length).toBe(b.length);
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `${k}[${i}] relaxed vs ${other.flavour}`).toBeLessThan(2e-5 + 2e-4 * Math.abs(b[i]!));
      }
    }
  }, 60_000);
});
