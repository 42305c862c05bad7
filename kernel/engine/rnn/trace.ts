// Instrumentation of recurrent layers: what happened inside one forward (and its backward), per
// layer and direction, as plain data for plots. Built only when a layer's `instrument` is on; the
// cost is a copy of buffers the kernels keep anyway, plus one norm per step in the backward.

import { Tensor } from '../tensor';
import { type Buf } from '../gemm';
import { gateCount, gateNames, isTanhGate, type CellSpec, type CellTape } from './cell';
import { type SequenceProblem } from './sequence';

/** Thresholds on the gate's range mapped to [0, 1]: a sigmoid gate is "closed" below 0.1 and "open" above 0.9. */
export const SATURATION_LOW = 0.1;
export const SATURATION_HIGH = 0.9;

/**
 * How often a gate sits near the ends of its range. Sigmoid gates (LSTM i,f,o; GRU r,z) count
 * activations < 0.1 as low and > 0.9 as high; tanh gates (LSTM g, GRU n) are mapped to [0, 1] by
 * (a+1)/2 first, i.e. low is a < −0.8 and high is a > 0.8. Only steps within each row's length count.
 */
export interface GateSaturation {
  /** Fraction of all valid activations that are low. */
  low: number;
  /** Fraction of all valid activations that are high. */
  high: number;
  /** (T) the same fraction per time step (0 where no row is active). */
  lowByStep: number[];
  /** (T) the same fraction per time step (0 where no row is active). */
  highByStep: number[];
}

/** One layer and direction of an instrumented forward. Tensors are time-major whatever batchFirst is. */
export interface DirectionTrace {
  /** PyTorch's suffix: 'l0', 'l0_reverse', 'l1', … */
  name: string;
  layer: number;
  reverse: boolean;
  /** (T,N,H) hidden state h_t after each step (0 past a row's length, as in the output). */
  h: Tensor;
  /** (T,N,H) LSTM cell state c_t (0 past a row's length); null for RNN and GRU. */
  c: Tensor | null;
  /** Gate activations, each (T,N,H) (0 past a row's length): LSTM i,f,g,o; GRU r,z,n; none for RNN. */
  gates: Record<string, Tensor>;
  /** Saturation per gate, same keys as `gates`. */
  saturation: Record<string, GateSaturation>;
  /**
   * (T) ‖∂L/∂h_t‖ for every time step t, filled in by backward(): the norm over the (N,H) slice of
   * the total gradient reaching h_t (through the output at t, later steps and h_n). Rows past
   * their length contribute nothing. null until a backward pass has gone through this forward.
   */
  gradNorm: number[] | null;
}

/** What an instrumented forward of an RNN/LSTM/GRU layer records. */
export interface RecurrentTrace {
  mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  /** Time steps, batch size and hidden size of the forward. */
  T: number;
  N: number;
  H: number;
  /** (N) valid steps per row (all T without lengths). */
  lengths: number[];
  /** Keyed by direction name in PyTorch's order: l0, l0_reverse, l1, … */
  directions: Record<string, DirectionTrace>;
}

export function traceMode(cell: CellSpec): RecurrentTrace['mode'] {
  if (cell.kind === 'lstm') return 'LSTM';
  if (cell.kind === 'gru') return 'GRU';
  return cell.nonlinearity === 'relu' ? 'RNN_RELU' : 'RNN_TANH';
}

/** Copies (T,N,H) states, zeroing rows past their length. */
function maskedStates(p: SequenceProblem, src: Buf): Tensor {
  const { T, N, H, lengths } = p;
  const out = new Float32Array(T * N * H);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const o = (t * N + n) * H;
      for (let j = 0; j < H; j++) out[o + j] = src[o + j]!;
    }
  return new Tensor(out, [T, N, H]);
}

/**
 * `y` (T,N,H) is copied, unless `ownsY` says it is a fresh array the trace may keep. `tape` is the
 * forward's tape, or a function that runs the forward again for it (a checkpointed layer keeps
 * none): then c, the gates and their saturation are made when first read.
 */
export function buildDirectionTrace(cell: CellSpec, name: string, layer: number, reverse: boolean, p: SequenceProblem, tape: CellTape | (() => CellTape), y: Buf, ownsY = false): DirectionTrace {
  const { T, N, H } = p;
  const trace: DirectionTrace = {
    name,
    layer,
    reverse,
    h: new Tensor(ownsY && y instanceof Float32Array ? y : new Float32Array(y), [T, N, H]),
    c: null,
    gates: {},
    saturation: {},
    gradNorm: null,
  };
  if (cell.kind === 'rnn') return trace;
  // With a tape, its c and gate activations are read now (a resident tape's arrays are copied out
  // of wasm memory on first read, and the backward may free them); with a function, when first read.
  const gatesOf = (t: CellTape): Buf => (t.kind === 'rnn' ? new Float32Array(0) : t.tape.gates); // (T,N,G·H)
  const cellStates = (t: CellTape): Tensor | null => (t.kind === 'lstm' ? maskedStates(p, t.tape.cs) : null);
  let activations: () => Buf;
  if (typeof tape === 'function') {
    let made: CellTape | null = null;
    const again = (): CellTape => (made ??= tape());
    if (cell.kind === 'lstm') lazyField(trace, 'c', () => cellStates(again()));
    activations = () => gatesOf(again());
  } else {
    trace.c = cellStates(tape);
    const all = gatesOf(tape);
    activations = () => all;
  }
  // The per-gate tensors and saturation counts are made when first read (a trainer recording
  // only gradient norms never reads them).
  let built: Pick<DirectionTrace, 'gates' | 'saturation'> | null = null;
  const build = (): Pick<DirectionTrace, 'gates' | 'saturation'> => (built ??= gateTraces(cell, p, activations()));
  lazyField(trace, 'gates', () => build().gates);
  lazyField(trace, 'saturation', () => build().saturation);
  return trace;
}

/** Makes `trace[key]` a getter computing its value on first read (then kept). */
function lazyField<K extends keyof DirectionTrace>(trace: DirectionTrace, key: K, make: () => DirectionTrace[K]): void {
  let value: { v: DirectionTrace[K] } | null = null;
  Object.defineProperty(trace, key, { enumerable: true, configurable: true, get: () => (value ??= { v: make() }).v });
}

/** Per-gate (T,N,H) activations and their saturation, from the tape's (T,N,G·H) activations. */
function gateTraces(cell: CellSpec, p: SequenceProblem, all: Buf): Pick<DirectionTrace, 'gates' | 'saturation'> {
  const { T, N, H, lengths } = p;
  const trace: Pick<DirectionTrace, 'gates' | 'saturation'> = { gates: {}, saturation: {} };
  const G = gateCount(cell);
  gateNames(cell).forEach((gate, k) => {
    const data = new Float32Array(T * N * H);
    const lowByStep = new Array<number>(T).fill(0);
    const highByStep = new Array<number>(T).fill(0);
    let lowCount = 0;
    let highCount = 0;
    let total = 0;
    for (let t = 0; t < T; t++) {
      let lo = 0;
      let hi = 0;
      let count = 0;
      for (let n = 0; n < N; n++) {
        if (t >= lengths[n]!) continue;
        const counts = copyAndCount(all, (t * N + n) * G * H + k * H, data, (t * N + n) * H, H, isTanhGate(cell, gate));
        lo += counts & 0xffff;
        hi += counts >>> 16;
        count += H;
      }
      lowByStep[t] = count ? lo / count : 0;
      highByStep[t] = count ? hi / count : 0;
      lowCount += lo;
      highCount += hi;
      total += count;
    }
    trace.gates[gate] = new Tensor(data, [T, N, H]);
    trace.saturation[gate] = { low: total ? lowCount / total : 0, high: total ? highCount / total : 0, lowByStep, highByStep };
  });
  return trace;
}

/**
 * Copies H activations of one gate and counts the saturated ones: u = a for sigmoid gates,
 * (a + 1)/2 for tanh gates, low below SATURATION_LOW, high above SATURATION_HIGH. Returns
 * low + (high << 16) (H < 65536). A function of its own so that V8 compiles one tight loop per
 * array type, counted without branches (+bool): saturation is data-dependent.
 */
function copyAndCount(src: Buf, from: number, dst: Float32Array, to: number, H: number, tanhGate: boolean): number {
  // u = a·scale + shift, the same rounding for both kinds of gate
  const scale = tanhGate ? 0.5 : 1;
  const shift = tanhGate ? 0.5 : 0;
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < H; j++) {
    const a = src[from + j]!;
    dst[to + j] = a;
    const u = a * scale + shift;
    lo += +(u < SATURATION_LOW);
    hi += +(u > SATURATION_HIGH);
  }
  return lo + hi * 65536;
}
