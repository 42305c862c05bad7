// display() and its handles: `const h = display(plotLoss(losses)); … h.update(plotLoss(losses))`
// replaces the output in place, wherever it is (also after the cell finished).
import type { OutputRouter } from './output';
import { toMimeBundle } from './repr';
import { host } from '../host/index';

export interface DisplayOptions {
  /** Reuse an id to let several displays be updated together; default: a fresh id. */
  displayId?: string;
}

export class DisplayHandle {
  constructor(
    readonly displayId: string,
    private readonly router: OutputRouter,
    private readonly executionId: string | null,
  ) {}

  /** Replaces what this display shows. */
  update(value: unknown): void {
    this.router.emit({ type: 'update', data: toMimeBundle(value), displayId: this.displayId }, this.executionId);
  }

  /** Shows the value again as a new output with the same id (updated together from then on). */
  display(value: unknown): DisplayHandle {
    return displayValue(this.router, value, { displayId: this.displayId });
  }

  toString(): string {
    return `DisplayHandle(${this.displayId})`;
  }
}

export function displayValue(router: OutputRouter, value: unknown, options: DisplayOptions = {}): DisplayHandle {
  const displayId = options.displayId ?? host().randomUUID();
  const executionId = router.currentExecutionId();
  router.emit({ type: 'display', data: toMimeBundle(value), displayId }, executionId);
  return new DisplayHandle(displayId, router, executionId);
}
