// The limit of the machine at hand, measured in the same run (issue 18 §2): a register-resident
// loop of independent multiply-add chains on v128 values, compiled by this runtime's V8, on one
// thread and on two worker_threads at once. Nothing is loaded or stored inside the loop, so it
// runs at the rate the cores issue SIMD128 multiply-adds, the most any wasm kernel can compute;
// the bench reports every kernel and workload as a share of it instead of a nominal figure.
//
// The module is written out byte by byte here (as kernel/engine/wasm/flags.ts writes its probe),
// so the bench needs no assembler at run time; test/unit/bench-ceiling.test.ts checks it against
// wabt's assembly of the same text (ceilingWat) and against the arithmetic it must compute:
//
//   (func (export "run") (param $iters i32) (param $a f32) (param $b f32) (result f32)
//     va = splat(a); vb = splat(b); acc_j = splat(j) for j < chains
//     if iters > 0: loop { unroll × (for j: acc_j = acc_j·va + vb); iters -= 1; br_if iters }
//     return the sum of the four lanes of acc_0 + acc_1 + … + acc_{chains-1})
//
// 'fma': acc·va + vb as one f32x4.relaxed_madd (V8 emits a fused vfmadd on x64 CPUs with FMA3,
// which is what the engine's relaxed kernels run); 'mul-add': f32x4.mul then f32x4.add, the plain
// SIMD128 form (two instructions for the same 8 flops). One call computes
// iters · unroll · chains · 8 flops (4 lanes, a multiply and an add each).

import { Worker } from 'node:worker_threads';

export type CeilingOp = 'fma' | 'mul-add';

export interface CeilingShape {
  /** Independent accumulators (v128 locals): enough to cover latency × issue width, few enough to stay in registers. */
  chains: number;
  /** Multiply-adds per chain per loop iteration. */
  unroll: number;
  op: CeilingOp;
}

/** Flops of one call of the module's run(iters): 4 lanes × 2 flops per multiply-add. */
export function ceilingFlops(shape: CeilingShape, iters: number): number {
  return iters * shape.unroll * shape.chains * 8;
}

/** unsigned LEB128 */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function f32Bytes(x: number): number[] {
  return [...new Uint8Array(new Float32Array([x]).buffer)];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const SIMD = 0xfd;
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32Sub: 0x6b,
  f32Add: 0x92,
  voidType: 0x40,
};
/** SIMD opcodes (prefix 0xfd, then the opcode in LEB128). */
const simd = {
  f32x4Splat: [SIMD, ...uleb(0x13)],
  f32x4ExtractLane: [SIMD, ...uleb(0x1f)],
  f32x4Add: [SIMD, ...uleb(0xe4)],
  f32x4Mul: [SIMD, ...uleb(0xe6)],
  f32x4RelaxedMadd: [SIMD, ...uleb(0x105)],
};

/** The module's binary (see the top of this file). */
export function ceilingModule(shape: CeilingShape): Uint8Array<ArrayBuffer> {
  const { chains, unroll } = shape;
  if (!Number.isInteger(chains) || chains < 1 || !Number.isInteger(unroll) || unroll < 1) throw new Error(`ceilingModule: chains and unroll must be whole numbers ≥ 1, got ${chains}, ${unroll}`);
  // locals: 0 iters, 1 a, 2 b (params); 3 va, 4 vb, 5… acc_j
  const VA = 3;
  const VB = 4;
  const acc = (j: number): number => 5 + j;
  const get = (i: number): number[] => [op.localGet, ...uleb(i)];
  const set = (i: number): number[] => [op.localSet, ...uleb(i)];
  const code: number[] = [];
  code.push(...get(1), ...simd.f32x4Splat, ...set(VA), ...get(2), ...simd.f32x4Splat, ...set(VB));
  for (let j = 0; j < chains; j++) code.push(op.f32Const, ...f32Bytes(j), ...simd.f32x4Splat, ...set(acc(j)));
  code.push(op.block, op.voidType, ...get(0), op.i32Eqz, op.brIf, 0, op.loop, op.voidType);
  for (let u = 0; u < unroll; u++) {
    for (let j = 0; j < chains; j++) {
      if (shape.op === 'fma') code.push(...get(acc(j)), ...get(VA), ...get(VB), ...simd.f32x4RelaxedMadd, ...set(acc(j)));
      else code.push(...get(acc(j)), ...get(VA), ...simd.f32x4Mul, ...get(VB), ...simd.f32x4Add, ...set(acc(j)));
    }
  }
  code.push(...get(0), op.i32Const, 1, op.i32Sub, op.localTee, ...uleb(0), op.brIf, 0, op.end, op.end);
  code.push(...get(acc(0)));
  for (let j = 1; j < chains; j++) code.push(...get(acc(j)), ...simd.f32x4Add);
  code.push(...set(VA));
  for (let lane = 0; lane < 4; lane++) {
    code.push(...get(VA), ...simd.f32x4ExtractLane, lane);
    if (lane > 0) code.push(op.f32Add);
  }
  code.push(op.end);
  const locals = [1, ...uleb(chains + 2), V128];
  const body = [...locals, ...code];
  const name = [...new TextEncoder().encode('run')];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 3, I32, F32, F32, 1, F32]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...uleb(name.length), ...name, 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** The same module as WebAssembly text, for wabt (the test assembles it and compares the bytes). */
export function ceilingWat(shape: CeilingShape): string {
  const lines: string[] = ['(module', '  (func (export "run") (param $iters i32) (param $a f32) (param $b f32) (result f32)'];
  lines.push(`    (local $va v128) (local $vb v128)${Array.from({ length: shape.chains }, (_, j) => ` (local $acc${j} v128)`).join('')}`);
  lines.push('    (local.set $va (f32x4.splat (local.get $a)))', '    (local.set $vb (f32x4.splat (local.get $b)))');
  for (let j = 0; j < shape.chains; j++) lines.push(`    (local.set $acc${j} (f32x4.splat (f32.const ${j})))`);
  lines.push('    (block', '      (br_if 0 (i32.eqz (local.get $iters)))', '      (loop');
  for (let u = 0; u < shape.unroll; u++) {
    for (let j = 0; j < shape.chains; j++) {
      const value = shape.op === 'fma' ? `(f32x4.relaxed_madd (local.get $acc${j}) (local.get $va) (local.get $vb))` : `(f32x4.add (f32x4.mul (local.get $acc${j}) (local.get $va)) (local.get $vb))`;
      lines.push(`        (local.set $acc${j} ${value})`);
    }
  }
  lines.push('        (br_if 0 (local.tee $iters (i32.sub (local.get $iters) (i32.const 1))))))');
  let sum = '(local.get $acc0)';
  for (let j = 1; j < shape.chains; j++) sum = `(f32x4.add ${sum} (local.get $acc${j}))`;
  lines.push(`    (local.set $va ${sum})`);
  lines.push('    (f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $va)) (f32x4.extract_lane 1 (local.get $va))) (f32x4.extract_lane 2 (local.get $va))) (f32x4.extract_lane 3 (local.get $va))))');
  lines.push(')');
  return lines.join('\n');
}

/**
 * What run(iters, a, b) returns, computed in JavaScript with float32 rounding after every
 * operation (the 'mul-add' form; for 'fma' it is the same wherever acc·a is exact, as in the
 * tests' arguments).
 */
export function ceilingExpected(shape: CeilingShape, iters: number, a: number, b: number): number {
  const f = Math.fround;
  const lanes: number[] = [];
  for (let j = 0; j < shape.chains; j++) {
    let x = f(j);
    for (let n = 0; n < iters * shape.unroll; n++) x = f(f(x * f(a)) + f(b));
    lanes.push(x);
  }
  let v = lanes[0]!;
  for (let j = 1; j < shape.chains; j++) v = f(v + lanes[j]!);
  // four equal lanes, summed ((l0 + l1) + l2) + l3
  return f(f(f(v + v) + v) + v);
}

/**
 * The shapes tried, best taken: 8 chains cover a 4-cycle FMA on 2 pipes; 10 and 12 cover the
 * longer mul → add chain and leave slack, still within x64's 16 xmm registers with va and vb.
 */
export const CEILING_SHAPES: readonly Omit<CeilingShape, 'op'>[] = [
  { chains: 8, unroll: 8 },
  { chains: 10, unroll: 6 },
  { chains: 12, unroll: 5 },
];

/**
 * Code run in each thread (the calling thread, and each worker), as plain JavaScript source so
 * that a bundler's renaming cannot break it in a worker: compile, warm until TurboFan's code runs
 * (V8 tiers a wasm function up in the background after some calls), size a call to ~`ms` ms, then
 * time `tries` calls, each after `wait()` (a barrier between threads, or nothing); returns per
 * try [start, end] as absolute times (performance.timeOrigin + now(), comparable across threads)
 * and the iterations of a call. acc → acc·1 + 0 keeps every value normal (no subnormal slowdown)
 * and cannot be folded away (a and b are parameters).
 */
const THREAD_BODY = `function ceilingThread(bytes, ms, tries, wait) {
  const run = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.run;
  const now = () => performance.timeOrigin + performance.now();
  let iters = 1024;
  const warmUntil = now() + 60;
  while (now() < warmUntil) run(iters, 1, 0);
  const t0 = now();
  run(iters, 1, 0);
  iters = Math.max(1024, Math.round((iters * ms) / Math.max(1e-3, now() - t0)));
  const spans = [];
  for (let i = 0; i < tries; i++) {
    if (wait) wait();
    const start = now();
    run(iters, 1, 0);
    spans.push([start, now()]);
  }
  return { spans, iters };
}`;

interface ThreadResult {
  spans: [number, number][];
  iters: number;
}

const ceilingThread = new Function(`return (${THREAD_BODY});`)() as (bytes: Uint8Array, ms: number, tries: number, wait: (() => void) | null) => ThreadResult;

/** GFLOP/s of the best try on this thread. */
export function measureOneThread(shape: CeilingShape, ms = 30, tries = 7): number {
  const { spans, iters } = ceilingThread(ceilingModule(shape), ms, tries, null);
  const flops = ceilingFlops(shape, iters);
  return Math.max(...spans.map(([s, e]) => flops / ((e - s) / 1e3) / 1e9));
}

/**
 * Per try, the combined GFLOP/s of `threads` workers started together (a barrier in shared memory
 * before every try): all their flops over the time from the first start to the last end, so that
 * both must run at once to score. The best try.
 */
export async function measureThreads(shape: CeilingShape, threads: number, ms = 30, tries = 7): Promise<number> {
  const bytes = ceilingModule(shape);
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { bytes, ms, tries, barrier, threads } = workerData;
    let round = 0;
    // Every try: arrive, wait until all threads have, go.
    const wait = () => {
      round++;
      if (Atomics.add(barrier, 0, 1) + 1 === threads * round) { Atomics.store(barrier, 1, round); Atomics.notify(barrier, 1); }
      else while (Atomics.load(barrier, 1) < round) Atomics.wait(barrier, 1, round - 1, 5);
    };
    parentPort.postMessage((${THREAD_BODY})(bytes, ms, tries, wait));
  `;
  const results = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<ThreadResult>((resolve, reject) => {
          const worker = new Worker(source, { eval: true, workerData: { bytes, ms, tries, barrier, threads } });
          worker.once('message', (m: ThreadResult) => {
            resolve(m);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
  let best = 0;
  for (let i = 0; i < tries; i++) {
    const start = Math.min(...results.map((r) => r.spans[i]![0]));
    const end = Math.max(...results.map((r) => r.spans[i]![1]));
    const flops = results.reduce((sum, r) => sum + ceilingFlops(shape, r.iters), 0);
    best = Math.max(best, flops / ((end - start) / 1e3) / 1e9);
  }
  return best;
}

/** The measured ceiling: GFLOP/s of one thread and of two threads at once, with the instruction used and the shape that did best. */
export interface Ceiling {
  op: CeilingOp;
  oneThread: number;
  twoThreads: number;
  /** The best shape's chains (on one thread). */
  chains: number;
  /** With 'fma': the same loop with a separate multiply and add, one thread (what plain SIMD128 kernels are up against). */
  mulAddOneThread?: number;
}

/** The best of several measurements (the ceiling is a maximum: a slower try is another program's doing). */
export function bestCeiling(cs: readonly Ceiling[]): Ceiling | undefined {
  if (cs.length === 0) return undefined;
  const top = (f: (c: Ceiling) => number | undefined): number | undefined => {
    const xs = cs.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? Math.max(...xs) : undefined;
  };
  const best = cs.reduce((a, b) => (b.oneThread > a.oneThread ? b : a));
  const mulAdd = top((c) => c.mulAddOneThread);
  return { op: best.op, chains: best.chains, oneThread: top((c) => c.oneThread)!, twoThreads: top((c) => c.twoThreads)!, ...(mulAdd !== undefined ? { mulAddOneThread: mulAdd } : {}) };
}

/**
 * Measures the ceiling: with `relaxed` (relaxed SIMD validates here), f32x4.relaxed_madd, else
 * mul + add; every shape of CEILING_SHAPES on one thread, the best of them then on two threads.
 */
export async function measureCeiling(relaxed: boolean): Promise<Ceiling> {
  const opUsed: CeilingOp = relaxed ? 'fma' : 'mul-add';
  let best = { chains: 0, unroll: 0, rate: 0 };
  for (const s of CEILING_SHAPES) {
    const rate = measureOneThread({ ...s, op: opUsed });
    if (rate > best.rate) best = { ...s, rate };
  }
  const shape: CeilingShape = { chains: best.chains, unroll: best.unroll, op: opUsed };
  // More, shorter tries on two threads: on a shared machine both cores are free only now and then.
  const twoThreads = await measureThreads(shape, 2, 20, 15);
  const mulAdd = relaxed ? Math.max(...CEILING_SHAPES.map((s) => measureOneThread({ ...s, op: 'mul-add' }, 20, 5))) : undefined;
  return { op: opUsed, oneThread: best.rate, twoThreads, chains: best.chains, ...(mulAdd !== undefined ? { mulAddOneThread: mulAdd } : {}) };
}

/** One line for the report. */
export function ceilingLine(c: Ceiling, nominalPerCore?: number): string {
  const what = c.op === 'fma' ? 'f32x4.relaxed_madd (fused on this CPU where V8 emits FMA)' : 'f32x4.mul + f32x4.add (no relaxed SIMD)';
  const mulAdd = c.mulAddOneThread !== undefined ? `; the same loop with mul + add: ${c.mulAddOneThread.toFixed(1)} GFLOP/s on one thread` : '';
  const nominal = nominalPerCore !== undefined ? ` (the old nominal figure, Zen 4 at 3.65 GHz: ${nominalPerCore.toFixed(1)} per core)` : '';
  return `measured SIMD128 ceiling (${c.chains} independent ${what} chains in registers, best try): ${c.oneThread.toFixed(1)} GFLOP/s on one thread, ${c.twoThreads.toFixed(1)} on two threads at once${mulAdd}${nominal}`;
}
