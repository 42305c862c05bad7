// Elman RNN over a whole sequence (one layer, one direction): fused forward and BPTT backward.
//
//   h' = act(W_ih x + b_ih + W_hh h + b_hh),   act = tanh or relu
//
// With setFlushDenormal on, the states and gradients stored to float32 buffers are flushed to zero
// below FLT_MIN (denormal.ts), as the wasm kernels flush them (wasm/wat/cells.ts FLUSH).

import { flushed, flushThresholdFor } from '../denormal';
import { gemmStrided, type Buf } from '../gemm';
import { allocLike } from './blas';
import { carryInactiveRows, checkProblem, gradsFromGates, lastState, passInactiveRows, prevState, projectInput, stateGrad, stepTime } from './sequence';
import { type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';

export type Nonlinearity = 'tanh' | 'relu';

/** What the forward keeps for the backward. */
export interface VanillaTape<B extends Buf = Buf> {
  nonlinearity: Nonlinearity;
  /** (T,N,H) hidden state after step t, carried unchanged past a row's length */
  hs: B;
}

export function vanillaForward<B extends Buf>(p: SequenceProblem<B>, out: SequenceOutputs<B>, nonlinearity: Nonlinearity): VanillaTape<B> {
  // x is (T,N,I), w_ih is (H,I), w_hh is (H,H), b_ih and b_hh are (H), h0 is (N,H)
  // pre is (T,N,H): x·w_ihᵀ + b_ih + b_hh for all steps, then += h·w_hhᵀ per step
  checkProblem(p, 1, 'vanillaForward');
  const { T, N, H, lengths } = p;
  const pre = projectInput(p, H, 0, H);
  const hs = allocLike(p.x, T * N * H);
  const y = out.y;
  const relu = nonlinearity === 'relu';
  const min = flushThresholdFor(p.x);
  for (let s = 0; s < T; s++) {
    const t = stepTime(p, s);
    const [hPrev, pOff] = prevState(p, t, hs, p.h0);
    gemmStrided(false, true, N, H, H, hPrev, pOff, H, p.wHh, 0, H, pre, t * N * H, H, 1);
    carryInactiveRows(p, t, hPrev, pOff, hs, y);
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const so = (t * N + n) * H;
      for (let j = 0; j < H; j++) {
        const a = pre[so + j]!;
        const h = flushed(relu ? (a > 0 ? a : 0) : Math.tanh(a), min);
        hs[so + j] = h;
        y[so + j] = h;
      }
    }
  }
  lastState(p, hs, out.hN);
  return { nonlinearity, hs };
}

export function vanillaBackward<B extends Buf>(p: SequenceProblem<B>, tape: VanillaTape<B>, grads: SequenceOutputGrads<B>, options: BackwardOptions<B>): SequenceInputGrads<B> {
  // dy is (T,N,H), dh_n is (N,H); dG is (T,N,H), the pre-activation gradient per step
  const { T, N, H, lengths } = p;
  const { hs } = tape;
  const relu = tape.nonlinearity === 'relu';
  const dG = allocLike(p.x, T * N * H);
  let carry = allocLike(p.x, N * H);
  let nextCarry = allocLike(p.x, N * H);
  const dh = allocLike(p.x, N * H);
  if (grads.dhN) carry.set(grads.dhN);
  const min = flushThresholdFor(p.x);
  for (let s = T - 1; s >= 0; s--) {
    const t = stepTime(p, s);
    stateGrad(p, t, carry, grads.dy, dh, options.stepNorms);
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const ro = n * H;
      const so = (t * N + n) * H;
      for (let j = 0; j < H; j++) {
        const h = hs[so + j]!;
        dG[so + j] = flushed(dh[ro + j]! * (relu ? (h > 0 ? 1 : 0) : 1 - h * h), min);
      }
    }
    // ∂L/∂h_{t−1} = dG_t·w_hh on active rows; inactive rows pass the carry through
    gemmStrided(false, false, N, H, H, dG, t * N * H, H, p.wHh, 0, H, nextCarry, 0, H, 0);
    passInactiveRows(p, t, carry, nextCarry);
    [carry, nextCarry] = [nextCarry, carry];
  }
  return { ...gradsFromGates(p, H, dG, dG, hs, options), dh0: carry, dc0: null };
}
