// What the ONNX exporter can export: a model described as a known composition of engine layers.
//
//   sequence  [Embedding] → RNN/LSTM/GRU → [Linear on every step's output | Linear on h_n[-1]]
//             (a single recurrent layer; the seed's LSTMModel; a seq2seq Encoder)
//   step      [Embedding] → one step of RNN/LSTM/GRU from a given state → [Luong dot attention
//             over encoder outputs] → [Linear on h_n[-1], or on the attentional state]
//             (a seq2seq Decoder, with or without attention, run once per generated token)
//
// A Module's forward is arbitrary code, so the exporter does not trace it. recognizeModel() looks
// at the module's children, and tries each composition they allow on a small random probe input
// against the model's own forward (in eval mode): the composition whose numbers agree is the one
// exported. A model it cannot recognise can be described explicitly with an OnnxModelSpec.

import { add, cat, Dropout, Embedding, formatShape, Generator, Linear, matmul, Module, noGrad, RNNBase, select, softmax, squeeze, tanh, Tensor, transpose, unsqueeze } from '../engine/index';

export interface OnnxSequenceSpec {
  kind: 'sequence';
  /** Token ids → vectors; absent when the model reads float features. */
  embedding?: Embedding | null;
  recurrent: RNNBase;
  /** A Linear head; absent to export the recurrent outputs themselves. */
  head?: Linear | null;
  /**
   * Where the head reads: 'outputs' (default) every step's output (…, D·H), giving per-step
   * logits; 'lastHidden' the final hidden state of the last row of h_n, h_n[-1] (N,H), as the
   * seed's LSTMModel does (for a bidirectional layer that row is the last layer's reverse direction).
   */
  headOn?: 'outputs' | 'lastHidden';
}

export interface OnnxStepSpec {
  kind: 'step';
  embedding?: Embedding | null;
  recurrent: RNNBase;
  /** A Linear head on h_n[-1] (N,H), or on the attentional state h̃ with attention (the seq2seq Decoder). */
  head?: Linear | null;
  /**
   * Luong et al.'s global dot attention (kernel/seq2seq/attention.ts) over encoder outputs
   * (N,S,H) with an additive mask (N,S): a = softmax(memory · h_top + mask), context = aᵀ memory,
   * h̃ = tanh(combine([context; h_top])); `combine` is Linear(2H, H). The head then reads h̃.
   */
  attention?: { combine: Linear } | null;
}

export type OnnxModelSpec = OnnxSequenceSpec | OnnxStepSpec;

/** What a spec computes, by the engine: the primary output and the final states. */
export interface SpecOutput {
  /** logits (head) or the recurrent output. */
  output: Tensor;
  h: Tensor;
  c: Tensor | null;
}

export interface SpecInputs {
  /** sequence: tokens (N,T)/(T,N) or features (…, I) per batchFirst; step: tokens (N) or features (N,I). */
  input: Tensor;
  h0?: Tensor;
  c0?: Tensor;
  lengths?: readonly number[];
  /** step with attention: encoder outputs (N,S,H) and the additive source mask (N,S). */
  memory?: Tensor;
  mask?: Tensor;
}

/** Checks that the parts of a spec fit together; throws naming the sizes that do not. */
export function checkSpec(spec: OnnxModelSpec): void {
  const rnn = spec.recurrent;
  if (!(rnn instanceof RNNBase)) throw new Error(`ONNX export: spec.recurrent must be an RNN, LSTM or GRU, got ${describeValue(rnn)}`);
  if (spec.embedding != null) {
    if (!(spec.embedding instanceof Embedding)) throw new Error(`ONNX export: spec.embedding must be an Embedding, got ${describeValue(spec.embedding)}`);
    if (spec.embedding.embeddingDim !== rnn.inputSize) {
      throw new Error(`ONNX export: the embedding gives ${spec.embedding.embeddingDim}-vectors but ${rnn.constructor.name} has inputSize ${rnn.inputSize}`);
    }
  }
  if (spec.head != null) {
    if (!(spec.head instanceof Linear)) throw new Error(`ONNX export: spec.head must be a Linear, got ${describeValue(spec.head)}`);
    const onOutputs = spec.kind === 'sequence' && (spec.headOn ?? 'outputs') === 'outputs';
    const width = onOutputs ? rnn.numDirections * rnn.hiddenSize : rnn.hiddenSize;
    if (spec.head.inFeatures !== width) {
      const what = onOutputs ? `every step's output (numDirections·hiddenSize = ${width})` : `h_n[-1] (hiddenSize = ${width})`;
      throw new Error(`ONNX export: the head is Linear(${spec.head.inFeatures}, ${spec.head.outFeatures}) but reads ${what}`);
    }
  }
  if (spec.kind === 'step' && spec.attention != null) {
    const combine = spec.attention.combine;
    if (!(combine instanceof Linear)) throw new Error(`ONNX export: spec.attention.combine must be a Linear, got ${describeValue(combine)}`);
    const H = rnn.hiddenSize;
    if (combine.inFeatures !== 2 * H || combine.outFeatures !== H) {
      throw new Error(`ONNX export: attention's combine is Linear(${combine.inFeatures}, ${combine.outFeatures}) but must map [context; h] (2·hiddenSize = ${2 * H}) to hiddenSize ${H}`);
    }
    if (rnn.numDirections !== 1) throw new Error('ONNX export: an attention decoder step must be unidirectional');
  }
  if (spec.kind === 'sequence' && spec.headOn !== undefined && spec.headOn !== 'outputs' && spec.headOn !== 'lastHidden') {
    throw new Error(`ONNX export: headOn must be 'outputs' or 'lastHidden', got '${String(spec.headOn)}'`);
  }
  if (spec.kind !== 'sequence' && spec.kind !== 'step') throw new Error(`ONNX export: spec.kind must be 'sequence' or 'step', got '${String((spec as { kind: unknown }).kind)}'`);
}

/** Runs a spec with the engine's layers (eval semantics are the caller's: call model.eval()). */
export function runSpec(spec: OnnxModelSpec, inputs: SpecInputs): SpecOutput {
  const rnn = spec.recurrent;
  let x = spec.embedding ? spec.embedding.forward(inputs.input) : inputs.input;
  if (spec.kind === 'step') x = rnn.batchFirst ? unsqueeze(x, 1) : unsqueeze(x, 0); // one time step
  const { output, h, c } = rnn.forward(x, { h0: inputs.h0, c0: inputs.c0, lengths: inputs.lengths });
  const top = select(h, 0, h.shape[0]! - 1); // (N,H)
  if (spec.kind === 'step') {
    if (spec.attention) {
      if (!inputs.memory || !inputs.mask) throw new Error('runSpec: an attention step needs memory (N,S,H) and mask (N,S)');
      const scores = add(squeeze(matmul(inputs.memory, unsqueeze(top, 2)), 2), inputs.mask); // (N,S)
      const context = squeeze(matmul(unsqueeze(softmax(scores, -1), 1), inputs.memory), 1); // (N,H)
      const attentional = tanh(spec.attention.combine.forward(cat([context, top], 1))); // h̃ (N,H)
      return { output: spec.head ? spec.head.forward(attentional) : attentional, h, c };
    }
    return { output: spec.head ? spec.head.forward(top) : squeeze(rnn.batchFirst ? transpose(output, 0, 1) : output, 0), h, c };
  }
  if (!spec.head) return { output, h, c };
  return { output: spec.head.forward((spec.headOn ?? 'outputs') === 'lastHidden' ? top : output), h, c };
}

/**
 * Finds the composition `model.forward` computes (see the file comment). Throws, naming the
 * model's children and what was tried, when none fits.
 */
export function recognizeModel(model: Module): OnnxModelSpec {
  if (model instanceof RNNBase) return { kind: 'sequence', recurrent: model };
  const children = [...model.namedChildren()];
  const embeddings = children.filter(([, m]) => m instanceof Embedding);
  const recurrents = children.filter(([, m]) => m instanceof RNNBase);
  const linears = children.filter(([, m]) => m instanceof Linear);
  const others = children.filter(([, m]) => !(m instanceof Embedding || m instanceof RNNBase || m instanceof Linear || m instanceof Dropout));
  const name = model.constructor.name;
  const listing = children.map(([n, m]) => `${n}: ${m.constructor.name}`).join(', ') || 'none';
  const supported =
    'The exporter supports [Embedding] → RNN/LSTM/GRU → [Linear] on every step or on h_n[-1] (sequence), and a decoder step ' +
    '[Embedding] → one recurrent step from (h, c) → [Luong dot attention with a Linear(2H, H) combine] → [Linear] (step); ' +
    'Dropout is allowed (identity at inference).';
  const combineOf = (): { combine: Linear; head: Linear } | null => {
    if (linears.length !== 2 || recurrents.length !== 1) return null;
    const H = (recurrents[0]![1] as RNNBase).hiddenSize;
    const [a, b] = linears.map(([, m]) => m as Linear) as [Linear, Linear];
    const isCombine = (l: Linear): boolean => l.inFeatures === 2 * H && l.outFeatures === H;
    if (isCombine(a) && b.inFeatures === H) return { combine: a, head: b };
    if (isCombine(b) && a.inFeatures === H) return { combine: b, head: a };
    return null;
  };
  const attentionParts = combineOf();
  if (others.length || embeddings.length > 1 || recurrents.length !== 1 || (linears.length > 1 && !attentionParts)) {
    const remedy: OnnxRemedy = others.length && others.every(([, m]) => [...m.namedChildren()].some(([, c]) => c instanceof RNNBase))
      ? { kind: 'parts', parts: others.map(([n]) => n) }
      : { kind: 'spec' };
    throw new OnnxExportError(`cannot recognise ${name} (children: ${listing}). ${supported}`, remedy);
  }
  const embedding = (embeddings[0]?.[1] as Embedding | undefined) ?? null;
  const recurrent = recurrents[0]![1] as RNNBase;
  const head = attentionParts?.head ?? (linears[0]?.[1] as Linear | undefined) ?? null;
  const candidates: OnnxModelSpec[] = attentionParts
    ? [{ kind: 'step', embedding, recurrent, head, attention: { combine: attentionParts.combine } }]
    : head
    ? [
        { kind: 'sequence', embedding, recurrent, head, headOn: 'lastHidden' },
        { kind: 'sequence', embedding, recurrent, head, headOn: 'outputs' },
        { kind: 'step', embedding, recurrent, head },
      ]
    : [
        { kind: 'sequence', embedding, recurrent },
        { kind: 'step', embedding, recurrent },
      ];
  const tried: string[] = [];
  for (const spec of candidates) {
    try {
      checkSpec(spec);
    } catch (e) {
      tried.push(`${specLabel(spec)}: ${(e as Error).message.replace(/^ONNX export: /, '')}`);
      continue;
    }
    const verdict = probe(model, spec);
    if (verdict === null) return spec;
    tried.push(`${specLabel(spec)}: ${verdict}`);
  }
  throw new OnnxExportError(
    `${name}.forward matches none of the compositions of its children (${listing}) on a probe input:\n  ${tried.join('\n  ')}\n${supported}`,
    { kind: 'spec' },
  );
}

/** What a person can do about a model the exporter cannot recognise: describe it, or export its parts. */
export type OnnxRemedy = { kind: 'spec' } | { kind: 'parts'; parts: string[] };

/** The remedy in words, for the model held by `variable` (in a cell's error: 'model'). */
export function onnxRemedyText(remedy: OnnxRemedy, variable = 'model'): string {
  return remedy.kind === 'parts'
    ? `Export its parts separately, e.g. ${remedy.parts.map((n) => `exportOnnx(${variable}.${n})`).join(' and ')}.`
    : `Pass { spec: { kind, embedding, recurrent, head, headOn } } to exportOnnx(${variable}, …) to say what its forward computes, if it is one of these compositions.`;
}

/** A model the exporter cannot handle: why (`reason`), and what would help (`remedy`), apart. */
export class OnnxExportError extends Error {
  constructor(
    readonly reason: string,
    readonly remedy?: OnnxRemedy,
  ) {
    super(`ONNX export: ${reason}${remedy ? ` ${onnxRemedyText(remedy)}` : ''}`);
  }
}

export function specLabel(spec: OnnxModelSpec): string {
  const attending = spec.kind === 'step' && spec.attention != null;
  const reads = spec.kind === 'sequence' ? ((spec.headOn ?? 'outputs') === 'outputs' ? 'every output' : 'h_n[-1]') : attending ? 'the attentional state' : 'h_n[-1]';
  const parts = [spec.embedding ? 'Embedding' : null, spec.recurrent.constructor.name, attending ? 'Luong dot attention' : null, spec.head ? `Linear on ${reads}` : null];
  return `${spec.kind} (${parts.filter(Boolean).join(' → ')})`;
}

/** null when model.forward agrees with the spec on a random probe; else why not. */
function probe(model: Module, spec: OnnxModelSpec): string | null {
  const rnn = spec.recurrent;
  const gen = new Generator(20240611);
  const [N, T] = [2, 3];
  const LD = rnn.numLayers * rnn.numDirections;
  const features = (shape: number[]): Tensor => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gen.normal()), shape);
  const tokens = (shape: number[]): Tensor => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gen.randint(0, spec.embedding!.numEmbeddings)), shape);
  const seqShape = rnn.batchFirst ? [N, T] : [T, N];
  const input = spec.kind === 'step'
    ? (spec.embedding ? tokens([N]) : features([N, rnn.inputSize]))
    : (spec.embedding ? tokens(seqShape) : features([...seqShape, rnn.inputSize]));
  const h0 = spec.kind === 'step' ? features([LD, N, rnn.hiddenSize]) : undefined;
  const c0 = spec.kind === 'step' && rnn.cell.kind === 'lstm' ? features([LD, N, rnn.hiddenSize]) : undefined;
  const attending = spec.kind === 'step' && spec.attention != null;
  const S = 4;
  const memory = attending ? features([N, S, rnn.hiddenSize]) : undefined;
  const sourceLengths = [S, 2];
  const mask = attending ? new Tensor(Float32Array.from({ length: N * S }, (_, i) => (i % S < sourceLengths[Math.floor(i / S)]! ? 0 : -1e9)), [N, S]) : undefined;
  const modes = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(() => {
      const expected = runSpec(spec, { input, h0, c0, memory, mask });
      let result: unknown;
      try {
        if (spec.kind === 'sequence') result = model.forward(input);
        else if (attending) result = model.forward(input, { h: h0, c: c0 ?? null }, { outputs: memory, mask });
        else result = model.forward(input, { h: h0, c: c0 ?? null });
      } catch (e) {
        const args = spec.kind === 'sequence' ? `input ${formatShape(input.shape)}` : `tokens ${formatShape(input.shape)}, { h, c }${attending ? ', { outputs, mask }' : ''}`;
        return `forward(${args}) threw: ${(e as Error).message}`;
      }
      const got = primaryTensor(result);
      if (!got) return `forward returned ${describeValue(result)}, with no tensor, logits, output or outputs in it`;
      if (!sameShapeAs(got, expected.output)) return `forward gave ${formatShape(got.shape)} where this composition gives ${formatShape(expected.output.shape)}`;
      const diff = maxAbsDiff(got, expected.output);
      return diff <= 1e-5 * (1 + maxAbs(expected.output)) ? null : `outputs differ by up to ${diff.toExponential(2)}`;
    });
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

function primaryTensor(result: unknown): Tensor | null {
  if (result instanceof Tensor) return result;
  if (result !== null && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    for (const key of ['logits', 'output', 'outputs']) if (r[key] instanceof Tensor) return r[key] as Tensor;
  }
  return null;
}

function sameShapeAs(a: Tensor, b: Tensor): boolean {
  return a.ndim === b.ndim && a.shape.every((v, i) => v === b.shape[i]);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return Number.isNaN(m) ? Infinity : m;
}

function maxAbs(a: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]!));
  return m;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}
