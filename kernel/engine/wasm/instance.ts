// The WebAssembly kernels of this thread: one module instance per thread (the kernel process and
// every worker_thread instantiate their own, synchronously, on first use), its linear memory, and
// a stack-like arena over that memory for the operands of one kernel call.
//
// Flavour: relaxed SIMD (fused multiply-add) where the runtime validates it — Node 20 needs
// --experimental-wasm-relaxed-simd, which the kernel sets only there (wasm/flags.ts: newer V8s
// ship the feature and reject the flag) — else plain SIMD128 (multiply, then add), else none, and
// the engine's plain TypeScript kernels run. RNN_LAB_KERNELS=js|simd|relaxed in
// the environment, or useKernels(), forces a choice (tests compare the paths).

import { host } from '../../host/index';
import { onFlushThreshold } from '../denormal';
import { RELAXED_WASM, SIMD_WASM } from './modules.generated';
import { FLUSH_AT } from './wat/flush';

export type KernelChoice = 'auto' | 'js' | 'simd' | 'relaxed';

/** The exports of the kernel module (pointers and strides are byte offsets into memory). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  tile_rows: WebAssembly.Global;
  gemm_panels(a: number, aps: number, aks: number, ars: number, b: number, bps: number, M: number, N: number, K: number, c: number, ldc: number, beta: number): void;
  gemm_rows(a: number, aps: number, aks: number, ars: number, b: number, bps: number, M: number, N: number, K: number, c: number, ldc: number, beta: number): void;
  gemm_rows_stream(a: number, aps: number, aks: number, ars: number, b: number, bps: number, M: number, N: number, K: number, c: number, ldc: number, beta: number): void;
  gemv(a: number, aks: number, b: number, bps: number, N: number, K: number, c: number, beta: number): void;
  /** y (N) = (beta ? y : 0) + W (N,K)·x with W row-major, rows ldw bytes apart, read in place (wat/gemvRows.ts). */
  gemv_rows(x: number, w: number, ldw: number, N: number, K: number, y: number, beta: number): void;
  pack_b(src: number, ks: number, js: number, K: number, N: number, nr: number, dst: number): void;
  pack_a(src: number, rs: number, ks: number, M: number, K: number, mr: number, dst: number): void;
  add_rows(out: number, rows: number, ld: number, v: number, n: number): void;
  col_sums(out: number, m: number, rows: number, ld: number, n: number): void;
  /** out (rows,n) = x (rows,I)·wT (I,n) + bias (0: none), for I = 1…3 (wat/smallInput.ts). */
  input_proj_1(out: number, rows: number, x: number, wT: number, bias: number, n: number): void;
  input_proj_2(out: number, rows: number, x: number, wT: number, bias: number, n: number): void;
  input_proj_3(out: number, rows: number, x: number, wT: number, bias: number, n: number): void;
  /** dW (n,I) += Σ mᵀ·x in runs of kc rows, db (n; 0: none) += Σ m, for I = 1…3 (wat/smallInput.ts). */
  input_sums_1(dW: number, db: number, m: number, rows: number, ld: number, n: number, x: number, kc: number): void;
  input_sums_2(dW: number, db: number, m: number, rows: number, ld: number, n: number, x: number, kc: number): void;
  input_sums_3(dW: number, db: number, m: number, rows: number, ld: number, n: number, x: number, kc: number): void;
  softmax_rows(x: number, rows: number, n: number, out: number, stats: number): void;
  copy_rows(src: number, ss: number, dst: number, ds: number, rows: number, rowBytes: number): void;
  gather_rows(dst: number, src: number, index: number, rows: number, rowBytes: number): void;
  set_scratch(base: number): void;
  lstm_fwd(gates: number, cPrev: number, hPrev: number, cOut: number, hOut: number, N: number, H: number, len: number, t: number): void;
  lstm_bwd(gates: number, c: number, cPrev: number, carry: number, dy: number, dG: number, dc: number, next: number, N: number, H: number, len: number, t: number): number;
  gru_fwd(gates: number, hh: number, bhn: number, hPrev: number, hOut: number, hidden: number, N: number, H: number, len: number, t: number): void;
  gru_bwd(gates: number, hidden: number, hPrev: number, carry: number, dy: number, dGi: number, dGh: number, next: number, N: number, H: number, len: number, t: number): number;
  gru_cho_rz(gates: number, hPrev: number, hidden: number, N: number, H: number, len: number, t: number): void;
  gru_cho_h(gates: number, hPrev: number, hOut: number, N: number, H: number, len: number, t: number): void;
  gru_cho_bwd1(gates: number, hPrev: number, carry: number, dy: number, dG: number, next: number, N: number, H: number, len: number, t: number): number;
  gru_cho_bwd2(gates: number, hPrev: number, dRh: number, dG: number, next: number, N: number, H: number, len: number, t: number): void;
  rnn_tanh_fwd(pre: number, hPrev: number, hOut: number, N: number, H: number, len: number, t: number): void;
  rnn_relu_fwd(pre: number, hPrev: number, hOut: number, N: number, H: number, len: number, t: number): void;
  rnn_tanh_bwd(h: number, carry: number, dy: number, dG: number, next: number, N: number, H: number, len: number, t: number): number;
  rnn_relu_bwd(h: number, carry: number, dy: number, dG: number, next: number, N: number, H: number, len: number, t: number): number;
  adam_f32(
    theta: number,
    grad: number,
    m: number,
    v: number,
    vmax: number,
    n: number,
    l2: number,
    sign: number,
    decay: number,
    wd: number,
    beta1: number,
    omb1: number,
    beta2: number,
    omb2: number,
    bc2Sqrt: number,
    eps: number,
    stepSize: number,
  ): void;
  lstm_b1_part(h: number, b: number, K: number, gt: number, cPrev: number, hPrev: number, cOut: number, hOut: number, Hp: number, len: number, t: number): void;
  gru_b1_part(h: number, b: number, K: number, gt: number, hh: number, bhn: number, hPrev: number, hOut: number, hidden: number, Hp: number, len: number, t: number): void;
  rnn_tanh_b1_part(h: number, b: number, K: number, pt: number, hPrev: number, hOut: number, Hp: number, len: number, t: number): void;
  rnn_relu_b1_part(h: number, b: number, K: number, pt: number, hPrev: number, hOut: number, Hp: number, len: number, t: number): void;
  /** A whole batch-1 sequence, role 0 (caller) or 1 (helper); returns how many of part 1's steps the caller ran (wat/sequence.ts). */
  lstm_b1_seq(role: number, params: number): number;
  gru_b1_seq(role: number, params: number): number;
  rnn_tanh_b1_seq(role: number, params: number): number;
  rnn_relu_b1_seq(role: number, params: number): number;
}

/** Bytes per float32 (and int32) in wasm memory: value i of a buffer at byte address `at` is at at + i·F. */
export const F = 4;

const PAGE = 65536;
/** Allocations are aligned to a cache line and followed by this much slack. */
const ALIGN = 64;

/**
 * Bump allocation over the module's memory, released in stack order with mark()/release(). Memory
 * grows on demand and never shrinks; views are re-made after growth (growth detaches the old buffer,
 * so never keep a view across an allocation).
 */
export class Arena {
  private top = PAGE; // page 0: the kernels' scratch tiles
  /** The highest top since takePeak last ran. */
  private high = PAGE;
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /**
   * The highest the arena reached since the last call (or since it started): a recorded trace's
   * calls use memory its code allocated and released again (wasm/twoParts.ts keeps it reserved
   * while the helper replays them).
   */
  takePeak(): number {
    const peak = this.high;
    this.high = this.top;
    return peak;
  }

  /** Bytes in use by the arena (for tests and diagnostics). */
  get used(): number {
    return this.top - PAGE;
  }

  /** Reserves `n` floats (uninitialised); returns the byte address. */
  alloc(n: number): number {
    const at = this.top;
    this.top = at + Math.ceil((n * F + ALIGN) / ALIGN) * ALIGN;
    if (this.top > this.high) this.high = this.top;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) this.memory.grow(Math.ceil((this.top - have) / PAGE));
    return at;
  }

  /** Reserves `n` zeroed floats. */
  zeros(n: number): number {
    const at = this.alloc(n);
    this.f32().fill(0, at >> 2, (at >> 2) + n);
    return at;
  }

  /** Copies `src` into a new allocation; returns its byte address. */
  put(src: ArrayLike<number> & { length: number }, n = src.length): number {
    const at = this.alloc(n);
    if (src instanceof Float32Array) this.f32().set(n === src.length ? src : src.subarray(0, n), at >> 2);
    else this.f32().set(src as ArrayLike<number>, at >> 2);
    return at;
  }

  /** Copies int32 values (lengths) into a new allocation. */
  putInt32(src: Int32Array): number {
    const at = this.alloc(src.length);
    this.i32().set(src, at >> 2);
    return at;
  }

  /** A float view of the whole memory (valid until the next allocation that grows it). */
  f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer) this.i32View = new Int32Array(this.memory.buffer);
    return this.i32View;
  }

  /** `n` floats at byte address `at`, as a view (valid until the memory grows). */
  view(at: number, n: number): Float32Array {
    return this.f32().subarray(at >> 2, (at >> 2) + n);
  }
}

export interface WasmKernels {
  flavour: 'simd' | 'relaxed';
  /** The compiled module and its shared memory: a helper thread instantiates the same (team.ts). */
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Rows of the GEMM micro-kernel tile (wat/module.ts gemmConfig). */
  tileRows: number;
  k: KernelExports;
  arena: Arena;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function instantiate(flavour: 'simd' | 'relaxed'): WasmKernels | null {
  if (typeof WebAssembly === 'undefined') return null;
  const bytes = decode(flavour === 'relaxed' ? RELAXED_WASM : SIMD_WASM);
  if (!WebAssembly.validate(bytes)) return null;
  const module = new WebAssembly.Module(bytes);
  // Shared, so that a helper thread can run half of a product on the same operands (team.ts).
  // Browsers create shared memory even where it cannot be posted (a page that is not cross-origin
  // isolated); one that refuses leaves the TypeScript kernels.
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  } catch {
    return null;
  }
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const k = instance.exports as unknown as KernelExports;
  // The kernels read setFlushDenormal's threshold from this memory (the helper thread's too).
  onFlushThreshold((threshold) => void (new Float32Array(memory.buffer, FLUSH_AT, 1)[0] = threshold));
  return { flavour, module, memory, tileRows: k.tile_rows.value as number, k, arena: new Arena(memory) };
}

function envChoice(): KernelChoice {
  const v = host().process.env('RNN_LAB_KERNELS');
  return v === 'js' || v === 'simd' || v === 'relaxed' ? v : 'auto';
}

/** null until first asked: read from the environment then (not at load, before a host is installed). */
let choice: KernelChoice | null = null;
const loaded: { simd?: WasmKernels | null; relaxed?: WasmKernels | null } = {};
let current: WasmKernels | null | undefined;

function load(flavour: 'simd' | 'relaxed'): WasmKernels | null {
  if (loaded[flavour] === undefined) loaded[flavour] = instantiate(flavour);
  return loaded[flavour]!;
}

/** This thread's kernels, or null when the plain TypeScript kernels are to run. */
export function wasmKernels(): WasmKernels | null {
  if (current === undefined) {
    choice ??= envChoice();
    if (choice === 'js') current = null;
    else if (choice === 'simd') current = load('simd');
    else if (choice === 'relaxed') current = load('relaxed');
    else current = load('relaxed') ?? load('simd');
  }
  return current;
}

/**
 * Picks the kernels for this thread: 'auto' (relaxed SIMD where supported, else SIMD128, else
 * TypeScript), 'js' (the plain TypeScript kernels), or one flavour (null result if unsupported).
 * Returns the flavour now in use, or 'js'.
 */
export function useKernels(which: KernelChoice): 'js' | 'simd' | 'relaxed' {
  choice = which;
  current = undefined;
  return wasmKernels()?.flavour ?? 'js';
}

/** Which kernels run on this thread: 'relaxed', 'simd' or 'js'. */
export function kernelFlavour(): 'js' | 'simd' | 'relaxed' {
  return wasmKernels()?.flavour ?? 'js';
}
