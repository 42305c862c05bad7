// One part of one batch-1 time step, for two threads sharing a sequence (rnn/splitSequence.ts):
// the matrix-vector product of the whole previous state with this part's rows of w_hh, then the
// gate kernel on this part's hidden units. The sequence kernels (wat/sequence.ts) call one per
// part and step.
//
// Every function takes (h, b, K, …, Hp, len, t): h the whole previous state (K floats), b this
// part's rows of w_hh packed as GEMV panels (K·GEMV_NR floats apart), Hp the units of the part.
// Gate buffers hold the part's G·Hp gates in the cell's block order, so the gate kernels run on
// them as on a layer of Hp units.

import { GEMV_NR } from './gemm';
import { Func, get, i32, mul } from './text';

/** Bytes between two GEMV panels of a K-row packing (gemm.ts packB with forGemv). */
const panelBytes = (): string => mul(get('K'), i32(GEMV_NR * 4));

/** Declares the parameters and emits the product; `out` receives h·w_partᵀ (beta: add to it). */
function partProduct(f: Func, G: number, out: string, beta: 0 | 1): void {
  f.emit(`(call $gemv ${get('h')} ${i32(4)} ${get('b')} ${panelBytes()} ${mul(get('Hp'), i32(G))} ${get('K')} ${get(out)} ${i32(beta)})`);
}

function params(f: Func, names: string[]): void {
  for (const p of names) f.param(p);
}

/** LSTM: gt (4·Hp) += h·w_partᵀ, then lstm_fwd on the part's c and h. */
function lstmPart(): Func {
  const f = new Func('lstm_b1_part', true);
  params(f, ['h', 'b', 'K', 'gt', 'cPrev', 'hPrev', 'cOut', 'hOut', 'Hp', 'len', 't']);
  partProduct(f, 4, 'gt', 1);
  f.emit(`(call $lstm_fwd ${['gt', 'cPrev', 'hPrev', 'cOut', 'hOut'].map(get).join(' ')} ${i32(1)} ${['Hp', 'len', 't'].map(get).join(' ')})`);
  return f;
}

/** GRU (PyTorch's form): hh (3·Hp) = h·w_partᵀ, then gru_fwd; `hidden` is Hp floats of scratch. */
function gruPart(): Func {
  const f = new Func('gru_b1_part', true);
  params(f, ['h', 'b', 'K', 'gt', 'hh', 'bhn', 'hPrev', 'hOut', 'hidden', 'Hp', 'len', 't']);
  partProduct(f, 3, 'hh', 0);
  f.emit(`(call $gru_fwd ${['gt', 'hh', 'bhn', 'hPrev', 'hOut', 'hidden'].map(get).join(' ')} ${i32(1)} ${['Hp', 'len', 't'].map(get).join(' ')})`);
  return f;
}

/** Elman RNN: pt (Hp) += h·w_partᵀ, then the activation. */
function rnnPart(relu: boolean): Func {
  const f = new Func(`rnn_${relu ? 'relu' : 'tanh'}_b1_part`, true);
  params(f, ['h', 'b', 'K', 'pt', 'hPrev', 'hOut', 'Hp', 'len', 't']);
  partProduct(f, 1, 'pt', 1);
  f.emit(`(call $rnn_${relu ? 'relu' : 'tanh'}_fwd ${['pt', 'hPrev', 'hOut'].map(get).join(' ')} ${i32(1)} ${['Hp', 'len', 't'].map(get).join(' ')})`);
  return f;
}

export function stepFunctions(): Func[] {
  return [lstmPart(), gruPart(), rnnPart(false), rnnPart(true)];
}
