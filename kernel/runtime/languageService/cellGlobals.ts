// What every notebook cell sees without an import: the display helpers (runtime.ts) and the
// cells' timers (cellTimers.ts). Declarations only, for the type checker: scripts/build-types.mjs
// turns these exports into globals (dist/types/cell-globals.d.ts), which the kernel's language
// service gives every cell. The plot helpers' types are checked against their implementations at
// the end of this file (npm run typecheck); the names against the runtime's by
// test/unit/kernel-language-service.test.ts.
import type { displayValue, DisplayHandle, DisplayOptions } from '../display';
import type * as plots from '../plotHelpers';
import type { BarOptions, HeatmapOptions, LineOptions, SeriesInput, TableCell } from '../plotHelpers';
import type { RichOutput } from '../repr';
import type { Tensor } from '../../engine/tensor';

export type { BarOptions, DisplayHandle, DisplayOptions, HeatmapOptions, LineOptions, RichOutput, SeriesInput, TableCell };

/**
 * Shows `value` in this cell's output now (a plot, a table, a tensor, a model, any value), and
 * returns a handle: `handle.update(newValue)` replaces that output in place, also after the cell
 * has finished. `{ displayId }` lets several displays be updated together.
 *
 *     const h = display(plotLoss(losses));
 *     for (…) { …; h.update(plotLoss(losses)); }
 */
export declare function display(value: unknown, options?: DisplayOptions): DisplayHandle;

/**
 * A loss curve (x: step, y: loss): one series (an array or a 1-D tensor), several named ones
 * (`{ train, val }`; names starting with val/valid/test are dashed), or full series objects.
 * Shown when it is the cell's last expression, or with display().
 */
export declare function plotLoss(loss: SeriesInput, options?: LineOptions): RichOutput;

/** Lines: one series, several named ones (`{ a: [...], b: tensor }`), or full series objects. */
export declare function plotLines(series: SeriesInput, options?: LineOptions): RichOutput;

/**
 * ‖∂L/∂h_t‖ against the time step t, on a log axis: a vanishing gradient shows as a slope. The
 * norms come from an instrumented recurrent layer (`layer.instrument = true`, then
 * `layer.trace.directions.l0.gradNorm` after backward()).
 */
export declare function plotGradNorm(norms: SeriesInput, options?: LineOptions): RichOutput;

/**
 * A heatmap of a 2-D array or tensor (rows, cols); leading dimensions of size 1 are dropped.
 * `transpose: true` draws a (T,H) hidden-state tensor as units × time. Signed values get a
 * diverging scale, non-negative ones a sequential scale.
 */
export declare function heatmap(z: number[][] | Tensor, options?: HeatmapOptions): RichOutput;

/** A bar chart: one value per category, or several named series (`stacked` to stack them). */
export declare function bars(categories: string[], values: ArrayLike<number> | Record<string, ArrayLike<number>>, options?: BarOptions): RichOutput;

/** A table: rows as objects (columns are their keys) or as arrays (then give `options.columns`). */
export declare function table(rows: Record<string, TableCell>[] | TableCell[][], options?: { columns?: string[]; title?: string }): RichOutput;

/** Markdown text, rendered. */
export declare function markdown(text: string): RichOutput;

/** HTML, rendered (in the HTML report it is sanitized). */
export declare function html(text: string): RichOutput;

/** A timer of a cell: Node's Timeout. */
export interface Timeout {
  /** Keep the kernel's event loop alive while the timer is pending (the default). */
  ref(): this;
  unref(): this;
  hasRef(): boolean;
  /** Restart the timer with its original delay. */
  refresh(): this;
  [Symbol.toPrimitive](): number;
  [Symbol.dispose](): void;
}

/** An immediate of a cell: Node's Immediate. */
export interface Immediate {
  ref(): this;
  unref(): this;
  hasRef(): boolean;
  [Symbol.dispose](): void;
}

/**
 * Node's setTimeout, tracked per cell: the callback runs as the cell that scheduled it (its
 * output goes there), and an interrupt, a reset or a restart clears it.
 */
export declare function setTimeout<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): Timeout;
// As @types/node: `new Promise((resolve) => setTimeout(resolve, 10))`.
export declare function setTimeout(callback: (_: void) => void, ms?: number): Timeout;
/** Node's setInterval, tracked per cell (an interrupt, a reset or a restart clears it). */
export declare function setInterval<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): Timeout;
/** Node's setImmediate, tracked per cell (an interrupt, a reset or a restart clears it). */
export declare function setImmediate<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Immediate;
export declare function setImmediate(callback: (_: void) => void): Immediate;
export declare function clearTimeout(timer: Timeout | string | number | undefined): void;
export declare function clearInterval(timer: Timeout | string | number | undefined): void;
export declare function clearImmediate(immediate: Immediate | undefined): void;

/** `import.meta` in a cell: the notebook's folder (relative URLs resolve against it). */
export interface ImportMeta {
  /** file: URL of the notebook. */
  url: string;
  /** The notebook's folder. */
  dirname: string;
}

// The declarations above have the implementations' types (a difference fails npm run typecheck).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true[]> = T;
type DropFirst<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;
// eslint-disable-next-line @typescript-eslint/no-unused-vars
type SameAsImplementations = Check<
  [
    Same<typeof plotLoss, typeof plots.plotLoss>,
    Same<typeof plotLines, typeof plots.plotLines>,
    Same<typeof plotGradNorm, typeof plots.plotGradNorm>,
    Same<typeof heatmap, typeof plots.heatmap>,
    Same<typeof bars, typeof plots.bars>,
    Same<typeof table, typeof plots.table>,
    Same<typeof markdown, typeof plots.markdown>,
    Same<typeof html, typeof plots.html>,
    Same<Parameters<typeof display>, DropFirst<Parameters<typeof displayValue>>>,
    Same<ReturnType<typeof display>, ReturnType<typeof displayValue>>,
  ]
>;
