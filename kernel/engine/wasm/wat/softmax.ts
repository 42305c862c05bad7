// Row-wise softmax for the cross-entropy loss: a vectorised exp instead of a Math.exp call per
// logit.
//
// exp(x) for x ≤ 0 (the logits minus their row maximum) as Cephes' expf: x = n·ln2 + r with
// |r| ≤ ln2/2 (ln2 split in two for an exact reduction), exp(r) by a degree-7 polynomial, 2^n
// built in the exponent bits. Max relative error ≈ 1.2e-7 (1 ulp). Inputs below −87.3 are
// clamped there (exp ≈ 1.2e-38, the smallest normal float) so that 2^n stays a normal number.

import { flushMinScalar, flushMinVector, flushScalar, flushVector } from './flush';
import { add, forLoop, Func, get, i32, inc, mul, set } from './text';

const LOG2E = 1.44269504088896341;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const LOWEST = -87.3365447504;
/** −FLT_MAX: where the row maximum starts (−inf is not a WAT literal here). */
const MIN_FLOAT = -3.4028234663852886e38;
/** exp(r) ≈ 1 + r + r²·P(r), Cephes expf. */
const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

interface ExpOps {
  type: 'v128' | 'f32';
  c(x: number): string;
  add(a: string, b: string): string;
  mul(a: string, b: string): string;
  max(a: string, b: string): string;
  nearest(a: string): string;
  /** 2^n for an integral float n in [−126, 0]: (n + 127) << 23 reinterpreted as float. */
  pow2(n: string): string;
}

const vec: ExpOps = {
  type: 'v128',
  c: (x) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`,
  add: (a, b) => `(f32x4.add ${a} ${b})`,
  mul: (a, b) => `(f32x4.mul ${a} ${b})`,
  max: (a, b) => `(f32x4.pmax ${a} ${b})`,
  nearest: (a) => `(f32x4.nearest ${a})`,
  pow2: (n) => `(i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s ${n}) (v128.const i32x4 127 127 127 127)) (i32.const 23))`,
};

const scalar: ExpOps = {
  type: 'f32',
  c: (x) => `(f32.const ${x})`,
  add: (a, b) => `(f32.add ${a} ${b})`,
  mul: (a, b) => `(f32.mul ${a} ${b})`,
  max: (a, b) => `(f32.max ${a} ${b})`,
  nearest: (a) => `(f32.nearest ${a})`,
  pow2: (n) => `(f32.reinterpret_i32 (i32.shl (i32.add (i32.trunc_sat_f32_s ${n}) (i32.const 127)) (i32.const 23)))`,
};

/** Lines setting local `out` = exp(x) for x ≤ 0 (locals tagged by the lane type). */
function expInto(f: Func, o: ExpOps, x: string, out: string): string[] {
  const t = o.type === 'v128' ? 'v' : 's';
  for (const n of ['ex', 'en', 'er', 'ep']) f.local(`${n}_${t}`, o.type);
  f.local(out, o.type);
  const [ex, en, er, ep] = ['ex', 'en', 'er', 'ep'].map((n) => `${n}_${t}`) as [string, string, string, string];
  const lines = [
    set(ex, o.max(x, o.c(LOWEST))),
    set(en, o.nearest(o.mul(get(ex), o.c(LOG2E)))),
    // r = x − n·ln2_hi − n·ln2_lo
    set(er, o.add(o.add(get(ex), o.mul(get(en), o.c(-LN2_HI))), o.mul(get(en), o.c(-LN2_LO)))),
    set(ep, o.c(P[0]!)),
  ];
  for (let i = 1; i < P.length; i++) lines.push(set(ep, o.add(o.mul(get(ep), get(er)), o.c(P[i]!))));
  // exp(r) = p·r² + r + 1, times 2^n
  lines.push(set(ep, o.add(o.add(o.mul(get(ep), o.mul(get(er), get(er))), get(er)), o.c(1))));
  lines.push(set(out, o.mul(get(ep), o.pow2(get(en)))));
  return lines;
}

/**
 * softmax_rows(x, rows, n, out, stats): for each of `rows` rows of n floats (contiguous, rows
 * back to back) writes out = exp(x − max) / Σ exp(x − max), and stats[2r] = max, stats[2r+1] = Σ
 * (the caller takes log-sum-exp = max + log Σ in float64).
 */
function softmaxRows(): Func {
  const f = new Func('softmax_rows', true);
  for (const p of ['x', 'rows', 'n', 'out', 'stats']) f.param(p);
  for (const l of ['r', 'xo', 'oo', 'jo', 'nb', 'vb']) f.local(l, 'i32');
  for (const l of ['mv', 'zv', 'mm', 'iz']) f.local(l, 'v128');
  for (const l of ['ms', 'zs']) f.local(l, 'f32');
  const lane = (v: string, i: number): string => `(f32x4.extract_lane ${i} ${v})`;
  const xAt = (ptr: string, o: ExpOps): string => (o.type === 'v128' ? `(v128.load align=4 ${ptr})` : `(f32.load ${ptr})`);
  const store = (ptr: string, v: string, o: ExpOps): string => (o.type === 'v128' ? `(v128.store align=4 ${ptr} ${v})` : `(f32.store ${ptr} ${v})`);
  // Vector part [0, vb) bytes, scalar tail [vb, nb).
  const vectorThenScalar = (label: string, body: (o: ExpOps) => string[]): string[] => [
    ...forLoop(`${label}v`, 'jo', i32(0), get('vb'), i32(16), body(vec)),
    ...forLoop(`${label}s`, 'jo', get('vb'), get('nb'), i32(4), body(scalar)),
  ];
  const row = [
    // max
    set('mv', vec.c(MIN_FLOAT)),
    set('ms', scalar.c(MIN_FLOAT)),
    ...vectorThenScalar('m', (o) => (o.type === 'v128' ? [set('mv', vec.max(get('mv'), xAt(add(get('xo'), get('jo')), vec)))] : [set('ms', scalar.max(get('ms'), xAt(add(get('xo'), get('jo')), scalar)))])),
    set('ms', scalar.max(scalar.max(scalar.max(get('ms'), lane(get('mv'), 0)), lane(get('mv'), 1)), scalar.max(lane(get('mv'), 2), lane(get('mv'), 3)))),
    set('mm', `(f32x4.splat ${get('ms')})`),
    // exp(x − max) and its sum
    set('zv', vec.c(0)),
    set('zs', scalar.c(0)),
    ...vectorThenScalar('e', (o) => {
      const v = o.type === 'v128';
      const lines = expInto(f, o, v ? `(f32x4.sub ${xAt(add(get('xo'), get('jo')), o)} ${get('mm')})` : `(f32.sub ${xAt(add(get('xo'), get('jo')), o)} ${get('ms')})`, v ? 'ev' : 'es');
      lines.push(store(add(get('oo'), get('jo')), get(v ? 'ev' : 'es'), o));
      lines.push(v ? set('zv', vec.add(get('zv'), get('ev'))) : set('zs', scalar.add(get('zs'), get('es'))));
      return lines;
    }),
    set('zs', scalar.add(get('zs'), scalar.add(scalar.add(lane(get('zv'), 0), lane(get('zv'), 1)), scalar.add(lane(get('zv'), 2), lane(get('zv'), 3))))),
    `(f32.store ${get('stats')} ${get('ms')})`,
    `(f32.store offset=4 ${get('stats')} ${get('zs')})`,
    // normalise
    set('iz', `(f32x4.splat (f32.div (f32.const 1) ${get('zs')}))`),
    // Probabilities far below the row's largest are subnormal (exp(−88) < FLT_MIN): flushed when
    // setFlushDenormal is on (wat/flush.ts), before the cross-entropy's gradient carries them on.
    ...vectorThenScalar('s', (o) =>
      o.type === 'v128'
        ? [store(add(get('oo'), get('jo')), flushVector(vec.mul(xAt(add(get('oo'), get('jo')), vec), get('iz')), 'fzv', 'fztv'), vec)]
        : [store(add(get('oo'), get('jo')), flushScalar(scalar.mul(xAt(add(get('oo'), get('jo')), scalar), lane(get('iz'), 0)), 'fzs', 'fzts'), scalar)],
    ),
    inc('xo', get('nb')),
    inc('oo', get('nb')),
    inc('stats', i32(8)),
  ];
  f.local('fzv', 'v128');
  f.local('fztv', 'v128');
  f.local('fzs', 'f32');
  f.local('fzts', 'f32');
  f.emit(
    set('fzv', flushMinVector),
    set('fzs', flushMinScalar),
    set('nb', mul(get('n'), i32(4))),
    set('vb', mul(`(i32.and ${get('n')} ${i32(-4)})`, i32(4))),
    set('xo', get('x')),
    set('oo', get('out')),
    ...forLoop('rl', 'r', i32(0), get('rows'), i32(1), row),
  );
  return f;
}

export function softmaxFunctions(): Func[] {
  return [softmaxRows()];
}
