// Recurrent layers with PyTorch's API and numbers: RNN (tanh/relu), LSTM and GRU, multi-layer,
// bidirectional, batchFirst, dropout between layers, variable-length batches, gradient
// checkpointing through time, and instrumentation of what happens inside (hidden states, gates,
// saturation, ‖∂L/∂h_t‖ per step).
//
// Each layer and direction runs as one fused op (kernels in ../rnn/); `forwardReference` composes
// the same computation from autograd ops step by step, for tests and for reading.

import { uniformParameter } from '../init';
import { Module } from '../module';
import { cat, select, stack, transpose, unsqueeze } from '../ops';
import { recurrentDirection, type DirectionResult, type DirectionRun, type DirectionWeights } from '../rnn/op';
import { referenceDirection } from '../rnn/reference';
import { tableRowsOf } from '../tableRows';
import { type CellSpec, gateCount } from '../rnn/cell';
import { type Nonlinearity } from '../rnn/vanilla';
import { traceMode, type DirectionTrace, type RecurrentTrace } from '../rnn/trace';
import { formatShape, type Parameter, Tensor } from '../tensor';
import { dropout } from './dropout';
import { showValue } from '../optim/optimizer';

export type { DirectionTrace, GateSaturation, RecurrentTrace } from '../rnn/trace';
export { SATURATION_HIGH, SATURATION_LOW } from '../rnn/trace';
export type { Nonlinearity } from '../rnn/vanilla';
export type { CellSpec } from '../rnn/cell';

export interface RecurrentOptions {
  /** Stacked layers (default 1); layer l>0 reads the previous layer's (…, D·H) output. */
  numLayers?: number;
  /** Add a reverse direction per layer (default false); outputs are [forward H | reverse H]. */
  bidirectional?: boolean;
  /** Input and output are (N,T,·) instead of (T,N,·) (default false). h and c stay (L·D,N,H). */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode (default 0). */
  dropout?: number;
  /** Use b_ih and b_hh (default true). */
  bias?: boolean;
  /** Gradient checkpointing through time (default false); see {@link CheckpointThroughTime}. */
  checkpoint?: CheckpointThroughTime;
}

/**
 * Gradient checkpointing through time, for sequences too long for their BPTT tape: `true`, or
 * `{ segment }` steps per segment. The forward keeps only the hidden (and cell) state at the start
 * of every segment of each layer and direction; the backward runs each segment's forward again,
 * last segment first, and back-propagates through it before the next. The tape's memory goes from
 * T·N·(G+2)·H floats per layer and direction (G gate blocks: LSTM 4, GRU 3, RNN 1) to about
 * (T/S + (2G+2)·S)·N·H, for one more forward per backward; the gradients are the same bit for bit.
 *
 * `segment` defaults to ⌈√T⌉ and is rounded up to whole blocks of at least ⌈256/N⌉ steps: the
 * backward adds the weight gradients of 256 rows (steps × batch) at a time, and a segment must
 * not cut a block for the sums to come out the same. The layer's output (T,N,D·H) and its
 * gradient are still whole (they are the next layer's input); what is bounded is what each layer
 * keeps between its forward and its backward.
 *
 *     const lstm = new LSTM(16, 128, { checkpoint: true });   // or { checkpoint: { segment: 200 } }
 *     lstm.checkpoint = false;                                  // a plain field: on and off at will
 */
export type CheckpointThroughTime = boolean | { segment?: number };

export interface RNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: Nonlinearity;
}

export interface GRUOptions extends RecurrentOptions {
  /**
   * true (default): PyTorch's form n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).
   * false: Cho et al. 2014, n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
   */
  resetAfter?: boolean;
}

export interface RecurrentForwardOptions {
  /**
   * (L·D, N, H), or (L·D, H) for unbatched input; zeros when absent. For truncated BPTT, pass
   * the previous chunk's `h.detach()` (and `c.detach()`): the state carries over, the gradient
   * stops; or let fit() do it, `fit(model, data, { tbptt: { k1: 100 } })`.
   */
  h0?: Tensor;
  /** (L·D, N, H) initial cell state, LSTM only; zeros when absent. */
  c0?: Tensor;
  /**
   * (N) valid steps per sequence, each in [1, T], in any order (PyTorch's packed sequences with
   * enforce_sorted=False): outputs past a row's length are 0, the reverse direction starts at
   * len−1, and h (and c) hold each row's state at its own last step. The output keeps the
   * input's T (as pad_packed_sequence(…, total_length=T)).
   */
  lengths?: readonly number[] | Tensor;
}

export interface RecurrentOutput<C extends Tensor | null> {
  /** (T,N,D·H), (N,T,D·H) with batchFirst, or (T,D·H) for unbatched input. */
  output: Tensor;
  /** (L·D, N, H) final hidden state per layer and direction (rows l0, l0_reverse, l1, …). */
  h: Tensor;
  /** (L·D, N, H) final cell state (LSTM); null for RNN and GRU. */
  c: C;
}

/**
 * How fit()'s truncated BPTT (train/tbptt.ts) carries a layer's state from one forward to the
 * next: a forward given no h0 (c0) starts from `h` (`c`), and leaves its final state there (still
 * in the autograd graph, so that the next forward of the same window continues it); with
 * `captureAt`, it also copies its state after that many steps into `captured` (values, outside
 * the graph: the next window's start). One direction only.
 * @internal
 */
export interface RecurrentStream {
  /** (L,N,H) the state the next forward starts from; null: zeros. */
  h: Tensor | null;
  /** (L,N,H) LSTM cell state, likewise. */
  c: Tensor | null;
  /** Steps into the next forward (0 … T) after which to copy the state into `captured`, or null. */
  captureAt: number | null;
  captured: { h: Tensor; c: Tensor | null } | null;
  /** Forwards run since the stream was set (a layer run twice in one model forward cannot carry one state). */
  forwards: number;
}

/** Per direction, the state after each step (T tensors of (N,H)); see forwardReference. */
export interface RecurrentReferenceOutput<C extends Tensor | null> extends RecurrentOutput<C> {
  states: Record<string, Tensor[]>;
}

type DirectionImpl = (run: DirectionRun) => DirectionResult & { trace?: DirectionTrace | null; states?: Tensor[] };

/** The fused kernels (traced when instrumenting) or the step-by-step reference (per-step states). */
type Path = 'fused' | 'reference';

/**
 * The shared machinery of RNN, LSTM and GRU (PyTorch's RNNBase). Parameters are registered with
 * PyTorch's names, shapes and order: weight_ih_l0 (G·H, I), weight_hh_l0 (G·H, H), bias_ih_l0 (G·H),
 * bias_hh_l0 (G·H), then the same with _reverse, then l1 …; G = 1 (RNN), 3 (GRU r,z,n), 4 (LSTM
 * i,f,g,o). Init U(−1/√H, 1/√H) for all of them.
 *
 * Instrumentation: set `layer.instrument = true`. Every forward then leaves a
 * {@link RecurrentTrace} in `layer.trace` (per direction 'l0', 'l0_reverse', 'l1', …: hidden
 * states, LSTM cell states, gate activations and their saturation), and the backward through that
 * forward fills in each direction's `gradNorm`, ‖∂L/∂h_t‖ for every step t. Off by default; when
 * on it costs a copy of the states and gates per forward and one norm per step in the backward.
 *
 *     lstm.instrument = true;
 *     const { output } = lstm.forward(x);
 *     lossOf(output).backward();
 *     const l0 = lstm.trace!.directions.l0;
 *     l0.gradNorm;              // number[T]: ‖∂L/∂h_t‖ at every step t
 *     l0.saturation.f.high;     // fraction of forget-gate activations > 0.9
 *     l0.gates.i;               // (T,N,H) input-gate activations, time-major
 */
export abstract class RNNBase extends Module {
  /** I: features per time step of the input. */
  readonly inputSize: number;
  /** H: features of the hidden state (per direction). */
  readonly hiddenSize: number;
  /** L: stacked layers; layer l>0 reads the previous layer's (…, D·H) output. */
  readonly numLayers: number;
  /** A reverse direction per layer (D = 2); outputs are [forward H | reverse H]. */
  readonly bidirectional: boolean;
  /** Input and output are (N,T,·) instead of (T,N,·); h and c stay (L·D,N,H). */
  readonly batchFirst: boolean;
  /** Dropout probability on each layer's output except the last, in training mode. */
  readonly dropout: number;
  /** Whether the layer has the biases b_ih and b_hh. */
  readonly bias: boolean;
  /** @internal The cell the fused kernels run (gate count, nonlinearity). */
  readonly cell: CellSpec;
  /** Gradient checkpointing through time (see {@link CheckpointThroughTime}); checked at every forward. */
  checkpoint: CheckpointThroughTime;
  /** Record a trace of every forward in `trace` (see the class comment). */
  instrument = false;
  /** The trace of the last forward made with `instrument` on, or null. */
  trace: RecurrentTrace | null = null;
  /** @internal Set by fit()'s truncated BPTT while it runs a chunk; see {@link RecurrentStream}. */
  stream: RecurrentStream | null = null;

  // Parameters are registered under computed names; this lets `lstm.weight_ih_l0` type-check.
  [name: `weight_${string}` | `bias_${string}`]: Parameter;

  protected constructor(cell: CellSpec, inputSize: number, hiddenSize: number, options: RecurrentOptions) {
    super();
    const name = new.target.name;
    const numLayers = options.numLayers ?? 1;
    const p = options.dropout ?? 0;
    if (!(Number.isInteger(inputSize) && inputSize > 0 && Number.isInteger(hiddenSize) && hiddenSize > 0)) {
      throw new Error(`${name}(${inputSize}, ${hiddenSize}): inputSize and hiddenSize must be positive integers`);
    }
    if (!(Number.isInteger(numLayers) && numLayers > 0)) throw new Error(`${name}: numLayers must be a positive integer, got ${numLayers}`);
    if (!(p >= 0 && p < 1)) throw new Error(`${name}: dropout must be in [0, 1), got ${p}`);
    this.cell = cell;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bidirectional = options.bidirectional ?? false;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = p;
    this.bias = options.bias ?? true;
    this.checkpoint = options.checkpoint ?? false;
    checkpointSegment(this.checkpoint, name);
    const G = gateCount(cell) * hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    for (let l = 0; l < numLayers; l++) {
      const inSize = l === 0 ? inputSize : this.numDirections * hiddenSize;
      for (let d = 0; d < this.numDirections; d++) {
        const suffix = directionName(l, d === 1);
        this.registerParameter(`weight_ih_${suffix}`, uniformParameter([G, inSize], bound));
        this.registerParameter(`weight_hh_${suffix}`, uniformParameter([G, hiddenSize], bound));
        if (this.bias) {
          this.registerParameter(`bias_ih_${suffix}`, uniformParameter([G], bound));
          this.registerParameter(`bias_hh_${suffix}`, uniformParameter([G], bound));
        }
      }
    }
  }

  /** Runs the layer over a sequence; see {@link RecurrentForwardOptions} and {@link RecurrentOutput}. */
  abstract override forward(x: Tensor, options?: RecurrentForwardOptions): RecurrentOutput<Tensor | null>;

  /**
   * The same forward composed step by step from autograd ops instead of the fused kernels (slow;
   * for tests and for reading), plus each direction's per-step states h_t (T tensors of (N,H)):
   * call retainGrad() on them before backward() to read ∂L/∂h_t. Dropout, when training, draws
   * its own masks.
   * @internal
   */
  abstract forwardReference(x: Tensor, options?: RecurrentForwardOptions): RecurrentReferenceOutput<Tensor | null>;

  /** D: 2 when bidirectional, else 1. */
  get numDirections(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /** @internal The weights of layer `layer`, direction forward or reverse. */
  directionWeights(layer: number, reverse: boolean): DirectionWeights {
    const suffix = directionName(layer, reverse);
    const get = (key: string): Parameter | null => (this as unknown as Record<string, Parameter | undefined>)[`${key}_${suffix}`] ?? null;
    return { wIh: get('weight_ih')!, wHh: get('weight_hh')!, bIh: get('bias_ih'), bHh: get('bias_hh') };
  }

  protected run(x: Tensor, options: RecurrentForwardOptions, path: Path): RecurrentReferenceOutput<Tensor | null> {
    const where = `${this.constructor.name}.forward`;
    const { inputSize: I, hiddenSize: H, numLayers: L, numDirections: D } = this;
    const lstm = this.cell.kind === 'lstm';
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new Error(`${where}: input is ${formatShape(x.shape)} but must be (T,N,${I})${this.batchFirst ? ' with batchFirst (N,T,' + I + ')' : ''} or unbatched (T,${I})`);
    }
    if (x.shape[x.ndim - 1] !== I) throw new Error(`${where}: input is ${formatShape(x.shape)} but inputSize is ${I}`);
    const batched = x.ndim === 3;
    // Everything below works time-major: xt is (T,N,I).
    const xt = !batched ? unsqueeze(x, 1) : this.batchFirst ? transpose(x, 0, 1) : x;
    const [T, N] = [xt.shape[0]!, xt.shape[1]!];
    if (T === 0 || N === 0) throw new Error(`${where}: input ${formatShape(x.shape)} has no ${T === 0 ? 'time steps' : 'sequences'}`);
    if (options.c0 && !lstm) throw new Error(`${where}: c0 is only used by LSTM`);
    const stream = path === 'fused' ? this.stream : null;
    if (stream) checkStream(this, options, batched, where);
    const h0 = this.initialState('h0', options.h0 ?? stream?.h ?? undefined, batched, N, where);
    const c0 = lstm ? this.initialState('c0', options.c0 ?? stream?.c ?? undefined, batched, N, where) : null;
    const lengths = this.checkLengths(options.lengths, batched, T, N, x, where);
    const checkpoint = checkpointSegment(this.checkpoint, where);

    const impl: DirectionImpl = path === 'fused' ? recurrentDirection : referenceDirection;
    const trace: RecurrentTrace | null = this.instrument && path === 'fused'
      ? { mode: traceMode(this.cell), T, N, H, lengths: Array.from(lengths), directions: {} }
      : null;
    const zeroState = new Tensor(new Float32Array(N * H), [N, H]);
    const inputRows = path === 'fused' ? timeMajorTableRows(x, batched && this.batchFirst, T, N) : null;
    const batchFirstOut = path === 'fused' && batched && this.batchFirst && D === 1;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    const captured: NonNullable<DirectionResult['captured']>[] = [];
    const states: Record<string, Tensor[]> = {};
    let layerIn = xt;
    for (let l = 0; l < L; l++) {
      const ys: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const name = directionName(l, d === 1);
        const r = impl({
          cell: this.cell,
          x: layerIn,
          weights: this.directionWeights(l, d === 1),
          h0: h0 ? select(h0, 0, k) : zeroState,
          c0: c0 ? select(c0, 0, k) : null,
          lengths,
          reverse: d === 1,
          trace: trace ? { name, layer: l } : null,
          inputRows: l === 0 ? inputRows : null,
          // The last layer of a one-direction batchFirst layer writes (N,T,H) itself.
          batchFirstOutput: batchFirstOut && l === L - 1,
          checkpoint,
          captureAt: stream?.captureAt ?? null,
        });
        if (r.captured) captured.push(r.captured);
        ys.push(r.y);
        hs.push(r.hN);
        if (r.cN) cs.push(r.cN);
        if (trace && r.trace) trace.directions[name] = r.trace;
        if (r.states) states[name] = r.states;
      }
      layerIn = D === 2 ? cat(ys, 2) : ys[0]!; // (T,N,D·H)
      if (l < L - 1 && this.dropout > 0 && this.training) layerIn = dropout(layerIn, this.dropout, true);
    }
    if (trace) this.trace = trace;
    let output = layerIn;
    let h = stack(hs, 0); // (L·D,N,H)
    let c = lstm ? stack(cs, 0) : null;
    if (stream) {
      stream.h = h;
      stream.c = c;
      stream.captured = stream.captureAt === null ? null : stackCaptured(captured, N, H);
      stream.forwards++;
    }
    if (!batched) {
      output = select(output, 1, 0);
      h = select(h, 1, 0);
      c = c ? select(c, 1, 0) : null;
    } else if (this.batchFirst && !batchFirstOut) {
      output = transpose(output, 0, 1);
    }
    return { output, h, c, states };
  }

  /** h0/c0 as (L·D,N,H), checked; null when absent. */
  private initialState(what: 'h0' | 'c0', s: Tensor | undefined, batched: boolean, N: number, where: string): Tensor | null {
    if (s === undefined) return null;
    const LD = this.numLayers * this.numDirections;
    const H = this.hiddenSize;
    const expected = batched ? [LD, N, H] : [LD, H];
    if (s.ndim !== expected.length || s.shape.some((v, i) => v !== expected[i])) {
      const meaning = batched ? '(numLayers·numDirections, N, hiddenSize)' : '(numLayers·numDirections, hiddenSize) for unbatched input';
      throw new Error(`${where}: ${what} is ${formatShape(s.shape)} but expected ${formatShape(expected)} = ${meaning}`);
    }
    return batched ? s : unsqueeze(s, 1);
  }

  private checkLengths(lengths: readonly number[] | Tensor | undefined, batched: boolean, T: number, N: number, x: Tensor, where: string): Int32Array {
    const out = new Int32Array(N).fill(T);
    if (lengths === undefined) return out;
    if (!batched) throw new Error(`${where}: lengths needs batched input, got unbatched ${formatShape(x.shape)}`);
    let values: ArrayLike<number>;
    if (lengths instanceof Tensor) {
      if (lengths.ndim !== 1) throw new Error(`${where}: lengths must be 1-D (N), got ${formatShape(lengths.shape)}`);
      values = lengths.data;
    } else {
      values = lengths;
    }
    if (values.length !== N) throw new Error(`${where}: lengths has ${values.length} entries but input ${formatShape(x.shape)} has N=${N} sequences`);
    for (let n = 0; n < N; n++) {
      const v = values[n]!;
      if (!(Number.isInteger(v) && v >= 1 && v <= T)) {
        throw new Error(`${where}: lengths[${n}] is ${v} but must be an integer in [1, ${T}] for input ${formatShape(x.shape)} (T=${T})`);
      }
      out[n] = v;
    }
    return out;
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, numLayers=${this.numLayers}`;
    if (!this.bias) s += ', bias=false';
    if (this.batchFirst) s += ', batchFirst=true';
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional=true';
    if (this.cell.kind === 'rnn' && this.cell.nonlinearity !== 'tanh') s += `, nonlinearity='${this.cell.nonlinearity}'`;
    if (this.cell.kind === 'gru' && !this.cell.resetAfter) s += ', resetAfter=false';
    if (this.checkpoint !== false) s += `, checkpoint=${typeof this.checkpoint === 'object' ? JSON.stringify(this.checkpoint) : this.checkpoint}`;
    return s;
  }
}

/** A forward under fit()'s truncated BPTT: one direction, batched, its initial state the stream's. */
function checkStream(layer: RNNBase, options: RecurrentForwardOptions, batched: boolean, where: string): void {
  const why = "fit's tbptt carries the layer's state from one chunk to the next";
  if (layer.bidirectional) throw new Error(`${where}: ${why}, which a bidirectional layer cannot (its reverse direction starts at the sequence's end)`);
  if (!batched) throw new Error(`${where}: ${why}, for batched input (N,T,·) only`);
  if (options.h0 || options.c0) throw new Error(`${where}: ${why}, but the model gave it ${options.h0 ? 'h0' : 'c0'}; leave the initial state out (the layer starts from the carried one)`);
}

/** The captured states of every layer (one direction each) as (L,N,H) tensors. */
function stackCaptured(captured: NonNullable<DirectionResult['captured']>[], N: number, H: number): { h: Tensor; c: Tensor | null } {
  const L = captured.length;
  const h = new Float32Array(L * N * H);
  const c = captured[0]!.c ? new Float32Array(L * N * H) : null;
  captured.forEach((s, l) => {
    h.set(s.h, l * N * H);
    if (c && s.c) c.set(s.c, l * N * H);
  });
  return { h: new Tensor(h, [L, N, H]), c: c && new Tensor(c, [L, N, H]) };
}

/**
 * The checkpoint option checked (`name` is the option's name in messages): null when off, else
 * the requested segment (null: the default).
 * @internal
 */
export function checkpointSegment(value: CheckpointThroughTime, where: string, name = 'checkpoint'): { segment: number | null } | null {
  if (value === false) return null;
  if (value === true) return { segment: null };
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const segment = isObject ? (value as { segment?: unknown }).segment : undefined;
  const known = isObject && Object.keys(value).every((k) => k === 'segment');
  if (!known || !(segment === undefined || (typeof segment === 'number' && Number.isInteger(segment) && segment >= 1))) {
    throw new Error(`${where}: ${name} must be true, false or { segment: n } with n a positive integer (steps per segment), got ${isObject ? JSON.stringify(value) : showValue(value)}`);
  }
  return { segment: (segment as number | undefined) ?? null };
}

/** PyTorch's parameter-name suffix for a layer and direction: l0, l0_reverse, l1, … */
export function directionName(layer: number, reverse: boolean): string {
  return `l${layer}${reverse ? '_reverse' : ''}`;
}

/**
 * Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) with act = tanh (default) or relu.
 *
 *     const rnn = new RNN(16, 32, { numLayers: 2 });
 *     const { output, h } = rnn.forward(x);           // x (T,N,16) → output (T,N,32), h (2,N,32)
 */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
    super({ kind: 'rnn', nonlinearity }, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentOutput<null> {
    const { output, h } = this.run(x, options, 'fused');
    return { output, h, c: null };
  }

  /** @internal */
  forwardReference(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentReferenceOutput<null> {
    const { output, h, states } = this.run(x, options, 'reference');
    return { output, h, c: null, states };
  }
}

/**
 * Long short-term memory, PyTorch's equations and gate order (i, f, g, o):
 *
 *     i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
 *     g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
 *     c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')
 *
 *     const lstm = new LSTM(8, 16, { numLayers: 2, dropout: 0.3, batchFirst: true });
 *     const { output, h, c } = lstm.forward(x, { h0, c0, lengths });
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super({ kind: 'lstm' }, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentOutput<Tensor> {
    const { output, h, c } = this.run(x, options, 'fused');
    return { output, h, c: c! };
  }

  /** @internal */
  forwardReference(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentReferenceOutput<Tensor> {
    const { output, h, c, states } = this.run(x, options, 'reference');
    return { output, h, c: c!, states };
  }
}

/**
 * Gated recurrent unit, gate order (r, z, n):
 *
 *     r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))       (resetAfter: true, PyTorch's default)
 *     n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)       (resetAfter: false, Cho et al. 2014)
 *     h' = (1 − z) ⊙ n + z ⊙ h
 *
 * Textbooks (Cho et al.) write h_t = (1 − u) ⊙ h_{t−1} + u ⊙ h̃_t: the same update with u = 1 − z,
 * so PyTorch's z is the fraction of the old state kept, the textbook's u the fraction replaced.
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: GRUOptions = {}) {
    super({ kind: 'gru', resetAfter: options.resetAfter ?? true }, inputSize, hiddenSize, options);
  }

  get resetAfter(): boolean {
    return this.cell.kind === 'gru' && this.cell.resetAfter;
  }

  forward(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentOutput<null> {
    const { output, h } = this.run(x, options, 'fused');
    return { output, h, c: null };
  }

  /** @internal */
  forwardReference(x: Tensor, options: RecurrentForwardOptions = {}): RecurrentReferenceOutput<null> {
    const { output, h, states } = this.run(x, options, 'reference');
    return { output, h, c: null, states };
  }
}

/**
 * When x came from an embedding lookup (and still holds its rows): the table and the row index in
 * time-major order (T·N), so that the first layer can work on the table. Not when x's own
 * gradient is to be kept (retainGrad): the layer's gradient then goes to the table directly. Not
 * when x has fewer rows than the table (one generated token at a time): projecting the table
 * would be more work than projecting x.
 */
function timeMajorTableRows(x: Tensor, batchFirst: boolean, T: number, N: number): { table: Tensor; index: Int32Array; paddingIdx: number } | null {
  if (x.retainsGrad) return null;
  const rows = tableRowsOf(x);
  if (!rows || T * N < rows.table.shape[0]!) return null;
  if (!batchFirst) return rows;
  const index = new Int32Array(T * N); // x is (N,T,I): row n·T + t goes to t·N + n
  for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) index[t * N + n] = rows.index[n * T + t]!;
  return { ...rows, index };
}
