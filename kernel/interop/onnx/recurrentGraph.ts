// A stack of RNN Lab recurrent layers as ONNX RNN/LSTM/GRU nodes (opset ≥ 14), one node per layer
// holding both directions, chained time-major with layout = 0:
//
//   X_l (T,N,I_l) ─LSTM─▶ Y (T,D,N,H) ─Transpose(0,2,1,3)─▶ (T,N,D,H) ─Reshape(0,0,-1)─▶ X_{l+1} (T,N,D·H)
//                     └─▶ Y_h, Y_c (D,N,H), concatenated over layers into h_n, c_n (L·D,N,H)
//
// Weights change order, not values: PyTorch stacks LSTM gates i,f,g,o and GRU gates r,z,n; ONNX
// wants LSTM i,o,f,c and GRU z,r,h. The two biases concatenate into ONNX's B = [Wb | Rb]. GRU's
// PyTorch form (resetAfter: true) is ONNX's linear_before_reset = 1; Cho et al.'s form is 0.
// Dropout between layers is training-only, so it is absent here.

import type { RNNBase } from '../../engine/index';
import type { GraphBuilder } from './graphBuilder';

/** ONNX block j holds PyTorch block order[j]. */
const GATE_ORDER = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnn: [0] } as const;

/** Values feeding the stack; all time-major. */
export interface RecurrentInputs {
  /** (T,N,I) float. */
  x: string;
  /** (N) int32 valid steps per sequence, or null for full length. */
  lengths: string | null;
  /** (L·D,N,H) initial hidden state, or null for zeros. */
  h0: string | null;
  /** (L·D,N,H) initial cell state (LSTM), or null for zeros. */
  c0: string | null;
}

export interface RecurrentValues {
  /** (T,N,D·H) the last layer's output, [forward H | reverse H]. */
  y: string;
  /** (L·D,N,H) final hidden state per layer and direction, PyTorch's row order. */
  hN: string;
  /** (L·D,N,H) final cell state, LSTM only. */
  cN: string | null;
}

export function onnxOpType(layer: RNNBase): 'RNN' | 'LSTM' | 'GRU' {
  return layer.cell.kind === 'lstm' ? 'LSTM' : layer.cell.kind === 'gru' ? 'GRU' : 'RNN';
}

/** Emits the whole stack; `prefix` names its values (e.g. 'lstm'). */
export function emitRecurrentStack(g: GraphBuilder, layer: RNNBase, io: RecurrentInputs, prefix: string): RecurrentValues {
  const { numLayers: L, numDirections: D, hiddenSize: H } = layer;
  const cell = layer.cell;
  const opType = onnxOpType(layer);
  const lstm = cell.kind === 'lstm';
  let x = io.x;
  const hs: string[] = [];
  const cs: string[] = [];
  for (let l = 0; l < L; l++) {
    const w = stackDirections(layer, l, 'weight_ih');
    const r = stackDirections(layer, l, 'weight_hh');
    const inSize = l === 0 ? layer.inputSize : D * H;
    const wName = g.floatInitializer(`${prefix}_W_l${l}`, [D, w.rows, inSize], w.values);
    const rName = g.floatInitializer(`${prefix}_R_l${l}`, [D, r.rows, H], r.values);
    const bName = layer.bias ? g.floatInitializer(`${prefix}_B_l${l}`, [D, 2 * w.rows], stackBiases(layer, l)) : '';
    const h0 = io.h0 ? sliceLayer(g, io.h0, l, D, L, `${prefix}_h0_l${l}`) : '';
    const c0 = lstm && io.c0 ? sliceLayer(g, io.c0, l, D, L, `${prefix}_c0_l${l}`) : '';

    const attributes: Record<string, number | string | string[]> = {
      hidden_size: H,
      direction: D === 2 ? 'bidirectional' : 'forward',
      layout: 0,
    };
    if (cell.kind === 'gru') attributes.linear_before_reset = cell.resetAfter ? 1 : 0;
    if (cell.kind === 'rnn') attributes.activations = Array<string>(D).fill(cell.nonlinearity === 'relu' ? 'Relu' : 'Tanh');

    const inputs = [x, wName, rName, bName, io.lengths ?? '', h0];
    if (lstm) inputs.push(c0);
    while (inputs[inputs.length - 1] === '') inputs.pop(); // trailing optional inputs are left out
    const outs = g.node(opType, inputs, lstm ? [`${prefix}_Y_l${l}`, `${prefix}_Yh_l${l}`, `${prefix}_Yc_l${l}`] : [`${prefix}_Y_l${l}`, `${prefix}_Yh_l${l}`], attributes);
    hs.push(outs[1]!);
    if (lstm) cs.push(outs[2]!);
    x = mergeDirections(g, outs[0]!, D, `${prefix}_out_l${l}`);
  }
  const hN = hs.length === 1 ? hs[0]! : g.op('Concat', hs, `${prefix}_h_n`, { axis: 0 });
  const cN = !lstm ? null : cs.length === 1 ? cs[0]! : g.op('Concat', cs, `${prefix}_c_n`, { axis: 0 });
  return { y: x, hN, cN };
}

/** Y (T,D,N,H) → (T,N,D·H): forward and reverse side by side, as PyTorch's output. */
function mergeDirections(g: GraphBuilder, y: string, D: number, name: string): string {
  if (D === 1) return g.op('Squeeze', [y, g.int64Constant([1], [1])], name);
  const t = g.op('Transpose', [y], `${name}_TNDH`, { perm: [0, 2, 1, 3] });
  return g.op('Reshape', [t, g.int64Constant([3], [0, 0, -1])], name);
}

/** Rows [l·D, (l+1)·D) of a (L·D,N,H) state: the initial state of layer l. */
function sliceLayer(g: GraphBuilder, state: string, l: number, D: number, L: number, name: string): string {
  if (L === 1) return state;
  const starts = g.int64Constant([1], [l * D]);
  const ends = g.int64Constant([1], [(l + 1) * D]);
  return g.op('Slice', [state, starts, ends, g.int64Constant([1], [0])], name);
}

/** weight_ih or weight_hh of both directions, gate blocks in ONNX order: (D·G·H, cols) values. */
function stackDirections(layer: RNNBase, l: number, key: 'weight_ih' | 'weight_hh'): { rows: number; values: Float32Array } {
  const parts: Float32Array[] = [];
  let rows = 0;
  for (let d = 0; d < layer.numDirections; d++) {
    const weights = layer.directionWeights(l, d === 1);
    const p = key === 'weight_ih' ? weights.wIh : weights.wHh;
    rows = p.shape[0]!;
    parts.push(reorderGates(layer, p.data, p.shape[1]!));
  }
  return { rows, values: concat(parts) };
}

/** [b_ih | b_hh] per direction, each in ONNX gate order: (D, 2·G·H) values. */
function stackBiases(layer: RNNBase, l: number): Float32Array {
  const parts: Float32Array[] = [];
  for (let d = 0; d < layer.numDirections; d++) {
    const w = layer.directionWeights(l, d === 1);
    parts.push(reorderGates(layer, w.bIh!.data, 1), reorderGates(layer, w.bHh!.data, 1));
  }
  return concat(parts);
}

/** A (G·H, cols) row-major matrix (or a bias with cols = 1) with its gate blocks in ONNX order. */
export function reorderGates(layer: RNNBase, data: Float32Array, cols: number): Float32Array {
  const order = GATE_ORDER[layer.cell.kind];
  const block = layer.hiddenSize * cols;
  const out = new Float32Array(data.length);
  order.forEach((from, to) => out.set(data.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
