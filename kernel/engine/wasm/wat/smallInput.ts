// A recurrent layer whose input has few features (I ≤ SMALL_INPUT_MAX: the adding problem's two,
// a sine regression's one): its input projection and the input side's sums over time, one pass
// over the rows each. Through the GEMM such a product runs 8-column tiles for I columns (8× the
// multiply-adds at I = 1), the projection's bias takes a pass of its own (add_rows), and so does
// the bias gradient (col_sums).
//
//   input_proj_I(out, rows, x, wT, bias, n)
//     out (rows, n) = x (rows, I) · wT (I, n) + bias (n; 0: none): each value the GEMM's — a chain
//     of multiply-adds over i from 0, flushed as the GEMM's store flushes — plus the bias as
//     add_rows adds it (and flushes), so bit for bit what the GEMM and add_rows give.
//   input_sums_I(dW, db, m, rows, ld, n, x, kc)
//     dW (n, I) += Σ_r m[r, :]ᵀ · x[r, :] and db (n; 0: none) += Σ_r m[r, :], m's rows ld bytes
//     apart, x (rows, I). dW is summed in runs of kc rows, each run from 0 and then added to dW, as
//     the GEMM's reduction blocks of KC are (the same sums bit for bit, but for a GEMM's one-row
//     tiles, which interleave k); db row by row from its value, as col_sums adds.

import { laneFlush } from './flush';
import { add, forLoop, Func, get, i32, inc, mul, scalarLane, set, vectorLane, type Lane } from './text';
import { columns } from './util';

/** Input features up to which a recurrent layer's input side runs these kernels. */
export const SMALL_INPUT_MAX = 3;

const zero = (L: Lane): string => L.const(0);

/** One value of lane type L at address `p` + `o` splat (vector) or loaded (scalar). */
function splat(L: Lane, p: string, o: number): string {
  return L.width === 4 ? `(v128.load32_splat offset=${o} align=4 ${p})` : L.load(p, o);
}

function inputProjection(relaxed: boolean, I: number): Func {
  const f = new Func(`input_proj_${I}`, true);
  for (const p of ['out', 'rows', 'x', 'wT', 'bias', 'n']) f.param(p);
  for (const l of ['r', 'jo', 'nb', 'o']) f.local(l, 'i32');
  const lanes = [vectorLane(relaxed), scalarLane(relaxed)] as const;
  const flush = lanes.map((L) => laneFlush(f, L));
  const xs = (L: Lane, i: number): string => `x${i}_${L.width}`;
  for (const L of lanes) for (let i = 0; i < I; i++) f.local(xs(L, i), L.type);
  for (const L of lanes) f.local(`acc_${L.width}`, L.type);
  // Columns of one row (util.ts's loop: f32x4 while 4 remain, then one at a time); `withBias` adds the bias.
  const columnLoop = (withBias: boolean): string[] =>
    columns(withBias ? 'cb' : 'cn', relaxed, get('n'), (L) => {
      const acc = `acc_${L.width}`;
      const fl = flush[L.width === 4 ? 0 : 1]!;
      const at = (base: string): string => add(base, get('jo'));
      return [
        set(acc, zero(L)),
        ...Array.from({ length: I }, (_, i) => set(acc, L.madd(get(xs(L, i)), L.load(add(get('wT'), add(mul(get('nb'), i32(i)), get('jo')))), get(acc)))),
        set(acc, fl.value(get(acc))),
        ...(withBias ? [set(acc, fl.value(L.add(get(acc), L.load(at(get('bias'))))))] : []),
        L.store(at(get('o')), get(acc)),
      ];
    });
  const row = (withBias: boolean): string[] => [
    ...lanes.flatMap((L) => Array.from({ length: I }, (_, i) => set(xs(L, i), splat(L, add(get('x'), mul(get('r'), i32(4 * I))), 4 * i)))),
    set('o', add(get('out'), mul(get('r'), get('nb')))),
    ...columnLoop(withBias),
  ];
  f.emit(
    ...flush.map((fl) => fl.init),
    set('nb', mul(get('n'), i32(4))),
    `(if ${get('bias')}`,
    `  (then ${forLoop('rb', 'r', i32(0), get('rows'), i32(1), row(true)).join(' ')})`,
    `  (else ${forLoop('rn', 'r', i32(0), get('rows'), i32(1), row(false)).join(' ')}))`,
  );
  return f;
}

function inputSums(relaxed: boolean, I: number): Func {
  const f = new Func(`input_sums_${I}`, true);
  for (const p of ['dW', 'db', 'm', 'rows', 'ld', 'n', 'x', 'kc']) f.param(p);
  for (const l of ['jo', 'r', 'r1', 'mo', 'xo', 'nb', 'a']) f.local(l, 'i32');
  const V = vectorLane(relaxed);
  const S = scalarLane(relaxed);
  const flushV = laneFlush(f, V);
  const flushS = laneFlush(f, S);
  // A pass sums `count` groups of L.width columns from jo over all rows, then stores them. At
  // I = 1 four vectors at a time keep eight chains of additions in flight, else two.
  const pass = (tag: string, L: Lane, count: number): string[] => {
    const w = 4 * L.width; // bytes per group
    const accB = (c: number): string => `${tag}_b${c}`;
    const accW = (c: number, i: number): string => `${tag}_w${c}_${i}`;
    const xs = (i: number): string => `${tag}_x${i}`;
    const ms = (c: number): string => `${tag}_m${c}`;
    for (let c = 0; c < count; c++) {
      f.local(accB(c), L.type);
      f.local(ms(c), L.type);
      for (let i = 0; i < I; i++) f.local(accW(c, i), L.type);
    }
    for (let i = 0; i < I; i++) f.local(xs(i), L.type);
    const rowBody = [
      ...Array.from({ length: I }, (_, i) => set(xs(i), splat(L, get('xo'), 4 * i))),
      ...Array.from({ length: count }, (_, c) => [
        set(ms(c), L.load(add(get('mo'), get('jo')), c * w)),
        set(accB(c), L.add(get(accB(c)), get(ms(c)))),
        ...Array.from({ length: I }, (_, i) => set(accW(c, i), L.madd(get(xs(i)), get(ms(c)), get(accW(c, i))))),
      ]).flat(),
      inc('mo', get('ld')),
      inc('xo', i32(4 * I)),
    ];
    // dW[(column)·I + i] += the run's sum, flushed; at I = 1 a vector's columns are contiguous.
    const addRun: string[] = [];
    for (let c = 0; c < count; c++) {
      for (let i = 0; i < I; i++) {
        if (I === 1 || L.width === 1) {
          const p = add(get('dW'), mul(add(get('jo'), i32(c * w)), i32(I)));
          const load = L.width === 4 ? V.load(p) : S.load(p, 4 * i);
          const value = (L.width === 4 ? flushV : flushS).value(L.add(load, get(accW(c, i))));
          addRun.push(L.width === 4 ? V.store(p, value) : S.store(p, value, 4 * i));
        } else {
          for (let lane = 0; lane < 4; lane++) {
            const p = add(get('dW'), mul(add(get('jo'), i32(c * w + 4 * lane)), i32(I)));
            addRun.push(S.store(p, flushS.value(S.add(S.load(p, 4 * i), `(f32x4.extract_lane ${lane} ${get(accW(c, i))})`)), 4 * i));
          }
        }
        addRun.push(set(accW(c, i), zero(L)));
      }
    }
    const dbAt = (c: number): string => add(add(get('db'), get('jo')), i32(c * w));
    return [
      ...Array.from({ length: count }, (_, c) => [
        set(accB(c), `(if (result ${L.type}) ${get('db')} (then ${L.load(dbAt(c))}) (else ${zero(L)}))`),
        ...Array.from({ length: I }, (_, i) => set(accW(c, i), zero(L))),
      ]).flat(),
      set('mo', get('m')),
      set('xo', get('x')),
      // runs of kc rows: each summed from 0, then added to dW
      ...forLoop(`${tag}_runs`, 'r', i32(0), get('rows'), get('kc'), [
        set('r1', `(select ${get('rows')} ${add(get('r'), get('kc'))} (i32.gt_s ${add(get('r'), get('kc'))} ${get('rows')}))`),
        ...forLoop(`${tag}_rows`, 'a', get('r'), get('r1'), i32(1), rowBody),
        ...addRun,
      ]),
      `(if ${get('db')} (then`,
      ...Array.from({ length: count }, (_, c) => L.store(dbAt(c), (L.width === 4 ? flushV : flushS).value(get(accB(c))))),
      '))',
      inc('jo', i32(count * w)),
    ];
  };
  const wide = I === 1 ? 4 : 2;
  f.emit(
    flushV.init,
    flushS.init,
    set('nb', mul(get('n'), i32(4))),
    set('jo', i32(0)),
    `(block $wide_end (loop $wide`,
    `  (br_if $wide_end (i32.gt_s ${add(get('jo'), i32(16 * wide))} ${get('nb')}))`,
    ...pass('w', V, wide).map((l) => '  ' + l),
    `  (br $wide)))`,
    `(block $one_end (loop $one`,
    `  (br_if $one_end (i32.gt_s ${add(get('jo'), i32(16))} ${get('nb')}))`,
    ...pass('v', V, 1).map((l) => '  ' + l),
    `  (br $one)))`,
    `(block $tail_end (loop $tail`,
    `  (br_if $tail_end (i32.ge_s ${get('jo')} ${get('nb')}))`,
    ...pass('s', S, 1).map((l) => '  ' + l),
    `  (br $tail)))`,
  );
  return f;
}

export function smallInputFunctions(relaxed: boolean): Func[] {
  return Array.from({ length: SMALL_INPUT_MAX }, (_, k) => [inputProjection(relaxed, k + 1), inputSums(relaxed, k + 1)]).flat();
}
