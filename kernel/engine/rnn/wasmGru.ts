// GRU over a whole sequence on the WebAssembly kernels, both forms (see gru.ts, the reference and
// the Float64Array path). PyTorch's form: per step one GEMM hh = h·w_hhᵀ (all three blocks) and
// one gate kernel. Cho form: r and z first, then the n block on r ⊙ h, so two GEMMs and two gate
// kernels per step (and likewise backward).

import { gemmPacked } from '../wasm/gemm';
import { type WasmKernels } from '../wasm/instance';
import { multiplyByWeight } from '../wasm/weightOperand';
import { type GruTape } from './gru';
import { checkProblem, stepTime, type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';
import {
  batchMajorOutput,
  columnSums,
  foldedBias,
  inputSideGrads,
  packRecurrent,
  recurrentOperand,
  prevStateAt,
  prevStatesMatrix,
  outputGradAt,
  putOutputGrad,
  projectInputWasm,
  stateAt,
  statesAt,
  statesView,
  stepOut,
  uploadStates,
  weightGrad,
  writeOutputs,
} from './wasmSequence';
import { forwardBatch1Split, splitsBatch1 } from './splitSequence';
import { keepResident, makeRoom, releaseResident, residentBuffers, residentTape } from './wasmResident';

const F = 4;

/** b_ih + b_hh where b_hh adds to the same pre-activation: r, z always, n only in the Cho form. */
/** Runs the sequence; returns the tape for the backward, or null (and copies less) without `keepTape`. */
export function gruForwardWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, resetAfter: boolean, keepTape: boolean): GruTape<Float32Array> | null {
  // x is (T,N,I), w_ih is (3H,I), w_hh is (3H,H); gates (T,N,3H), hidden (T,N,H)
  checkProblem(p, 3, 'gruForward');
  if (resetAfter && splitsBatch1(w, p, 'gru', keepTape)) {
    forwardBatch1Split(w, p, out, 'gru'); // batch-1 inference on two threads
    return null;
  }
  const { T, N, H } = p;
  const G = 3 * H;
  const arena = w.arena;
  const resident = keepTape && makeRoom(w, (N + T * N * (p.I + G + H) + (T + 1) * N * H) * F);
  const mark = arena.mark();
  let kept = false;
  try {
    // Buffers the backward needs first (they may stay resident), then the temporaries.
    const len = arena.putInt32(p.lengths);
    const x = p.rows ? 0 : arena.put(p.x);
    const gates = projectInputWasm(w, p, x, G, foldedBias(p, resetAfter ? 2 * p.H : 3 * p.H));
    const hs = uploadStates(w, p, p.h0, null);
    const hidden = arena.alloc(T * N * H);
    const end = arena.mark();
    const wHhRaw = arena.put(p.wHh);
    const yb = batchMajorOutput(w, p, out.batchFirst);
    if (resetAfter) {
      const wHh = recurrentOperand(w, p, wHhRaw, 0, G);
      const hh = arena.alloc(N * G);
      const bhn = p.bHh ? arena.put(p.bHh.subarray(2 * H)) : arena.zeros(H);
      for (let s = 0; s < T; s++) {
        const t = stepTime(p, s);
        const hPrev = prevStateAt(p, hs, t);
        multiplyByWeight(w, wHh, N, hPrev, H, hh, G, 0);
        w.k.gru_fwd(gates + t * N * G * F, hh, bhn, hPrev, stateAt(p, hs, t), hidden + t * N * H * F, N, H, len, t);
        stepOut(w, p, hs, yb, t);
      }
    } else {
      const wRz = recurrentOperand(w, p, wHhRaw, 0, 2 * H);
      const wN = recurrentOperand(w, p, wHhRaw, 2 * H, H);
      for (let s = 0; s < T; s++) {
        const t = stepTime(p, s);
        const gt = gates + t * N * G * F;
        const ht = hidden + t * N * H * F;
        const hPrev = prevStateAt(p, hs, t);
        multiplyByWeight(w, wRz, N, hPrev, H, gt, G, 1);
        w.k.gru_cho_rz(gt, hPrev, ht, N, H, len, t);
        multiplyByWeight(w, wN, N, ht, H, gt + 2 * H * F, G, 1);
        w.k.gru_cho_h(gt, hPrev, stateAt(p, hs, t), N, H, len, t);
        stepOut(w, p, hs, yb, t);
      }
    }
    writeOutputs(w, p, hs, out.y, out.hN, 0, null, out.batchFirst, yb);
    if (!keepTape) return null;
    if (!resident) return { resetAfter, gates: arena.view(gates, T * N * G).slice(), hs: statesView(w, p, hs).slice(), hidden: arena.view(hidden, T * N * H).slice() };
    arena.release(end);
    const tape = residentTape<GruTape<Float32Array>>(w, { resetAfter }, { gates: [gates, T * N * G], hs: [statesAt(p, hs), T * N * H], hidden: [hidden, T * N * H] });
    keepResident(w, tape, mark, end, { len, x, gates, hs, cs: 0, hidden });
    kept = true;
    return tape;
  } finally {
    if (!kept) arena.release(mark);
  }
}

export function gruBackwardWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, tape: GruTape<Float32Array>, grads: SequenceOutputGrads<Float32Array>, options: BackwardOptions): SequenceInputGrads<Float32Array> {
  // dGi (T,N,3H): pre-activation gradients seen from the input side; dGh from the hidden side
  // (they differ in the n block of PyTorch's form only; the Cho form has one buffer).
  const { T, N, H, I } = p;
  const G = 3 * H;
  const rows = T * N;
  const { resetAfter } = tape;
  const arena = w.arena;
  const res = residentBuffers(w, tape);
  const mark = arena.mark();
  try {
    const len = res ? res.len : arena.putInt32(p.lengths);
    const x = p.rows ? 0 : res ? res.x : arena.put(p.x);
    const gates = res ? res.gates : arena.put(tape.gates);
    const hidden = res ? res.hidden : arena.put(tape.hidden);
    const hs = res ? res.hs : uploadStates(w, p, p.h0, tape.hs);
    const dy = putOutputGrad(w, p, grads);
    let carry = grads.dhN ? arena.put(grads.dhN) : arena.zeros(N * H);
    let next = arena.alloc(N * H);
    const dGi = arena.alloc(rows * G);
    const dGh = resetAfter ? arena.alloc(rows * G) : dGi;
    const wHhRaw = arena.put(p.wHh);
    const wHh = packRecurrent(w, p, wHhRaw); // op(B)[g, h'] = w_hh[g, h'], K = 3H
    const dRh = resetAfter ? 0 : arena.alloc(N * H);
    for (let s = T - 1; s >= 0; s--) {
      const t = stepTime(p, s);
      const gt = gates + t * N * G * F;
      const hPrev = prevStateAt(p, hs, t);
      const dyt = outputGradAt(w, p, dy, t);
      let ss: number;
      if (resetAfter) {
        ss = w.k.gru_bwd(gt, hidden + t * N * H * F, hPrev, carry, dyt, dGi + t * N * G * F, dGh + t * N * G * F, next, N, H, len, t);
        gemmPacked(w, false, N, G, dGh + t * N * G * F, G, wHh, next, H, 1);
      } else {
        const dGt = dGi + t * N * G * F;
        ss = w.k.gru_cho_bwd1(gt, hPrev, carry, dyt, dGt, next, N, H, len, t);
        // ∂L/∂(r ⊙ h) = dn_pre·w_hn, then the r gradient and its share of ∂L/∂h_{t−1}
        gemmPacked(w, false, N, H, dGt + 2 * H * F, G, wHh, dRh, H, 0, 2 * H);
        w.k.gru_cho_bwd2(gt, hPrev, dRh, dGt, next, N, H, len, t);
        gemmPacked(w, false, N, 2 * H, dGt, G, wHh, next, H, 1, 0);
      }
      if (options.stepNorms) options.stepNorms[t] = Math.sqrt(ss);
      [carry, next] = [next, carry];
    }
    const dWhh = new Float32Array(G * H);
    if (resetAfter) {
      weightGrad(w, rows, dGh, G, 0, G, prevStatesMatrix(p, hs), H, dWhh, 0);
    } else {
      weightGrad(w, rows, dGh, G, 0, 2 * H, prevStatesMatrix(p, hs), H, dWhh, 0);
      weightGrad(w, rows, dGh, G, 2 * H, H, hidden, H, dWhh, 2 * H * H);
    }
    const dWih = new Float32Array(G * I);
    const { dx, dTable } = inputSideGrads(w, p, dGi, G, x, dWih, options.needDx);
    const dbIh = p.bIh ? columnSums(w, dGi, rows, G, G) : null;
    const dbHh = p.bHh ? (resetAfter ? columnSums(w, dGh, rows, G, G) : dbIh ? new Float32Array(dbIh) : columnSums(w, dGh, rows, G, G)) : null;
    return { dx, dTable, dWih, dWhh, dbIh, dbHh, dh0: arena.view(carry, N * H).slice(), dc0: null };
  } finally {
    arena.release(mark);
    if (res) releaseResident(w, tape, options.retainTape ?? true);
  }
}
