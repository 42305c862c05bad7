// The adding problem, in its two published forms. Inputs are (T,2) per example: a value and a
// marker. The target is one number read at the sequence end.

import { defaultGenerator, type Generator } from '../engine/rng';
import { ArrayDataset, checkInteger } from './arrayDataset';
import type { Example } from './types';

export interface AddingOptions {
  /** Number of sequences. */
  size: number;
  /** Sequence length T (Hochreiter & Schmidhuber: the minimal length). */
  length: number;
  generator?: Generator;
}

/**
 * Arjovsky, Shah & Bengio 2016 (after Le et al. 2015): values x_t ~ U[0,1]; the marker channel
 * is 0 except for two 1s, one placed uniformly in the first half [0, ⌊T/2⌋) and one in the
 * second half [⌊T/2⌋, T). Target: the sum of the two marked values.
 *
 * Always predicting 1 (the target's mean) gives MSE = Var(U₁+U₂) = 2·(1/12) = 1/6 ≈ 0.167,
 * the baseline a model has to beat.
 */
export function addingProblemArjovsky(options: AddingOptions): ArrayDataset {
  const { size, length: T } = options;
  checkInteger('addingProblemArjovsky', 'size', size);
  checkInteger('addingProblemArjovsky', 'length', T, 2);
  const gen = options.generator ?? defaultGenerator;
  const half = Math.floor(T / 2);
  const examples: Example[] = [];
  for (let n = 0; n < size; n++) {
    const input = new Float32Array(T * 2); // (T,2): [value, marker]
    for (let t = 0; t < T; t++) input[t * 2] = gen.random();
    const first = gen.randint(0, half);
    const second = gen.randint(half, T);
    input[first * 2 + 1] = 1;
    input[second * 2 + 1] = 1;
    // The target is computed from the float32 values the model sees.
    examples.push({ input, target: new Float32Array([input[first * 2]! + input[second * 2]!]) });
  }
  return new ArrayDataset({ name: `adding (Arjovsky 2016, T=${T})`, inputKind: 'features', inputSize: 2, targetKind: 'value', targetSize: 1 }, examples);
}

/** The constant-prediction MSE of the Arjovsky form: Var(U₁+U₂) = 1/6. */
export const ARJOVSKY_ADDING_BASELINE_MSE = 1 / 6;

/**
 * Hochreiter & Schmidhuber 1997, Experiment 4. Lengths are drawn uniformly from
 * [T, T + T/10]. Values x_t ~ U[-1,1]; the marker channel is 1 at two positions: one of the
 * first ten (its value is X1), then one of the first T/2 − 1 positions not yet marked (X2).
 * The marker is -1 at the first and last position, 0 elsewhere. When the first position is
 * one of the marked ones, its value is set to 0 (the paper: "in the rare case where the first
 * pair of the sequence gets marked, we set X1 to zero"; we apply it whichever of X1, X2 lands
 * there). Target: 0.5 + (X1 + X2)/4, in [0, 1]. See hochreiterAddingBaselineMse for the baseline.
 */
export function addingProblemHochreiter(options: AddingOptions): ArrayDataset {
  const { size, length: T } = options;
  checkInteger('addingProblemHochreiter', 'size', size);
  checkInteger('addingProblemHochreiter', 'length', T, 24); // T/2 − 1 must exceed the ten candidates for X1
  const gen = options.generator ?? defaultGenerator;
  const maxExtra = Math.floor(T / 10);
  const secondRange = Math.floor(T / 2) - 1;
  const examples: Example[] = [];
  for (let n = 0; n < size; n++) {
    const len = T + gen.randint(0, maxExtra + 1);
    const input = new Float32Array(len * 2); // (len,2): [value, marker]
    for (let t = 0; t < len; t++) input[t * 2] = gen.uniform(-1, 1);
    input[1] = -1;
    input[(len - 1) * 2 + 1] = -1;
    const first = gen.randint(0, 10);
    // One of the first T/2 − 1 positions other than `first`.
    let second = gen.randint(0, secondRange - 1);
    if (second >= first) second++;
    if (first === 0 || second === 0) input[0] = 0;
    input[first * 2 + 1] = 1;
    input[second * 2 + 1] = 1;
    const x1 = input[first * 2]!;
    const x2 = input[second * 2]!;
    examples.push({ input, target: new Float32Array([0.5 + (x1 + x2) / 4]) });
  }
  return new ArrayDataset({ name: `adding (Hochreiter & Schmidhuber 1997, T=${T})`, inputKind: 'features', inputSize: 2, targetKind: 'value', targetSize: 1 }, examples);
}

/**
 * MSE of always predicting 0.5 on the Hochreiter & Schmidhuber form with minimal length T:
 * (Var X1 + Var X2)/16. A value is U[-1,1] (variance 1/3) unless it sits at position 0 and is
 * zeroed: X1 one time in 10, X2 with probability (9/10)/(⌊T/2⌋ − 2). About 0.0392 at T = 100.
 */
export function hochreiterAddingBaselineMse(T: number): number {
  const pX1Zero = 1 / 10;
  const pX2Zero = (9 / 10) / (Math.floor(T / 2) - 2);
  return ((1 - pX1Zero) / 3 + (1 - pX2Zero) / 3) / 16;
}

/** H&S 1997's success criterion: an answer counts as correct when its absolute error is < 0.04. */
export const HOCHREITER_ADDING_TOLERANCE = 0.04;
