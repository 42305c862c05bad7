// Small vector loops next to the GEMMs: bias broadcast over rows, column sums (bias gradients), and
// strided row copies (one time step of a batchFirst layer).

import { flushingLane, laneFlush } from './flush';
import { add, forLoop, Func, get, i32, inc, mul, scalarLane, set, vectorLane, type Lane } from './text';

/** Runs `body(L, jo)` over columns [0, n) of one row (local `jo`: the byte offset): f32x4 while 4 remain, then the scalar tail. */
export function columns(label: string, relaxed: boolean, n: string, body: (L: Lane) => string[], lanes: [Lane, Lane] = [vectorLane(relaxed), scalarLane(relaxed)]): string[] {
  const [V, S] = lanes;
  return [
    set('jo', i32(0)),
    `(block $${label}_ve (loop $${label}_v`,
    `  (br_if $${label}_ve (i32.gt_s (i32.add ${get('jo')} ${i32(16)}) ${mul(n, i32(4))}))`,
    ...body(V).map((l) => '  ' + l),
    `  ${inc('jo', i32(16))}`,
    `  (br $${label}_v)))`,
    `(block $${label}_se (loop $${label}_s`,
    `  (br_if $${label}_se (i32.ge_s ${get('jo')} ${mul(n, i32(4))}))`,
    ...body(S).map((l) => '  ' + l),
    `  ${inc('jo', i32(4))}`,
    `  (br $${label}_s)))`,
  ];
}

/** out[r, 0:n] += v[0:n] for `rows` rows of stride `ld` bytes. */
function addRows(relaxed: boolean): Func {
  const f = new Func('add_rows', true);
  for (const p of ['out', 'rows', 'ld', 'v', 'n']) f.param(p);
  f.local('r', 'i32');
  f.local('o', 'i32');
  f.local('jo', 'i32');
  // Flushed stores (wat/flush.ts): this also sums gradient rows per table row (rnn/wasmSequence.ts).
  const V = flushingLane(f, vectorLane(relaxed));
  const S = flushingLane(f, scalarLane(relaxed));
  const body = columns('c', relaxed, get('n'), (L) => [L.store(add(get('o'), get('jo')), L.add(L.load(add(get('o'), get('jo'))), L.load(add(get('v'), get('jo')))))], [V.lane, S.lane]);
  f.emit(V.init, S.init, set('o', get('out')), ...forLoop('rl', 'r', i32(0), get('rows'), i32(1), [...body, inc('o', get('ld'))]));
  return f;
}

/** out[0:n] += Σ_r m[r, 0:n] over `rows` rows of stride `ld` bytes. */
function columnSums(relaxed: boolean): Func {
  const f = new Func('col_sums', true);
  for (const p of ['out', 'm', 'rows', 'ld', 'n']) f.param(p);
  f.local('r', 'i32');
  f.local('o', 'i32');
  f.local('jo', 'i32');
  const body = columns('c', relaxed, get('n'), (L) => [L.store(add(get('out'), get('jo')), L.add(L.load(add(get('out'), get('jo'))), L.load(add(get('o'), get('jo')))))]);
  f.emit(set('o', get('m')), ...forLoop('rl', 'r', i32(0), get('rows'), i32(1), [...body, inc('o', get('ld'))]));
  // The sums flushed once at the end (wat/flush.ts), not after every row: the rows (gate
  // gradients) are flushed already, so a partial sum turns subnormal only by cancellation.
  const V = laneFlush(f, vectorLane(relaxed));
  const S = laneFlush(f, scalarLane(relaxed));
  const at = add(get('out'), get('jo'));
  f.emit(V.init, S.init, ...columns('f', relaxed, get('n'), (L) => [L.store(at, (L.width === 4 ? V : S).value(L.load(at)))]));
  return f;
}

/**
 * `rows` rows of `rb` bytes from src (row stride ss bytes) to dst (row stride ds bytes): one time
 * step of a batchFirst layer's output or output gradient, copied while it is in cache. Rows of a
 * multiple of 16 bytes go through v128 loads and stores (a memory.copy call costs more than a short
 * row's worth of vector moves).
 */
function copyRows(): Func {
  const f = new Func('copy_rows', true);
  for (const p of ['src', 'ss', 'dst', 'ds', 'rows', 'rb']) f.param(p);
  f.local('r', 'i32');
  f.local('o', 'i32');
  const vectors = forLoop('cv', 'o', i32(0), get('rb'), i32(16), [`(v128.store align=4 ${add(get('dst'), get('o'))} (v128.load align=4 ${add(get('src'), get('o'))}))`]);
  f.emit(
    ...forLoop('cr', 'r', i32(0), get('rows'), i32(1), [
      `(if (i32.and ${get('rb')} ${i32(15)}) (then (memory.copy ${get('dst')} ${get('src')} ${get('rb')})) (else ${vectors.join(' ')}))`,
      inc('src', get('ss')),
      inc('dst', get('ds')),
    ]),
  );
  return f;
}

/**
 * `rows` rows of `rb` bytes gathered by an int32 index: dst row r = src row index[r] (src's rows rb
 * bytes apart, dst's rows back to back): an embedding's projected table rows in the order of the
 * tokens (rnn/wasmSequence.ts), one call instead of one copy per row from JavaScript.
 */
function gatherRows(): Func {
  const f = new Func('gather_rows', true);
  for (const p of ['dst', 'src', 'index', 'rows', 'rb']) f.param(p);
  f.local('r', 'i32');
  f.local('o', 'i32');
  f.local('s', 'i32');
  const vectors = forLoop('gv', 'o', i32(0), get('rb'), i32(16), [`(v128.store align=4 ${add(get('dst'), get('o'))} (v128.load align=4 ${add(get('s'), get('o'))}))`]);
  f.emit(
    ...forLoop('gr', 'r', i32(0), get('rows'), i32(1), [
      set('s', add(get('src'), mul(`(i32.load align=4 ${add(get('index'), mul(get('r'), i32(4)))})`, get('rb')))),
      `(if (i32.and ${get('rb')} ${i32(15)}) (then (memory.copy ${get('dst')} ${get('s')} ${get('rb')})) (else ${vectors.join(' ')}))`,
      inc('dst', get('rb')),
    ]),
  );
  return f;
}

export function utilFunctions(relaxed: boolean): Func[] {
  return [addRows(relaxed), columnSums(relaxed), copyRows(), gatherRows()];
}
