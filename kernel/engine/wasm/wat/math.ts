// tanh and sigmoid for the gate kernels, by a rational approximation (Eigen's fast tanh for
// float): tanh(x) ≈ x·P(x²)/Q(x²) on x clamped to ±7.905, max abs error ≈ 3.7e-7 with mul+add
// and 2.8e-7 with fused multiply-add, |result| ≤ 1. sigmoid(x) = 0.5 + 0.5·tanh(x/2) (abs error
// ≈ 2e-7). Several inputs are evaluated in lock-step, so each coefficient serves all of them.

import { type Func, type Lane, set, get } from './text';

const CLAMP = 7.90531110763549805;
/** Odd numerator coefficients α1 … α13. */
const ALPHA = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
/** Even denominator coefficients β0 … β6. */
const BETA = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6];

/**
 * Emits locals `out[i] = tanh(xs[i])` for all i, interleaved. Locals are named from `tag` and
 * typed by the lane; `xs` are expressions (each evaluated once).
 */
export function tanhInto(f: Func, L: Lane, tag: string, xs: string[], out: string[]): string[] {
  const v = (what: string, i: number): string => `${tag}_${what}${i}_${L.width}`;
  const lines: string[] = [];
  xs.forEach((x, i) => {
    f.local(v('x', i), L.type);
    f.local(v('s', i), L.type);
    f.local(v('p', i), L.type);
    f.local(out[i]!, L.type);
    lines.push(set(v('x', i), L.max(L.min(x, L.const(CLAMP)), L.const(-CLAMP))));
  });
  xs.forEach((_, i) => lines.push(set(v('s', i), L.mul(get(v('x', i)), get(v('x', i))))));
  // Numerator: ((α13·s + α11)·s + …)·s + α1, then ·x
  xs.forEach((_, i) => lines.push(set(v('p', i), L.madd(get(v('s', i)), L.const(ALPHA[6]!), L.const(ALPHA[5]!)))));
  for (let c = 4; c >= 0; c--) xs.forEach((_, i) => lines.push(set(v('p', i), L.madd(get(v('p', i)), get(v('s', i)), L.const(ALPHA[c]!)))));
  xs.forEach((_, i) => lines.push(set(v('p', i), L.mul(get(v('p', i)), get(v('x', i))))));
  // Denominator: ((β6·s + β4)·s + β2)·s + β0, reusing x's local
  xs.forEach((_, i) => lines.push(set(v('x', i), L.madd(get(v('s', i)), L.const(BETA[3]!), L.const(BETA[2]!)))));
  for (let c = 1; c >= 0; c--) xs.forEach((_, i) => lines.push(set(v('x', i), L.madd(get(v('x', i)), get(v('s', i)), L.const(BETA[c]!)))));
  xs.forEach((_, i) => lines.push(set(out[i]!, L.div(get(v('p', i)), get(v('x', i))))));
  return lines;
}

/** `out[i] = sigmoid(xs[i])` (or tanh where `tanhMask[i]`), all in lock-step. */
export function gatesInto(f: Func, L: Lane, tag: string, xs: string[], tanhMask: boolean[], out: string[]): string[] {
  const half = L.const(0.5);
  const args = xs.map((x, i) => (tanhMask[i] ? x : L.mul(x, half)));
  const lines = tanhInto(f, L, tag, args, out);
  xs.forEach((_, i) => {
    if (!tanhMask[i]) lines.push(set(out[i]!, L.madd(get(out[i]!), half, half)));
  });
  return lines;
}
