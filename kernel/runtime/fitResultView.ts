// How `await job.done` shows as a cell's result: a summary (how it ended, steps, final and best
// loss, time per step) over the loss curve, instead of an object with every step's loss; the whole
// result stays one click away as JSON (VS Code's "Change Presentation" on the output).
import type { MimeBundle } from '../protocol';
import type { FitResult } from '../train/types';
import { plotLoss } from './plotHelpers';

export function isFitResult(value: unknown): value is FitResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<FitResult>;
  return (r.status === 'done' || r.status === 'stopped') && typeof r.steps === 'number' && Array.isArray(r.losses) && Array.isArray(r.stepMs) && typeof r.message === 'string';
}

export function fitResultBundle(result: FitResult): MimeBundle {
  const series: Record<string, number[]> = { train: result.losses };
  const curve = plotLoss(series, { title: result.message }).toMimeBundle();
  return {
    ...curve,
    'application/json': result as unknown as MimeBundle[string],
    'text/plain': summaryText(result),
  };
}

function summaryText(r: FitResult): string {
  const lines = [`FitResult: ${r.message}`];
  const last = r.losses.at(-1);
  const facts = [`${r.steps} steps`, `${r.epochs} epochs`];
  if (last !== undefined) facts.push(`final loss ${last.toPrecision(4)}`);
  const lastVal = r.valLosses.at(-1);
  if (lastVal) facts.push(`validation loss ${lastVal[1].toPrecision(4)}`);
  if (r.best) facts.push(`best ${r.best.value.toPrecision(4)} at epoch ${r.best.epoch}${r.best.restored ? ' (restored)' : ''}`);
  facts.push(`${(r.durationMs / 1000).toFixed(1)} s`);
  lines.push(`  ${facts.join(' · ')}`);
  if (r.checkpoints.length > 0) lines.push(`  checkpoints: ${r.checkpoints.join(', ')}`);
  lines.push('  (losses, stepMs, valLosses, valMetrics: properties of the result)');
  return lines.join('\n');
}
