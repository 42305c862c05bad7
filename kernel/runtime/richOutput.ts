// What the display helpers (plotLoss, table, …) return: a value that is its own MIME bundle.
import type { MimeBundle } from '../protocol';

/** Node's util.inspect.custom (a registered symbol: the browser host's inspect honours it too). */
const INSPECT_CUSTOM = Symbol.for('nodejs.util.inspect.custom');

/** A value that is its own MIME bundle: what the display helpers (plotLoss, table, …) return. */
export class RichOutput {
  constructor(readonly bundle: MimeBundle) {}

  toMimeBundle(): MimeBundle {
    return this.bundle;
  }

  toString(): string {
    return String(this.bundle['text/plain'] ?? '');
  }

  [INSPECT_CUSTOM](): string {
    return this.toString();
  }
}
