// Axes for the static plots: a value range, where each value falls along the axis, and the ticks
// to label. Linear axes get "nice" steps (1, 2 or 5 × 10^k); log axes label decades, and 2 and 5
// inside them when the range is short, with the same spacing rule as the plotly figures.
import { logTickSpacing } from '../figures';
import type { Label } from './markup';

export interface Tick {
  value: number;
  label: Label;
}

export interface Axis {
  lo: number;
  hi: number;
  log: boolean;
  /** Where `v` falls, 0 at lo and 1 at hi (outside [0,1] when v is out of range). */
  fraction(v: number): number;
  ticks: Tick[];
  /** Unlabelled grid lines (between decades on a log axis). */
  minorGrid: number[];
}

/** 1, 2 or 5 × 10^k, the nearest to `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const p = 10 ** Math.floor(Math.log10(rough));
  const f = rough / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/** Removes float noise: 0.1 * 3 → 0.3. */
function clean(v: number): number {
  return Number.parseFloat(v.toPrecision(12));
}

/** Multiples of `step` in [lo, hi]. */
export function stepTicks(lo: number, hi: number, step: number): number[] {
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let i = first; i <= last; i++) values.push(clean(i * step));
  return values;
}

const MINUS = '\u2212';

/** A tick value written with as many decimals as its step needs; SI suffixes from 10 000 up. */
export function formatTick(v: number, step: number): string {
  const abs = Math.abs(v);
  if (abs < step * 1e-6 || abs === 0) return '0';
  let s: string;
  if (abs >= 1e4 && step >= 1) {
    const [unit, suffix] = abs >= 1e12 ? [1e12, 'T'] : abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
    s = (v / unit).toFixed(decimalsFor(step / unit)) + suffix;
  } else if (abs < 1e-3 || abs >= 1e15) {
    const digits = Math.max(0, Math.min(6, Math.floor(Math.log10(abs)) - Math.floor(Math.log10(step) + 1e-9)));
    s = v.toExponential(digits).replace('e+', 'e');
  } else {
    s = v.toFixed(decimalsFor(step));
  }
  return s.replace(/-/g, MINUS);
}

function decimalsFor(step: number): number {
  return Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9)));
}

/**
 * A linear axis over [lo, hi] widened by `pad` (a fraction of the span) on each side, with about
 * `target` ticks. A single value gets a range around it.
 */
export function linearAxis(lo: number, hi: number, options: { pad?: number; target: number; includeZero?: boolean }): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (options.includeZero) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
  if (lo === hi) {
    const d = Math.abs(lo) * 0.1 || 1;
    [lo, hi] = [lo - d, hi + d];
  } else {
    const p = (hi - lo) * (options.pad ?? 0);
    // A range that starts at 0 (bars, fractions) stays at 0.
    [lo, hi] = [lo === 0 && options.includeZero ? 0 : lo - p, hi === 0 && options.includeZero ? 0 : hi + p];
  }
  const step = niceStep((hi - lo) / Math.max(1, options.target));
  const ticks = stepTicks(lo, hi, step).map((value) => ({ value, label: formatTick(value, step) }));
  return { lo, hi, log: false, fraction: (v) => (v - lo) / (hi - lo), ticks, minorGrid: [] };
}

function decade(k: number, m = 1): number {
  return Number.parseFloat(`${m}e${k}`);
}

/** m·10^k as a label: plain ("0.02", "100", "10k") for modest exponents, else m×10 with a superscript. */
function decadeLabel(k: number, m: number, plain: boolean): Label {
  if (plain || k === 0 || k === 1) return formatTick(decade(k, m), decade(k));
  // 2×10⁻⁴ in full, as the plotly figures write it: a bare "2" would read as 2.
  return { base: m === 1 ? '10' : `${m}×10`, sup: k < 0 ? `${MINUS}${-k}` : String(k) };
}

/**
 * A log axis over the positive values [lo, hi], padded by `pad` of its span in log space.
 * Labels: under one decade plain nice values, up to three decades 1, 2 and 5 of each, beyond
 * that every decade (or every n-th, so that about eight are written).
 */
export function logAxis(lo: number, hi: number, options: { pad?: number } = {}): Axis {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [1, 10];
  let a = Math.log10(Math.min(lo, hi));
  let b = Math.log10(Math.max(lo, hi));
  if (b - a < 1e-9) [a, b] = [a - 0.5, b + 0.5];
  const p = (b - a) * (options.pad ?? 0);
  [a, b] = [a - p, b + p];
  const fraction = (v: number): number => (Math.log10(v) - a) / (b - a);
  const min = 10 ** a;
  const max = 10 ** b;
  const inRange = (v: number): boolean => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const spacing = logTickSpacing(b - a);
  const ticks: Tick[] = [];
  const minorGrid: number[] = [];
  const kFirst = Math.floor(a);
  const kLast = Math.ceil(b);
  const plain = kFirst >= -3 && kLast <= 5;
  if (spacing.labels === 'auto') {
    const step = niceStep((max - min) / 5);
    for (const value of stepTicks(min, max, step)) if (value > 0) ticks.push({ value, label: formatTick(value, step) });
  } else if (spacing.labels === '1-2-5') {
    for (let k = kFirst; k <= kLast; k++) {
      for (let m = 1; m <= 9; m++) {
        const value = decade(k, m);
        if (!inRange(value)) continue;
        if (m === 1) ticks.push({ value, label: decadeLabel(k, 1, plain) });
        else if (m === 2 || m === 5) ticks.push({ value, label: decadeLabel(k, m, plain) });
        else minorGrid.push(value);
      }
    }
  } else {
    // A few decades: faint lines at 2…9 too, so that the eye can read values between labels.
    const between = spacing.every === 1 && b - a <= 6;
    for (let k = kFirst; k <= kLast; k++) {
      if (between) for (let m = 2; m <= 9; m++) if (inRange(decade(k, m))) minorGrid.push(decade(k, m));
      const value = decade(k);
      if (!inRange(value)) continue;
      if (k % spacing.every === 0) ticks.push({ value, label: decadeLabel(k, 1, plain) });
      else minorGrid.push(value);
    }
  }
  return { lo: min, hi: max, log: true, fraction, ticks, minorGrid };
}
