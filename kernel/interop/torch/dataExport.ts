// data.safetensors: the training and validation examples as fit() batches them, and the order
// in which fit() visits the training examples in each epoch.
//
// Examples of a Dataset are stored padded to the longest one (token inputs with the dataset's
// padIndex, features with 0, token targets with −100, value-sequence targets with 0), with their
// lengths; train.py cuts each batch back to its own longest example, so every batch is the very
// tensor kernel/datasets/dataLoader.ts's collate() builds. Padded tensors (TensorData) are
// stored as they are. The order is the engine's: the permutation TrainingLoop draws from
// Generator(seed ^ 0x5bd1e995) at the start of every epoch, so one process replays fit()'s batches.

import { Generator } from '../../engine/index';
import type { TensorData } from '../../train/data';
import { isDataset } from '../../train/data';
import { inputSteps, targetSteps } from '../../datasets/arrayDataset';
import { IGNORE_INDEX, type Dataset } from '../../datasets/types';
import { countSteps } from '../../train/loop';
import type { LoopConfig } from '../../train/options';
import type { TorchObjective } from './objective';
import { float32Tensor, int64Tensor, type TensorValues } from './safetensorsFile';

/** TrainingLoop's shuffle generator is seeded with seed ^ SHUFFLE_SALT (kernel/train/loop.ts). */
export const SHUFFLE_SALT = 0x5bd1e995;

/** At most this many bytes of batch orders; later epochs are shuffled by torch (train.py says so). */
export const MAX_ORDER_BYTES = 64 * 1024 * 1024;

/** What train.py needs to know about one stored split. */
export interface SplitLayout {
  size: number;
  /** Batches are cut to their longest input (and target) as collate() does: examples of a Dataset. */
  trimmed: boolean;
  /** A `lengths` tensor is stored (trimming, or the objective passes lengths to the model). */
  lengths: boolean;
  /** Sequence targets cut to the batch's longest target: `target_lengths` is stored. */
  targetLengths: boolean;
  /** Token ids (int64) rather than features. */
  tokens: boolean;
  /** Shapes, for the README. */
  inputShape: number[];
  targetShape: number[];
}

export interface OrderLayout {
  /** Epochs whose order is stored (rows of train.order). */
  epochs: number;
  /** Whether fit() could run past the stored epochs (maxSteps without an epoch limit, or the size cap). */
  more: boolean;
}

export interface ExportedData {
  tensors: Map<string, TensorValues>;
  train: SplitLayout;
  validation: SplitLayout | null;
  /** null when fit() does not shuffle: the order is 0, 1, 2, … every epoch. */
  order: OrderLayout | null;
  stepsPerEpoch: number;
  totalSteps: number;
}

interface SplitOptions {
  tokens: boolean;
  objective: TorchObjective;
}

function datasetSplit(prefix: string, ds: Dataset, options: SplitOptions, tensors: Map<string, TensorValues>): SplitLayout {
  const n = ds.length;
  if (n === 0) throw new Error(`PyTorch export: the ${prefix} data (${ds.name}) has no examples`);
  const examples = Array.from({ length: n }, (_, i) => ds.get(i));
  const lengths = examples.map((e) => inputSteps(ds, e));
  const targetLengths = examples.map((e) => targetSteps(ds, e));
  const T = Math.max(...lengths);
  const Ty = Math.max(...targetLengths);
  const I = ds.inputSize;
  const features = ds.inputKind === 'features';
  const inputShape = features ? [n, T, I] : [n, T];
  const inputs = new Float32Array(inputShape.reduce((a, b) => a * b, 1)).fill(features ? 0 : ds.padIndex);
  examples.forEach((e, i) => inputs.set(e.input, i * T * (features ? I : 1)));
  tensors.set(`${prefix}.inputs`, options.tokens ? int64Tensor(`${prefix}.inputs`, inputs, inputShape) : float32Tensor(inputs, inputShape));
  tensors.set(`${prefix}.lengths`, int64Tensor(`${prefix}.lengths`, lengths, [n]));

  const O = ds.targetSize;
  const sequence = ds.targetKind === 'tokenSequence' || ds.targetKind === 'valueSequence';
  const targetShape = ds.targetKind === 'class' ? [n] : ds.targetKind === 'value' ? [n, O] : ds.targetKind === 'tokenSequence' ? [n, Ty] : [n, Ty, O];
  const stride = targetShape.slice(1).reduce((a, b) => a * b, 1);
  const targets = new Float32Array(n * stride).fill(ds.targetKind === 'tokenSequence' ? IGNORE_INDEX : 0);
  examples.forEach((e, i) => targets.set(e.target, i * stride));
  const classes = options.objective.loss === 'crossEntropy';
  tensors.set(`${prefix}.targets`, classes ? int64Tensor(`${prefix}.targets`, targets, targetShape) : float32Tensor(targets, targetShape));
  if (sequence) tensors.set(`${prefix}.target_lengths`, int64Tensor(`${prefix}.target_lengths`, targetLengths, [n]));
  return { size: n, trimmed: true, lengths: true, targetLengths: sequence, tokens: options.tokens, inputShape, targetShape };
}

function tensorSplit(prefix: string, data: TensorData, options: SplitOptions, tensors: Map<string, TensorValues>): SplitLayout {
  const n = data.x.shape[0]!;
  const inputShape = [...data.x.shape];
  const targetShape = [...data.y.shape];
  tensors.set(`${prefix}.inputs`, options.tokens ? int64Tensor(`${prefix}.inputs`, data.x.data, inputShape) : float32Tensor(new Float32Array(data.x.data), inputShape));
  const classes = options.objective.loss === 'crossEntropy';
  tensors.set(`${prefix}.targets`, classes ? int64Tensor(`${prefix}.targets`, data.y.data, targetShape) : float32Tensor(new Float32Array(data.y.data), targetShape));
  const lengths = options.objective.lengths;
  if (lengths) {
    const T = data.x.shape[1] ?? 1;
    tensors.set(`${prefix}.lengths`, int64Tensor(`${prefix}.lengths`, Array.from({ length: n }, (_, i) => data.lengths?.[i] ?? T), [n]));
  }
  return { size: n, trimmed: false, lengths, targetLengths: false, tokens: options.tokens, inputShape, targetShape };
}

function split(prefix: string, source: Dataset | TensorData, options: SplitOptions, tensors: Map<string, TensorValues>): SplitLayout {
  return isDataset(source) ? datasetSplit(prefix, source, options, tensors) : tensorSplit(prefix, source, options, tensors);
}

/** fit()'s batch order for the epochs it would run (as many as fit in MAX_ORDER_BYTES). */
function orders(n: number, config: LoopConfig, stepsPerEpoch: number, totalSteps: number, tensors: Map<string, TensorValues>): OrderLayout | null {
  if (!config.shuffle) return null;
  const needed = Math.min(config.epochs, Math.ceil(totalSteps / stepsPerEpoch));
  const fits = Math.max(1, Math.floor(MAX_ORDER_BYTES / (8 * n)));
  const epochs = Math.min(needed, fits);
  const generator = new Generator(config.seed ^ SHUFFLE_SALT);
  const rows = new BigInt64Array(epochs * n);
  for (let e = 0; e < epochs; e++) generator.permutation(n).forEach((index, i) => (rows[e * n + i] = BigInt(index)));
  tensors.set('train.order', { dtype: 'I64', data: rows, shape: [epochs, n] });
  return { epochs, more: epochs < config.epochs };
}

/** The tensors of data.safetensors and how train.py reads them. */
export function exportData(train: Dataset | TensorData, validation: Dataset | TensorData | null, config: LoopConfig, options: SplitOptions): ExportedData {
  const tensors = new Map<string, TensorValues>();
  const trainLayout = split('train', train, options, tensors);
  const validationLayout = validation ? split('validation', validation, options, tensors) : null;
  const { stepsPerEpoch, totalSteps } = countSteps(trainLayout.size, config);
  const order = orders(trainLayout.size, config, stepsPerEpoch, totalSteps, tensors);
  return { tensors, train: trainLayout, validation: validationLayout, order, stepsPerEpoch, totalSteps };
}
