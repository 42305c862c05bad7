// Elman RNN over a whole sequence on the WebAssembly kernels (see vanilla.ts, the reference and
// the Float64Array path): per step one GEMM pre += h·w_hhᵀ and one activation kernel.

import { gemmPacked } from '../wasm/gemm';
import { type WasmKernels } from '../wasm/instance';
import { multiplyByWeight } from '../wasm/weightOperand';
import { checkProblem, stepTime, type BackwardOptions, type SequenceInputGrads, type SequenceOutputGrads, type SequenceOutputs, type SequenceProblem } from './sequence';
import { type Nonlinearity, type VanillaTape } from './vanilla';
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
export function vanillaForwardWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, out: SequenceOutputs<Float32Array>, nonlinearity: Nonlinearity, keepTape: boolean): VanillaTape<Float32Array> | null {
  // x is (T,N,I), w_ih is (H,I), w_hh is (H,H); pre (T,N,H) = x·w_ihᵀ + b, then += h·w_hhᵀ per step
  checkProblem(p, 1, 'vanillaForward');
  const cell = nonlinearity === 'relu' ? 'rnn_relu' : 'rnn_tanh';
  if (splitsBatch1(w, p, cell, keepTape)) {
    forwardBatch1Split(w, p, out, cell); // batch-1 inference on two threads
    return null;
  }
  const { T, N, H } = p;
  const arena = w.arena;
  const resident = keepTape && makeRoom(w, (N + T * N * p.I + (T + 1) * N * H) * F);
  const mark = arena.mark();
  let kept = false;
  try {
    // Buffers the backward needs first (they may stay resident), then the temporaries.
    const len = arena.putInt32(p.lengths);
    const x = p.rows ? 0 : arena.put(p.x);
    const hs = uploadStates(w, p, p.h0, null);
    const end = arena.mark();
    const pre = projectInputWasm(w, p, x, H, foldedBias(p));
    const wHh = recurrentOperand(w, p, arena.put(p.wHh), 0, H);
    const act = nonlinearity === 'relu' ? w.k.rnn_relu_fwd : w.k.rnn_tanh_fwd;
    const yb = batchMajorOutput(w, p, out.batchFirst);
    for (let s = 0; s < T; s++) {
      const t = stepTime(p, s);
      const pt = pre + t * N * H * F;
      const hPrev = prevStateAt(p, hs, t);
      multiplyByWeight(w, wHh, N, hPrev, H, pt, H, 1);
      act(pt, hPrev, stateAt(p, hs, t), N, H, len, t);
      stepOut(w, p, hs, yb, t);
    }
    writeOutputs(w, p, hs, out.y, out.hN, 0, null, out.batchFirst, yb);
    if (!keepTape) return null;
    if (!resident) return { nonlinearity, hs: statesView(w, p, hs).slice() };
    arena.release(end);
    const tape = residentTape<VanillaTape<Float32Array>>(w, { nonlinearity }, { hs: [statesAt(p, hs), T * N * H] });
    keepResident(w, tape, mark, end, { len, x, gates: 0, hs, cs: 0, hidden: 0 });
    kept = true;
    return tape;
  } finally {
    if (!kept) arena.release(mark);
  }
}

export function vanillaBackwardWasm(w: WasmKernels, p: SequenceProblem<Float32Array>, tape: VanillaTape<Float32Array>, grads: SequenceOutputGrads<Float32Array>, options: BackwardOptions): SequenceInputGrads<Float32Array> {
  // dy is (T,N,H), dh_n is (N,H); dG (T,N,H) the pre-activation gradient per step
  const { T, N, H, I } = p;
  const rows = T * N;
  const arena = w.arena;
  const res = residentBuffers(w, tape);
  const mark = arena.mark();
  try {
    const len = res ? res.len : arena.putInt32(p.lengths);
    const x = p.rows ? 0 : res ? res.x : arena.put(p.x);
    const hs = res ? res.hs : uploadStates(w, p, p.h0, tape.hs);
    const dy = putOutputGrad(w, p, grads);
    let carry = grads.dhN ? arena.put(grads.dhN) : arena.zeros(N * H);
    let next = arena.alloc(N * H);
    const dG = arena.alloc(rows * H);
    const wHh = packRecurrent(w, p, arena.put(p.wHh));
    const grad = tape.nonlinearity === 'relu' ? w.k.rnn_relu_bwd : w.k.rnn_tanh_bwd;
    for (let s = T - 1; s >= 0; s--) {
      const t = stepTime(p, s);
      const dGt = dG + t * N * H * F;
      const ss = grad(stateAt(p, hs, t), carry, outputGradAt(w, p, dy, t), dGt, next, N, H, len, t);
      if (options.stepNorms) options.stepNorms[t] = Math.sqrt(ss);
      gemmPacked(w, false, N, H, dGt, H, wHh, next, H, 1);
      [carry, next] = [next, carry];
    }
    const dWhh = new Float32Array(H * H);
    weightGrad(w, rows, dG, H, 0, H, prevStatesMatrix(p, hs), H, dWhh, 0);
    const dWih = new Float32Array(H * I);
    const { dx, dTable } = inputSideGrads(w, p, dG, H, x, dWih, options.needDx);
    const db = p.bIh || p.bHh ? columnSums(w, dG, rows, H, H) : null;
    return {
      dx,
      dTable,
      dWih,
      dWhh,
      dbIh: p.bIh && db ? db : null,
      dbHh: p.bHh && db ? new Float32Array(db) : null,
      dh0: arena.view(carry, N * H).slice(),
      dc0: null,
    };
  } finally {
    arena.release(mark);
    if (res) releaseResident(w, tape, options.retainTape ?? true);
  }
}
