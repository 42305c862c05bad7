// Elman RNN over a whole sequence on the WebAssembly kernels (see vanilla.ts, the reference and
// the Float64Array path): per step one GEMM pre += h·w_hhᵀ and one activation kernel. The sequence
// around the steps is wasmCell.ts's.

import { gemmPacked } from '../wasm/gemm';
import { F } from '../wasm/instance';
import { multiplyByWeight } from '../wasm/weightOperand';
import { type Nonlinearity, type VanillaTape } from './vanilla';
import { type WasmCell } from './wasmCell';
import { foldedBias, lengthsAt, packRecurrent, prevStateAt, prevStatesMatrix, projectInputWasm, recurrentOperand, rowAt, stateAt, statesAt, uploadStates, type BatchRows } from './wasmSequence';

export function vanillaWasm(nonlinearity: Nonlinearity): WasmCell<VanillaTape<Float32Array>> {
  const relu = nonlinearity === 'relu';
  return {
    gates: 1,
    name: 'vanillaForward',
    split: relu ? 'rnn_relu' : 'rnn_tanh',
    plain: { nonlinearity },
    tapeFloats: () => 0,

    // The backward needs the states only (h' gives the activation's derivative).
    allocTape: (w, p) => ({ hs: uploadStates(w, p, p.h0, null) }),

    forwardStep(w, p, { len, x, hs }) {
      // pre (T,N,H) = x·w_ihᵀ + b_ih + b_hh, then += h·w_hhᵀ per step
      const { N, H } = p;
      const pre = projectInputWasm(w, p, x, H, foldedBias(p));
      const wHh = recurrentOperand(w, p, w.arena.put(p.wHh), 0, H);
      // The kernels are looked up on each call: a trace of these steps records what w.k is then (wasm/replay.ts).
      return (t, rows) => {
        const pt = rowAt(pre + t * N * H * F, rows, H);
        const hPrev = rowAt(prevStateAt(p, hs, t), rows, H);
        multiplyByWeight(w, wHh, rows.count, hPrev, H, pt, H, 1, N);
        (relu ? w.k.rnn_relu_fwd : w.k.rnn_tanh_fwd)(pt, hPrev, rowAt(stateAt(p, hs, t), rows, H), rows.count, H, lengthsAt(len, rows), t);
      };
    },

    tapeArrays: (p, { hs }) => ({ hs: [statesAt(p, hs), p.T * p.N * p.H] }),

    uploadTape: (w, p, tape) => ({ hs: uploadStates(w, p, p.h0, tape.hs) }),

    backwardSteps(w, p, { len, hs }) {
      // dG (T,N,H): the pre-activation gradient per step
      const { T, N, H } = p;
      const arena = w.arena;
      const dG = arena.alloc(T * N * H);
      const wHh = packRecurrent(w, p, arena.put(p.wHh));
      const step = (t: number, carry: number, dy: number, next: number, rows: BatchRows): number => {
        const dGt = rowAt(dG + t * N * H * F, rows, H);
        const nextRows = rowAt(next, rows, H);
        const ss = (relu ? w.k.rnn_relu_bwd : w.k.rnn_tanh_bwd)(rowAt(stateAt(p, hs, t), rows, H), rowAt(carry, rows, H), rowAt(dy, rows, H), dGt, nextRows, rows.count, H, lengthsAt(len, rows), t);
        gemmPacked(w, false, rows.count, H, dGt, H, wHh, nextRows, H, 1, 0, N);
        return ss;
      };
      return { step, dGi: dG, dGh: dG, recurrentInputs: [[0, H, prevStatesMatrix(p, hs)]] };
    },
  };
}
