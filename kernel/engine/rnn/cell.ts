// The cell types behind one interface: run a whole sequence forward, or back-propagate through it.
// Float32 problems run on the WebAssembly kernels when this thread has them (wasm*.ts); the
// TypeScript kernels (lstm.ts, gru.ts, vanilla.ts) are the reference, the fallback and the
// Float64Array path. Tapes have one layout, so a backward may run on either path.

import { wasmKernels, type WasmKernels } from '../wasm/instance';
import { type Buf } from '../gemm';
import { gruBackward, gruForward, type GruTape } from './gru';
import { lstmBackward, lstmForward, type LstmTape } from './lstm';
import { swapLeadingDims, zeroTimeSums, type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem, type TimeSums } from './sequence';
import { vanillaBackward, vanillaForward, type Nonlinearity, type VanillaTape } from './vanilla';
import { wasmBackward, wasmForward } from './wasmCell';
import { gruWasm } from './wasmGru';
import { lstmWasm } from './wasmLstm';
import { vanillaWasm } from './wasmVanilla';
import { finishTableSums } from './wasmTimeSums';
import { releaseResident } from './wasmResident';

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

/** A cast between B and Float32Array, once fastPath() has seen that the buffers are float32. */
const as = <T>(v: unknown): T => v as T;

/** The wasm kernels when the problem is float32 and this thread has them. */
function fastPath(p: SequenceProblem): WasmKernels | null {
  return p.x instanceof Float32Array ? wasmKernels() : null;
}

function cellForwardWasm(w: WasmKernels, cell: CellSpec, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, keepTape: boolean): CellTape<Float32Array> | null {
  switch (cell.kind) {
    case 'lstm': {
      const tape = wasmForward(w, lstmWasm, p, out, keepTape);
      return tape && { kind: 'lstm', tape };
    }
    case 'gru': {
      const tape = wasmForward(w, gruWasm(cell.resetAfter), p, out, keepTape);
      return tape && { kind: 'gru', tape };
    }
    case 'rnn': {
      const tape = wasmForward(w, vanillaWasm(cell.nonlinearity), p, out, keepTape);
      return tape && { kind: 'rnn', tape };
    }
  }
}

function cellBackwardWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, tape: CellTape<Float32Array>, grads: SequenceOutputGrads<Float32Array>, options: BackwardOptions<Float32Array>): SequenceInputGrads<Float32Array> {
  switch (tape.kind) {
    case 'lstm':
      return wasmBackward(w, lstmWasm, p, tape.tape, grads, options);
    case 'gru':
      return wasmBackward(w, gruWasm(tape.tape.resetAfter), p, tape.tape, grads, options);
    case 'rnn':
      return wasmBackward(w, vanillaWasm(tape.tape.nonlinearity), p, tape.tape, grads, options);
  }
}

/**
 * Runs the sequence forward into `out` and returns the tape its backward needs. With `keepTape`
 * false (inference: no gradient will flow) the fast path may skip keeping it and return null.
 */
export function cellForward<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, out: SequenceOutputs<B>): CellTape<B>;
export function cellForward<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, out: SequenceOutputs<B>, keepTape: boolean): CellTape<B> | null;
export function cellForward<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, out: SequenceOutputs<B>, keepTape = true): CellTape<B> | null {
  const w = fastPath(p);
  if (w) return as<CellTape<B> | null>(cellForwardWasm(w, cell, as<SequenceProblem<Float32Array>>(p), as<SequenceOutputs<Float32Array>>(out), keepTape));
  if (out.batchFirst) {
    // The TypeScript kernels write y time-major: run them on a (T,N,H) copy, then transpose.
    const timeMajor = { ...out, y: new (out.y.constructor as new (n: number) => B)(out.y.length), batchFirst: false };
    const tape = cellForward(cell, p, timeMajor, keepTape);
    swapLeadingDims(timeMajor.y, out.y, p.T, p.N, p.H, false);
    return tape;
  }
  const tape = cellForwardTs(cell, p, out);
  if (out.capture) {
    // the state after step `step`: row `step` of the tape's (T,N,H) states
    const { step, h, c } = out.capture;
    const nh = p.N * p.H;
    h.set(tape.tape.hs.subarray(step * nh, (step + 1) * nh));
    if (c && tape.kind === 'lstm') c.set(tape.tape.cs.subarray(step * nh, (step + 1) * nh));
  }
  return tape;
}

function cellForwardTs<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, out: SequenceOutputs<B>): CellTape<B> {
  switch (cell.kind) {
    case 'lstm':
      return { kind: 'lstm', tape: lstmForward(p, out) };
    case 'gru':
      return { kind: 'gru', tape: gruForward(p, out, cell.resetAfter) };
    case 'rnn':
      return { kind: 'rnn', tape: vanillaForward(p, out, cell.nonlinearity) };
  }
}

/**
 * The forward's tape with its arrays copied out of wasm memory, for a reader that keeps it (the
 * trace of a checkpointed layer): it does not wait in the arena for a backward.
 */
export function cellForwardCopied<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, out: SequenceOutputs<B>): CellTape<B> {
  const tape = cellForward(cell, p, out);
  const w = fastPath(p);
  if (w) releaseResident(w, tape.tape, true);
  return tape;
}

export function cellBackward<B extends Buf>(p: SequenceProblem<B>, tape: CellTape<B>, grads: SequenceOutputGrads<B>, options: BackwardOptions<B>): SequenceInputGrads<B> {
  const w = fastPath(p);
  if (w) return as<SequenceInputGrads<B>>(cellBackwardWasm(w, as<SequenceProblem<Float32Array>>(p), as<CellTape<Float32Array>>(tape), as<SequenceOutputGrads<Float32Array>>(grads), as<BackwardOptions<Float32Array>>(options)));
  if (grads.batchFirst && grads.dy) {
    const dy = new (grads.dy.constructor as new (n: number) => B)(grads.dy.length);
    swapLeadingDims(grads.dy, dy, p.T, p.N, p.H, true);
    return cellBackward(p, tape, { ...grads, dy, batchFirst: false }, options);
  }
  switch (tape.kind) {
    case 'lstm':
      return lstmBackward(p, tape.tape, grads, options);
    case 'gru':
      return gruBackward(p, tape.tape, grads, options);
    case 'rnn':
      return vanillaBackward(p, tape.tape, grads, options);
  }
}

/**
 * Zeroed sums over time for backwards of `p` that add into them (BackwardOptions.sums): with the
 * table's per-row sums when the wasm kernels will run them on table rows.
 */
export function cellTimeSums<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>): TimeSums<B> {
  return zeroTimeSums(p, gateCount(cell) * p.H, fastPath(p) !== null);
}

/**
 * After the last backward that added into `sums`: dW_ih and, when asked for, the table's gradient
 * from the per-table-row sums (wasm kernels with p.rows); otherwise the sums are final already.
 */
export function finishTimeSums<B extends Buf>(cell: CellSpec, p: SequenceProblem<B>, sums: TimeSums<B>, needDx: boolean): B | null {
  const w = fastPath(p);
  if (!w || !sums.tableSums) return null;
  return as<B | null>(finishTableSums(w, as<SequenceProblem<Float32Array>>(p), gateCount(cell) * p.H, as<TimeSums<Float32Array>>(sums), needDx));
}
