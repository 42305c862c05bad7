import { describe, expect, it } from 'vitest';
import { Generator } from '../../kernel/engine/rng';
import { timeSeries } from '../../kernel/datasets';

describe('time series', () => {
  it('a sine has the given period, mean 0 and variance 1/2 over whole periods', () => {
    const ds = timeSeries({ kind: 'sine', steps: 1000, window: 20, period: 50, generator: new Generator(1) });
    const { series, components } = ds;
    const phase = components[0]!.phase;
    for (let t = 0; t < series.length; t += 37) expect(series[t]).toBeCloseTo(Math.sin((2 * Math.PI * t) / 50 + phase), 5);
    let mean = 0;
    let sq = 0;
    for (const v of series) {
      mean += v;
      sq += v * v;
    }
    expect(mean / series.length).toBeCloseTo(0, 4);
    expect(sq / series.length).toBeCloseTo(0.5, 4);
    for (let t = 0; t + 50 < series.length; t += 13) expect(series[t + 50]).toBeCloseTo(series[t]!, 4);
  });

  it('multi-frequency noise has the requested standard deviation, and the clean part is the sum of components', () => {
    const ds = timeSeries({ kind: 'multiFrequency', steps: 20_000, window: 10, noise: 0.2, generator: new Generator(2) });
    let sq = 0;
    for (let t = 0; t < ds.series.length; t++) sq += (ds.series[t]! - ds.clean[t]!) ** 2;
    expect(Math.sqrt(sq / ds.series.length)).toBeCloseTo(0.2, 2);
    expect(ds.components.map((c) => c.period)).toEqual([50, 23, 11]);
    const t = 1234;
    const expected = ds.components.reduce((s, c) => s + c.amplitude * Math.sin((2 * Math.PI * t) / c.period + c.phase), 0);
    expect(ds.clean[t]).toBeCloseTo(expected, 5);
  });

  it('windows are cut from the series, with the next values or the shifted window as target', () => {
    const next = timeSeries({ kind: 'multiFrequency', steps: 300, window: 16, horizon: 3, stride: 5, generator: new Generator(3) });
    expect(next.targetKind).toBe('value');
    expect(next.targetSize).toBe(3);
    expect(next.length).toBe(Math.floor((300 - 16 - 3) / 5) + 1);
    next.starts.forEach((s, i) => {
      const { input, target } = next.get(i);
      expect(Array.from(input)).toEqual(Array.from(next.series.subarray(s, s + 16)));
      expect(Array.from(target)).toEqual(Array.from(next.series.subarray(s + 16, s + 19)));
    });
    const shifted = timeSeries({ kind: 'sine', steps: 100, window: 8, target: 'shifted', generator: new Generator(3) });
    expect(shifted.targetKind).toBe('valueSequence');
    const { input, target } = shifted.get(4);
    expect(Array.from(target.subarray(0, 7))).toEqual(Array.from(input.subarray(1)));
    expect(target[7]).toBe(shifted.series[4 + 8]);
  });

  it('is reproducible from the seed', () => {
    const a = timeSeries({ kind: 'multiFrequency', steps: 200, window: 10, generator: new Generator(9) });
    const b = timeSeries({ kind: 'multiFrequency', steps: 200, window: 10, generator: new Generator(9) });
    expect(a.series).toEqual(b.series);
  });
});
