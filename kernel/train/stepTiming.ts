// Per-step wall times of a fit() run, summarised the way the benchmark peers summarise theirs
// (PyTorch's and TensorFlow.js's scripts: the median step after 3 warm-up steps). The median
// rather than the mean: on a shared 2-core machine a few steps are slowed by other programs,
// the garbage collector or the JIT, and one such step moves a mean of 20 by several percent.

/** Steps left out before the median: the first ones compile code and size buffers. */
export const WARMUP_STEPS = 3;

/** Median wall time of the steps after the warm-up (of all steps when there are no more), ms; NaN without steps. */
export function medianStepMs(stepMs: readonly number[], warmup = WARMUP_STEPS): number {
  const timed = stepMs.length > warmup ? stepMs.slice(warmup) : [...stepMs];
  if (timed.length === 0) return NaN;
  timed.sort((a, b) => a - b);
  const mid = timed.length >> 1;
  return timed.length % 2 === 1 ? timed[mid]! : (timed[mid - 1]! + timed[mid]!) / 2;
}

/** The median step of a run as "12.3 ms/step", or '' without steps. */
export function formatStepTime(stepMs: readonly number[]): string {
  const ms = medianStepMs(stepMs);
  return Number.isNaN(ms) ? '' : formatMsPerStep(ms);
}

/** "4.6 ms/step", "13.4 ms/step", "250 ms/step". */
export function formatMsPerStep(ms: number): string {
  return `${ms < 10 ? ms.toPrecision(2) : ms.toFixed(ms < 100 ? 1 : 0)} ms/step`;
}
