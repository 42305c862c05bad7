// model.py: the model as a torch.nn.Module with the RNN Lab model's attribute names (so its
// state dict has the same keys and weights.safetensors loads with strict=True), written from
// the recognised structure (structure.ts). `lengths` says whether forward takes each row's
// length (packed sequences, as the RNN Lab layers' `lengths` option): the training objective
// decides (objective.ts).

import { Embedding, Linear, RNNBase } from '../../engine/index';
import { block, call, cls, docstring, float, int, kw, method, pythonModule, str, type Lines } from './python';
import type { PartNames, Seq2SeqModel, SequenceModel, StepModel, TorchModelStructure } from './structure';

export interface ModelPyOptions {
  /** forward(x, lengths): rows of different lengths run as packed sequences. */
  lengths: boolean;
}

/** The import names model.py needs, collected while its code is written. */
class Imports {
  torch = false;
  pack = false;
  pad = false;

  lines(): Lines[] {
    const fromRnn = [this.pack ? 'pack_padded_sequence' : null, this.pad ? 'pad_packed_sequence' : null].filter((n): n is string => n !== null);
    return [
      [...(this.torch ? ['import torch'] : []), 'from torch import nn', ...(fromRnn.length ? [`from torch.nn.utils.rnn import ${fromRnn.join(', ')}`] : [])],
    ];
  }
}

function embeddingLayer(e: Embedding): string {
  return `nn.Embedding(${[int(e.numEmbeddings), int(e.embeddingDim), ...(e.paddingIdx !== undefined ? [kw('padding_idx', int(e.paddingIdx))] : [])].join(', ')})`;
}

function linearLayer(l: Linear): string {
  return `nn.Linear(${[int(l.inFeatures), int(l.outFeatures), ...(l.bias === null ? [kw('bias', 'False')] : [])].join(', ')})`;
}

/** torch's class for a recurrent layer: nn.RNN, nn.LSTM or nn.GRU. */
export function torchRecurrentClass(rnn: RNNBase): string {
  return rnn.cell.kind === 'lstm' ? 'nn.LSTM' : rnn.cell.kind === 'gru' ? 'nn.GRU' : 'nn.RNN';
}

/** The constructor arguments of torch's layer with the same settings (defaults left out). */
export function recurrentArgs(rnn: RNNBase): string[] {
  return [
    int(rnn.inputSize),
    int(rnn.hiddenSize),
    ...(rnn.numLayers !== 1 ? [kw('num_layers', int(rnn.numLayers))] : []),
    ...(rnn.cell.kind === 'rnn' && rnn.cell.nonlinearity === 'relu' ? [kw('nonlinearity', str('relu'))] : []),
    ...(!rnn.bias ? [kw('bias', 'False')] : []),
    ...(rnn.batchFirst ? [kw('batch_first', 'True')] : []),
    ...(rnn.dropout !== 0 ? [kw('dropout', float(rnn.dropout))] : []),
    ...(rnn.bidirectional ? [kw('bidirectional', 'True')] : []),
  ];
}

/** The `self.x = nn.…(…)` lines of __init__, in the RNN Lab model's attribute order. */
function initBody(model: SequenceModel | StepModel): string[] {
  const { spec, names } = model;
  const layers = new Map<string, string>();
  if (names.embedding !== null) layers.set(names.embedding, embeddingLayer(spec.embedding!));
  layers.set(names.recurrent, `${torchRecurrentClass(spec.recurrent)}(${recurrentArgs(spec.recurrent).join(', ')})`);
  if (names.combine !== null && spec.kind === 'step') layers.set(names.combine, linearLayer(spec.attention!.combine));
  if (names.head !== null) layers.set(names.head, linearLayer(spec.head!));
  for (const d of names.dropouts) layers.set(d.name, `nn.Dropout(${float(d.p)})`);
  const order = [...model.module.namedChildren()].map(([name]) => name).filter((name) => layers.has(name));
  return ['super().__init__()', ...order.flatMap((name) => splitAssign(`self.${name}`, layers.get(name)!))];
}

/** `target = nn.Layer(args)`, split as black would when long. */
function splitAssign(target: string, expression: string): string[] {
  const open = expression.indexOf('(');
  const args = splitArgs(expression.slice(open + 1, -1));
  return call(`${target} = `, expression.slice(0, open), args, 2);
}

function splitArgs(text: string): string[] {
  return text === '' ? [] : text.split(', ');
}

function stateHidden(rnn: RNNBase, state: string): string {
  return rnn.cell.kind === 'lstm' ? `${state}[0]` : state;
}

function describeShape(dims: (string | number)[]): string {
  return `(${dims.join(', ')})`;
}

/** forward of [Embedding] → recurrent → [head], reading `lengths` when asked. */
function sequenceForward(model: SequenceModel, lengths: boolean, imports: Imports): string[] {
  const { spec, names } = model;
  const rnn = spec.recurrent;
  const bf = rnn.batchFirst;
  const input = spec.embedding ? 'tokens' : 'x';
  const seq = bf ? ['N', 'T'] : ['T', 'N'];
  const inShape = spec.embedding ? describeShape(seq) : describeShape([...seq, rnn.inputSize]);
  const layer = `self.${names.recurrent}`;
  const embedded = spec.embedding ? `self.${names.embedding}(${input})` : input;
  const body: string[] = [];
  let rnnInput = embedded;
  if (lengths) {
    imports.pack = true;
    body.push(...call('packed = ', 'pack_padded_sequence', [embedded, 'lengths', ...(bf ? [kw('batch_first', 'True')] : []), kw('enforce_sorted', 'False')], 2));
    rnnInput = 'packed';
  }
  const padBack = (): string[] => {
    imports.pad = true;
    return call('output, _ = ', 'pad_packed_sequence', ['output', ...(bf ? [kw('batch_first', 'True')] : []), kw('total_length', `${input}.shape[${bf ? 1 : 0}]`)], 2);
  };
  const lengthsDoc = lengths ? ' (each row read up to its length)' : '';
  let doc: string;
  if (spec.head && spec.headOn === 'lastHidden') {
    const state = rnn.cell.kind === 'lstm' ? '(h, _)' : 'h';
    body.push(`_, ${state} = ${layer}(${rnnInput})`);
    body.push(`return self.${names.head}(h[-1])`);
    doc = `${input} ${inShape} → (N, ${spec.head.outFeatures}) from the last layer's final hidden state h[-1]${lengthsDoc}.`;
  } else {
    body.push(`output, ${spec.head ? '_' : 'state'} = ${layer}(${rnnInput})`);
    if (lengths) body.push(...padBack());
    const D = rnn.numDirections * rnn.hiddenSize;
    if (spec.head) {
      body.push(`return self.${names.head}(output)`);
      doc = `${input} ${inShape} → ${describeShape([...seq, spec.head.outFeatures])} at every step${lengthsDoc}.`;
    } else {
      body.push('return output, state');
      doc = `${input} ${inShape} → output ${describeShape([...seq, D])} and the final state${lengthsDoc}.`;
    }
  }
  return method('forward', [input, ...(lengths ? ['lengths'] : [])], doc, body);
}

/** A bare recurrent layer: torch's own class, with forward packing rows by their lengths when asked. */
function bareLayer(model: SequenceModel, lengths: boolean, imports: Imports): string[] {
  const rnn = model.spec.recurrent;
  const base = torchRecurrentClass(rnn);
  const init = method('__init__', [], null, call('', 'super().__init__', recurrentArgs(rnn), 2));
  const members: Lines[] = [init];
  if (lengths) {
    imports.pack = true;
    imports.pad = true;
    const bf = rnn.batchFirst;
    members.push(
      method('forward', ['x', 'lengths'], 'Runs each row of x up to its length (packed), as RNN Lab does with `lengths`.', [
        ...call('packed = ', 'pack_padded_sequence', ['x', 'lengths', ...(bf ? [kw('batch_first', 'True')] : []), kw('enforce_sorted', 'False')], 2),
        'output, state = super().forward(packed)',
        ...call('output, _ = ', 'pad_packed_sequence', ['output', ...(bf ? [kw('batch_first', 'True')] : []), kw('total_length', `x.shape[${bf ? 1 : 0}]`)], 2),
        'return output, state',
      ]),
    );
  }
  const doc = `RNN Lab's ${rnn.constructor.name}(${rnn.inputSize}, ${rnn.hiddenSize}) as torch's own layer, with the same settings and weights.`;
  return cls(model.className, base, doc, members);
}

function sequenceClass(model: SequenceModel, lengths: boolean, imports: Imports): string[] {
  if (model.bare) return bareLayer(model, lengths, imports);
  return cls(model.className, 'nn.Module', null, [method('__init__', [], null, initBody(model)), sequenceForward(model, lengths, imports)]);
}

/** One decoder step, with Luong dot attention when the structure has it. */
function stepClass(model: StepModel, imports: Imports): string[] {
  const { spec, names } = model;
  const rnn = spec.recurrent;
  const attending = spec.attention != null && names.combine !== null;
  const input = spec.embedding ? 'tokens' : 'x';
  const embedded = spec.embedding ? `self.${names.embedding}(${input})` : input;
  const step = `${embedded}.unsqueeze(${rnn.batchFirst ? 1 : 0})`;
  const body: string[] = [];
  const H = rnn.hiddenSize;
  if (attending) {
    imports.torch = true;
    body.push(`_, state = self.${names.recurrent}(${step}, state)`);
    body.push(`top = ${stateHidden(rnn, 'state')}[-1]  # (N, ${H}): the last layer's new hidden state`);
    body.push('scores = torch.bmm(memory, top.unsqueeze(2)).squeeze(2) + mask  # (N, S)');
    body.push('weights = torch.softmax(scores, dim=-1)');
    body.push('context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)  # (N, H)');
    body.push(...call('attentional = ', 'torch.tanh', [`self.${names.combine}(torch.cat([context, top], dim=1))`], 2));
    body.push(spec.head ? `return self.${names.head}(attentional), state` : 'return attentional, state');
  } else if (spec.head) {
    body.push(`_, state = self.${names.recurrent}(${step}, state)`);
    body.push(`return self.${names.head}(${stateHidden(rnn, 'state')}[-1]), state`);
  } else {
    body.push(`output, state = self.${names.recurrent}(${step}, state)`);
    body.push(`return output.squeeze(${rnn.batchFirst ? 1 : 0}), state`);
  }
  const out = spec.head ? `logits (N, ${spec.head.outFeatures})` : `the output (N, ${rnn.numDirections * H})`;
  const stateDoc = rnn.cell.kind === 'lstm' ? 'state (h, c)' : 'state h';
  const doc = attending
    ? `One step: the previous ${spec.embedding ? 'tokens (N,)' : `inputs (N, ${rnn.inputSize})`} and the ${stateDoc} → ${out} and the new state.\n\n` +
      `memory (N, S, ${H}) holds the encoder's outputs and mask (N, S) is 0 at real source positions and -1e9 at padding: Luong et al. (2015), global attention with the dot score.`
    : `One step: the previous ${spec.embedding ? 'tokens (N,)' : `inputs (N, ${rnn.inputSize})`} and the ${stateDoc} → ${out} and the new state.`;
  const params = [input, 'state', ...(attending ? ['memory', 'mask'] : [])];
  return cls(model.className, 'nn.Module', null, [method('__init__', [], null, initBody(model)), method('forward', params, doc, body)]);
}

function seq2seqClass(model: Seq2SeqModel, imports: Imports): string[] {
  imports.torch = true;
  const enc = model.encoder;
  const dec = model.decoder;
  const attending = dec.model.spec.attention != null;
  const init = method('__init__', [], null, ['super().__init__()', `self.${enc.name} = ${enc.model.className}()`, `self.${dec.name} = ${dec.model.className}()`]);
  const body: string[] = [];
  if (attending) {
    body.push(`memory, state = self.${enc.name}(src, lengths)`);
    body.push('padding = torch.arange(src.shape[1]) >= torch.as_tensor(lengths)[:, None]');
    body.push('mask = torch.zeros(src.shape).masked_fill(padding, -1e9).to(src.device)');
  } else body.push(`_, state = self.${enc.name}(src, lengths)`);
  body.push(`tokens = torch.full_like(target[:, 0], ${int(model.sos)})  # <sos>`);
  body.push('steps = []');
  const feed =
    model.pad === 0
      ? ['tokens = target[:, t].clamp(min=0)  # padding (-100) goes in as <pad> (0)']
      : [`tokens = torch.where(target[:, t] >= 0, target[:, t], ${int(model.pad)})  # padding goes in as <pad>`];
  body.push(
    ...block('for t in range(target.shape[1])', [
      `logits, state = self.${dec.name}(tokens, state${attending ? ', memory, mask' : ''})`,
      'steps.append(logits)',
      ...feed,
    ]),
  );
  body.push('return torch.stack(steps, dim=1)');
  const doc =
    'src (N, S) with lengths (N), target (N, Ty) → logits (N, Ty, V) at every target step.\n\n' +
    `Teacher forcing: the decoder reads <sos> (${model.sos}) first, then the true previous target token.`;
  return cls(model.className, 'nn.Module', 'An encoder–decoder trained with teacher forcing, as RNN Lab\'s Seq2Seq.', [init, method('forward', ['src', 'lengths', 'target'], doc, body)]);
}

/** The Python class (or classes, for a seq2seq model) of a structure, last one the model's. */
function classes(structure: TorchModelStructure, options: ModelPyOptions, imports: Imports): string[][] {
  switch (structure.kind) {
    case 'sequence':
      return [sequenceClass(structure, options.lengths, imports)];
    case 'step':
      return [stepClass(structure, imports)];
    case 'seq2seq':
      return [sequenceClass(structure.encoder.model, true, imports), stepClass(structure.decoder.model, imports), seq2seqClass(structure, imports)];
  }
}

/** The part names of the top structure, for the module docstring. */
function partsLine(names: PartNames): string {
  return [names.embedding, names.recurrent || null, names.combine, names.head].filter((n): n is string => n !== null).join(', ');
}

/** The source of model.py. */
export function modelPy(structure: TorchModelStructure, options: ModelPyOptions): string {
  const imports = new Imports();
  const defs = classes(structure, options, imports);
  const what =
    structure.kind === 'seq2seq'
      ? `${structure.encoder.name} (${structure.encoder.model.className}) and ${structure.decoder.name} (${structure.decoder.model.className})`
      : structure.kind === 'sequence' && structure.bare
        ? 'the parameters of the layer itself'
        : partsLine(structure.names);
  const doc =
    `${structure.className} from RNN Lab as a torch.nn.Module, with the same attribute names.\n\n` +
    `Its parts (${what}) have RNN Lab's names, so the state dict has the same keys and weights.safetensors loads with load_state_dict(strict=True).`;
  return pythonModule([docstring(doc, 0), ...imports.lines(), ...defs]);
}
