// LSTM over a whole sequence on the WebAssembly kernels: the same computation as lstm.ts (which
// stays as the readable reference and the Float64Array path), with per step one packed GEMM for
// h·w_hhᵀ and one fused gate kernel (lstm_fwd / lstm_bwd in wasm/wat/cells.ts).

import { gemmPacked } from '../wasm/gemm';
import { type WasmKernels } from '../wasm/instance';
import { multiplyByWeight } from '../wasm/weightOperand';
import { type LstmTape } from './lstm';
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

/** Runs the sequence; returns the tape for the backward, or null (and copies less) without `keepTape`. */
export function lstmForwardWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, keepTape: boolean): LstmTape<Float32Array> | null {
  // x is (T,N,I), w_ih is (4H,I), w_hh is (4H,H); gates (T,N,4H) pre-activations, then activations
  checkProblem(p, 4, 'lstmForward');
  if (splitsBatch1(w, p, 'lstm', keepTape)) {
    forwardBatch1Split(w, p, out, 'lstm'); // batch-1 inference on two threads
    return null;
  }
  const { T, N, H } = p;
  const G = 4 * H;
  const arena = w.arena;
  const resident = keepTape && makeRoom(w, (N + T * N * (p.I + G) + 2 * (T + 1) * N * H) * F);
  const mark = arena.mark();
  let kept = false;
  try {
    // Buffers the backward needs first (they may stay resident), then the temporaries.
    const len = arena.putInt32(p.lengths);
    const x = p.rows ? 0 : arena.put(p.x);
    const gates = projectInputWasm(w, p, x, G, foldedBias(p));
    const hs = uploadStates(w, p, p.h0, null);
    const cs = uploadStates(w, p, p.c0, null);
    const end = arena.mark();
    const wHh = recurrentOperand(w, p, arena.put(p.wHh), 0, G);
    const yb = batchMajorOutput(w, p, out.batchFirst);
    for (let s = 0; s < T; s++) {
      const t = stepTime(p, s);
      const gt = gates + t * N * G * F;
      const hPrev = prevStateAt(p, hs, t);
      multiplyByWeight(w, wHh, N, hPrev, H, gt, G, 1);
      w.k.lstm_fwd(gt, prevStateAt(p, cs, t), hPrev, stateAt(p, cs, t), stateAt(p, hs, t), N, H, len, t);
      stepOut(w, p, hs, yb, t);
    }
    writeOutputs(w, p, hs, out.y, out.hN, cs, out.cN, out.batchFirst, yb);
    if (!keepTape) return null;
    if (!resident) return { gates: arena.view(gates, T * N * G).slice(), hs: statesView(w, p, hs).slice(), cs: statesView(w, p, cs).slice() };
    arena.release(end);
    const tape = residentTape<LstmTape<Float32Array>>(w, {}, { gates: [gates, T * N * G], hs: [statesAt(p, hs), T * N * H], cs: [statesAt(p, cs), T * N * H] });
    keepResident(w, tape, mark, end, { len, x, gates, hs, cs, hidden: 0 });
    kept = true;
    return tape;
  } finally {
    if (!kept) arena.release(mark);
  }
}

export function lstmBackwardWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, tape: LstmTape<Float32Array>, grads: SequenceOutputGrads<Float32Array>, options: BackwardOptions): SequenceInputGrads<Float32Array> {
  // dy is (T,N,H), dh_n and dc_n are (N,H); dG (T,N,4H) the pre-activation gradient per step
  const { T, N, H, I } = p;
  const G = 4 * H;
  const rows = T * N;
  const arena = w.arena;
  const res = residentBuffers(w, tape);
  const mark = arena.mark();
  try {
    const len = res ? res.len : arena.putInt32(p.lengths);
    const x = p.rows ? 0 : res ? res.x : arena.put(p.x);
    const gates = res ? res.gates : arena.put(tape.gates);
    const hs = res ? res.hs : uploadStates(w, p, p.h0, tape.hs);
    const cs = res ? res.cs : uploadStates(w, p, p.c0, tape.cs);
    const dy = putOutputGrad(w, p, grads);
    let carry = grads.dhN ? arena.put(grads.dhN) : arena.zeros(N * H);
    let next = arena.alloc(N * H);
    const dc = grads.dcN ? arena.put(grads.dcN) : arena.zeros(N * H);
    const dG = arena.alloc(rows * G);
    const wHh = packRecurrent(w, p, arena.put(p.wHh));
    for (let s = T - 1; s >= 0; s--) {
      const t = stepTime(p, s);
      const gt = gates + t * N * G * F;
      const dGt = dG + t * N * G * F;
      const ss = w.k.lstm_bwd(gt, stateAt(p, cs, t), prevStateAt(p, cs, t), carry, outputGradAt(w, p, dy, t), dGt, dc, next, N, H, len, t);
      if (options.stepNorms) options.stepNorms[t] = Math.sqrt(ss);
      // ∂L/∂h_{t−1} = dG_t·w_hh on active rows (the kernel zeroed them), the carry on the others
      gemmPacked(w, false, N, G, dGt, G, wHh, next, H, 1);
      [carry, next] = [next, carry];
    }
    const dWhh = new Float32Array(G * H);
    weightGrad(w, rows, dG, G, 0, G, prevStatesMatrix(p, hs), H, dWhh, 0);
    const dWih = new Float32Array(G * I);
    const { dx, dTable } = inputSideGrads(w, p, dG, G, x, dWih, options.needDx);
    const db = p.bIh || p.bHh ? columnSums(w, dG, rows, G, G) : null;
    return {
      dx,
      dTable,
      dWih,
      dWhh,
      dbIh: p.bIh && db ? db : null,
      dbHh: p.bHh && db ? new Float32Array(db) : null,
      dh0: arena.view(carry, N * H).slice(),
      dc0: p.c0 ? arena.view(dc, N * H).slice() : null,
    };
  } finally {
    arena.release(mark);
    if (res) releaseResident(w, tape, options.retainTape ?? true);
  }
}
