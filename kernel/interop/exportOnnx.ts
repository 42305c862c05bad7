// exportOnnx(model, options) → the bytes of an .onnx file. See spec.ts for what can be exported,
// onnx/recurrentGraph.ts for how recurrent layers map to ONNX's RNN/LSTM/GRU operators.
//
// Graph inputs and outputs (N and T are symbolic, so any batch size and length runs):
//   sequence  input   tokens int64 (N,T) [(T,N) unless batchFirst], or features float (N,T,I)
//             lengths int32 (N)          with { lengths: true }: valid steps per row (sequence_lens)
//             h0, c0  float (L·D,N,H)    with { initialState: true }
//             → logits (N,T,C) with a head on every step, (N,C) with a head on h_n[-1];
//               output (N,T,D·H) without a head; h_n, c_n (L·D,N,H)
//   step      input   tokens int64 (N), or features float (N,I); h0, c0 float (L·D,N,H)
//             memory float (N,S,H), mask float (N,S)   with attention: encoder outputs, additive mask
//             → logits (N,C) (output (N,D·H) without a head), h_n, c_n (L·D,N,H)
//               [attention (N,S): the step's attention weights]
// The graph computes eval-mode numbers (dropout is the identity) whatever model.training is.

import { didYouMean } from '../engine/optim/suggest';
import { version as rnnLabVersion } from '../../package.json';
import type { Linear, Module } from '../engine/index';
import { GraphBuilder, type Dim } from './onnx/graphBuilder';
import { DataType, encodeModel, type ModelProto } from './onnx/proto';
import { emitRecurrentStack, onnxOpType } from './onnx/recurrentGraph';
import { checkSpec, recognizeModel, specLabel, type OnnxModelSpec } from './spec';

/** Opsets the exporter writes (RNN/LSTM/GRU gained `layout` in 14) and the IR version of each. */
export const ONNX_OPSETS: Readonly<Record<number, number>> = { 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };
export const DEFAULT_ONNX_OPSET = 17;

export interface OnnxExportOptions {
  /** Says what the model computes; without it the exporter recognises the model (spec.ts). */
  spec?: OnnxModelSpec;
  /** ai.onnx opset version, 14 to 21 (default 17). */
  opsetVersion?: number;
  /** sequence: add an int32 `lengths` input (N) for variable-length batches (default false). */
  lengths?: boolean;
  /** sequence: add `h0` (and `c0`) inputs instead of zero initial states (default false). */
  initialState?: boolean;
  /** The graph's name (default: the model's class name). */
  graphName?: string;
  /** Free text stored as the model's doc_string (default: the model's repr). */
  docString?: string;
}

const OPTION_KEYS: readonly (keyof OnnxExportOptions)[] = ['spec', 'opsetVersion', 'lengths', 'initialState', 'graphName', 'docString'];

/** A misspelt option (`{ length: true }`) would export without what it asked for, silently. */
function checkOptionKeys(options: OnnxExportOptions): void {
  if (typeof options !== 'object' || options === null) throw new Error(`ONNX export: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) throw new Error(`ONNX export: unknown option '${key}'${didYouMean(key, OPTION_KEYS)}; the options are ${OPTION_KEYS.join(', ')}`);
  }
}

/** Serializes `model` as an ONNX model; throws naming what is not supported. */
export function exportOnnx(model: Module, options: OnnxExportOptions = {}): Uint8Array {
  return encodeModel(buildOnnxModel(model, options));
}

/** The ModelProto exportOnnx encodes (for inspection and tests). */
export function buildOnnxModel(model: Module, options: OnnxExportOptions = {}): ModelProto {
  checkOptionKeys(options);
  const opset = options.opsetVersion ?? DEFAULT_ONNX_OPSET;
  const irVersion = ONNX_OPSETS[opset];
  if (irVersion === undefined) throw new Error(`ONNX export: opsetVersion ${opset} is not supported; use one of ${Object.keys(ONNX_OPSETS).join(', ')}`);
  const spec = options.spec ?? recognizeModel(model);
  checkSpec(spec);
  if (spec.kind === 'step' && (options.lengths || options.initialState === false)) {
    throw new Error('ONNX export: a step model always takes h0 (and c0) and runs one step, so `lengths` and `initialState: false` do not apply');
  }
  const g = new GraphBuilder(options.graphName ?? model.constructor.name);
  const signature = spec.kind === 'step' ? emitStep(g, spec) : emitSequence(g, spec, options.lengths ?? false, options.initialState ?? false);
  const rnn = spec.recurrent;
  const layout = {
    kind: spec.kind,
    composition: specLabel(spec),
    cell: rnn.cell,
    operator: onnxOpType(rnn),
    inputSize: rnn.inputSize,
    hiddenSize: rnn.hiddenSize,
    numLayers: rnn.numLayers,
    bidirectional: rnn.bidirectional,
    batchFirst: rnn.batchFirst,
    ...(spec.embedding ? { numEmbeddings: spec.embedding.numEmbeddings } : {}),
    ...(spec.kind === 'step' && spec.attention ? { attention: 'luongDot' } : {}),
    ...(spec.head ? { outFeatures: spec.head.outFeatures, headOn: spec.kind === 'sequence' ? spec.headOn ?? 'outputs' : spec.attention ? 'attentional' : 'lastHidden' } : {}),
  };
  return {
    ir_version: irVersion,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'rnn-lab',
    producer_version: rnnLabVersion,
    doc_string: options.docString ?? model.toString(),
    graph: g.build(`${specLabel(spec)}. ${signature}`),
    metadata_props: [
      { key: 'rnn-lab.model', value: model.constructor.name },
      { key: 'rnn-lab.spec', value: JSON.stringify(layout) },
      { key: 'rnn-lab.signature', value: signature },
    ],
  };
}

function emitSequence(g: GraphBuilder, spec: OnnxModelSpec & { kind: 'sequence' }, withLengths: boolean, withState: boolean): string {
  const rnn = spec.recurrent;
  const { numLayers: L, numDirections: D, hiddenSize: H } = rnn;
  const bf = rnn.batchFirst;
  const seq: Dim[] = bf ? ['N', 'T'] : ['T', 'N'];
  const lstm = rnn.cell.kind === 'lstm';
  const order = bf ? '(N,T' : '(T,N';
  let x = spec.embedding
    ? g.input('input', DataType.INT64, seq, `token ids ${order})`)
    : g.input('input', DataType.FLOAT, [...seq, rnn.inputSize], `features ${order},${rnn.inputSize})`);
  const lengths = withLengths ? g.input('lengths', DataType.INT32, ['N'], 'valid steps per sequence, each in [1, T]') : null;
  const h0 = withState ? g.input('h0', DataType.FLOAT, [L * D, 'N', H], 'initial hidden state (L·D,N,H)') : null;
  const c0 = withState && lstm ? g.input('c0', DataType.FLOAT, [L * D, 'N', H], 'initial cell state (L·D,N,H)') : null;

  if (spec.embedding) x = g.op('Gather', [g.floatInitializer('embedding_weight', spec.embedding.weight.shape, spec.embedding.weight.data), x], 'embedded', { axis: 0 });
  if (bf) x = g.op('Transpose', [x], 'input_TN', { perm: [1, 0, 2] }); // (N,T,I) → (T,N,I)
  const r = emitRecurrentStack(g, rnn, { x, lengths, h0, c0 }, 'rnn');

  let signature: string;
  if (spec.head && spec.headOn === 'lastHidden') {
    const logits = emitLinear(g, spec.head, lastRow(g, r.hN, L * D), 2);
    g.output('logits', logits, DataType.FLOAT, ['N', spec.head.outFeatures], 'the head on h_n[-1] (N,C)');
    signature = `logits (N,${spec.head.outFeatures}) from h_n[-1]`;
  } else {
    const y = bf ? g.op('Transpose', [r.y], 'output_NT', { perm: [1, 0, 2] }) : r.y;
    if (spec.head) {
      g.output('logits', emitLinear(g, spec.head, y, 3), DataType.FLOAT, [...seq, spec.head.outFeatures], `the head on every step ${order},C)`);
      signature = `logits ${order},${spec.head.outFeatures})`;
    } else {
      g.output('output', y, DataType.FLOAT, [...seq, D * H], `recurrent output ${order},D·H), [forward | reverse]`);
      signature = `output ${order},${D * H})`;
    }
  }
  declareStates(g, r.hN, r.cN, L * D, H);
  const ins = [`input ${spec.embedding ? 'int64' : 'float'} ${order}${spec.embedding ? '' : `,${rnn.inputSize}`})`];
  if (lengths) ins.push('lengths int32 (N)');
  if (h0) ins.push(`h0${c0 ? ', c0' : ''} (${L * D},N,${H})`);
  return `inputs: ${ins.join(', ')}; outputs: ${signature}, h_n${lstm ? ', c_n' : ''} (${L * D},N,${H})`;
}

function emitStep(g: GraphBuilder, spec: OnnxModelSpec & { kind: 'step' }): string {
  const rnn = spec.recurrent;
  const { numLayers: L, numDirections: D, hiddenSize: H } = rnn;
  const lstm = rnn.cell.kind === 'lstm';
  let x = spec.embedding
    ? g.input('input', DataType.INT64, ['N'], 'the previous token of each sequence (N)')
    : g.input('input', DataType.FLOAT, ['N', rnn.inputSize], `features (N,${rnn.inputSize})`);
  const h0 = g.input('h0', DataType.FLOAT, [L * D, 'N', H], 'hidden state before the step (L·D,N,H)');
  const c0 = lstm ? g.input('c0', DataType.FLOAT, [L * D, 'N', H], 'cell state before the step (L·D,N,H)') : null;
  if (spec.embedding) x = g.op('Gather', [g.floatInitializer('embedding_weight', spec.embedding.weight.shape, spec.embedding.weight.data), x], 'embedded', { axis: 0 });
  x = g.op('Unsqueeze', [x, g.int64Constant([1], [0])], 'input_1N', {}); // (N,I) → (1,N,I): one time step
  const memory = spec.attention ? g.input('memory', DataType.FLOAT, ['N', 'S', H], 'encoder outputs to attend over (N,S,H)') : null;
  const mask = spec.attention ? g.input('mask', DataType.FLOAT, ['N', 'S'], 'additive source mask (N,S): 0 at real positions, −1e9 at padding') : null;
  const r = emitRecurrentStack(g, rnn, { x, lengths: null, h0, c0 }, 'rnn');
  let signature: string;
  let weights: string | null = null;
  if (spec.attention) {
    const a = emitLuongAttention(g, spec.attention.combine, lastRow(g, r.hN, L * D), memory!, mask!);
    weights = a.weights;
    const out = spec.head ? emitLinear(g, spec.head, a.attentional, 2) : a.attentional;
    const C = spec.head ? spec.head.outFeatures : H;
    g.output(spec.head ? 'logits' : 'output', out, DataType.FLOAT, ['N', C], spec.head ? 'the head on the attentional state (N,C)' : 'the attentional state h̃ (N,H)');
    signature = `${spec.head ? 'logits' : 'output'} (N,${C})`;
  } else if (spec.head) {
    g.output('logits', emitLinear(g, spec.head, lastRow(g, r.hN, L * D), 2), DataType.FLOAT, ['N', spec.head.outFeatures], 'the head on h_n[-1] (N,C)');
    signature = `logits (N,${spec.head.outFeatures})`;
  } else {
    g.output('output', g.op('Squeeze', [r.y, g.int64Constant([1], [0])], 'output_N'), DataType.FLOAT, ['N', D * H], 'the step output (N,D·H)');
    signature = `output (N,${D * H})`;
  }
  declareStates(g, r.hN, r.cN, L * D, H);
  if (weights) g.output('attention', weights, DataType.FLOAT, ['N', 'S'], "this step's attention weights over the source (N,S)");
  const memoryIns = spec.attention ? `, memory (N,S,${H}), mask (N,S)` : '';
  const ins = `input ${spec.embedding ? 'int64 (N)' : `float (N,${rnn.inputSize})`}, h0${lstm ? ', c0' : ''} (${L * D},N,${H})${memoryIns}`;
  return `inputs: ${ins}; outputs: ${signature}, h_n${lstm ? ', c_n' : ''} (${L * D},N,${H})${weights ? ', attention (N,S)' : ''}`;
}

function declareStates(g: GraphBuilder, hN: string, cN: string | null, LD: number, H: number): void {
  g.output('h_n', hN, DataType.FLOAT, [LD, 'N', H], 'final hidden state per layer and direction (L·D,N,H)');
  if (cN) g.output('c_n', cN, DataType.FLOAT, [LD, 'N', H], 'final cell state per layer and direction (L·D,N,H)');
}

/** Row LD−1 of a (LD,N,H) state: the last layer's final state (its reverse direction if bidirectional). */
function lastRow(g: GraphBuilder, state: string, LD: number): string {
  return g.op('Gather', [state, g.int64Constant([], [LD - 1])], 'h_last', { axis: 0 });
}

/**
 * Luong dot attention (kernel/seq2seq/attention.ts): query (N,H), memory (N,S,H), mask (N,S)
 * → weights softmax(memory·query + mask) (N,S), h̃ = tanh(combine([context; query])) (N,H).
 */
function emitLuongAttention(g: GraphBuilder, combine: Linear, query: string, memory: string, mask: string): { attentional: string; weights: string } {
  const q = g.op('Unsqueeze', [query, g.int64Constant([1], [2])], 'query_NH1'); // (N,H,1)
  const scores = g.op('Squeeze', [g.op('MatMul', [memory, q], 'scores_NS1'), g.int64Constant([1], [2])], 'scores'); // (N,S)
  const weights = g.op('Softmax', [g.op('Add', [scores, mask], 'scores_masked')], 'attention_weights', { axis: -1 });
  const w = g.op('Unsqueeze', [weights, g.int64Constant([1], [1])], 'weights_N1S'); // (N,1,S)
  const context = g.op('Squeeze', [g.op('MatMul', [w, memory], 'context_N1H'), g.int64Constant([1], [1])], 'context'); // (N,H)
  const joined = g.op('Concat', [context, query], 'context_query', { axis: 1 }); // (N,2H)
  const attentional = g.op('Tanh', [emitLinear(g, combine, joined, 2, 'combine')], 'attentional');
  return { attentional, weights };
}

/** y = x Wᵀ + b for x of rank 2 (Gemm) or 3 (MatMul + Add). */
function emitLinear(g: GraphBuilder, head: Linear, x: string, rank: 2 | 3, name = 'head'): string {
  const [O, I] = [head.outFeatures, head.inFeatures];
  if (rank === 2) {
    const w = g.floatInitializer(`${name}_weight`, [O, I], head.weight.data);
    const inputs = head.bias ? [x, w, g.floatInitializer(`${name}_bias`, [O], head.bias.data)] : [x, w];
    return g.op('Gemm', inputs, `${name}_out`, { transB: 1 });
  }
  const wt = new Float32Array(I * O); // Wᵀ (I,O)
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) wt[i * O + o] = head.weight.data[o * I + i]!;
  const y = g.op('MatMul', [x, g.floatInitializer(`${name}_weight_t`, [I, O], wt)], `${name}_matmul`);
  return head.bias ? g.op('Add', [y, g.floatInitializer(`${name}_bias`, [O], head.bias.data)], `${name}_out`) : y;
}
