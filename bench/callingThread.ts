// A hand-written training (or inference) step on the calling thread, timed step by step:
// the engine's own speed, without any trainer around it.

import { Adam, crossEntropy, manualSeed, mseLoss, noGrad, tensor, type Tensor } from '../kernel/engine/index';
import { buildModel, languageModelParts, makeData, recurrentLayerOf } from './models';
import type { Workload } from './workloads';

export interface StepTiming {
  /** Median ms per step. */
  ms: number;
  /** Largest RSS of the whole process seen during the steps, in bytes. */
  peakRss: number;
}

/**
 * Builds the workload's model and returns one step. With `instrument`, the recurrent layer records
 * its trace every forward (hidden states and gate activations; per-gate tensors and saturation are
 * built only when read, which this step does not) and ‖∂L/∂h_t‖ in every backward, which the step
 * reads, as fit() does on its gradNormEvery steps.
 */
export function makeStep(w: Workload, options: { instrument: boolean }): () => void {
  manualSeed(0);
  const model = buildModel(w);
  const rnn = recurrentLayerOf(model);
  rnn.instrument = options.instrument;
  const { x, y } = makeData(w, w.batch);
  const forward = (): Tensor => model.forward(x) as Tensor;
  if (!w.train) return () => void noGrad(forward);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  // lm: crossEntropy over (B·T, vocab); reg-last: mse of the last step through Linear(H,1).
  const loss = w.task === 'lm' ? (): Tensor => crossEntropy(forward().reshape(w.batch * w.seq, w.vocab!), y.reshape(w.batch * w.seq)) : (): Tensor => mseLoss(forward(), y);
  let gradNorms: (number[] | null)[] = []; // (T) per layer and direction, copied out as fit() does
  return () => {
    opt.zeroGrad();
    loss().backward();
    if (options.instrument) gradNorms = Object.values(rnn.trace?.directions ?? {}).map((d) => (d.gradNorm ? [...d.gradNorm] : null));
    opt.step();
  };
}

/**
 * Text generation with an lm workload's model, as a sampling loop runs it: one token per call,
 * the state (h, and c for an LSTM) carried from call to call, the next token the most likely
 * one. A step generates w.seq tokens.
 */
export function makeGenerationStep(w: Workload): () => void {
  if (w.task !== 'lm') throw new Error('makeGenerationStep: a language-model workload (task lm) generates tokens');
  manualSeed(0);
  const model = languageModelParts(buildModel(w));
  return () =>
    noGrad(() => {
      let token = 0;
      let state: { h: Tensor; c: Tensor | null } | null = null;
      for (let t = 0; t < w.seq; t++) {
        const run = model.rnn.forward(model.embedding.forward(tensor([token], [1, 1])), state ? { h0: state.h, ...(state.c ? { c0: state.c } : {}) } : {});
        const logits = model.fc.forward(run.output).data; // (1,1,V)
        token = logits.indexOf(Math.max(...logits));
        state = run;
      }
    });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Two steps timed turn about (a, b, a, b, …) after two untimed ones each: both see the same
 * disturbances from other programs, so their ratio holds better than from two separate runs.
 */
export function timePaired(a: () => void, b: () => void, steps: number): [StepTiming, StepTiming] {
  for (let i = 0; i < 2; i++) {
    a();
    b();
  }
  const times: [number[], number[]] = [[], []];
  let peakRss = process.memoryUsage().rss;
  for (let i = 0; i < steps; i++) {
    [a, b].forEach((step, k) => {
      const t0 = performance.now();
      step();
      times[k]!.push(performance.now() - t0);
    });
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  return [
    { ms: median(times[0]), peakRss },
    { ms: median(times[1]), peakRss },
  ];
}

/** Median over `steps` timed steps after two untimed ones (JIT, buffers), with the peak of `rss` (the process's RSS; a browser has none). */
export function timeSteps(step: () => void, steps: number, rss: () => number = () => process.memoryUsage().rss): StepTiming {
  for (let i = 0; i < 2; i++) step();
  const times: number[] = [];
  let peakRss = rss();
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
    peakRss = Math.max(peakRss, rss());
  }
  return { ms: median(times), peakRss };
}
