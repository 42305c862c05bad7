// The engine's exports by name: how an engine class or function crosses to a worker (by name,
// not by source) and what user code sees as its globals there.

import * as engine from '../engine/index';
import * as datasets from '../datasets/index';
import * as seq2seq from '../seq2seq/index';

// Everything of 'rnn-lab' that a model can be built from (kernel/api.ts minus the trainer itself,
// which would make an import cycle and which a model never holds).
export const engineExports: Readonly<Record<string, unknown>> = { ...engine, ...datasets, ...seq2seq };

const nameByValue = new Map<unknown, string>();
for (const [name, value] of Object.entries(engineExports)) {
  if (typeof value === 'function' && !nameByValue.has(value)) nameByValue.set(value, name);
}

const sourceOf = (f: unknown): string => Function.prototype.toString.call(f);

/**
 * The engine export name of a class or function, or undefined for user code. Besides identity,
 * a function with an export's name and the same source counts (another copy of the same engine
 * build loaded into the kernel, e.g. through `require('rnn-lab')`).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function engineExportName(value: Function): string | undefined {
  const byIdentity = nameByValue.get(value);
  if (byIdentity !== undefined) return byIdentity;
  const candidate = engineExports[value.name];
  if (typeof candidate === 'function' && sourceOf(candidate) === sourceOf(value)) return value.name;
  return undefined;
}

export function engineExport(name: string): unknown {
  if (!(name in engineExports)) throw new Error(`The training worker's engine has no export named '${name}'`);
  return engineExports[name];
}
