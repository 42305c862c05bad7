// Names that cells gave to engine exports (`import { LSTM as L } from 'rnn-lab'`,
// `import * as rl from 'rnn-lab'`): the worker binds them too, so a class written with those
// names works there. The cell scope is the kernel's globalThis unless the runtime says otherwise.

import { engineExportName } from './engineClasses';

let scopeProvider: () => object = () => globalThis;

/** Lets the runtime say where cell-level names live (if not on globalThis). */
export function setCellScopeProvider(provider: () => object): void {
  scopeProvider = provider;
}

/** name → engine export name, or '*' for the whole engine namespace. */
export type EngineAliases = Record<string, string>;

function isEngineNamespace(value: object): boolean {
  const m = (value as { Module?: unknown; Tensor?: unknown }).Module;
  const t = (value as { Tensor?: unknown }).Tensor;
  return typeof m === 'function' && typeof t === 'function' && engineExportName(m) === 'Module' && engineExportName(t) === 'Tensor';
}

export function engineAliases(): EngineAliases {
  const scope = scopeProvider() as Record<string, unknown>;
  const out: EngineAliases = {};
  for (const name of Object.keys(scope)) {
    let value: unknown;
    try {
      value = scope[name];
    } catch {
      continue; // a throwing getter on the scope is none of our business
    }
    if (typeof value === 'function') {
      const exported = engineExportName(value);
      if (exported !== undefined && exported !== name) out[name] = exported;
    } else if (typeof value === 'object' && value !== null && isEngineNamespace(value)) {
      out[name] = '*';
    }
  }
  return out;
}

/** The cell variable that holds `value` (e.g. 'model'), to name a job the way the person does. */
export function scopeNameOf(value: object): string | undefined {
  const scope = scopeProvider() as Record<string, unknown>;
  for (const name of Object.keys(scope)) {
    try {
      if (scope[name] === value) return name;
    } catch {
      // ignore throwing getters
    }
  }
  return undefined;
}
