// Training data as the trainer sees it: something that turns example indices into a padded
// batch, and a packed form of it that crosses to workers in shared memory (read, not copied,
// by every data-parallel worker).

import { Tensor } from '../engine/tensor';
import { ArrayDataset } from '../datasets/arrayDataset';
import { collate, DataLoader } from '../datasets/dataLoader';
import { createDataset, type DatasetSpec } from '../datasets/spec';
import type { Batch, Dataset, Example, InputKind, TargetKind } from '../datasets/types';

/** Already padded tensors, one example per row: x is (N,…), y is (N,…). */
export interface TensorData {
  x: Tensor;
  y: Tensor;
  /** Real length of each example's input (default: all of x's second dimension). */
  lengths?: readonly number[];
}

/**
 * What fit() trains and validates on: a Dataset, a DataLoader (which lends its dataset, batch
 * size and shuffling), a DatasetSpec (`{ dataset: 'addingArjovsky', size: 1000, length: 50 }`)
 * or padded tensors.
 */
export type TrainingData = Dataset | DataLoader | DatasetSpec | TensorData;

/** Turns example indices into a batch. */
export interface BatchSource {
  readonly length: number;
  /** Known for datasets; picks the default loss. */
  readonly targetKind: TargetKind | undefined;
  batch(indices: readonly number[]): Batch;
}

export function isDataset(data: unknown): data is Dataset {
  const d = data as Partial<Dataset>;
  return typeof data === 'object' && data !== null && typeof d.get === 'function' && typeof d.length === 'number' && typeof d.inputKind === 'string';
}

function isTensorData(data: unknown): data is TensorData {
  const d = data as Partial<TensorData>;
  return typeof data === 'object' && data !== null && d.x instanceof Tensor && d.y instanceof Tensor;
}

/** The dataset behind `data`, or its tensors, with any DataLoader settings. */
export function resolveData(data: TrainingData, where: string): { source: Dataset | TensorData; loader?: DataLoader } {
  if (data instanceof DataLoader) return { source: data.dataset, loader: data };
  if (typeof data === 'object' && data !== null && typeof (data as Partial<DatasetSpec>).dataset === 'string') return { source: createDataset(data as DatasetSpec) };
  if (isDataset(data)) return { source: data };
  if (isTensorData(data)) {
    const n = data.x.shape[0];
    if (data.x.ndim < 1 || n === undefined || n === 0) throw new Error(`${where}: x must have at least one example in its first dimension`);
    if (data.y.shape[0] !== n) throw new Error(`${where}: x has ${n} examples but y has ${data.y.shape[0] ?? 0} (x is (${data.x.shape}), y is (${data.y.shape}))`);
    if (data.lengths !== undefined && data.lengths.length !== n) throw new Error(`${where}: ${data.lengths.length} lengths for ${n} examples`);
    return { source: data };
  }
  throw new Error(`${where}: expected a Dataset, a DataLoader, a DatasetSpec ({ dataset: 'charCorpus', … }) or { x: Tensor, y: Tensor, lengths? }`);
}

export function batchSource(source: Dataset | TensorData): BatchSource {
  if (isDataset(source)) {
    return { length: source.length, targetKind: source.targetKind, batch: (indices) => collate(source, indices) };
  }
  return tensorBatchSource(source);
}

function rows(t: Tensor, indices: readonly number[]): Tensor {
  const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(indices.length * rowSize);
  indices.forEach((i, r) => out.set(t.data.subarray(i * rowSize, (i + 1) * rowSize), r * rowSize));
  return new Tensor(out, [indices.length, ...t.shape.slice(1)]);
}

function tensorBatchSource(data: TensorData): BatchSource {
  const T = data.x.shape[1] ?? 1;
  const Ty = data.y.ndim >= 2 ? data.y.shape[1]! : 1;
  return {
    length: data.x.shape[0]!,
    targetKind: undefined,
    batch: (indices) => ({
      x: rows(data.x, indices),
      y: rows(data.y, indices),
      lengths: indices.map((i) => data.lengths?.[i] ?? T),
      targetLengths: indices.map(() => Ty),
      indices: [...indices],
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Packed form for workers

interface PackedTensor {
  data: Float32Array;
  shape: number[];
}

export type PackedData =
  | { kind: 'tensors'; x: PackedTensor; y: PackedTensor; lengths?: number[] }
  | {
      kind: 'dataset';
      info: { name: string; inputKind: InputKind; inputSize: number; targetKind: TargetKind; targetSize: number; padIndex: number };
      inputs: Float32Array;
      /** Example i's input is inputs[inputOffsets[i] .. inputOffsets[i+1]). */
      inputOffsets: Int32Array;
      targets: Float32Array;
      targetOffsets: Int32Array;
    };

function sharedCopy(values: Float32Array): Float32Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const out = new Float32Array(new SharedArrayBuffer(values.length * 4));
  out.set(values);
  return out;
}

function sharedInts(values: number[]): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(values.length * 4));
  out.set(values);
  return out;
}

/** Copies the data once into shared memory, in a form any worker can read. */
export function packData(source: Dataset | TensorData): PackedData {
  if (!isDataset(source)) {
    return {
      kind: 'tensors',
      x: { data: sharedCopy(source.x.data), shape: [...source.x.shape] },
      y: { data: sharedCopy(source.y.data), shape: [...source.y.shape] },
      ...(source.lengths !== undefined ? { lengths: [...source.lengths] } : {}),
    };
  }
  const examples: Example[] = [];
  for (let i = 0; i < source.length; i++) examples.push(source.get(i));
  const inputOffsets = [0];
  const targetOffsets = [0];
  for (const e of examples) {
    inputOffsets.push(inputOffsets[inputOffsets.length - 1]! + e.input.length);
    targetOffsets.push(targetOffsets[targetOffsets.length - 1]! + e.target.length);
  }
  const inputs = new Float32Array(new SharedArrayBuffer(inputOffsets[examples.length]! * 4));
  const targets = new Float32Array(new SharedArrayBuffer(targetOffsets[examples.length]! * 4));
  examples.forEach((e, i) => {
    inputs.set(e.input, inputOffsets[i]!);
    targets.set(e.target, targetOffsets[i]!);
  });
  const { name, inputKind, inputSize, targetKind, targetSize, padIndex } = source;
  return {
    kind: 'dataset',
    info: { name, inputKind, inputSize, targetKind, targetSize, padIndex },
    inputs,
    inputOffsets: sharedInts(inputOffsets),
    targets,
    targetOffsets: sharedInts(targetOffsets),
  };
}

/** The data again, on the worker's side (views into the shared memory). */
export function unpackData(packed: PackedData): Dataset | TensorData {
  if (packed.kind === 'tensors') {
    return {
      x: new Tensor(packed.x.data, packed.x.shape),
      y: new Tensor(packed.y.data, packed.y.shape),
      ...(packed.lengths !== undefined ? { lengths: packed.lengths } : {}),
    };
  }
  const examples: Example[] = [];
  for (let i = 0; i + 1 < packed.inputOffsets.length; i++) {
    examples.push({
      input: packed.inputs.subarray(packed.inputOffsets[i]!, packed.inputOffsets[i + 1]!),
      target: packed.targets.subarray(packed.targetOffsets[i]!, packed.targetOffsets[i + 1]!),
    });
  }
  return new ArrayDataset(packed.info, examples);
}
