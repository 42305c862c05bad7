import { describe, expect, it } from 'vitest';
import { formatStepTime, medianStepMs, WARMUP_STEPS } from '../../kernel/train/stepTiming';

describe('fit() step times', () => {
  it('takes the median of the steps after the warm-up, as the benchmark peers do', () => {
    expect(WARMUP_STEPS).toBe(3);
    // The three slow first steps are left out; one slow step later does not move the median.
    expect(medianStepMs([90, 40, 30, 10, 12, 11, 50])).toBe(11.5);
    expect(medianStepMs([90, 40, 30, 10, 12, 11])).toBe(11);
    expect(medianStepMs([5, 7])).toBe(6); // no more steps than the warm-up: all of them
    expect(medianStepMs([])).toBeNaN();
    expect(medianStepMs([9, 1, 2, 3], 0)).toBe(2.5);
  });

  it('formats the median for a message', () => {
    expect(formatStepTime([1, 1, 1, 4.567])).toBe('4.6 ms/step');
    expect(formatStepTime([1, 1, 1, 13.44])).toBe('13.4 ms/step');
    expect(formatStepTime([1, 1, 1, 250.4])).toBe('250 ms/step');
    expect(formatStepTime([])).toBe('');
  });
});
