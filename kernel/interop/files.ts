// Files for moving models out of and into RNN Lab: safetensors with PyTorch's names (the format
// torch and Hugging Face read) and ONNX. Writes are atomic: a temporary file beside the target,
// fsynced, then renamed over it, so an interrupted export never leaves half a file.

import { loadSafetensors, readSafetensorsMetadata, reportNonFinite, saveSafetensors, type Module, type NonFiniteValues, type Tensor } from '../engine/index';
import { host } from '../host/index';
import { exportOnnx, type OnnxExportOptions } from './exportOnnx';
import { loadStateDictInto, type LoadStateOptions, type LoadStateResult } from './stateDict';
import { runningJobFor } from '../train/job';
import { withConsistentWeights } from '../train/worker/sharedWeights';

/** The bytes of a safetensors file holding the model's parameters under PyTorch's names. */
export function modelToSafetensors(model: Module, metadata: Record<string, string> = {}): Uint8Array {
  // One step's weights, whole, while a job trains the model in a worker (it publishes steps as it goes).
  return withConsistentWeights(model, () => saveSafetensors(model.stateDict(), { format: 'pt', 'rnn-lab.model': model.constructor.name, ...metadata }));
}

/** Writes the model's parameters as safetensors (atomically). `torch.nn` models with the same names load it. */
export function saveModel(model: Module, path: string, options: { metadata?: Record<string, string> } = {}): void {
  checkTargetPath('saveModel', path);
  host().files.writeFileAtomic(path, modelToSafetensors(model, options.metadata));
}

export interface LoadModelResult extends LoadStateResult {
  /** The file's `__metadata__`. */
  metadata: Record<string, string>;
}

export interface LoadModelOptions extends LoadStateOptions {
  /**
   * NaN and ±Infinity in the file. 'warn' (default): load them, as torch does, and console.warn
   * (the cell's stderr) names each loaded tensor holding them and how many; 'error': refuse the
   * file, the model unchanged; 'allow': load them quietly.
   */
  nonFinite?: NonFiniteValues;
}

const NON_FINITE_POLICIES: readonly NonFiniteValues[] = ['warn', 'error', 'allow'];

/** Loads safetensors bytes into the model; see loadStateDictInto for the checks and errors. */
export function loadModelFromBytes(model: Module, bytes: Uint8Array, options: LoadModelOptions = {}): LoadModelResult {
  const { nonFinite = 'warn', ...stateOptions } = options;
  const source = options.source ?? 'the safetensors data';
  if (!NON_FINITE_POLICIES.includes(nonFinite)) throw new Error(`Cannot load ${source}: nonFinite must be 'warn', 'error' or 'allow', got ${JSON.stringify(nonFinite)}`);
  // A plain Uint8Array view: Node's Buffer.slice() returns a view instead of a copy, which the
  // engine's reader (it takes slice().buffer as a tensor's storage) does not expect.
  // A job training the model would overwrite what is loaded with its next step, silently.
  const training = runningJobFor(model);
  if (training !== undefined) throw new Error(`Cannot load ${source} into this model: it is training in ${training.id} (${training.name}), whose next step would overwrite the loaded weights; call ${training.id}.stop() and await its done first`);
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let tensors: Record<string, Tensor>;
  try {
    tensors = loadSafetensors(plain, { nonFinite: nonFinite === 'error' ? 'error' : 'allow', source });
  } catch (e) {
    throw new Error(`Cannot load ${source}: ${(e as Error).message}`);
  }
  const result = loadStateDictInto(model, tensors, { ...stateOptions, source });
  // After the load, and only about what was loaded (strict: false may leave tensors out).
  if (nonFinite === 'warn') reportNonFinite(loadedParameters(model, result.loaded), 'warn', source);
  return { ...result, metadata: readSafetensorsMetadata(plain).metadata };
}

function loadedParameters(model: Module, keys: readonly string[]): Map<string, Tensor> {
  const wanted = new Set(keys);
  return new Map([...model.namedParameters()].filter(([name]) => wanted.has(name)));
}

/**
 * Loads a safetensors file (e.g. a PyTorch model's `state_dict()` saved with
 * safetensors.torch.save_file) into the model. Throws a StateDictMismatchError naming every
 * missing, unexpected or mis-shaped key; the model is unchanged then.
 */
export function loadModel(model: Module, path: string, options: LoadModelOptions = {}): LoadModelResult {
  return loadModelFromBytes(model, readModelFile(path), { ...options, source: options.source ?? host().paths.basename(path) });
}

/** The file's bytes, or an error naming it and saying what is in the way (not Node's bare ENOENT). */
function readModelFile(path: string): Uint8Array {
  if (typeof path !== 'string' || path === '') throw new Error(`loadModel: expected the path of a .safetensors file, got ${JSON.stringify(path)}`);
  try {
    return host().files.readFile(path);
  } catch (error) {
    // Said plainly where a look at the path tells why; otherwise the host's own error (a browser
    // page that cannot read it synchronously says to use loadModelAsync).
    let stat: ReturnType<ReturnType<typeof host>['files']['stat']> | undefined;
    try {
      stat = host().files.stat(path);
    } catch {
      throw error;
    }
    if (stat === null) throw new Error(`Cannot load ${path}: there is no such file`);
    if (stat?.isDirectory) throw new Error(`Cannot load ${path}: it is a folder, not a .safetensors file`);
    throw error;
  }
}

/**
 * loadModel that reads the file without blocking: the same checks and result. In a browser page
 * that is not cross-origin isolated this is how a cell loads a file it did not write itself.
 */
export async function loadModelAsync(model: Module, path: string, options: LoadModelOptions = {}): Promise<LoadModelResult> {
  const bytes = await host().files.readFileAsync(path);
  return loadModelFromBytes(model, bytes, { ...options, source: options.source ?? host().paths.basename(path) });
}

/** An empty path would become a temporary file beside the current folder and a rename over it. */
function checkTargetPath(what: string, path: string): void {
  if (typeof path !== 'string' || path.trim() === '') throw new Error(`${what}: expected a file path, got ${JSON.stringify(path)}`);
}

/** Exports the model to ONNX (see exportOnnx) and writes the file atomically. */
export function saveOnnx(model: Module, path: string, options: OnnxExportOptions = {}): void {
  checkTargetPath('saveOnnx', path);
  host().files.writeFileAtomic(path, withConsistentWeights(model, () => exportOnnx(model, options)));
}
