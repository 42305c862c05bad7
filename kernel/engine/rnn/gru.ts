// GRU over a whole sequence (one layer, one direction): fused forward and BPTT backward, in both
// of the GRU's forms. Gate blocks are stacked by rows in PyTorch's order r, z, n.
//
//   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   resetAfter (PyTorch, cuDNN):  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//   Cho et al. 2014:              n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
//   h' = (1 − z) ⊙ n + z ⊙ h
//
// The textbook writes h_t = (1 − z̃) ⊙ h_{t−1} + z̃ ⊙ h̃_t: the same update with z̃ = 1 − z, i.e. its
// "update gate" is PyTorch's z with the roles of old state and candidate swapped.
//
// With setFlushDenormal on, the states and gradients stored to float32 buffers are flushed to zero
// below FLT_MIN (denormal.ts), as the wasm kernels flush them (wasm/wat/cells.ts FLUSH).

import { flushed, flushThresholdFor } from '../denormal';
import { gemmStrided, type Buf } from '../gemm';
import { allocLike, sigmoid } from './blas';
import { carryInactiveRows, checkProblem, gradsFromGates, lastState, passInactiveRows, prevState, projectInput, stateGrad, stepTime } from './sequence';
import { type BackwardOptions, type RecurrentInput, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';

/** What the forward keeps for the backward (and for instrumentation). */
export interface GruTape<B extends Buf = Buf> {
  resetAfter: boolean;
  /** (T,N,3H) gate activations r, z, n (garbage on rows past their length) */
  gates: B;
  /** (T,N,H) hidden state after step t, carried unchanged past a row's length */
  hs: B;
  /** (T,N,H) resetAfter: W_hn h_{t−1} + b_hn; Cho form: r ⊙ h_{t−1} */
  hidden: B;
}

export function gruForward<B extends Buf>(p: SequenceProblem<B>, out: SequenceOutputs<B>, resetAfter: boolean): GruTape<B> {
  // x is (T,N,I), w_ih is (3H,I), w_hh is (3H,H), b_ih and b_hh are (3H), h0 is (N,H)
  // gates is (T,N,3H): x·w_ihᵀ + b_ih (+ b_hh where it adds to the same pre-activation)
  checkProblem(p, 3, 'gruForward');
  const { T, N, H, lengths } = p;
  const G = 3 * H;
  const gates = projectInput(p, G, 0, resetAfter ? 2 * H : G);
  const hs = allocLike(p.x, T * N * H);
  const hidden = allocLike(p.x, T * N * H);
  const y = out.y;
  const bHn = p.bHh;
  const min = flushThresholdFor(p.x);
  for (let s = 0; s < T; s++) {
    const t = stepTime(p, s);
    const [hPrev, pOff] = prevState(p, t, hs, p.h0);
    const gOff = t * N * G;
    const sOff = t * N * H;
    // r, z pre-activations += h·w_h[rz]ᵀ
    gemmStrided(false, true, N, 2 * H, H, hPrev, pOff, H, p.wHh, 0, H, gates, gOff, G, 1);
    if (resetAfter) {
      // hidden (N,H) = h·w_hnᵀ + b_hn
      gemmStrided(false, true, N, H, H, hPrev, pOff, H, p.wHh, 2 * H * H, H, hidden, sOff, H, 0);
    }
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const go = gOff + n * G;
      const so = sOff + n * H;
      const po = pOff + n * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(gates[go + j]!);
        gates[go + j] = r;
        gates[go + H + j] = sigmoid(gates[go + H + j]!);
        if (resetAfter) {
          if (bHn) hidden[so + j] = hidden[so + j]! + bHn[2 * H + j]!;
          gates[go + 2 * H + j] = Math.tanh(gates[go + 2 * H + j]! + r * hidden[so + j]!);
        } else {
          hidden[so + j] = flushed(r * hPrev[po + j]!, min);
        }
      }
    }
    if (!resetAfter) {
      // n pre-activation += (r ⊙ h)·w_hnᵀ (b_hn was folded into the projection)
      gemmStrided(false, true, N, H, H, hidden, sOff, H, p.wHh, 2 * H * H, H, gates, gOff + 2 * H, G, 1);
    }
    carryInactiveRows(p, t, hPrev, pOff, hs, y);
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const so = sOff + n * H;
      const po = pOff + n * H;
      const go = gOff + n * G;
      for (let j = 0; j < H; j++) {
        const z = gates[go + H + j]!;
        const nn = resetAfter ? gates[go + 2 * H + j]! : Math.tanh(gates[go + 2 * H + j]!);
        gates[go + 2 * H + j] = nn;
        const h = flushed((1 - z) * nn + z * hPrev[po + j]!, min);
        hs[so + j] = h;
        y[so + j] = h;
      }
    }
  }
  lastState(p, hs, out.hN);
  return { resetAfter, gates, hs, hidden };
}

export function gruBackward<B extends Buf>(p: SequenceProblem<B>, tape: GruTape<B>, grads: SequenceOutputGrads<B>, options: BackwardOptions<B>): SequenceInputGrads<B> {
  // dy is (T,N,H), dh_n is (N,H)
  // dGi (T,N,3H): pre-activation gradients as seen from the input side (w_ih, b_ih, x);
  // dGh: the same as seen from the hidden side (w_hh, b_hh, h). They differ only in the n block
  // of the resetAfter form, where r multiplies W_hn h + b_hn.
  const { T, N, H, lengths } = p;
  const G = 3 * H;
  const { resetAfter, gates, hs, hidden } = tape;
  const dGi = allocLike(p.x, T * N * G);
  const dGh = resetAfter ? allocLike(p.x, T * N * G) : dGi;
  let carry = allocLike(p.x, N * H);
  let nextCarry = allocLike(p.x, N * H);
  const dh = allocLike(p.x, N * H);
  const dRh = resetAfter ? dh : allocLike(p.x, N * H); // Cho form: ∂L/∂(r ⊙ h), (N,H)
  if (grads.dhN) carry.set(grads.dhN);
  const min = flushThresholdFor(p.x);
  for (let s = T - 1; s >= 0; s--) {
    const t = stepTime(p, s);
    const [hPrev, pOff] = prevState(p, t, hs, p.h0);
    const gOff = t * N * G;
    const sOff = t * N * H;
    stateGrad(p, t, carry, grads.dy, dh, options.stepNorms);
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const ro = n * H;
      const go = gOff + n * G;
      const so = sOff + n * H;
      const po = pOff + n * H;
      for (let j = 0; j < H; j++) {
        const r = gates[go + j]!;
        const z = gates[go + H + j]!;
        const nn = gates[go + 2 * H + j]!;
        const dhj = dh[ro + j]!;
        const dnPre = dhj * (1 - z) * (1 - nn * nn);
        dGi[go + H + j] = flushed(dhj * (hPrev[po + j]! - nn) * z * (1 - z), min);
        dGi[go + 2 * H + j] = flushed(dnPre, min);
        if (resetAfter) {
          const a = hidden[so + j]!;
          const drPre = flushed(dnPre * a * r * (1 - r), min);
          dGi[go + j] = drPre;
          dGh[go + j] = drPre;
          dGh[go + H + j] = dGi[go + H + j]!;
          dGh[go + 2 * H + j] = flushed(dnPre * r, min);
        }
      }
    }
    if (!resetAfter) {
      // ∂L/∂(r ⊙ h) (N,H) = dn_pre·w_hn, then the r gradient needs it
      gemmStrided(false, false, N, H, H, dGi, gOff + 2 * H, G, p.wHh, 2 * H * H, H, dRh, 0, H, 0);
      for (let n = 0; n < N; n++) {
        if (t >= lengths[n]!) continue;
        const go = gOff + n * G;
        const po = pOff + n * H;
        const ro = n * H;
        for (let j = 0; j < H; j++) {
          const r = gates[go + j]!;
          dGi[go + j] = flushed(dRh[ro + j]! * hPrev[po + j]! * r * (1 - r), min);
        }
      }
    }
    // ∂L/∂h_{t−1} = z ⊙ dh + (hidden-side gate gradients)·w_hh (+ r ⊙ ∂L/∂(r⊙h) in Cho form)
    gemmStrided(false, false, N, H, resetAfter ? G : 2 * H, dGh, gOff, G, p.wHh, 0, H, nextCarry, 0, H, 0);
    passInactiveRows(p, t, carry, nextCarry);
    for (let n = 0; n < N; n++) {
      if (t >= lengths[n]!) continue;
      const ro = n * H;
      const go = gOff + n * G;
      if (resetAfter) {
        for (let j = 0; j < H; j++) nextCarry[ro + j] = flushed(nextCarry[ro + j]! + dh[ro + j]! * gates[go + H + j]!, min);
      } else {
        for (let j = 0; j < H; j++) nextCarry[ro + j] = flushed(nextCarry[ro + j]! + dh[ro + j]! * gates[go + H + j]! + dRh[ro + j]! * gates[go + j]!, min);
      }
    }
    [carry, nextCarry] = [nextCarry, carry];
  }
  // Cho form: the n block of dW_hh multiplies r ⊙ h_{t−1} (hidden), not h_{t−1}
  const recurrent: RecurrentInput<B>[] = resetAfter ? [[0, G, 'prev']] : [[0, 2 * H, 'prev'], [2 * H, H, hidden]];
  return { ...gradsFromGates(p, G, dGi, dGh, hs, options, recurrent), dh0: carry, dc0: null };
}
