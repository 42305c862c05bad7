// Fused gate kernels: one call runs the element-wise part of one time step of an LSTM, GRU or
// RNN cell, forward or backward, over all N rows of the batch (the recurrent GEMM runs before or
// after it). Each row is either active at step t (t < lengths[n]) or passes its state through.
//
// Every kernel takes (N, H, len, t) after its buffer pointers: N rows, H hidden units, `len` the
// address of N int32 lengths. Buffers are row-major with a row of H floats (state buffers) or
// G·H floats (gate buffers, blocks in PyTorch's order: LSTM i,f,g,o; GRU r,z,n). The element-wise
// math is written once per kernel and emitted for f32x4 vectors and for the scalar tail (H % 4).
// Backward kernels return Σ dh² over the active rows (the ‖∂L/∂h_t‖ instrumentation, as f64).
// With setFlushDenormal on, the states and gradients they store are flushed to zero below FLT_MIN
// (FLUSH below, wat/flush.ts).

import { flushingLane } from './flush';
import { gatesInto, tanhInto } from './math';
import { add, Func, get, i32, inc, mul, scalarLane, set, vectorLane, type Lane } from './text';

/** A row-major buffer parameter whose rows are `blocks`·H floats (0: not per row, e.g. a bias). */
interface BufSpec {
  name: string;
  blocks: number;
}

interface KernelSpec {
  name: string;
  bufs: BufSpec[];
  /** Statements for one lane of columns on an active row; `at(buf, block)` is the address. */
  active: (f: Func, L: Lane, at: (buf: string, block?: number) => string, ss: string) => string[];
  /**
   * A second pass over the columns of an active row, after `active` finished the whole row. Two
   * short dependency chains in two loops instead of one long one: the out-of-order window then
   * holds several independent iterations (the kernels are latency-bound).
   */
  activeAfter?: (f: Func, L: Lane, at: (buf: string, block?: number) => string, ss: string) => string[];
  /** Statements for one lane of columns on a row past its length. */
  inactive: (f: Func, L: Lane, at: (buf: string, block?: number) => string) => string[];
  /** Accumulate Σ dh² and return it. */
  sumSquares: boolean;
  /**
   * Buffers whose computed stores are flushed to zero below FLT_MIN (setFlushDenormal; copies and
   * constants never are): see FLUSH.
   */
  flush: readonly string[];
}

function rowKernel(relaxed: boolean, spec: KernelSpec): Func {
  const f = new Func(spec.name, true);
  for (const b of spec.bufs) f.param(b.name);
  for (const p of ['N', 'H', 'len', 't']) f.param(p);
  if (spec.sumSquares) f.returns('f64');
  for (const l of ['n', 'jo', 'hb', 'vend']) f.local(l, 'i32');
  // Row base address of each buffer (and of each gate block within it).
  const base = (buf: string, block: number): string => `r_${buf}_${block}`;
  for (const b of spec.bufs) for (let k = 0; k < Math.max(1, b.blocks); k++) f.local(base(b.name, k), 'i32');
  // Addresses `at` made for buffers in spec.flush: stores to them flush (flushingLane).
  const flushedAt = new Set<string>();
  const at = (buf: string, block = 0): string => {
    const address = add(get(base(buf, block)), get('jo'));
    if (spec.flush.includes(buf)) flushedAt.add(address);
    return address;
  };
  if (spec.sumSquares) {
    f.local('ss4', 'v128');
    f.local('ss1', 'f32');
    f.local('total', 'f64');
  }
  const { lane: V, init: flushV } = flushingLane(f, vectorLane(relaxed), (address) => flushedAt.has(address));
  const { lane: S, init: flushS } = flushingLane(f, scalarLane(relaxed), (address) => flushedAt.has(address));
  // Column loops over one row: f32x4 while 4 columns remain, then one at a time.
  const columns = (label: string, body: (L: Lane) => string[]): string[] => [
    set('jo', i32(0)),
    `(block $${label}_ve (loop $${label}_v`,
    `  (br_if $${label}_ve (i32.gt_s (i32.add ${get('jo')} ${i32(16)}) ${get('hb')}))`,
    ...body(V).map((l) => '  ' + l),
    `  ${inc('jo', i32(16))}`,
    `  (br $${label}_v)))`,
    `(block $${label}_se (loop $${label}_s`,
    `  (br_if $${label}_se (i32.ge_s ${get('jo')} ${get('hb')}))`,
    ...body(S).map((l) => '  ' + l),
    `  ${inc('jo', i32(4))}`,
    `  (br $${label}_s)))`,
  ];
  const activeRow = [
    ...(spec.sumSquares ? [set('ss4', '(v128.const f32x4 0 0 0 0)'), set('ss1', '(f32.const 0)')] : []),
    ...columns('a', (L) => spec.active(f, L, at, L.width === 4 ? 'ss4' : 'ss1')),
    ...(spec.activeAfter ? columns('b', (L) => spec.activeAfter!(f, L, at, L.width === 4 ? 'ss4' : 'ss1')) : []),
    ...(spec.sumSquares
      ? [
          set(
            'total',
            `(f64.add ${get('total')} (f64.promote_f32 (f32.add (f32.add (f32.add (f32x4.extract_lane 0 ${get('ss4')}) (f32x4.extract_lane 1 ${get('ss4')})) (f32.add (f32x4.extract_lane 2 ${get('ss4')}) (f32x4.extract_lane 3 ${get('ss4')}))) ${get('ss1')})))`,
          ),
        ]
      : []),
  ];
  const inactiveRow = columns('i', (L) => spec.inactive(f, L, at));
  f.emit(flushV, flushS, set('hb', mul(get('H'), i32(4))));
  for (const b of spec.bufs) for (let k = 0; k < Math.max(1, b.blocks); k++) f.emit(set(base(b.name, k), add(get(b.name), mul(get('hb'), i32(k)))));
  const advance: string[] = [];
  for (const b of spec.bufs) {
    if (b.blocks === 0) continue;
    for (let k = 0; k < b.blocks; k++) advance.push(inc(base(b.name, k), mul(get('hb'), i32(b.blocks))));
  }
  f.emit(
    set('n', i32(0)),
    `(block $rows_end (loop $rows`,
    `  (br_if $rows_end (i32.ge_s ${get('n')} ${get('N')}))`,
    `  (if (i32.gt_s (i32.load ${add(get('len'), mul(get('n'), i32(4)))}) ${get('t')})`,
    `    (then`,
    ...activeRow.map((l) => '      ' + l),
    '    )',
    '    (else',
    ...inactiveRow.map((l) => '      ' + l),
    '    ))',
    ...advance.map((l) => '  ' + l),
    `  ${inc('n', i32(1))}`,
    `  (br $rows)))`,
  );
  if (spec.sumSquares) f.emit(get('total'));
  return f;
}

/**
 * The buffers whose stores each kernel flushes to zero below FLT_MIN (setFlushDenormal,
 * wat/flush.ts). Backward: every gradient it stores — dG (the dW GEMMs' operand), dc and the
 * ∂L/∂h carry, the chains along which a vanishing gradient turns subnormal. Forward: the states
 * h' and c', which decay only where inputs and biases leave them nothing to hold on to (gate
 * activations cannot be subnormal: a sigmoid is ≥ 1.4e-7, a tanh of a flushed pre-activation
 * is 0 or normal). Flushing every stored value would cost more than this set; flushing only the
 * dc and carry chains would leave dG's subnormals to the GEMMs over it.
 */
const FLUSH: Record<string, readonly string[]> = {
  lstm_fwd: ['cOut', 'hOut'],
  lstm_bwd: ['dG', 'dc'], // `next` is 0 here, the GEMM adds dG·w_hh (and flushes)
  gru_fwd: ['hOut'],
  gru_bwd: ['dGi', 'dGh', 'next'],
  gru_cho_rz: ['hidden'], // r ⊙ h, the operand of the n block's GEMM
  gru_cho_h: ['hOut'],
  gru_cho_bwd1: ['dG', 'next'],
  gru_cho_bwd2: ['dG', 'next'],
  rnn_fwd: ['hOut'],
  rnn_bwd: ['dG'],
};

/** Local name specific to a lane width (vector and scalar bodies declare their own). */
const lv = (L: Lane, name: string): string => `${name}_${L.width}`;

function local(f: Func, L: Lane, name: string, value: string): string {
  f.local(lv(L, name), L.type);
  return set(lv(L, name), value);
}

const g = (L: Lane, name: string): string => get(lv(L, name));
const one = (L: Lane): string => L.const(1);
const zero = (L: Lane): string => L.const(0);
/** x·(1 − x): the sigmoid's derivative from its output. */
const dsig = (L: Lane, x: string): string => L.mul(x, L.sub(one(L), x));
/** 1 − x²: tanh's derivative from its output. */
const dtanh = (L: Lane, x: string): string => L.sub(one(L), L.mul(x, x));

/** dh = carry + dy and Σ dh² (every backward kernel starts so). */
function dhAndNorm(f: Func, L: Lane, at: (b: string, k?: number) => string, ss: string): string[] {
  return [local(f, L, 'dh', L.add(L.load(at('carry')), L.load(at('dy')))), set(ss, L.madd(g(L, 'dh'), g(L, 'dh'), get(ss)))];
}

function lstmForward(relaxed: boolean): Func {
  // gates (N,4H) pre-activations in, activations i,f,g,o out; c' = f⊙c + i⊙g, h' = o⊙tanh(c')
  return rowKernel(relaxed, {
    name: 'lstm_fwd',
    bufs: [
      { name: 'gates', blocks: 4 },
      { name: 'cPrev', blocks: 1 },
      { name: 'hPrev', blocks: 1 },
      { name: 'cOut', blocks: 1 },
      { name: 'hOut', blocks: 1 },
    ],
    sumSquares: false,
    flush: FLUSH.lstm_fwd,
    active: (f, L, at) => {
      const out = ['i', 'f', 'g', 'o'].map((n) => lv(L, n));
      return [
        ...gatesInto(f, L, 'lf', [0, 1, 2, 3].map((k) => L.load(at('gates', k))), [false, false, true, false], out),
        ...[0, 1, 2, 3].map((k) => L.store(at('gates', k), get(out[k]!))),
        L.store(at('cOut'), L.madd(g(L, 'f'), L.load(at('cPrev')), L.mul(g(L, 'i'), g(L, 'g')))),
      ];
    },
    // h' = o⊙tanh(c') once the row's c' and o are stored
    activeAfter: (f, L, at) => [...tanhInto(f, L, 'lc', [L.load(at('cOut'))], [lv(L, 'tc')]), L.store(at('hOut'), L.mul(L.load(at('gates', 3)), g(L, 'tc')))],
    inactive: (_f, L, at) => [L.store(at('hOut'), L.load(at('hPrev'))), L.store(at('cOut'), L.load(at('cPrev')))],
  });
}

function lstmBackward(relaxed: boolean): Func {
  // next (N,H) = 0 on active rows (the GEMM adds dG·w_hh), carry on the others
  return rowKernel(relaxed, {
    name: 'lstm_bwd',
    bufs: [
      { name: 'gates', blocks: 4 },
      { name: 'c', blocks: 1 },
      { name: 'cPrev', blocks: 1 },
      { name: 'carry', blocks: 1 },
      { name: 'dy', blocks: 1 },
      { name: 'dG', blocks: 4 },
      { name: 'dc', blocks: 1 },
      { name: 'next', blocks: 1 },
    ],
    sumSquares: true,
    flush: FLUSH.lstm_bwd,
    // tanh(c) of the row first, kept in `next` (written last, below)
    active: (f, L, at) => [...tanhInto(f, L, 'lb', [L.load(at('c'))], [lv(L, 'tc')]), L.store(at('next'), g(L, 'tc'))],
    activeAfter: (f, L, at, ss) => [
      ...dhAndNorm(f, L, at, ss),
      local(f, L, 'i', L.load(at('gates', 0))),
      local(f, L, 'f', L.load(at('gates', 1))),
      local(f, L, 'g', L.load(at('gates', 2))),
      local(f, L, 'o', L.load(at('gates', 3))),
      local(f, L, 'tc', L.load(at('next'))),
      local(f, L, 'dc', L.madd(L.mul(g(L, 'dh'), g(L, 'o')), dtanh(L, g(L, 'tc')), L.load(at('dc')))),
      L.store(at('dG', 0), L.mul(L.mul(g(L, 'dc'), g(L, 'g')), dsig(L, g(L, 'i')))),
      L.store(at('dG', 1), L.mul(L.mul(g(L, 'dc'), L.load(at('cPrev'))), dsig(L, g(L, 'f')))),
      L.store(at('dG', 2), L.mul(L.mul(g(L, 'dc'), g(L, 'i')), dtanh(L, g(L, 'g')))),
      L.store(at('dG', 3), L.mul(L.mul(g(L, 'dh'), g(L, 'tc')), dsig(L, g(L, 'o')))),
      L.store(at('dc'), L.mul(g(L, 'dc'), g(L, 'f'))),
      L.store(at('next'), zero(L)),
    ],
    inactive: (_f, L, at) => [...[0, 1, 2, 3].map((k) => L.store(at('dG', k), zero(L))), L.store(at('next'), L.load(at('carry')))],
  });
}

function gruForward(relaxed: boolean): Func {
  // PyTorch's form. gates (N,3H): x·w_ihᵀ + b_ih (+ b_hh for r,z) in, activations r,z,n out;
  // hh (N,3H) = h·w_hhᵀ; bhn (H) is b_hn (zeros without bias); hidden (N,H) = hh_n + b_hn out.
  return rowKernel(relaxed, {
    name: 'gru_fwd',
    bufs: [
      { name: 'gates', blocks: 3 },
      { name: 'hh', blocks: 3 },
      { name: 'bhn', blocks: 0 },
      { name: 'hPrev', blocks: 1 },
      { name: 'hOut', blocks: 1 },
      { name: 'hidden', blocks: 1 },
    ],
    sumSquares: false,
    flush: FLUSH.gru_fwd,
    active: (f, L, at) => [
      ...gatesInto(f, L, 'gf', [L.add(L.load(at('gates', 0)), L.load(at('hh', 0))), L.add(L.load(at('gates', 1)), L.load(at('hh', 1)))], [false, false], [lv(L, 'r'), lv(L, 'z')]),
      L.store(at('gates', 0), g(L, 'r')),
      L.store(at('gates', 1), g(L, 'z')),
      L.store(at('hidden'), L.add(L.load(at('hh', 2)), L.load(at('bhn')))),
    ],
    // n = tanh(pre_n + r⊙hidden) and h' = (1 − z)·n + z·h once the row's r, z, hidden are stored
    activeAfter: (f, L, at) => [
      ...tanhInto(f, L, 'gn', [L.madd(L.load(at('gates', 0)), L.load(at('hidden')), L.load(at('gates', 2)))], [lv(L, 'n')]),
      L.store(at('gates', 2), g(L, 'n')),
      local(f, L, 'z', L.load(at('gates', 1))),
      L.store(at('hOut'), L.madd(g(L, 'z'), L.load(at('hPrev')), L.mul(L.sub(one(L), g(L, 'z')), g(L, 'n')))),
    ],
    inactive: (_f, L, at) => [L.store(at('hOut'), L.load(at('hPrev')))],
  });
}

function gruBackward(relaxed: boolean): Func {
  // PyTorch's form: dGi (input side) and dGh (hidden side) differ in the n block (r ⊙ …).
  return rowKernel(relaxed, {
    name: 'gru_bwd',
    bufs: [
      { name: 'gates', blocks: 3 },
      { name: 'hidden', blocks: 1 },
      { name: 'hPrev', blocks: 1 },
      { name: 'carry', blocks: 1 },
      { name: 'dy', blocks: 1 },
      { name: 'dGi', blocks: 3 },
      { name: 'dGh', blocks: 3 },
      { name: 'next', blocks: 1 },
    ],
    sumSquares: true,
    flush: FLUSH.gru_bwd,
    active: (f, L, at, ss) => [
      ...dhAndNorm(f, L, at, ss),
      local(f, L, 'r', L.load(at('gates', 0))),
      local(f, L, 'z', L.load(at('gates', 1))),
      local(f, L, 'n', L.load(at('gates', 2))),
      local(f, L, 'dn', L.mul(L.mul(g(L, 'dh'), L.sub(one(L), g(L, 'z'))), dtanh(L, g(L, 'n')))),
      local(f, L, 'dz', L.mul(L.mul(g(L, 'dh'), L.sub(L.load(at('hPrev')), g(L, 'n'))), dsig(L, g(L, 'z')))),
      local(f, L, 'dr', L.mul(L.mul(g(L, 'dn'), L.load(at('hidden'))), dsig(L, g(L, 'r')))),
      L.store(at('dGi', 0), g(L, 'dr')),
      L.store(at('dGi', 1), g(L, 'dz')),
      L.store(at('dGi', 2), g(L, 'dn')),
      L.store(at('dGh', 0), g(L, 'dr')),
      L.store(at('dGh', 1), g(L, 'dz')),
      L.store(at('dGh', 2), L.mul(g(L, 'dn'), g(L, 'r'))),
      L.store(at('next'), L.mul(g(L, 'dh'), g(L, 'z'))),
    ],
    inactive: (_f, L, at) => [...[0, 1, 2].flatMap((k) => [L.store(at('dGi', k), zero(L)), L.store(at('dGh', k), zero(L))]), L.store(at('next'), L.load(at('carry')))],
  });
}

function gruChoGates(relaxed: boolean): Func {
  // Cho form, first half of a step: r, z from their pre-activations; hidden = r ⊙ h (0 if inactive)
  return rowKernel(relaxed, {
    name: 'gru_cho_rz',
    bufs: [
      { name: 'gates', blocks: 3 },
      { name: 'hPrev', blocks: 1 },
      { name: 'hidden', blocks: 1 },
    ],
    sumSquares: false,
    flush: FLUSH.gru_cho_rz,
    active: (f, L, at) => [
      ...gatesInto(f, L, 'cr', [L.load(at('gates', 0)), L.load(at('gates', 1))], [false, false], [lv(L, 'r'), lv(L, 'z')]),
      L.store(at('gates', 0), g(L, 'r')),
      L.store(at('gates', 1), g(L, 'z')),
      L.store(at('hidden'), L.mul(g(L, 'r'), L.load(at('hPrev')))),
    ],
    inactive: (_f, L, at) => [L.store(at('hidden'), zero(L))],
  });
}

function gruChoState(relaxed: boolean): Func {
  // Cho form, second half: n = tanh(pre_n), h' = (1 − z)·n + z·h
  return rowKernel(relaxed, {
    name: 'gru_cho_h',
    bufs: [
      { name: 'gates', blocks: 3 },
      { name: 'hPrev', blocks: 1 },
      { name: 'hOut', blocks: 1 },
    ],
    sumSquares: false,
    flush: FLUSH.gru_cho_h,
    active: (f, L, at) => [
      ...tanhInto(f, L, 'cn', [L.load(at('gates', 2))], [lv(L, 'n')]),
      local(f, L, 'z', L.load(at('gates', 1))),
      L.store(at('gates', 2), g(L, 'n')),
      L.store(at('hOut'), L.madd(g(L, 'z'), L.load(at('hPrev')), L.mul(L.sub(one(L), g(L, 'z')), g(L, 'n')))),
    ],
    inactive: (_f, L, at) => [L.store(at('hOut'), L.load(at('hPrev')))],
  });
}

function gruChoBackward1(relaxed: boolean): Func {
  // Cho form: the z and n gradients (dG r is filled in by gru_cho_bwd2); next = z ⊙ dh
  return rowKernel(relaxed, {
    name: 'gru_cho_bwd1',
    bufs: [
      { name: 'gates', blocks: 3 },
      { name: 'hPrev', blocks: 1 },
      { name: 'carry', blocks: 1 },
      { name: 'dy', blocks: 1 },
      { name: 'dG', blocks: 3 },
      { name: 'next', blocks: 1 },
    ],
    sumSquares: true,
    flush: FLUSH.gru_cho_bwd1,
    active: (f, L, at, ss) => [
      ...dhAndNorm(f, L, at, ss),
      local(f, L, 'z', L.load(at('gates', 1))),
      local(f, L, 'n', L.load(at('gates', 2))),
      L.store(at('dG', 1), L.mul(L.mul(g(L, 'dh'), L.sub(L.load(at('hPrev')), g(L, 'n'))), dsig(L, g(L, 'z')))),
      L.store(at('dG', 2), L.mul(L.mul(g(L, 'dh'), L.sub(one(L), g(L, 'z'))), dtanh(L, g(L, 'n')))),
      L.store(at('next'), L.mul(g(L, 'dh'), g(L, 'z'))),
    ],
    inactive: (_f, L, at) => [...[0, 1, 2].map((k) => L.store(at('dG', k), zero(L))), L.store(at('next'), L.load(at('carry')))],
  });
}

function gruChoBackward2(relaxed: boolean): Func {
  // Cho form, after dRh (N,H) = ∂L/∂(r ⊙ h) = dG_n·w_hn: dG_r = dRh ⊙ h ⊙ r(1−r), next += dRh ⊙ r
  return rowKernel(relaxed, {
    name: 'gru_cho_bwd2',
    bufs: [
      { name: 'gates', blocks: 3 },
      { name: 'hPrev', blocks: 1 },
      { name: 'dRh', blocks: 1 },
      { name: 'dG', blocks: 3 },
      { name: 'next', blocks: 1 },
    ],
    sumSquares: false,
    flush: FLUSH.gru_cho_bwd2,
    active: (f, L, at) => [
      local(f, L, 'r', L.load(at('gates', 0))),
      local(f, L, 'd', L.load(at('dRh'))),
      L.store(at('dG', 0), L.mul(L.mul(g(L, 'd'), L.load(at('hPrev'))), dsig(L, g(L, 'r')))),
      L.store(at('next'), L.madd(g(L, 'd'), g(L, 'r'), L.load(at('next')))),
    ],
    inactive: () => [],
  });
}

function rnnForward(relaxed: boolean, relu: boolean): Func {
  // h' = act(pre), pre (N,H) = x·w_ihᵀ + b + h·w_hhᵀ
  return rowKernel(relaxed, {
    name: relu ? 'rnn_relu_fwd' : 'rnn_tanh_fwd',
    bufs: [
      { name: 'pre', blocks: 1 },
      { name: 'hPrev', blocks: 1 },
      { name: 'hOut', blocks: 1 },
    ],
    sumSquares: false,
    flush: FLUSH.rnn_fwd,
    active: (f, L, at) =>
      relu ? [L.store(at('hOut'), L.max(L.load(at('pre')), zero(L)))] : [...tanhInto(f, L, 'rt', [L.load(at('pre'))], [lv(L, 'h')]), L.store(at('hOut'), g(L, 'h'))],
    inactive: (_f, L, at) => [L.store(at('hOut'), L.load(at('hPrev')))],
  });
}

function rnnBackward(relaxed: boolean, relu: boolean): Func {
  return rowKernel(relaxed, {
    name: relu ? 'rnn_relu_bwd' : 'rnn_tanh_bwd',
    bufs: [
      { name: 'h', blocks: 1 },
      { name: 'carry', blocks: 1 },
      { name: 'dy', blocks: 1 },
      { name: 'dG', blocks: 1 },
      { name: 'next', blocks: 1 },
    ],
    sumSquares: true,
    flush: FLUSH.rnn_bwd,
    active: (f, L, at, ss) => [
      ...dhAndNorm(f, L, at, ss),
      L.store(at('dG'), relu ? L.whereGt0(L.load(at('h')), g(L, 'dh')) : L.mul(g(L, 'dh'), dtanh(L, L.load(at('h'))))),
      L.store(at('next'), zero(L)),
    ],
    inactive: (_f, L, at) => [L.store(at('dG'), zero(L)), L.store(at('next'), L.load(at('carry')))],
  });
}

export function cellFunctions(relaxed: boolean): Func[] {
  return [
    lstmForward(relaxed),
    lstmBackward(relaxed),
    gruForward(relaxed),
    gruBackward(relaxed),
    gruChoGates(relaxed),
    gruChoState(relaxed),
    gruChoBackward1(relaxed),
    gruChoBackward2(relaxed),
    rnnForward(relaxed, false),
    rnnForward(relaxed, true),
    rnnBackward(relaxed, false),
    rnnBackward(relaxed, true),
  ];
}
