// The workloads' models, written the way a person writes them in a notebook cell: Module
// subclasses whose source is evaluated with the engine's exports in scope. fit() sends such a
// class to its workers as source; a class compiled into this bundle would carry esbuild's renamed
// identifiers (`LSTM2`, `import_engine.LSTM`) instead of the engine's export names, so the classes
// live in source strings, as cell text does.

import { Embedding, GRU, Linear, LSTM, Module, RNN, RNNBase, select, tensor, type Tensor } from '../kernel/engine/index';
import { hiddenTarget, sinInputs } from './subnormals';
import type { Workload } from './workloads';

const cellSource = `{ lstm: LSTM, gru: GRU, rnn: RNN }[cell]`;

const LANGUAGE_MODEL = `class BenchLanguageModel extends Module {
  constructor(cell, vocab, embed, hidden, layers) {
    super();
    this.embedding = new Embedding(vocab, embed);
    this.rnn = new (${cellSource})(embed, hidden, { numLayers: layers, batchFirst: true });
    this.fc = new Linear(hidden, vocab);
  }
  forward(x) {
    const { output } = this.rnn.forward(this.embedding.forward(x)); // x is (B,T) token ids, output (B,T,H)
    return this.fc.forward(output); // (B,T,V)
  }
}`;

const LAST_STATE = `class BenchLastState extends Module {
  constructor(cell, input, hidden, layers) {
    super();
    this.rnn = new (${cellSource})(input, hidden, { numLayers: layers, batchFirst: true });
  }
  forward(x) {
    return select(this.rnn.forward(x).h, 0, -1); // x is (B,T,I); h_T of the last layer, (B,H)
  }
}`;

const LAST_STEP_REGRESSOR = `class BenchLastStepRegressor extends Module {
  constructor(cell, input, hidden, layers) {
    super();
    this.rnn = new (${cellSource})(input, hidden, { numLayers: layers, batchFirst: true });
    this.fc = new Linear(hidden, 1);
  }
  forward(x) {
    const { output } = this.rnn.forward(x); // x is (B,T,I), output (B,T,H)
    return this.fc.forward(select(output, 1, x.shape[1] - 1)); // (B,1)
  }
}`;

const SEQUENCE_REGRESSOR = `class BenchSequenceRegressor extends Module {
  constructor(cell, input, hidden, layers) {
    super();
    this.rnn = new (${cellSource})(input, hidden, { numLayers: layers, batchFirst: true });
    this.fc = new Linear(hidden, 1);
  }
  forward(x) {
    return this.fc.forward(this.rnn.forward(x).output); // x is (B,T,I), output (B,T,H) → (B,T,1)
  }
}`;

// What the classes' source may refer to, as in a cell that imported them from 'rnn-lab'.
const scope: Record<string, unknown> = { Module, Embedding, LSTM, GRU, RNN, Linear, select };

type ModelClass = new (...args: (string | number)[]) => Module;

function evaluateClass(source: string): ModelClass {
  const names = Object.keys(scope);
  return new Function(...names, `'use strict'; return (${source});`)(...names.map((n) => scope[n])) as ModelClass;
}

let classes: { lm: ModelClass; regLast: ModelClass; stateLast: ModelClass; regSeq: ModelClass } | null = null;

/** The workload's model, freshly initialised (seed it with manualSeed first). */
export function buildModel(w: Workload): Module {
  classes ??= { lm: evaluateClass(LANGUAGE_MODEL), regLast: evaluateClass(LAST_STEP_REGRESSOR), stateLast: evaluateClass(LAST_STATE), regSeq: evaluateClass(SEQUENCE_REGRESSOR) };
  if (w.task === 'lm') return new classes.lm(w.cell, w.vocab!, w.embed!, w.hidden, w.layers);
  const model = { 'state-last': classes.stateLast, 'reg-seq': classes.regSeq, 'reg-last': classes.regLast }[w.task];
  return new model(w.cell, w.input!, w.hidden, w.layers);
}

/** The model's recurrent layer (to switch its instrumentation on). */
export function recurrentLayerOf(model: Module): RNNBase {
  for (const [, m] of model.namedModules()) if (m instanceof RNNBase) return m;
  throw new Error(`${model.constructor.name} has no recurrent layer`);
}

/** The embedding, recurrent layer and head of an lm workload's model, for a loop that calls them one by one. */
export function languageModelParts(model: Module): { embedding: Embedding; rnn: RNNBase; fc: Linear } {
  let embedding: Embedding | null = null;
  let fc: Linear | null = null;
  for (const [, m] of model.namedModules()) {
    if (m instanceof Embedding) embedding = m;
    else if (m instanceof Linear) fc = m;
  }
  if (!embedding || !fc) throw new Error(`${model.constructor.name} is not an embedding → recurrent layer → linear language model`);
  return { embedding, rnn: recurrentLayerOf(model), fc };
}

/**
 * `examples` rows of deterministic pseudo-random data for the workload (the values do not matter
 * for timing, except where the gradient decays into the subnormals: lstm-long's sin inputs):
 * lm x is (N,T) token ids and y (N,T) next tokens; reg-last x is (N,T,I), y (N,1); state-last
 * x is (N,T,I), y (N,H); reg-seq x is (N,T,I), y (N,T,1).
 */
export function makeData(w: Workload, examples: number): { x: Tensor; y: Tensor } {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const fill = (shape: number[], value: () => number): Tensor => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = value();
    return tensor(data, shape);
  };
  if (w.task === 'lm') {
    const token = (): number => Math.floor(rand() * w.vocab!);
    return { x: fill([examples, w.seq], token), y: fill([examples, w.seq], token) };
  }
  const x = w.inputs === 'sin' ? sinInputs(examples, w.seq, w.input!) : fill([examples, w.seq, w.input!], () => rand() * 2 - 1);
  if (w.task === 'state-last') return { x, y: hiddenTarget(examples, w.hidden) };
  if (w.task === 'reg-seq') return { x, y: fill([examples, w.seq, 1], () => rand() * 2 - 1) };
  return { x, y: fill([examples, 1], () => rand() * 2 - 1) };
}
