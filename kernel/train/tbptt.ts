// Truncated backpropagation through time in fit(): { tbptt: { k1, k2 } }, Williams & Peng's
// BPTT(h; h′) (1990) with h′ = k1 and h = k2 — every k1 steps one update, whose gradient takes the
// errors of those k1 steps back through the last k2 steps.
//
// A batch of sequences, x (N,T,…) and per-step targets y (N,T,…), is cut along time into chunks
// of k1 steps [s, e) (the last one shorter). The update of chunk [s, e):
//
//   1. the recurrent layers start at step w = max(0, s − (k2 − k1)) from a state held constant
//      (detached): the state they reached at w in the previous chunk's forward, which ran with the
//      weights of then (before the previous update); zeros at w = 0, i.e. for every new batch;
//   2. model.forward(x[:, w:s]) runs the k2 − k1 steps the gradient reaches back through beyond
//      the chunk (its output is not used), then the objective runs on the chunk, steps [s, e): the
//      named loss of model.forward(x[:, s:e]) against y[:, s:e], or forwardLoss(model, chunk);
//   3. backward, clipping, the optimizer's step: one step per chunk (fit's steps, maxSteps and a
//      step-wise schedule count chunks; an epoch is still every batch once).
//
// So the error at step t ∈ [s, e) reaches back to step w: t − w + 1 steps, from k2 − k1 + 1 to k2
// for a whole chunk. k2 = k1 (the default) is the TBPTT of PyTorch's word-language-model example
// and of Keras' stateful layers: the state carried from chunk to chunk, the gradient cut at chunk
// boundaries. With k1 ≥ T there is one chunk, and it is plain BPTT, bit for bit.
//
// The layers carry their state through RecurrentStream (layers/recurrent.ts): fit() sets it on
// every recurrent layer of the model for the chunk's forwards only (validation and the probe run
// whole sequences from zeros).

import type { RecurrentStream } from '../engine/layers/recurrent';
import { narrow } from '../engine/ops';
import type { Module } from '../engine/module';
import type { Tensor } from '../engine/tensor';
import type { Batch } from '../datasets/types';
import type { RecurrentLayer } from './instrumentation';
import type { LossTerm, Objective } from './objective';

/** fit()'s tbptt option, resolved. */
export interface TbpttConfig {
  /** Steps per chunk: one update every k1 steps. */
  k1: number;
  /** Steps the gradient goes back through from a chunk's end (≥ k1). */
  k2: number;
}

/** One update's steps: the layers run [from, to) from a detached state at `from`; the loss covers [lossFrom, to). */
export interface Chunk {
  from: number;
  lossFrom: number;
  to: number;
  /** Where the next chunk's layers start (in [from, to]): its state is captured by this chunk's forward. null for the last. */
  next: number | null;
}

/** The chunks of a sequence of T steps. */
export function tbpttChunks(T: number, { k1, k2 }: TbpttConfig): Chunk[] {
  const chunks: Chunk[] = [];
  for (let s = 0; s < T; s += k1) chunks.push({ from: Math.max(0, s - (k2 - k1)), lossFrom: s, to: Math.min(T, s + k1), next: null });
  chunks.forEach((c, i) => (c.next = chunks[i + 1]?.from ?? null));
  return chunks;
}

/** The time steps of the training data (fit cuts every batch the same way), checked for what tbptt needs. */
export function sequenceSteps(batch: Batch): number {
  const { x, y } = batch;
  // Shapes as (N,…): the batch may be of one example.
  const shape = (t: Tensor): string => `(N${t.shape.slice(1).map((d) => `,${d}`).join('')})`;
  const T = x.ndim >= 2 ? x.shape[1]! : 0;
  if (T < 1) throw new Error(`fit: tbptt cuts the input along time, its second dimension: x must be (N,T) token ids or (N,T,I) features, got ${shape(x)}`);
  if (!(y.ndim >= 2 && y.shape[1] === T)) {
    throw new Error(`fit: tbptt needs a target at every time step, y (N,T) or (N,T,O) with T = ${T} as x's; got x ${shape(x)} and y ${shape(y)}`);
  }
  return T;
}

/** The layers fit() carries the state of: every recurrent layer, none bidirectional. */
export function tbpttLayers(layers: readonly RecurrentLayer[]): RecurrentLayer[] {
  const bidirectional = layers.find(({ layer }) => layer.bidirectional);
  if (bidirectional) {
    throw new Error(`fit: tbptt carries each recurrent layer's state from one chunk to the next, which a bidirectional layer cannot (its reverse direction starts at the sequence's end): ${bidirectional.path || 'the model'} is bidirectional`);
  }
  if (layers.length === 0) throw new Error('fit: tbptt carries the state of the recurrent layers (RNN, LSTM, GRU) from one chunk to the next, and the model has none');
  return [...layers];
}

/** Steps [from, to) of a batch: x, y, and the lengths cut to them (0 for a row that ends before `from`). */
function chunkBatch(batch: Batch, from: number, to: number): Batch {
  const cut = (len: number): number => Math.max(0, Math.min(len, to) - from);
  return {
    x: narrow(batch.x, 1, from, to - from),
    y: narrow(batch.y, 1, from, to - from),
    lengths: batch.lengths.map(cut),
    targetLengths: batch.targetLengths.map(cut),
    indices: batch.indices,
  };
}

/** A layer's state between chunks. */
type State = Pick<RecurrentStream, 'h' | 'c'>;

/** One batch's walk through its chunks, with the states the layers carry from one chunk to the next. */
export class TbpttWalk {
  private index = 0;
  private starts: State[];

  /** `batch` null: this data-parallel worker's share of the batch is empty (it still steps with the others). */
  constructor(
    private readonly batch: Batch | null,
    private readonly chunks: readonly Chunk[],
    private readonly layers: readonly RecurrentLayer[],
  ) {
    this.starts = layers.map(() => ({ h: null, c: null }));
  }

  get done(): boolean {
    return this.index >= this.chunks.length;
  }

  /** The next chunk's forward: its loss term (null for an empty share), after which backward() and the update follow. */
  next(model: Module, objective: Objective): LossTerm | null {
    const chunk = this.chunks[this.index++]!;
    if (this.batch === null) return null;
    const streams = this.layers.map(({ layer }, i) => (layer.stream = { ...this.starts[i]!, captureAt: null, captured: null, forwards: 0 }));
    try {
      const { from, lossFrom, to, next } = chunk;
      // The next chunk's start, captured by the forward that passes it: values, outside the graph.
      const captured: (State | null)[] = streams.map(() => null);
      if (from < lossFrom) {
        // The steps before the chunk that the gradient reaches back through (output unused).
        const at = next !== null && next <= lossFrom ? next - from : null;
        this.forward(streams, at, captured, () => model.forward(narrow(this.batch!.x, 1, from, lossFrom - from)));
      }
      const at = next !== null && next > lossFrom ? next - lossFrom : null;
      const term = this.forward(streams, at, captured, () => objective.compute(model, chunkBatch(this.batch!, lossFrom, to)));
      this.starts = captured.map((c, i) => c ?? this.starts[i]!);
      return term;
    } finally {
      for (const { layer } of this.layers) layer.stream = null;
    }
  }

  /** One model forward, the layers' streams set to capture their state after `captureAt` steps into `captured` (or not). */
  private forward<T>(streams: RecurrentStream[], captureAt: number | null, captured: (State | null)[], run: () => T): T {
    for (const s of streams) {
      s.forwards = 0;
      s.captureAt = captureAt;
      s.captured = null;
    }
    const result = run();
    this.layers.forEach(({ path, layer }, i) => {
      const s = streams[i]!;
      if (s.forwards > 1) {
        throw new Error(`fit: tbptt carries each recurrent layer's state from one chunk to the next, but ${path || 'the model'} (${layer.constructor.name}) ran ${s.forwards} times in one forward of the model`);
      }
      if (s.captured) captured[i] = s.captured;
    });
    return result;
  }
}
