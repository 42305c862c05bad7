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
  try {
    return readCheckpoint(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot load the checkpoint ${path}: ${reason.replace(/^Cannot load [^:]*: /, '')}`);
  }
}

function readCheckpoint(path: string): Checkpoint {
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
    const saved = parseOptimizerMetadata(metadata.optimizer) as { paramGroups: OptimizerStateDictInput['paramGroups']; scalars: Record<string, Record<string, number>> };
    for (const [index, entry] of Object.entries(saved.scalars)) Object.assign((optimizerTensors[index] ??= {}), entry);
    optimizer = { state: optimizerTensors, paramGroups: saved.paramGroups };
  }
  const num = (key: string): number | null => {
    const text = metadata[key];
    if (text === undefined || text === 'null') return null;
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (Number.isNaN(value) && text !== 'NaN') throw new Error(`its metadata '${key}' is ${JSON.stringify(text)}, not a number`);
    return value;
  };
  return { stateDict, optimizer, step: num('step'), epoch: num('epoch'), loss: num('loss'), metadata };
}

/** The optimizer's metadata (JSON: paramGroups and per-parameter scalars), or an error saying what is wrong with it. */
function parseOptimizerMetadata(text: string): unknown {
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch (error) {
    throw new Error(`its metadata 'optimizer' is not JSON (${(error as Error).message})`);
  }
  const fields = saved as { paramGroups?: unknown; scalars?: unknown } | null;
  if (typeof fields !== 'object' || fields === null || !Array.isArray(fields.paramGroups) || typeof fields.scalars !== 'object' || fields.scalars === null) {
    throw new Error("its metadata 'optimizer' is not an optimizer's state (expected { paramGroups: […], scalars: {…} })");
  }
  return saved;
}
