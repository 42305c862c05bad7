// What a model is, for the PyTorch export: the ONNX exporter's recognition (spec.ts: which
// composition of Embedding, recurrent layer, attention and Linear its forward computes, checked
// on a probe), plus the attribute names of those parts, and the seq2seq model built from an
// encoder and a decoder that each are such a composition. model.py is written from this.

import { Dropout, GRU, Module, RNNBase } from '../../engine/index';
import { Seq2Seq } from '../../seq2seq/model';
import { checkSpec, recognizeModel, type OnnxModelSpec, type OnnxSequenceSpec, type OnnxStepSpec } from '../spec';

/** The attribute names of a composition's parts on its module (null: the part is absent). */
export interface PartNames {
  embedding: string | null;
  /** '' when the module is the recurrent layer itself. */
  recurrent: string;
  head: string | null;
  combine: string | null;
  /** Dropout children (identity in eval mode; see dropoutChildren). */
  dropouts: { name: string; p: number }[];
}

/** [Embedding] → RNN/LSTM/GRU → [Linear on every output or on h_n[-1]]; or a bare recurrent layer. */
export interface SequenceModel {
  kind: 'sequence';
  module: Module;
  /** The Python class name: the RNN Lab class's. */
  className: string;
  /** The module is an RNN, LSTM or GRU itself (model.py subclasses torch's layer). */
  bare: boolean;
  spec: OnnxSequenceSpec;
  names: PartNames;
}

/** A decoder step: [Embedding] → one recurrent step → [Luong dot attention] → [Linear]. */
export interface StepModel {
  kind: 'step';
  module: Module;
  className: string;
  spec: OnnxStepSpec;
  names: PartNames;
}

/** RNN Lab's Seq2Seq (kernel/seq2seq): an encoder and a decoder trained with teacher forcing. */
export interface Seq2SeqModel {
  kind: 'seq2seq';
  module: Seq2Seq;
  className: string;
  encoder: { name: string; model: SequenceModel };
  decoder: { name: string; model: StepModel };
  sos: number;
  pad: number;
}

export type TorchModelStructure = SequenceModel | StepModel | Seq2SeqModel;

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
/** Names model.py itself uses at the top level. */
const TAKEN = new Set(['torch', 'nn', 'pack_padded_sequence', 'pad_packed_sequence']);

/** The Python class name for a module: its RNN Lab class name when that is a usable identifier. */
function pythonClassName(module: Module, fallback: string): string {
  const name = module.constructor.name;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name) && !TAKEN.has(name) ? name : fallback;
}

/** The ONNX exporter's message, as the PyTorch export's own (same reasons, same hints). */
function asTorchError(error: unknown): Error {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^ONNX export: /, '');
  return new Error(`PyTorch export: ${message.replace(/exportOnnx\(/g, 'exportTorch(')}`);
}

function childName(module: Module, part: Module | null | undefined, what: string): string | null {
  if (part == null) return null;
  if (part === module) return '';
  const found = [...module.namedChildren()].find(([, m]) => m === part);
  if (!found) throw new Error(`PyTorch export: the spec's ${what} (${part.constructor.name}) is not a direct child of ${module.constructor.name}; model.py keeps attribute names, so the parts must be attributes of the model`);
  return found[0];
}

function partNames(module: Module, spec: OnnxModelSpec): PartNames {
  return {
    embedding: childName(module, spec.embedding, 'embedding'),
    recurrent: childName(module, spec.recurrent, 'recurrent layer')!,
    head: childName(module, spec.head, 'head'),
    combine: spec.kind === 'step' ? childName(module, spec.attention?.combine, 'attention combine') : null,
    dropouts: [...module.namedChildren()].filter(([, m]) => m instanceof Dropout).map(([name, m]) => ({ name, p: (m as Dropout).p })),
  };
}

/** Refuses what torch.nn has no layer for. */
function checkTorchLayers(spec: OnnxModelSpec, owner: string): void {
  const rnn: RNNBase = spec.recurrent;
  if (rnn instanceof GRU && !rnn.resetAfter) {
    throw new Error(`PyTorch export: ${owner} has a GRU with resetAfter: false (Cho et al. 2014, n = tanh(W_in x + W_hn (r ⊙ h))), which torch.nn.GRU does not compute; use the default resetAfter: true (PyTorch's GRU)`);
  }
}

function fromSpec(module: Module, spec: OnnxModelSpec, fallbackName: string): SequenceModel | StepModel {
  checkSpec(spec);
  checkTorchLayers(spec, module.constructor.name);
  const className = pythonClassName(module, fallbackName);
  const names = partNames(module, spec);
  if (spec.kind === 'step') return { kind: 'step', module, className, spec, names };
  return { kind: 'sequence', module, className, bare: module === spec.recurrent, spec, names };
}

/**
 * Recognises the model as the ONNX exporter does (or from `spec`), and a Seq2Seq as its encoder
 * and decoder. Throws the exporter's message, naming the model's children, when it cannot.
 */
export function recognizeTorchModel(model: Module, spec?: OnnxModelSpec): TorchModelStructure {
  if (!(model instanceof Module)) throw new Error('PyTorch export: the first argument must be a Module (a model)');
  if (model instanceof Seq2Seq && spec === undefined) {
    const encoder = recognizePart(model.encoder, 'Encoder');
    const decoder = recognizePart(model.decoder, 'Decoder');
    if (encoder.kind !== 'sequence' || encoder.spec.head) throw new Error(`PyTorch export: ${model.constructor.name}.encoder must be [Embedding] → RNN/LSTM/GRU without a head, got ${encoder.kind}`);
    if (decoder.kind !== 'step') throw new Error(`PyTorch export: ${model.constructor.name}.decoder must compute one decoder step, got a ${decoder.kind} model`);
    if (encoder.className === decoder.className) decoder.className = `${decoder.className}Step`;
    return {
      kind: 'seq2seq',
      module: model,
      className: pythonClassName(model, 'Seq2Seq'),
      encoder: { name: 'encoder', model: encoder },
      decoder: { name: 'decoder', model: decoder },
      sos: model.sos,
      pad: model.pad,
    };
  }
  try {
    return fromSpec(model, spec ?? recognizeModel(model), 'Model');
  } catch (error) {
    throw asTorchError(error);
  }
}

function recognizePart(part: Module, fallbackName: string): SequenceModel | StepModel {
  try {
    return fromSpec(part, recognizeModel(part), fallbackName);
  } catch (error) {
    throw asTorchError(error);
  }
}

/** The modules of a structure that carry dropout in training (Dropout children, recurrent dropout). */
export function dropoutChildren(structure: TorchModelStructure): { owner: string; name: string; p: number }[] {
  const parts = structure.kind === 'seq2seq' ? [structure.encoder.model, structure.decoder.model] : [structure];
  return parts.flatMap((m) => m.names.dropouts.filter((d) => d.p > 0).map((d) => ({ owner: m.className, ...d })));
}
