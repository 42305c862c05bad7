// y (N) (+)= W (N,K) · x (K) with W row-major, read where it lies: no packing. A packed GEMV
// (gemm.ts) is faster per use, but the packing costs a few uses' worth and pays back only after
// about a dozen; so a weight that multiplies only a few rows — a batch-1 step of text generation,
// T = 1 — is read in place (wasm/weightOperand.ts decides).
//
// Seven rows at a time, as dot products: per 4 k, one load of x and one of each row, into seven
// f32x4 accumulators; each row's four lanes are summed at the end, (l0 + l1) + (l2 + l3), then
// its k tail (K mod 4) in order. Four rows are too few chains for the multiply-add latency; at
// eight V8 spills an accumulator.

import { flushMinScalar, flushScalar } from './flush';
import { add, forLoop, Func, get, i32, inc, mul, set, sub, vectorLane } from './text';

/** Rows of W per block of the main kernel. */
const BLOCK_ROWS = 7;

/** y[0:R] = (beta ? y : 0) + W[0:R, :]·x for R rows at w, w + ldw, …; K > 0 floats per row. */
function blockKernel(relaxed: boolean, R: number): Func {
  const f = new Func(`gemv_rows_${R}`, false);
  for (const p of ['x', 'w', 'ldw', 'K', 'y', 'beta']) f.param(p);
  for (const l of ['k', 'kv', 'kb', 'xv']) f.local(l, l === 'xv' ? 'v128' : 'i32');
  f.local('xs', 'f32');
  for (let r = 0; r < R; r++) {
    f.local(`c${r}`, 'v128');
    f.local(`s${r}`, 'f32');
    if (r > 0) f.local(`w${r}`, 'i32');
  }
  const row = (r: number): string => (r === 0 ? get('w') : get(`w${r}`));
  const { madd } = vectorLane(relaxed);
  for (let r = 1; r < R; r++) f.emit(set(`w${r}`, add(get('w'), mul(get('ldw'), i32(r)))));
  // Bytes of each row covered by whole vectors, and of the whole row.
  f.emit(set('kb', mul(get('K'), i32(4))), set('kv', `(i32.and ${get('kb')} ${i32(-16)})`));
  const vectorBody = [set('xv', `(v128.load align=4 ${add(get('x'), get('k'))})`)];
  for (let r = 0; r < R; r++) vectorBody.push(set(`c${r}`, madd(get('xv'), `(v128.load align=4 ${add(row(r), get('k'))})`, get(`c${r}`))));
  f.emit(...forLoop('kl', 'k', i32(0), get('kv'), i32(16), vectorBody));
  const lane = (r: number, l: number): string => `(f32x4.extract_lane ${l} ${get(`c${r}`)})`;
  for (let r = 0; r < R; r++) f.emit(set(`s${r}`, `(f32.add (f32.add ${lane(r, 0)} ${lane(r, 1)}) (f32.add ${lane(r, 2)} ${lane(r, 3)}))`));
  const tailBody = [set('xs', `(f32.load ${add(get('x'), get('k'))})`)];
  for (let r = 0; r < R; r++) tailBody.push(set(`s${r}`, `(f32.add ${get(`s${r}`)} (f32.mul (f32.load ${add(row(r), get('k'))}) ${get('xs')}))`));
  f.emit(...forLoop('tl', 'k', get('kv'), get('kb'), i32(4), tailBody));
  // Stores flushed below FLT_MIN when setFlushDenormal is on (wat/flush.ts).
  f.local('fzm', 'f32');
  f.local('fzt', 'f32');
  f.emit(set('fzm', flushMinScalar));
  for (let r = 0; r < R; r++) {
    const at = `offset=${4 * r}`;
    const value = `(select (f32.add (f32.load ${at} ${get('y')}) ${get(`s${r}`)}) ${get(`s${r}`)} ${get('beta')})`;
    f.emit(`(f32.store ${at} ${get('y')} ${flushScalar(value, 'fzm', 'fzt')})`);
  }
  return f;
}

/** y (N) = (beta ? y : 0) + W (N,K)·x (K); W's rows ldw bytes apart. N ≥ 0, K > 0. */
function driver(): Func {
  const f = new Func('gemv_rows', true);
  for (const p of ['x', 'w', 'ldw', 'N', 'K', 'y', 'beta']) f.param(p);
  f.local('j', 'i32');
  f.local('full', 'i32');
  const call = (R: number): string => `(call $gemv_rows_${R} ${get('x')} ${get('w')} ${get('ldw')} ${get('K')} ${get('y')} ${get('beta')})`;
  const next = (R: number): string[] => [inc('w', mul(get('ldw'), i32(R))), inc('y', i32(4 * R))];
  f.emit(set('full', sub(get('N'), `(i32.rem_u ${get('N')} ${i32(BLOCK_ROWS)})`)));
  f.emit(...forLoop('bl', 'j', i32(0), get('full'), i32(BLOCK_ROWS), [call(BLOCK_ROWS), ...next(BLOCK_ROWS)]));
  f.emit(...forLoop('rl', 'j', get('full'), get('N'), i32(1), [call(1), ...next(1)]));
  return f;
}

export function gemvRowsFunctions(relaxed: boolean): Func[] {
  return [blockKernel(relaxed, BLOCK_ROWS), blockKernel(relaxed, 1), driver()];
}
