// The data and options of each model's last fit() call, so that "Export Training to PyTorch…"
// can export the experiment as it was last run. Weakly held: a model that is gone takes its
// record with it, and the record keeps no model alive.

import type { Module } from '../engine/module';
import type { TrainingData } from './data';
import type { FitOptions } from './types';

export interface FitCall {
  data: TrainingData;
  options: FitOptions;
}

const lastFits = new WeakMap<Module, FitCall>();

/** Records a fit() call (fit() calls this once its options are checked). */
export function rememberFit(model: Module, data: TrainingData, options: FitOptions): void {
  lastFits.set(model, { data, options });
}

/** The model's last fit() call in this kernel, or undefined. */
export function lastFitOf(model: Module): FitCall | undefined {
  return lastFits.get(model);
}
