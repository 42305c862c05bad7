// GEMM in WebAssembly SIMD: register-blocked micro-kernels over packed operands, the loops that
// drive them, and the packing routines.
//
// Layouts (all addresses and strides in bytes, floats are f32):
//   op(A)[i,k]  at a + (i / MR)·aps + (i % MR)·ars + k·aks   (a "panel" of MR rows at a time)
//     packed A:        ars = 4, aks = MR·4, aps = MR·K·4
//     A stored (K,M):  ars = 4, aks = lda·4, aps = MR·4        (transposed: no packing needed)
//     A stored (M,K):  ars = lda·4, aks = 4, aps = MR·lda·4    (row pointers, no packing)
//   op(B)[k,j]  at b + (j / NR)·bps + k·NR·4 + (j % NR)·4   (packed in panels of NR columns)
//   C[i,j]      at c + i·ldc + j·4
//
// The micro-kernel keeps an MR×8 tile of C in MR·2 f32x4 accumulators and walks k: per step it
// loads two vectors of B and, per row, one float of A broadcast to all lanes. V8 has about 15
// usable xmm registers and schedules all loads of an iteration first, so each row costs three
// registers (two accumulators, one broadcast): MR = 4 fits, 5 and 6 spill (see module.ts). The k
// loop is not unrolled by hand (V8 would hoist the loads of several iterations and spill). Batch 1
// (M = 1) uses a 1×24 GEMV kernel instead: six accumulators, six B loads, one broadcast (1×32
// spills an accumulator, which puts a store-load round trip on its dependency chain).

import { flushMinScalar, flushMinVector, flushScalar, flushVector } from './flush';
import { add, forLoop, Func, get, i32, inc, mul, set, sub } from './text';

export interface GemmConfig {
  relaxed: boolean;
  /** Rows of the micro-kernel tile. */
  MR: number;
  /** Reduction block: a KC-deep slice of B (KC·N floats) stays in L2 while A panels pass. */
  KC: number;
}

export const NR = 8;
/** The reduction block of the GEMMs (GemmConfig.KC in both flavours: wat/module.ts). */
export const KC = 256;
export const GEMV_NR = 24;

/** Byte offset of the scratch tile used for partial edge tiles (first page is reserved). */
export const SCRATCH = 1024;
/** Byte offset of the packed A panel (MR × KC floats) of gemm_panels. */
export const A_PANEL = 4096;
/** Bytes of page 0 per instance (scratch tile + A panel): a second thread's instance starts here. */
export const SCRATCH_BYTES = 32768;

/** Address of a scratch area of this instance (global $scratch: 0, or SCRATCH_BYTES for a helper thread). */
const scratch = (offset: number): string => `(i32.add (global.get $scratch) ${i32(offset)})`;

function madd(relaxed: boolean, a: string, b: string, c: string): string {
  return relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
}

/**
 * C tile (rows × NR) = (beta ? C : 0) + Σ_{k<kn} op(A)[r,k]·op(B)[k,:]. `rowPtrs`: A rows are
 * ars apart (row-major A); otherwise they are 4 bytes apart (packed or transposed A).
 */
/** Tiles of at most this many rows sum K_SETS interleaved runs of k apart (see microKernel; 2-row tiles lose by it). */
const SMALL_TILE_ROWS = 1;
/**
 * Interleaved runs of k of a one-row tile: k ≡ 0, 1, 2 (mod 3) into three sets of two
 * accumulators. Measured A/B in one process (GFLOP/s of a one-row product, K = 64…256): 2 sets
 * 24–25, 3 sets 27–31, 4 sets 18–20 (V8 then spills); 5- and 9-row products gain 3–5 %.
 */
const K_SETS = 3;

function microKernel(cfg: GemmConfig, rows: number, rowPtrs: boolean): Func {
  const f = new Func(`tile_${rowPtrs ? 'r' : 'p'}${rows}`, false);
  for (const p of ['a', 'ars', 'aks', 'b', 'kn', 'c', 'ldc', 'beta']) f.param(p);
  const q = NR / 4;
  const acc = (r: number, v: number): string => `c${r}_${v}`;
  for (let r = 0; r < rows; r++) for (let v = 0; v < q; v++) f.local(acc(r, v), 'v128');
  for (let v = 0; v < q; v++) f.local(`b${v}`, 'v128');
  f.local('x', 'v128');
  if (rowPtrs) for (let r = 1; r < rows; r++) f.local(`o${r}`, 'i32');
  if (rowPtrs) for (let r = 1; r < rows; r++) f.emit(set(`o${r}`, mul(get('ars'), i32(r))));
  // One k step into the accumulators `into` (A and B advanced after it).
  const kStep = (into: (r: number, v: number) => string): string[] => {
    const body: string[] = [];
    for (let v = 0; v < q; v++) body.push(set(`b${v}`, `(v128.load offset=${16 * v} align=4 ${get('b')})`));
    for (let r = 0; r < rows; r++) {
      const addr = rowPtrs ? (r === 0 ? `(v128.load32_splat align=4 ${get('a')})` : `(v128.load32_splat align=4 ${add(get('a'), get(`o${r}`))})`) : `(v128.load32_splat offset=${4 * r} align=4 ${get('a')})`;
      body.push(set('x', addr));
      for (let v = 0; v < q; v++) body.push(set(into(r, v), madd(cfg.relaxed, get('x'), get(`b${v}`), get(into(r, v)))));
    }
    body.push(inc('a', get('aks')), inc('b', i32(NR * 4)));
    return body;
  };
  if (rows > SMALL_TILE_ROWS) {
    const body = [...kStep(acc), set('kn', sub(get('kn'), i32(1)))];
    f.emit('(loop $k', ...body.map((l) => '  ' + l), `  (br_if $k ${get('kn')})`, ')');
  } else {
    // With 1 row there are too few accumulators to hide the multiply-add latency (each k waits
    // for the previous one). K is walked K_SETS steps at a time, each into accumulators of its
    // own, added at the end.
    const setAcc = (s: number) => (r: number, v: number): string => (s === 0 ? acc(r, v) : `d${s}_${r}_${v}`);
    for (let s = 1; s < K_SETS; s++) for (let r = 0; r < rows; r++) for (let v = 0; v < q; v++) f.local(setAcc(s)(r, v), 'v128');
    const group = [...Array.from({ length: K_SETS }, (_, s) => kStep(setAcc(s))).flat(), set('kn', sub(get('kn'), i32(K_SETS)))];
    f.emit(
      `(if (i32.ge_s ${get('kn')} ${i32(K_SETS)}) (then (loop $k2`,
      ...group.map((l) => '  ' + l),
      `  (br_if $k2 (i32.ge_s ${get('kn')} ${i32(K_SETS)})))))`,
      `(if ${get('kn')} (then (loop $k1`,
      ...kStep(acc).map((l) => '  ' + l),
      `  ${set('kn', sub(get('kn'), i32(1)))}`,
      `  (br_if $k1 ${get('kn')}))))`,
    );
    for (let s = 1; s < K_SETS; s++) for (let r = 0; r < rows; r++) for (let v = 0; v < q; v++) f.emit(set(acc(r, v), `(f32x4.add ${get(acc(r, v))} ${get(setAcc(s)(r, v))})`));
  }
  // Store: C = acc or C += acc, row by row, flushed below FLT_MIN when setFlushDenormal is on (at
  // the end of each KC block: products over a decaying gradient are where subnormals pile up).
  f.local('fzm', 'v128');
  f.local('fzt', 'v128');
  const store = (withBeta: boolean): string[] => {
    const out: string[] = [];
    for (let r = 0; r < rows; r++) {
      if (r > 0) out.push(inc('c', get('ldc')));
      for (let v = 0; v < q; v++) {
        const val = withBeta ? `(f32x4.add (v128.load offset=${16 * v} align=4 ${get('c')}) ${get(acc(r, v))})` : get(acc(r, v));
        out.push(`(v128.store offset=${16 * v} align=4 ${get('c')} ${flushVector(val, 'fzm', 'fzt')})`);
      }
    }
    return out;
  };
  f.emit(set('fzm', flushMinVector));
  f.emit(`(if ${get('beta')} (then`, ...store(true).map((l) => '  ' + l), ') (else', ...store(false).map((l) => '  ' + l), '))');
  return f;
}

/** Dispatches on the row count of a tile (1…MR) to the matching micro-kernel. */
function tileDispatch(cfg: GemmConfig, rowPtrs: boolean): Func {
  const f = new Func(`tile_${rowPtrs ? 'r' : 'p'}`, false);
  for (const p of ['rows', 'a', 'ars', 'aks', 'b', 'kn', 'c', 'ldc', 'beta']) f.param(p);
  const args = ['a', 'ars', 'aks', 'b', 'kn', 'c', 'ldc', 'beta'].map(get).join(' ');
  // Most tiles are full: test rows = MR first.
  for (let r = cfg.MR; r >= 1; r--) {
    f.emit(`(if (i32.eq ${get('rows')} ${i32(r)}) (then (call $tile_${rowPtrs ? 'r' : 'p'}${r} ${args}) (return)))`);
  }
  return f;
}

/**
 * dst[k·16 … k·16+15] = the 16 bytes at src + k·ks, for k < kn: one 4-row panel of a transposed A
 * made contiguous (past the last row of A the lanes hold whatever follows; unused).
 */
function copyPanel(): Func {
  const f = new Func('copy_panel', false);
  for (const p of ['src', 'ks', 'kn', 'dst']) f.param(p);
  f.emit(
    '(loop $k',
    `  (v128.store align=4 ${get('dst')} (v128.load align=4 ${get('src')}))`,
    `  ${inc('src', get('ks'))}`,
    `  ${inc('dst', i32(16))}`,
    `  ${set('kn', sub(get('kn'), i32(1)))}`,
    `  (br_if $k ${get('kn')})`,
    ')',
  );
  return f;
}

/** C[0:rows, 0:cols] (+)= scratch tile (rows × width floats), for tiles cut by the edge of C. */
function edgeStore(): Func {
  const f = new Func('edge_store', false);
  for (const p of ['src', 'width', 'rows', 'cols', 'c', 'ldc', 'beta']) f.param(p);
  f.local('r', 'i32');
  f.local('j', 'i32');
  f.local('s', 'i32');
  f.local('d', 'i32');
  f.local('fzm', 'f32');
  f.local('fzt', 'f32');
  // The scratch tile holds the tile's sums unflushed: flushed here, as the full tiles are.
  const value = `(select (f32.add (f32.load ${get('d')}) (f32.load ${get('s')})) (f32.load ${get('s')}) ${get('beta')})`;
  const inner = forLoop('ej', 'j', i32(0), get('cols'), i32(1), [
    set('s', add(get('src'), mul(add(mul(get('r'), get('width')), get('j')), i32(4)))),
    set('d', add(add(get('c'), mul(get('r'), get('ldc'))), mul(get('j'), i32(4)))),
    `(f32.store ${get('d')} ${flushScalar(value, 'fzm', 'fzt')})`,
  ]);
  f.emit(set('fzm', flushMinScalar), ...forLoop('er', 'r', i32(0), get('rows'), i32(1), inner));
  return f;
}

/**
 * The driver: C (M,N) = beta·C + op(A)·op(B) with the layouts above. K > 0. Loops: reduction
 * blocks of KC, then panels of MR rows of A, then panels of NR columns of B.
 *
 * `stream` (gemm_rows_stream, row-major A): panels of NR columns of B outermost, each over the
 * whole of K, then the panels of MR rows of A. For a recurrent step's products (h·W_hhᵀ, dG·W_hh:
 * a batch of rows against a weight, once per step): B is read once, front to back, one contiguous
 * stream the prefetcher follows, and each K·NR panel serves all row panels from L1 (L2 for
 * K > 1024) while the M·K floats of A stay in L2. The blocked order streams each KC·N slice of B
 * once per row panel, in KC·NR pieces a panel apart: at H = 1024 (W_hh 16 MB) streaming runs
 * 1.2–1.3× faster at B = 16 (30 → 40 GFLOP/s on one thread). Its sums over K > KC round
 * differently (one chain instead of KC-long pieces added to C).
 */
function gemmDriver(cfg: GemmConfig, rowPtrs: boolean, stream = false): Func {
  const f = new Func(stream ? 'gemm_rows_stream' : rowPtrs ? 'gemm_rows' : 'gemm_panels', true);
  for (const p of ['a', 'aps', 'aks', 'ars', 'b', 'bps', 'M', 'N', 'K', 'c', 'ldc', 'beta']) f.param(p);
  for (const l of ['k0', 'kn', 'be', 'i', 'rows', 'ai', 'ak', 'ci', 'j', 'bj']) f.local(l, 'i32');
  const tile = `$tile_${rowPtrs ? 'r' : 'p'}`;
  const jBody = [
    set('bj', add(add(get('b'), mul(`(i32.div_u ${get('j')} ${i32(NR)})`, get('bps'))), mul(get('k0'), i32(NR * 4)))),
    `(if (i32.ge_s ${sub(get('N'), get('j'))} ${i32(NR)})`,
    `  (then (call ${tile} ${get('rows')} ${get('ai')} ${get('ars')} ${get('ak')} ${get('bj')} ${get('kn')} ${add(get('ci'), mul(get('j'), i32(4)))} ${get('ldc')} ${get('be')}))`,
    `  (else`,
    `    (call ${tile} ${get('rows')} ${get('ai')} ${get('ars')} ${get('ak')} ${get('bj')} ${get('kn')} ${scratch(SCRATCH)} ${i32(NR * 4)} ${i32(0)})`,
    `    (call $edge_store ${scratch(SCRATCH)} ${i32(NR)} ${get('rows')} ${sub(get('N'), get('j'))} ${add(get('ci'), mul(get('j'), i32(4)))} ${get('ldc')} ${get('be')})))`,
  ];
  // Panels of A stored transposed are copied into a contiguous KC·MR block first when enough
  // B panels reuse it (N ≥ 64): a power-of-two row length maps every k of a panel to the same two
  // L1 sets, and the reloads from L2 cost more than the copy.
  const packPanel =
    !rowPtrs && cfg.MR === 4
      ? [
          `(if (i32.and (i32.ge_s ${get('N')} ${i32(64)}) (i32.ne ${get('aks')} ${i32(16)}))`,
          `  (then (call $copy_panel ${get('ai')} ${get('aks')} ${get('kn')} ${scratch(A_PANEL)}) ${set('ai', scratch(A_PANEL))} ${set('ak', i32(16))})`,
          `  (else ${set('ak', get('aks'))}))`,
        ]
      : [set('ak', get('aks'))];
  const rowPanel = [
    set('rows', `(select ${i32(cfg.MR)} ${sub(get('M'), get('i'))} (i32.ge_s ${sub(get('M'), get('i'))} ${i32(cfg.MR)}))`),
    set('ai', add(add(get('a'), mul(`(i32.div_u ${get('i')} ${i32(cfg.MR)})`, get('aps'))), mul(get('k0'), get('aks')))),
  ];
  const iBody = [...rowPanel, ...packPanel, set('ci', add(get('c'), mul(get('i'), get('ldc')))), ...forLoop('jl', 'j', i32(0), get('N'), i32(NR), jBody)];
  const kBody = [
    set('kn', `(select ${i32(cfg.KC)} ${sub(get('K'), get('k0'))} (i32.ge_s ${sub(get('K'), get('k0'))} ${i32(cfg.KC)}))`),
    set('be', `(select ${i32(1)} ${get('beta')} ${get('k0')})`),
    ...forLoop('il', 'i', i32(0), get('M'), i32(cfg.MR), iBody),
  ];
  if (stream) {
    const panels = forLoop('jl', 'j', i32(0), get('N'), i32(NR), [
      ...forLoop('il', 'i', i32(0), get('M'), i32(cfg.MR), [...rowPanel, set('ak', get('aks')), set('ci', add(get('c'), mul(get('i'), get('ldc')))), ...jBody]),
    ]);
    f.emit(set('k0', i32(0)), set('kn', get('K')), set('be', get('beta')), ...panels);
  } else {
    f.emit(...forLoop('kl', 'k0', i32(0), get('K'), i32(cfg.KC), kBody));
  }
  return f;
}

/** c (1, 24) (+)= Σ_k a[k]·B[k, 0:24] over one 24-column panel; a[k] at a + k·aks. */
function gemvKernel(cfg: GemmConfig): Func {
  const f = new Func('gemv_tile', false);
  for (const p of ['a', 'aks', 'b', 'kn', 'c', 'beta']) f.param(p);
  const q = GEMV_NR / 4;
  for (let v = 0; v < q; v++) f.local(`c${v}`, 'v128');
  f.local('x', 'v128');
  const body = [set('x', `(v128.load32_splat align=4 ${get('a')})`)];
  for (let v = 0; v < q; v++) body.push(set(`c${v}`, madd(cfg.relaxed, get('x'), `(v128.load offset=${16 * v} align=4 ${get('b')})`, get(`c${v}`))));
  body.push(inc('a', get('aks')), inc('b', i32(GEMV_NR * 4)), set('kn', sub(get('kn'), i32(1))));
  f.emit('(loop $k', ...body.map((l) => '  ' + l), `  (br_if $k ${get('kn')})`, ')');
  f.local('fzm', 'v128');
  f.local('fzt', 'v128');
  const store = (withBeta: boolean): string[] =>
    Array.from({ length: q }, (_, v) => {
      const val = withBeta ? `(f32x4.add (v128.load offset=${16 * v} align=4 ${get('c')}) ${get(`c${v}`)})` : get(`c${v}`);
      return `(v128.store offset=${16 * v} align=4 ${get('c')} ${flushVector(val, 'fzm', 'fzt')})`;
    });
  f.emit(set('fzm', flushMinVector));
  f.emit(`(if ${get('beta')} (then`, ...store(true).map((l) => '  ' + l), ') (else', ...store(false).map((l) => '  ' + l), '))');
  return f;
}

/** c (1,N) = beta·c + op(A)(1,K)·op(B): B packed in GEMV_NR-column panels. K > 0. */
function gemvDriver(): Func {
  const f = new Func('gemv', true);
  for (const p of ['a', 'aks', 'b', 'bps', 'N', 'K', 'c', 'beta']) f.param(p);
  f.local('j', 'i32');
  f.local('bj', 'i32');
  f.emit(
    set('bj', get('b')),
    ...forLoop('jl', 'j', i32(0), get('N'), i32(GEMV_NR), [
      `(if (i32.ge_s ${sub(get('N'), get('j'))} ${i32(GEMV_NR)})`,
      `  (then (call $gemv_tile ${get('a')} ${get('aks')} ${get('bj')} ${get('K')} ${add(get('c'), mul(get('j'), i32(4)))} ${get('beta')}))`,
      `  (else`,
      `    (call $gemv_tile ${get('a')} ${get('aks')} ${get('bj')} ${get('K')} ${scratch(SCRATCH)} ${i32(0)})`,
      `    (call $edge_store ${scratch(SCRATCH)} ${i32(GEMV_NR)} ${i32(1)} ${sub(get('N'), get('j'))} ${add(get('c'), mul(get('j'), i32(4)))} ${i32(0)} ${get('beta')})))`,
      inc('bj', get('bps')),
    ]),
  );
  return f;
}

/** i8x16.shuffle lane list picking 32-bit lanes (0–3 from a, 4–7 from b). */
function lanes32(...l: number[]): string {
  return l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]).join(' ');
}

/**
 * Packs op(B) (K,N), op(B)[k,j] at src + k·ks + j·js, into panels of `nr` columns:
 * dst + (j / nr)·K·nr·4 + k·nr·4 + (j % nr)·4, zero past column N. Fast paths for full panels:
 * B row-major (js = 4) copies vectors; B stored transposed (ks = 4, the weights as PyTorch keeps
 * them) transposes 4×4 blocks with shuffles.
 */
function packB(): Func {
  const f = new Func('pack_b', true);
  for (const p of ['src', 'ks', 'js', 'K', 'N', 'nr', 'dst']) f.param(p);
  for (const l of ['j0', 'k', 'jj', 'w', 's', 'd', 'pd', 'k4']) f.local(l, 'i32');
  for (const l of ['r0', 'r1', 'r2', 'r3', 't0', 't1', 't2', 't3']) f.local(l, 'v128');
  const contiguous = [
    set('s', add(add(get('src'), mul(get('k'), get('ks'))), mul(get('j0'), i32(4)))),
    ...forLoop('pv', 'jj', i32(0), get('nr'), i32(4), [`(v128.store align=4 ${get('d')} (v128.load align=4 ${add(get('s'), mul(get('jj'), i32(4)))}))`, inc('d', i32(16))]),
  ];
  const general = [
    ...forLoop('ps', 'jj', i32(0), get('nr'), i32(1), [
      `(f32.store ${get('d')} (if (result f32) (i32.lt_s ${get('jj')} ${get('w')}) (then (f32.load ${add(add(get('src'), mul(get('k'), get('ks'))), mul(add(get('j0'), get('jj')), get('js')))})) (else (f32.const 0))))`,
      inc('d', i32(4)),
    ]),
  ];
  // Transposed source, 4 columns × 4 k at a time: rows r_q = op(B)[k..k+3, j+q] are contiguous.
  const shuffle = (a: string, b: string, l: number[]): string => `(i8x16.shuffle ${lanes32(...l)} ${get(a)} ${get(b)})`;
  const rowAt = (q: number): string => `(v128.load align=4 ${add(add(get('src'), mul(add(add(get('j0'), get('jj')), i32(q)), get('js'))), mul(get('k'), i32(4)))})`;
  const colStore = (m: number, v: string): string => `(v128.store offset=0 align=4 ${add(add(get('pd'), mul(add(get('k'), i32(m)), mul(get('nr'), i32(4)))), mul(get('jj'), i32(4)))} ${v})`;
  const transposed4 = [
    ...[0, 1, 2, 3].map((q) => set(`r${q}`, rowAt(q))),
    set('t0', shuffle('r0', 'r1', [0, 4, 1, 5])),
    set('t1', shuffle('r0', 'r1', [2, 6, 3, 7])),
    set('t2', shuffle('r2', 'r3', [0, 4, 1, 5])),
    set('t3', shuffle('r2', 'r3', [2, 6, 3, 7])),
    colStore(0, shuffle('t0', 't2', [0, 1, 4, 5])),
    colStore(1, shuffle('t0', 't2', [2, 3, 6, 7])),
    colStore(2, shuffle('t1', 't3', [0, 1, 4, 5])),
    colStore(3, shuffle('t1', 't3', [2, 3, 6, 7])),
  ];
  const transposedTail = [
    ...forLoop('tj', 'jj', i32(0), get('nr'), i32(1), [
      `(f32.store ${add(add(get('pd'), mul(get('k'), mul(get('nr'), i32(4)))), mul(get('jj'), i32(4)))} (f32.load ${add(add(get('src'), mul(add(get('j0'), get('jj')), get('js'))), mul(get('k'), i32(4)))}))`,
    ]),
  ];
  f.emit(
    set('d', get('dst')),
    set('k4', sub(get('K'), `(i32.and ${get('K')} ${i32(3)})`)),
    ...forLoop('pj', 'j0', i32(0), get('N'), get('nr'), [
      set('w', `(select ${get('nr')} ${sub(get('N'), get('j0'))} (i32.ge_s ${sub(get('N'), get('j0'))} ${get('nr')}))`),
      set('pd', get('d')),
      `(if (i32.and (i32.eq ${get('js')} ${i32(4)}) (i32.eq ${get('w')} ${get('nr')}))`,
      `  (then ${forLoop('pk', 'k', i32(0), get('K'), i32(1), contiguous).join(' ')})`,
      `  (else (if (i32.and (i32.eq ${get('ks')} ${i32(4)}) (i32.and (i32.eq ${get('w')} ${get('nr')}) (i32.eqz (i32.and ${get('nr')} ${i32(3)}))))`,
      `    (then`,
      `      ${forLoop('tk', 'k', i32(0), get('k4'), i32(4), forLoop('tq', 'jj', i32(0), get('nr'), i32(4), transposed4)).join(' ')}`,
      `      ${forLoop('tr', 'k', get('k4'), get('K'), i32(1), transposedTail).join(' ')}`,
      `      ${set('d', add(get('pd'), mul(get('K'), mul(get('nr'), i32(4)))))})`,
      `    (else ${forLoop('pk2', 'k', i32(0), get('K'), i32(1), general).join(' ')}))))`,
    ]),
  );
  return f;
}

/**
 * Packs op(A) (M,K), op(A)[i,k] at src + i·rs + k·ks, into panels of `mr` rows:
 * dst + (i / mr)·K·mr·4 + k·mr·4 + (i % mr)·4, zero past row M.
 */
function packA(): Func {
  const f = new Func('pack_a', true);
  for (const p of ['src', 'rs', 'ks', 'M', 'K', 'mr', 'dst']) f.param(p);
  for (const l of ['i0', 'k', 'r', 'h', 'd']) f.local(l, 'i32');
  f.emit(
    set('d', get('dst')),
    ...forLoop('pi', 'i0', i32(0), get('M'), get('mr'), [
      set('h', `(select ${get('mr')} ${sub(get('M'), get('i0'))} (i32.ge_s ${sub(get('M'), get('i0'))} ${get('mr')}))`),
      ...forLoop('pk', 'k', i32(0), get('K'), i32(1), [
        ...forLoop('pr', 'r', i32(0), get('mr'), i32(1), [
          `(f32.store ${get('d')} (if (result f32) (i32.lt_s ${get('r')} ${get('h')}) (then (f32.load ${add(add(get('src'), mul(add(get('i0'), get('r')), get('rs'))), mul(get('k'), get('ks')))})) (else (f32.const 0))))`,
          inc('d', i32(4)),
        ]),
      ]),
    ]),
  );
  return f;
}

export function gemmFunctions(cfg: GemmConfig): Func[] {
  const out: Func[] = [];
  for (const rowPtrs of [false, true]) {
    for (let r = 1; r <= cfg.MR; r++) out.push(microKernel(cfg, r, rowPtrs));
    out.push(tileDispatch(cfg, rowPtrs), gemmDriver(cfg, rowPtrs));
  }
  out.push(gemmDriver(cfg, true, true));
  out.push(edgeStore(), copyPanel(), gemvKernel(cfg), gemvDriver(), packB(), packA());
  return out;
}
