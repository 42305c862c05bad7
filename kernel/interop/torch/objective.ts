// What fit() minimises, as train.py will compute it in PyTorch. With a named loss it is that loss
// on model.forward(x) (as kernel/train/objective.ts computes it). A forwardLoss is a function of
// the person's, so, as the ONNX exporter does with forward, it is recognised on a probe batch of
// the training data (in eval mode): its value is compared with each loss the structure allows
// (cross-entropy, MSE, BCE with logits, on forward(x) or forward(x, lengths); for a Seq2Seq the
// teacher-forced cross-entropy), computed by composing the model's parts, not by calling forward.

import { bceWithLogits, crossEntropy, formatShape, mseLoss, noGrad, sequenceCrossEntropy, stack, Tensor, type Module } from '../../engine/index';
import type { BatchSource } from '../../train/data';
import type { Batch } from '../../datasets/types';
import { IGNORE_INDEX } from '../../datasets/types';
import { defaultLoss } from '../../train/objective';
import type { LoopConfig } from '../../train/options';
import { sourceMask } from '../../seq2seq/attention';
import type { TargetKind } from '../../datasets/types';
import type { ForwardLoss, NamedLoss } from '../../train/types';
import { runSpec } from '../spec';
import type { Seq2SeqModel, TorchModelStructure } from './structure';

export interface TorchObjective {
  loss: NamedLoss;
  /** crossEntropy: logits (N,C) with targets (N,), or (N,T,C) with (N,T) flattened. */
  layout: 'flat' | 'sequence';
  /** The model is called as model(x, lengths) (packed sequences) rather than model(x). */
  lengths: boolean;
  ignoreIndex: number;
  /**
   * How fit() weights data-parallel shards: by the loss's terms (a named loss: targets not
   * ignored, or elements) or by examples (a forwardLoss).
   */
  weighting: 'terms' | 'examples';
  from: 'loss' | 'forwardLoss';
}

/** The training data as fit() sees it, with what the objective needs to know of it. */
export interface ObjectiveData {
  source: BatchSource;
  /** Each example's input length (the probe picks the shortest and the longest). */
  lengths: readonly number[];
  targetKind: TargetKind | undefined;
}

/** Relative agreement asked of a forwardLoss and a candidate on the probe (float32 sums in another order). */
const PROBE_TOLERANCE = 1e-5;

/** A few examples, among them the shortest and the longest, batched as fit() batches them. */
export function probeBatch(data: ObjectiveData): Batch {
  const n = data.source.length;
  const picked = new Set<number>();
  for (let i = 0; i < Math.min(n, 6); i++) picked.add(i);
  let shortest = 0;
  let longest = 0;
  data.lengths.forEach((len, i) => {
    if (len < data.lengths[shortest]!) shortest = i;
    if (len > data.lengths[longest]!) longest = i;
  });
  picked.add(shortest);
  picked.add(longest);
  return data.source.batch([...picked]);
}

/** Runs fn with every module of `model` in eval mode, then puts the modes back. */
function inEvalMode<T>(model: Module, fn: () => T): T {
  const modes = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

/** The engine's value of a named loss on (output, y), as kernel/train/objective.ts computes it. */
function lossValue(loss: NamedLoss, output: Tensor, y: Tensor, ignoreIndex: number): { value: number; layout: TorchObjective['layout'] } | null {
  if (loss === 'crossEntropy') {
    if (output.ndim === 2 && y.ndim === 1) return { value: crossEntropy(output, y, { ignoreIndex }).item(), layout: 'flat' };
    if (output.ndim === 3 && y.ndim === 2) return { value: sequenceCrossEntropy(output, y, { ignoreIndex }).item(), layout: 'sequence' };
    return null;
  }
  if (output.ndim !== y.ndim || output.shape.some((d, i) => d !== y.shape[i])) return null;
  return { value: (loss === 'mse' ? mseLoss(output, y) : bceWithLogits(output, y)).item(), layout: 'flat' };
}

/** The teacher-forced logits (N,Ty,V) of a Seq2Seq, composed from its encoder's and decoder's specs. */
export function teacherForcedLogits(model: Seq2SeqModel, batch: Batch): Tensor {
  const enc = model.encoder.model.spec;
  const dec = model.decoder.model.spec;
  const encoded = runSpec(enc, { input: batch.x, lengths: batch.lengths });
  const memory = dec.attention ? { memory: encoded.output, mask: sourceMask(batch.lengths, batch.x.shape[1]!) } : {};
  const [N, Ty] = batch.y.shape as [number, number];
  let h = encoded.h;
  let c = encoded.c;
  let tokens = new Tensor(new Float32Array(N).fill(model.sos), [N]);
  const steps: Tensor[] = [];
  for (let t = 0; t < Ty; t++) {
    const step = runSpec(dec, { input: tokens, h0: h, c0: c ?? undefined, ...memory });
    steps.push(step.output);
    h = step.h;
    c = step.c;
    tokens = new Tensor(Float32Array.from({ length: N }, (_, n) => (batch.y.data[n * Ty + t]! >= 0 ? batch.y.data[n * Ty + t]! : model.pad)), [N]);
  }
  return stack(steps, 1);
}

interface Candidate {
  /** The objective, its layout settled once computed. */
  objective: Omit<TorchObjective, 'layout'>;
  /** The candidate's loss on the probe batch, or null when its shapes do not fit the targets. */
  compute: () => { value: number; layout: TorchObjective['layout'] } | null;
}

function candidates(structure: TorchModelStructure, batch: Batch, ignoreIndex: number): Candidate[] {
  const common = { ignoreIndex, weighting: 'examples', from: 'forwardLoss' } as const;
  if (structure.kind === 'seq2seq') {
    const objective = { ...common, loss: 'crossEntropy', lengths: true, ignoreIndex: IGNORE_INDEX } as const;
    return [{ objective, compute: () => ({ value: sequenceCrossEntropy(teacherForcedLogits(structure, batch), batch.y, { ignoreIndex: IGNORE_INDEX }).item(), layout: 'sequence' }) }];
  }
  if (structure.kind === 'step') return [];
  const spec = structure.spec;
  return [false, true].flatMap((lengths) => {
    let output: Tensor | null = null;
    const outputOf = (): Tensor => (output ??= runSpec(spec, { input: batch.x, lengths: lengths ? batch.lengths : undefined }).output);
    return (['crossEntropy', 'mse', 'bce'] as const).map((loss) => ({ objective: { ...common, loss, lengths }, compute: () => lossValue(loss, outputOf(), batch.y, ignoreIndex) }));
  });
}

const describe = (o: Omit<TorchObjective, 'layout'>): string => `${o.loss} on ${o.lengths ? 'forward(x, lengths)' : 'forward(x)'}`;

/**
 * The objective fit() minimises with these options, or an error naming what was compared when a
 * forwardLoss matches none of the losses train.py can compute.
 */
export function recognizeObjective(model: Module, structure: TorchModelStructure, data: ObjectiveData, config: LoopConfig, forwardLoss: ForwardLoss | null): TorchObjective {
  const batch = probeBatch(data);
  return inEvalMode(model, () => {
    if (forwardLoss === null) return namedObjective(structure, batch, data.targetKind, config);
    let target: number;
    try {
      const value = forwardLoss(model, batch) as unknown;
      if (!(value instanceof Tensor) || value.size !== 1) throw new Error(`it returned ${value instanceof Tensor ? `a tensor of shape ${formatShape(value.shape)}` : String(value)}, not a scalar loss`);
      target = value.item();
    } catch (error) {
      throw new Error(`PyTorch export: forwardLoss failed on a probe batch of ${batch.indices.length} training examples: ${(error as Error).message}`);
    }
    const tried: string[] = [];
    for (const c of candidates(structure, batch, IGNORE_INDEX)) {
      let computed: ReturnType<Candidate['compute']>;
      try {
        computed = c.compute();
      } catch (error) {
        tried.push(`${describe(c.objective)}: ${(error as Error).message}`);
        continue;
      }
      if (computed === null) continue;
      if (Math.abs(computed.value - target) <= PROBE_TOLERANCE * (1 + Math.abs(target))) return { ...c.objective, layout: computed.layout };
      tried.push(`${describe(c.objective)} gives ${computed.value.toPrecision(7)}`);
    }
    const supported =
      structure.kind === 'step'
        ? `${structure.className} is one decoder step, which fit() cannot train alone: export the Seq2Seq model that holds it`
        : structure.kind === 'seq2seq'
          ? 'For a Seq2Seq, train.py computes the teacher-forced cross-entropy (seq2seqLoss(model, batch), teacherForcingRatio 1)'
          : 'train.py computes crossEntropy, mse or bce on forward(x) or forward(x, lengths)';
    throw new Error(
      `PyTorch export: forwardLoss gives ${target.toPrecision(7)} on a probe batch of ${batch.indices.length} training examples, which none of the losses train.py can compute matches` +
        `${tried.length ? `:\n  ${tried.join('\n  ')}\n` : '. '}${supported}. Pass the loss by name (loss: 'crossEntropy') if the model's forward(x) computes the output.`,
    );
  });
}

function namedObjective(structure: TorchModelStructure, batch: Batch, targetKind: TargetKind | undefined, config: LoopConfig): TorchObjective {
  if (structure.kind !== 'sequence' || !structure.spec.head) {
    const takes = structure.kind === 'seq2seq' ? 'takes (src, lengths, target)' : structure.kind === 'step' ? 'takes a state' : 'returns the output and the state, not one tensor';
    throw new Error(`PyTorch export: fit() without forwardLoss calls forward(x) on ${structure.className}, which ${takes}; give the loss as forwardLoss`);
  }
  const output = runSpec(structure.spec, { input: batch.x }).output;
  const loss = config.loss ?? defaultLoss(targetKind) ?? (batch.y.ndim < output.ndim ? 'crossEntropy' : 'mse');
  const computed = lossValue(loss, output, batch.y, config.ignoreIndex);
  if (computed === null) throw new Error(`PyTorch export: ${loss} cannot compare ${structure.className}'s output ${formatShape(output.shape)} with targets ${formatShape(batch.y.shape)}`);
  return { loss, layout: computed.layout, lengths: false, ignoreIndex: config.ignoreIndex, weighting: 'terms', from: 'loss' };
}
