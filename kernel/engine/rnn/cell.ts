// The cell types behind one interface: run a whole sequence forward, or back-propagate through it.

import { type Buf } from './blas';
import { gruBackward, gruForward, type GruTape } from './gru';
import { lstmBackward, lstmForward, type LstmTape } from './lstm';
import { type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';
import { vanillaBackward, vanillaForward, type Nonlinearity, type VanillaTape } from './vanilla';

export type CellSpec = { kind: 'rnn'; nonlinearity: Nonlinearity } | { kind: 'lstm' } | { kind: 'gru'; resetAfter: boolean };

export type CellTape<B extends Buf = Buf> = { kind: 'rnn'; tape: VanillaTape<B> } | { kind: 'lstm'; tape: LstmTape<B> } | { kind: 'gru'; tape: GruTape<B> };

/** Number of gate blocks stacked in the weights: RNN 1, GRU 3 (r,z,n), LSTM 4 (i,f,g,o). */
export function gateCount(cell: CellSpec): number {
  return cell.kind === 'lstm' ? 4 : cell.kind === 'gru' ? 3 : 1;
}

/** Names of the gate blocks in weight-row order (none for a plain RNN). */
export function gateNames(cell: CellSpec): readonly string[] {
  return cell.kind === 'lstm' ? ['i', 'f', 'g', 'o'] : cell.kind === 'gru' ? ['r', 'z', 'n'] : [];
}

/** Gates squashed by tanh (range (−1, 1)); the others are sigmoids (range (0, 1)). */
export function isTanhGate(cell: CellSpec, name: string): boolean {
  return (cell.kind === 'lstm' && name === 'g') || (cell.kind === 'gru' && name === 'n');
}

export function cellForward<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, out: SequenceOutputs<B>): CellTape<B> {
  switch (cell.kind) {
    case 'lstm':
      return { kind: 'lstm', tape: lstmForward(p, out) };
    case 'gru':
      return { kind: 'gru', tape: gruForward(p, out, cell.resetAfter) };
    case 'rnn':
      return { kind: 'rnn', tape: vanillaForward(p, out, cell.nonlinearity) };
  }
}

export function cellBackward<B extends Buf>(p: SequenceProblem<B>, tape: CellTape<B>, grads: SequenceOutputGrads<B>, options: BackwardOptions): SequenceInputGrads<B> {
  switch (tape.kind) {
    case 'lstm':
      return lstmBackward(p, tape.tape, grads, options);
    case 'gru':
      return gruBackward(p, tape.tape, grads, options);
    case 'rnn':
      return vanillaBackward(p, tape.tape, grads, options);
  }
}
