// Checkpoints: the model's weights (PyTorch state-dict names) and the optimizer's state in one
// safetensors file, written atomically. Metadata (all strings, as the format wants) records the
// step, epoch and loss, and the optimizer's hyperparameters.

import type { Module, StateDict } from '../engine/module';
import type { Optimizer, OptimizerStateDict, OptimizerStateDictInput } from '../engine/optim/index';
import { loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '../engine/safetensors';
import { Tensor } from '../engine/tensor';
import { host } from '../host/index';
import type { CheckpointMeta } from './loop';

const OPTIMIZER_PREFIX = '__optimizer__.';

export function writeCheckpoint(path: string, model: Module, optimizer: Optimizer, meta: CheckpointMeta): void {
  const tensors: Record<string, Tensor> = {};
  for (const [name, p] of model.namedParameters()) tensors[name] = new Tensor(p.data, p.shape);
  const opt: OptimizerStateDict = optimizer.stateDict();
  const scalars: Record<string, Record<string, number>> = {};
  for (const [index, entry] of Object.entries(opt.state)) {
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value === 'number') (scalars[index] ??= {})[key] = value;
      else tensors[`${OPTIMIZER_PREFIX}${index}.${key}`] = value;
    }
  }
  const metadata: Record<string, string> = {
    format: 'rnn-lab-checkpoint-1',
    step: String(meta.step),
    epoch: String(meta.epoch),
    loss: String(meta.loss),
    optimizer: JSON.stringify({ className: optimizer.constructor.name, paramGroups: opt.paramGroups, scalars }),
  };
  host().files.writeFileAtomic(path, saveSafetensors(tensors, metadata));
}

export interface Checkpoint {
  /** Parameters by PyTorch name: `model.loadStateDict(ck.stateDict)`. */
  stateDict: StateDict;
  /** For `optimizer.loadStateDict(ck.optimizer)`; null in files written by other tools. */
  optimizer: OptimizerStateDictInput | null;
  step: number | null;
  epoch: number | null;
  loss: number | null;
  metadata: Record<string, string>;
}

/** Reads a checkpoint written by fit() (or any safetensors file of a model's weights). */
export function loadCheckpoint(path: string): Checkpoint {
  // A plain Uint8Array (the host's promise): Buffer#slice makes views, not copies, which
  // loadSafetensors (engine) does not expect.
  const bytes = host().files.readFile(path);
  const tensors = loadSafetensors(bytes);
  const { metadata } = readSafetensorsMetadata(bytes);
  const stateDict: StateDict = {};
  const optimizerTensors: Record<string, Record<string, Tensor | number>> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) {
      stateDict[name] = t;
      continue;
    }
    const rest = name.slice(OPTIMIZER_PREFIX.length);
    const dot = rest.indexOf('.');
    (optimizerTensors[rest.slice(0, dot)] ??= {})[rest.slice(dot + 1)] = t;
  }
  let optimizer: OptimizerStateDictInput | null = null;
  if (metadata.optimizer !== undefined) {
    const saved = JSON.parse(metadata.optimizer) as { paramGroups: OptimizerStateDictInput['paramGroups']; scalars: Record<string, Record<string, number>> };
    for (const [index, entry] of Object.entries(saved.scalars)) Object.assign((optimizerTensors[index] ??= {}), entry);
    optimizer = { state: optimizerTensors, paramGroups: saved.paramGroups };
  }
  const num = (key: string): number | null => (metadata[key] === undefined || metadata[key] === 'null' ? null : Number(metadata[key]));
  return { stateDict, optimizer, step: num('step'), epoch: num('epoch'), loss: num('loss'), metadata };
}
