// A model's weights in shared memory, published by the training worker under a readers–writer
// lock, so kernel-side readers (the inspector, a cell printing weights) see whole steps.
//
// One SharedArrayBuffer:
//   Int32 header (HEADER_WORDS): LOCK, PUBLISHED_STEP, PUBLISH_COUNT
//   Float32 values: every parameter, concatenated in namedParameters() order.
// The kernel's Parameters become views into the values. The worker trains on its own copy and
// copies a finished step in (double buffering). LOCK ≥ 0 counts readers; −1 means the worker is
// copying. During training the worker never waits for readers (if one holds the lock it
// publishes a later step instead); a reader waits at most for one copy. The final publish waits.

import type { Module } from '../../engine/module';
import { sameShape, type Parameter } from '../../engine/tensor';
import { replaceTensorData } from '../tensorData';

export interface ParameterSlot {
  name: string;
  shape: number[];
  /** Offset in floats from the start of the values. */
  offset: number;
  size: number;
}

/** What crosses to a worker: the buffer is shared, not copied. */
export interface SharedWeightsHandle {
  buffer: SharedArrayBuffer;
  slots: ParameterSlot[];
}

const LOCK = 0;
const PUBLISHED_STEP = 1;
const PUBLISH_COUNT = 2;
const HEADER_WORDS = 16; // 64 bytes: keeps the values cache-line aligned

const byModel = new WeakMap<Module, SharedWeights>();

export class SharedWeights {
  readonly buffer: SharedArrayBuffer;
  readonly slots: readonly ParameterSlot[];
  private readonly header: Int32Array;
  /** All parameters, concatenated. */
  readonly values: Float32Array;

  private constructor(handle: SharedWeightsHandle) {
    this.buffer = handle.buffer;
    this.slots = handle.slots;
    this.header = new Int32Array(handle.buffer, 0, HEADER_WORDS);
    const total = handle.slots.reduce((n, s) => n + s.size, 0);
    this.values = new Float32Array(handle.buffer, HEADER_WORDS * 4, total);
  }

  /**
   * Moves the model's parameters onto shared memory (once; later calls reuse the buffer while
   * the parameters are unchanged). Values are kept; the old arrays are no longer the parameters'.
   */
  static forModel(model: Module): SharedWeights {
    const named = [...model.namedParameters()];
    const existing = byModel.get(model);
    if (existing !== undefined && existing.matches(named)) return existing;
    const slots: ParameterSlot[] = [];
    let offset = 0;
    for (const [name, p] of named) {
      slots.push({ name, shape: [...p.shape], offset, size: p.size });
      offset += p.size;
    }
    const buffer = new SharedArrayBuffer(HEADER_WORDS * 4 + offset * 4);
    const shared = new SharedWeights({ buffer, slots });
    named.forEach(([, p], i) => {
      const view = shared.view(i);
      view.set(p.data);
      replaceTensorData(p, view);
    });
    byModel.set(model, shared);
    return shared;
  }

  static attach(handle: SharedWeightsHandle): SharedWeights {
    return new SharedWeights(handle);
  }

  /** The shared weights a model was moved onto, if any. */
  static of(model: Module): SharedWeights | undefined {
    const existing = byModel.get(model);
    return existing !== undefined && existing.matches([...model.namedParameters()]) ? existing : undefined;
  }

  get handle(): SharedWeightsHandle {
    return { buffer: this.buffer, slots: this.slots.map((s) => ({ ...s, shape: [...s.shape] })) };
  }

  /** The values of parameter `i` (a view, not a copy). */
  view(i: number): Float32Array {
    const s = this.slots[i]!;
    return this.values.subarray(s.offset, s.offset + s.size);
  }

  /** The training step whose weights are published (−1 before the first publish). */
  get publishedStep(): number {
    return Atomics.load(this.header, PUBLISH_COUNT) === 0 ? -1 : Atomics.load(this.header, PUBLISHED_STEP);
  }

  /** Runs `fn` while no step is being published: everything it reads belongs to one step. */
  read<T>(fn: () => T): T {
    for (;;) {
      const v = Atomics.load(this.header, LOCK);
      if (v >= 0) {
        if (Atomics.compareExchange(this.header, LOCK, v, v + 1) === v) break;
      } else {
        Atomics.wait(this.header, LOCK, v, 10);
      }
    }
    try {
      return fn();
    } finally {
      if (Atomics.sub(this.header, LOCK, 1) === 1) Atomics.notify(this.header, LOCK);
    }
  }

  /** Copies `sources` (one array per slot) in unless a reader holds the lock. */
  tryPublish(sources: readonly Float32Array[], step: number): boolean {
    if (Atomics.compareExchange(this.header, LOCK, 0, -1) !== 0) return false;
    try {
      sources.forEach((src, i) => this.view(i).set(src));
      Atomics.store(this.header, PUBLISHED_STEP, step);
      Atomics.add(this.header, PUBLISH_COUNT, 1);
    } finally {
      Atomics.store(this.header, LOCK, 0);
      Atomics.notify(this.header, LOCK);
    }
    return true;
  }

  /** Publishes, waiting for readers to finish (used for the final weights). */
  publish(sources: readonly Float32Array[], step: number): void {
    while (!this.tryPublish(sources, step)) {
      const v = Atomics.load(this.header, LOCK);
      if (v !== 0) Atomics.wait(this.header, LOCK, v, 10);
    }
  }

  /** After the workers are gone: a worker ended mid-publish must not leave readers waiting forever. */
  releaseAfterCrash(): void {
    if (Atomics.compareExchange(this.header, LOCK, -1, 0) === -1) Atomics.notify(this.header, LOCK);
  }

  private matches(named: readonly [string, Parameter][]): boolean {
    if (named.length !== this.slots.length) return false;
    return named.every(([name, p], i) => {
      const s = this.slots[i]!;
      const view = p.data;
      return (
        s.name === name &&
        sameShape(s.shape, p.shape) &&
        view.buffer === this.buffer &&
        view.byteOffset === this.values.byteOffset + s.offset * 4 &&
        view.length === s.size
      );
    });
  }
}

/**
 * Runs `fn` with a consistent view of a model's weights: while a job trains the model, no
 * step is published during `fn` (the worker goes on training and publishes a later step).
 * For a model that is not being trained in a worker it simply runs `fn`.
 */
export function withConsistentWeights<T>(model: Module, fn: () => T): T {
  const shared = SharedWeights.of(model);
  return shared === undefined ? fn() : shared.read(fn);
}
