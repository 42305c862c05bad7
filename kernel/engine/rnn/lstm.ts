// LSTM over a whole sequence (one layer, one direction): fused forward and BPTT backward.
//
//   i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
//   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
//   c' = f ⊙ c + i ⊙ g                         h' = o ⊙ tanh(c')
//
// Gate blocks are stacked by rows in PyTorch's order i, f, g, o. With setFlushDenormal on, the
// states and gradients stored to float32 buffers are flushed to zero below FLT_MIN (denormal.ts),
// as the wasm kernels flush them (wasm/wat/cells.ts FLUSH).

import { flushed, flushThresholdFor } from '../denormal';
import { gemmStrided, type Buf } from '../gemm';
import { allocLike, sigmoid } from './blas';
import { carryInactiveRows, checkProblem, gradsFromGates, lastState, passInactiveRows, prevState, projectInput, stateGrad, stepTime } from './sequence';
import { type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';

/** What the forward keeps for the backward (and for instrumentation). */
export interface LstmTape<B extends Buf = Buf> {
  /** (T,N,4H) gate activations i, f, g, o (garbage on rows past their length) */
  gates: B;
  /** (T,N,H) hidden state after step t, carried unchanged past a row's length */
  hs: B;
  /** (T,N,H) cell state after step t, carried likewise */
  cs: B;
}

export function lstmForward<B extends Buf>(p: SequenceProblem<B>, out: SequenceOutputs<B>): LstmTape<B> {
  // x is (T,N,I), w_ih is (4H,I), w_hh is (4H,H), b_ih and b_hh are (4H), h0 and c0 are (N,H)
  // gates is (T,N,4H): x·w_ihᵀ + b_ih + b_hh for all steps, then += h·w_hhᵀ and activated per step
  checkProblem(p, 4, 'lstmForward');
  const { T, N, H, lengths } = p;
  const G = 4 * H;
  const gates = projectInput(p, G, 0, G);
  const hs = allocLike(p.x, T * N * H);
  const cs = allocLike(p.x, T * N * H);
  const c0 = p.c0 ?? allocLike(p.x, N * H);
  const y = out.y;
  const min = flushThresholdFor(p.x);
  for (let s = 0; s < T; s++) {
    const t = stepTime(p, s);
    const [hPrev, pOff] = prevState(p, t, hs, p.h0);
    const [cPrev] = prevState(p, t, cs, c0);
    gemmStrided(false, true, N, G, H, hPrev, pOff, H, p.wHh, 0, H, gates, t * N * G, G, 1);
    carryInactiveRows(p, t, hPrev, pOff, hs, y);
    carryInactiveRows(p, t, cPrev, pOff, cs, null);
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const so = (t * N + n) * H;
      const po = pOff + n * H;
      const go = (t * N + n) * G;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gates[go + j]!);
        const f = sigmoid(gates[go + H + j]!);
        const g = Math.tanh(gates[go + 2 * H + j]!);
        const o = sigmoid(gates[go + 3 * H + j]!);
        gates[go + j] = i;
        gates[go + H + j] = f;
        gates[go + 2 * H + j] = g;
        gates[go + 3 * H + j] = o;
        const c = flushed(f * cPrev[po + j]! + i * g, min);
        cs[so + j] = c;
        const h = flushed(o * Math.tanh(c), min);
        hs[so + j] = h;
        y[so + j] = h;
      }
    }
  }
  lastState(p, hs, out.hN);
  if (out.cN) lastState(p, cs, out.cN);
  return { gates, hs, cs };
}

export function lstmBackward<B extends Buf>(p: SequenceProblem<B>, tape: LstmTape<B>, grads: SequenceOutputGrads<B>, options: BackwardOptions<B>): SequenceInputGrads<B> {
  // dy is (T,N,H), dh_n and dc_n are (N,H); dG is (T,N,4H), the pre-activation gradient per step
  const { T, N, H, lengths } = p;
  const G = 4 * H;
  const { gates, hs, cs } = tape;
  const c0 = p.c0 ?? allocLike(p.x, N * H);
  const dG = allocLike(p.x, T * N * G);
  let carry = allocLike(p.x, N * H); // ∂L/∂h flowing into the step being processed from later ones
  let nextCarry = allocLike(p.x, N * H);
  const dh = allocLike(p.x, N * H);
  const dc = allocLike(p.x, N * H); // ∂L/∂c, updated in place step by step
  if (grads.dhN) carry.set(grads.dhN);
  if (grads.dcN) dc.set(grads.dcN);
  const min = flushThresholdFor(p.x);
  for (let s = T - 1; s >= 0; s--) {
    const t = stepTime(p, s);
    const [cPrev, pOff] = prevState(p, t, cs, c0);
    stateGrad(p, t, carry, grads.dy, dh, options.stepNorms);
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const ro = n * H;
      const so = (t * N + n) * H;
      const go = (t * N + n) * G;
      const po = pOff + n * H;
      for (let j = 0; j < H; j++) {
        const i = gates[go + j]!;
        const f = gates[go + H + j]!;
        const g = gates[go + 2 * H + j]!;
        const o = gates[go + 3 * H + j]!;
        const tc = Math.tanh(cs[so + j]!);
        const dhj = dh[ro + j]!;
        const dcj = dc[ro + j]! + dhj * o * (1 - tc * tc);
        // the vanishing gradient: dG, dc and (through the GEMM) the carry turn subnormal first
        dG[go + j] = flushed(dcj * g * i * (1 - i), min);
        dG[go + H + j] = flushed(dcj * cPrev[po + j]! * f * (1 - f), min);
        dG[go + 2 * H + j] = flushed(dcj * i * (1 - g * g), min);
        dG[go + 3 * H + j] = flushed(dhj * tc * o * (1 - o), min);
        dc[ro + j] = flushed(dcj * f, min);
      }
    }
    // ∂L/∂h_{t−1} = dG_t·w_hh on active rows; inactive rows pass the carry through
    gemmStrided(false, false, N, H, G, dG, t * N * G, G, p.wHh, 0, H, nextCarry, 0, H, 0);
    passInactiveRows(p, t, carry, nextCarry);
    [carry, nextCarry] = [nextCarry, carry];
  }
  return { ...gradsFromGates(p, G, dG, dG, hs, options), dh0: carry, dc0: p.c0 ? dc : null };
}
