// What the trainer minimises: a named loss on `model.forward(batch.x)`, or the person's own
// forwardLoss. Each loss is a mean; `count` is how many terms it averaged, so data-parallel
// workers can weight their shards exactly as one big batch would.

import { argmax } from '../engine/ops';
import { bceWithLogits, crossEntropy, mseLoss, sequenceCrossEntropy } from '../engine/losses';
import type { Module } from '../engine/module';
import { formatShape, Tensor } from '../engine/tensor';
import type { Batch, TargetKind } from '../datasets/types';
import type { ForwardLoss, NamedLoss } from './types';

export interface LossTerm {
  /** A scalar (mean over `count` terms). */
  loss: Tensor;
  count: number;
  /** The model's output (named losses only), for metrics. */
  output: Tensor | null;
}

export interface Objective {
  /** For messages: 'crossEntropy', 'forwardLoss', … */
  readonly name: string;
  compute(model: Module, batch: Batch): LossTerm;
  /** [correct, counted] for classification losses, null otherwise. */
  accuracy(output: Tensor, batch: Batch): [number, number] | null;
}

export function defaultLoss(targetKind: TargetKind | undefined): NamedLoss | undefined {
  if (targetKind === 'class' || targetKind === 'tokenSequence') return 'crossEntropy';
  if (targetKind === 'value' || targetKind === 'valueSequence') return 'mse';
  return undefined;
}

function forwardTensor(model: Module, batch: Batch): Tensor {
  const out = model.forward(batch.x) as unknown;
  if (!(out instanceof Tensor)) {
    const what = out === null || typeof out !== 'object' ? String(out) : `an object with keys ${Object.keys(out).join(', ')}`;
    throw new Error(`${model.constructor.name}.forward(x) returned ${what}; a named loss needs the output tensor. Return it from forward, or pass forwardLoss: (model, batch) => loss`);
  }
  return out;
}

export function namedObjective(name: NamedLoss | undefined, ignoreIndex: number): Objective {
  const classify = (output: Tensor, y: Tensor): 'flat' | 'sequence' => {
    if (output.ndim === 2 && y.ndim === 1) return 'flat';
    if (output.ndim === 3 && y.ndim === 2) return 'sequence';
    throw new Error(`crossEntropy: the model's output is ${formatShape(output.shape)} and the targets are ${formatShape(y.shape)}; expected (N,C) with (N,) or (N,T,C) with (N,T)`);
  };
  const lossFor = (output: Tensor, y: Tensor): NamedLoss => name ?? (y.ndim < output.ndim ? 'crossEntropy' : 'mse');
  return {
    name: name ?? 'auto',
    compute(model, batch) {
      const output = forwardTensor(model, batch);
      const y = batch.y;
      switch (lossFor(output, y)) {
        case 'crossEntropy': {
          const loss = classify(output, y) === 'flat' ? crossEntropy(output, y, { ignoreIndex }) : sequenceCrossEntropy(output, y, { ignoreIndex });
          let count = 0;
          for (let i = 0; i < y.size; i++) if (y.data[i] !== ignoreIndex) count++;
          return { loss, count, output };
        }
        case 'mse':
          return { loss: mseLoss(output, y), count: y.size, output };
        case 'bce':
          return { loss: bceWithLogits(output, y), count: y.size, output };
      }
    },
    accuracy(output, batch) {
      const y = batch.y;
      if (lossFor(output, y) !== 'crossEntropy') return null;
      classify(output, y);
      const predicted = argmax(output, -1); // (N,) or (N,T)
      let correct = 0;
      let counted = 0;
      for (let i = 0; i < y.size; i++) {
        if (y.data[i] === ignoreIndex) continue;
        counted++;
        if (predicted.data[i] === y.data[i]) correct++;
      }
      return [correct, counted];
    },
  };
}

export function customObjective(forwardLoss: ForwardLoss): Objective {
  return {
    name: 'forwardLoss',
    compute(model, batch) {
      const loss = forwardLoss(model, batch) as unknown;
      if (!(loss instanceof Tensor) || loss.size !== 1) {
        throw new Error(`forwardLoss must return a scalar loss tensor, got ${loss instanceof Tensor ? `a tensor of shape ${formatShape(loss.shape)}` : String(loss)}`);
      }
      return { loss, count: batch.x.shape[0] ?? 1, output: null };
    },
    accuracy: () => null,
  };
}
