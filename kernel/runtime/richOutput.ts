// What the display helpers (plotLoss, table, …) return: a value that is its own MIME bundle.
import { inspect } from 'node:util';
import type { MimeBundle } from '../protocol';

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
