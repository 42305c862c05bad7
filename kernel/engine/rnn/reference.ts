// The readable path: one layer and direction composed step by step from the engine's autograd ops
// (linear, sigmoid, tanh, mul, …), so autograd does the BPTT. Same inputs and outputs as the fused
// op in op.ts, plus the per-step state tensors (call retainGrad() on them to read ∂L/∂h_t).
// Slow (an op per gate per step); tests hold the fused kernels to it.

import { add, linear, mul, narrow, relu, select, sigmoid, stack, sub, tanh } from '../ops';
import { Tensor, zeros } from '../tensor';
import { type CellSpec } from './cell';
import { type DirectionResult, type DirectionRun, type DirectionWeights } from './op';

interface StepState {
  h: Tensor;
  c: Tensor | null;
}

/** Slice of a gate block: rows [k·H, (k+1)·H) of a (G·H, ·) weight, or of a (G·H) bias. */
function block(t: Tensor | null, k: number, count: number, H: number): Tensor | null {
  return t === null ? null : narrow(t, 0, k * H, count * H);
}

/** One step of the cell. xt is (N,I), h and c are (N,H). */
export function referenceCellStep(cell: CellSpec, w: DirectionWeights, H: number, xt: Tensor, state: StepState): StepState {
  const { h, c } = state;
  const gate = (pre: Tensor, k: number): Tensor => narrow(pre, 1, k * H, H);
  if (cell.kind === 'lstm') {
    const pre = add(linear(xt, w.wIh, w.bIh), linear(h, w.wHh, w.bHh)); // (N,4H)
    const i = sigmoid(gate(pre, 0));
    const f = sigmoid(gate(pre, 1));
    const g = tanh(gate(pre, 2));
    const o = sigmoid(gate(pre, 3));
    const cNew = add(mul(f, c!), mul(i, g));
    return { h: mul(o, tanh(cNew)), c: cNew };
  }
  if (cell.kind === 'gru') {
    const gi = linear(xt, w.wIh, w.bIh); // (N,3H)
    let r: Tensor;
    let z: Tensor;
    let n: Tensor;
    if (cell.resetAfter) {
      const gh = linear(h, w.wHh, w.bHh); // (N,3H)
      r = sigmoid(add(gate(gi, 0), gate(gh, 0)));
      z = sigmoid(add(gate(gi, 1), gate(gh, 1)));
      n = tanh(add(gate(gi, 2), mul(r, gate(gh, 2))));
    } else {
      const ghRz = linear(h, block(w.wHh, 0, 2, H)!, block(w.bHh, 0, 2, H)); // (N,2H)
      r = sigmoid(add(gate(gi, 0), gate(ghRz, 0)));
      z = sigmoid(add(gate(gi, 1), gate(ghRz, 1)));
      n = tanh(add(gate(gi, 2), linear(mul(r, h), block(w.wHh, 2, 1, H)!, block(w.bHh, 2, 1, H))));
    }
    return { h: add(mul(sub(1, z), n), mul(z, h)), c: null };
  }
  const pre = add(linear(xt, w.wIh, w.bIh), linear(h, w.wHh, w.bHh)); // (N,H)
  return { h: cell.nonlinearity === 'relu' ? relu(pre) : tanh(pre), c: null };
}

/**
 * One layer and direction, step by step with autograd ops. Rows past their length keep their
 * state through a 0/1 mask, which gives PyTorch's packed-sequence semantics.
 */
export function referenceDirection(run: DirectionRun): DirectionResult & { states: Tensor[] } {
  const { cell, x, weights, lengths, reverse } = run;
  const [T, N] = [x.shape[0]!, x.shape[1]!];
  const H = weights.wHh.shape[1]!;
  let state: StepState = { h: run.h0, c: cell.kind === 'lstm' ? (run.c0 ?? zeros([N, H])) : null };
  const full = lengths.every((len) => len === T);
  const outputs: Tensor[] = new Array<Tensor>(T);
  const states: Tensor[] = new Array<Tensor>(T);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const next = referenceCellStep(cell, weights, H, select(x, 0, t), state);
    if (full) {
      state = next;
      outputs[t] = next.h;
    } else {
      const m = new Float32Array(N);
      for (let n = 0; n < N; n++) m[n] = t < lengths[n]! ? 1 : 0;
      const keep = new Tensor(m, [N, 1]);
      const hold = sub(1, keep);
      state = {
        h: add(mul(next.h, keep), mul(state.h, hold)),
        c: next.c && state.c ? add(mul(next.c, keep), mul(state.c, hold)) : null,
      };
      // From the state (not the cell's raw output), so that the state's gradient is all of ∂L/∂h_t.
      outputs[t] = mul(state.h, keep);
    }
    states[t] = state.h;
  }
  return { y: stack(outputs, 0), hN: state.h, cN: state.c, states };
}
