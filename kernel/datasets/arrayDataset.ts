// A dataset whose examples are all held in memory: every generated task builds one of these.

import type { Dataset, Example, InputKind, TargetKind } from './types';

export interface DatasetInfo {
  name: string;
  inputKind: InputKind;
  inputSize: number;
  targetKind: TargetKind;
  targetSize: number;
  padIndex?: number;
}

export class ArrayDataset implements Dataset {
  readonly name: string;
  readonly inputKind: InputKind;
  readonly inputSize: number;
  readonly targetKind: TargetKind;
  readonly targetSize: number;
  readonly padIndex: number;
  readonly examples: readonly Example[];

  constructor(info: DatasetInfo, examples: readonly Example[]) {
    this.name = info.name;
    this.inputKind = info.inputKind;
    this.inputSize = info.inputSize;
    this.targetKind = info.targetKind;
    this.targetSize = info.targetSize;
    this.padIndex = info.padIndex ?? 0;
    this.examples = examples;
  }

  get length(): number {
    return this.examples.length;
  }

  get(index: number): Example {
    const e = this.examples[index];
    if (e === undefined) throw new Error(`${this.name}: index ${index} is out of range for ${this.examples.length} examples`);
    return e;
  }
}

/** Steps in an example's input (T), from its flat length. */
export function inputSteps(ds: Dataset, e: Example): number {
  return ds.inputKind === 'tokens' ? e.input.length : e.input.length / ds.inputSize;
}

/** Steps in an example's target (Ty); 1 for per-example targets. */
export function targetSteps(ds: Dataset, e: Example): number {
  switch (ds.targetKind) {
    case 'tokenSequence':
      return e.target.length;
    case 'valueSequence':
      return e.target.length / ds.targetSize;
    default:
      return 1;
  }
}

/** Checks a count option: a positive integer (or ≥ min). */
export function checkInteger(where: string, name: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`${where}: ${name} must be an integer ≥ ${min}, got ${value}`);
}
