// How a value shows as a cell output: a MIME bundle with a readable text/plain, plus RNN Lab's own
// JSON for tensors and modules (and anything built by the display helpers).
import { inspect } from 'node:util';
import { Module, Tensor } from './engine';
import { RnnLabMime, type MimeBundle } from '../protocol';
import { moduleSummary, tensorSummary } from './summaries';

/** A value that is its own MIME bundle: what the display helpers (plotLoss, table, …) return. */
export class RichOutput {
  constructor(readonly bundle: MimeBundle) {}

  toMimeBundle(): MimeBundle {
    return this.bundle;
  }

  toString(): string {
    return String(this.bundle['text/plain'] ?? '');
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

interface HasMimeBundle {
  toMimeBundle(): MimeBundle;
}

function hasMimeBundle(value: unknown): value is HasMimeBundle {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HasMimeBundle>).toMimeBundle === 'function';
}

export function toMimeBundle(value: unknown): MimeBundle {
  if (hasMimeBundle(value)) return value.toMimeBundle();
  if (value instanceof Tensor) {
    return { 'text/plain': value.toString(), [RnnLabMime.tensor]: tensorSummary(value) };
  }
  if (value instanceof Module) {
    const count = value.numParameters().toLocaleString('en-US');
    return { 'text/plain': `${value.toString()}\n${count} parameters`, [RnnLabMime.module]: moduleSummary(value) };
  }
  return { 'text/plain': plainText(value) };
}

export function plainText(value: unknown): string {
  return inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}
