// Time series for forecasting: a pure sine, or a noisy sum of sines at several frequencies,
// cut into windows. Each example's input is a window (W,1) of observed values; its target is
// the next `horizon` values ('next') or the window shifted by one step ('shifted', one-step
// prediction at every position, (W,1)).

import { defaultGenerator, type Generator } from '../engine/rng';
import { ArrayDataset, checkInteger, type DatasetInfo } from './arrayDataset';
import type { Example } from './types';

export interface SineComponent {
  /** Period in steps. */
  period: number;
  amplitude: number;
  /** Phase in radians; drawn from U[0, 2π) when omitted. */
  phase?: number;
}

export interface TimeSeriesOptions {
  /** 'sine': one component; 'multiFrequency': several (default components below) plus noise. */
  kind: 'sine' | 'multiFrequency';
  /** Length of the whole series. */
  steps: number;
  /** Input window length W. */
  window: number;
  /** Values predicted after each window ('next' target). Default 1. */
  horizon?: number;
  /** Steps between consecutive window starts. Default 1. */
  stride?: number;
  target?: 'next' | 'shifted';
  /** Standard deviation of Gaussian noise added to every value. Default 0 (sine), 0.1 (multiFrequency). */
  noise?: number;
  /** Sine period in steps (kind 'sine'). Default 50. */
  period?: number;
  /** Components (kind 'multiFrequency'). Default periods 50, 23, 11 with amplitudes 1, 0.5, 0.25. */
  components?: SineComponent[];
  generator?: Generator;
}

export const DEFAULT_COMPONENTS: readonly SineComponent[] = [
  { period: 50, amplitude: 1 },
  { period: 23, amplitude: 0.5 },
  { period: 11, amplitude: 0.25 },
];

/** The windows together with the series they were cut from. */
export class TimeSeriesDataset extends ArrayDataset {
  constructor(
    info: DatasetInfo,
    examples: readonly Example[],
    /** The observed series (with noise). */
    readonly series: Float32Array,
    /** The series without noise. */
    readonly clean: Float32Array,
    /** The components actually used (phases filled in). */
    readonly components: readonly Required<SineComponent>[],
    /** Start of each example's window in the series. */
    readonly starts: readonly number[],
  ) {
    super(info, examples);
  }
}

export function timeSeries(options: TimeSeriesOptions): TimeSeriesDataset {
  const where = 'timeSeries';
  const { steps, window: W } = options;
  const horizon = options.horizon ?? 1;
  const stride = options.stride ?? 1;
  const targetMode = options.target ?? 'next';
  checkInteger(where, 'steps', steps);
  checkInteger(where, 'window', W);
  checkInteger(where, 'horizon', horizon);
  checkInteger(where, 'stride', stride);
  const ahead = targetMode === 'next' ? horizon : 1;
  if (W + ahead > steps) throw new Error(`${where}: window ${W} + ${ahead} does not fit in ${steps} steps`);
  const gen = options.generator ?? defaultGenerator;
  const noise = options.noise ?? (options.kind === 'sine' ? 0 : 0.1);
  const base: readonly SineComponent[] = options.kind === 'sine' ? [{ period: options.period ?? 50, amplitude: 1 }] : (options.components ?? DEFAULT_COMPONENTS);
  const components = base.map((c) => ({ period: c.period, amplitude: c.amplitude, phase: c.phase ?? gen.uniform(0, 2 * Math.PI) }));

  const clean = new Float32Array(steps);
  const series = new Float32Array(steps);
  for (let t = 0; t < steps; t++) {
    let v = 0;
    for (const c of components) v += c.amplitude * Math.sin((2 * Math.PI * t) / c.period + c.phase);
    clean[t] = v;
    series[t] = noise > 0 ? v + gen.normal(0, noise) : v;
  }

  const examples: Example[] = [];
  const starts: number[] = [];
  for (let s = 0; s + W + ahead <= steps; s += stride) {
    const input = series.slice(s, s + W); // (W,1)
    const target = targetMode === 'next' ? series.slice(s + W, s + W + horizon) : series.slice(s + 1, s + W + 1);
    examples.push({ input, target });
    starts.push(s);
  }
  const info: DatasetInfo = {
    name: `${options.kind === 'sine' ? 'sine' : 'multi-frequency'} series (window ${W})`,
    inputKind: 'features',
    inputSize: 1,
    targetKind: targetMode === 'next' ? 'value' : 'valueSequence',
    targetSize: targetMode === 'next' ? horizon : 1,
  };
  return new TimeSeriesDataset(info, examples, series, clean, components, starts);
}
