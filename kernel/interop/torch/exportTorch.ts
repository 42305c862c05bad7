// exportTorch(model, data, options, dir): an experiment handed to PyTorch's distributed trainer.
// `data` and `options` are those of fit(model, data, options); the folder gets model.py,
// weights.safetensors, data.safetensors, train.py, safetensors_io.py and README.md (see the
// repository's README, "Moving to PyTorch and ONNX"). Recognition first (the model, the
// objective, the optimizer and schedule), then the files: an export that cannot be done writes
// nothing.

import { getFlushDenormal, type Module } from '../../engine/index';
import { host } from '../../host/index';
import { batchSource, isDataset, resolveData, type TensorData, type TrainingData } from '../../train/data';
import { inputSteps } from '../../datasets/arrayDataset';
import type { Dataset } from '../../datasets/types';
import { resolveConfig } from '../../train/options';
import { withConsistentWeights } from '../../train/worker/sharedWeights';
import type { FitOptions } from '../../train/types';
import { modelToSafetensors } from '../files';
import type { OnnxModelSpec } from '../spec';
import { exportData } from './dataExport';
import { modelPy } from './modelPy';
import { recognizeObjective } from './objective';
import { fitOptimizer, optimizerCall, scheduleOf } from './optimizerPy';
import { readmeMd } from './readmeMd';
import { encodeSafetensors } from './safetensorsFile';
import { SAFETENSORS_IO_PY } from './safetensorsIoPy';
import { dropoutChildren, recognizeTorchModel, type TorchModelStructure } from './structure';
import { describeTraining, trainPy, type TrainPlan } from './trainPy';

export interface ExportTorchOptions {
  /** What the model computes, when the exporter cannot recognise it (as exportOnnx's spec option). */
  spec?: OnnxModelSpec;
}

export interface ExportTorchResult {
  /** The folder written (absolute). */
  path: string;
  /** The files in it, with their sizes in bytes. */
  files: { name: string; bytes: number }[];
  /** All the files' bytes. */
  bytes: number;
  /** How to run it: `torchrun --standalone --nproc_per_node=2 train.py`. */
  command: string;
  /** What train.py does, in one paragraph (the options fit() was given, in PyTorch's terms). */
  summary: string;
}

/** Each training example's input length, as collate() and the probe see it. */
function exampleLengths(source: Dataset | TensorData): number[] {
  if (isDataset(source)) return Array.from({ length: source.length }, (_, i) => inputSteps(source, source.get(i)));
  const T = source.x.shape[1] ?? 1;
  return Array.from({ length: source.x.shape[0]! }, (_, i) => source.lengths?.[i] ?? T);
}

/** Whether the model's input is token ids (an Embedding reads it). */
function readsTokens(structure: TorchModelStructure): boolean {
  return structure.kind === 'seq2seq' || structure.spec.embedding != null;
}

/** The checkpoint name train.py writes: fit()'s checkpoint.path's file name, `{step}` kept. */
function checkpointName(options: FitOptions): string | null {
  const path = options.checkpoint?.path;
  if (path === undefined) return null;
  return host().paths.basename(path).replace(/[{}]/g, (brace) => brace + brace).replace(/\{\{step\}\}/g, '{step}');
}

/** Everything train.py is written from, found before any file is written. */
function plan(model: Module, data: TrainingData, options: FitOptions, exportOptions: ExportTorchOptions): TrainPlan {
  const structure = recognizeTorchModel(model, exportOptions.spec);
  const dropping = dropoutChildren(structure);
  if (dropping.length) {
    const list = dropping.map((d) => `${d.owner}.${d.name} (p=${d.p})`).join(', ');
    throw new Error(`PyTorch export: ${list} ${dropping.length > 1 ? 'are Dropout layers' : 'is a Dropout layer'} whose place in forward cannot be read from the model; train.py would leave ${dropping.length > 1 ? 'them' : 'it'} out. Use the recurrent layer's dropout option, or p = 0`);
  }
  const train = resolveData(data, 'exportTorch: data');
  const validation = options.validation !== undefined ? resolveData(options.validation, 'exportTorch: validation') : undefined;
  // The options are checked as fit() checks them; the workers option does not apply (torchrun starts the processes).
  const config = resolveConfig(options, train.loader, validation !== undefined, { cores: Number.MAX_SAFE_INTEGER, warn: () => undefined });
  if (config.tbptt !== null) {
    throw new Error(`PyTorch export: train.py trains on whole sequences, and fit's tbptt (k1 = ${config.tbptt.k1}, k2 = ${config.tbptt.k2}) is not written into it; leave tbptt out to export`);
  }
  const objective = recognizeObjective(
    model,
    structure,
    { source: batchSource(train.source), lengths: exampleLengths(train.source), targetKind: isDataset(train.source) ? train.source.targetKind : undefined },
    config,
    options.forwardLoss ?? null,
  );
  const optimizer = fitOptimizer(model, options, config);
  const optimizerCode = optimizerCall(optimizer); // before the schedule, which may change the optimizer's lr
  const schedule = scheduleOf(options, optimizer);
  const exported = exportData(train.source, validation?.source ?? null, config, { tokens: readsTokens(structure), objective });
  return { structure, objective, data: exported, config, optimizer: optimizerCode, schedule, flushDenormal: getFlushDenormal(), checkpointName: checkpointName(options) };
}

/**
 * Writes `dir` (created if needed; files in it with these names are replaced): the model, its
 * weights, the data and a train.py that trains it under torchrun as fit(model, data, options)
 * would. Throws, writing nothing, when the model, the loss or an option has no PyTorch form,
 * with a message naming it.
 */
export async function exportTorch<M extends Module>(model: M, data: TrainingData, options: FitOptions<M>, dir: string, exportOptions: ExportTorchOptions = {}): Promise<ExportTorchResult> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`exportTorch: dir must be a folder path, got ${String(dir)}`);
  const { files: disk, paths, process } = host();
  const target = paths.resolve(process.cwd(), dir);
  const fitOptions = options as FitOptions;
  const { contents, summary } = withConsistentWeights(model, () => {
    const p = plan(model, data, fitOptions, exportOptions);
    const files = new Map<string, Uint8Array | string>([
      ['model.py', modelPy(p.structure, { lengths: p.objective.lengths })],
      ['train.py', trainPy(p)],
      ['safetensors_io.py', SAFETENSORS_IO_PY],
      ['README.md', readmeMd(p)],
      ['weights.safetensors', modelToSafetensors(model)],
      ['data.safetensors', encodeSafetensors(p.data.tensors, { format: 'rnn-lab-torch-data-1', 'rnn-lab.model': model.constructor.name })],
    ]);
    return { contents: files, summary: describeTraining(p) };
  });
  disk.mkdir(target);
  const files: ExportTorchResult['files'] = [];
  for (const [name, content] of contents) {
    const file = paths.join(target, name);
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    try {
      disk.writeFileAtomic(file, bytes);
    } catch (error) {
      throw new Error(`exportTorch: cannot write ${file}: ${(error as Error).message}`);
    }
    files.push({ name, bytes: bytes.length });
  }
  // In the browser the writes land later: a failure is still this export's.
  await disk.settled()?.catch((error: unknown) => {
    throw new Error(`exportTorch: cannot write into ${target}: ${(error as Error).message}`);
  });
  return { path: target, files, bytes: files.reduce((n, f) => n + f.bytes, 0), command: 'torchrun --standalone --nproc_per_node=2 train.py', summary };
}

