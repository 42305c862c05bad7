// LSTM over a whole sequence on the WebAssembly kernels: the same computation as lstm.ts (which
// stays as the readable reference and the Float64Array path), with per step one packed GEMM for
// h·w_hhᵀ and one fused gate kernel (lstm_fwd / lstm_bwd in wasm/wat/cells.ts). The sequence
// around the steps is wasmCell.ts's.

import { gemmPacked } from '../wasm/gemm';
import { F } from '../wasm/instance';
import { multiplyByWeight } from '../wasm/weightOperand';
import { type LstmTape } from './lstm';
import { type WasmCell } from './wasmCell';
import { foldedBias, lengthsAt, packRecurrent, prevStateAt, prevStatesMatrix, projectInputWasm, recurrentOperand, rowAt, stateAt, statesAt, uploadStates, type BatchRows } from './wasmSequence';

export const lstmWasm: WasmCell<LstmTape<Float32Array>> = {
  gates: 4,
  name: 'lstmForward',
  split: 'lstm',
  plain: {},
  tapeFloats: ({ T, N, H }) => T * N * 4 * H + (T + 1) * N * H,

  allocTape(w, p, x) {
    // gates (T,N,4H): x·w_ihᵀ + b_ih + b_hh, activated step by step; h and c states (T+1,N,H)
    return { gates: projectInputWasm(w, p, x, 4 * p.H, foldedBias(p)), hs: uploadStates(w, p, p.h0, null), cs: uploadStates(w, p, p.c0, null) };
  },

  forwardStep(w, p, { len, gates, hs, cs }) {
    const { N, H } = p;
    const G = 4 * H;
    const wHh = recurrentOperand(w, p, w.arena.put(p.wHh), 0, G);
    return (t, rows) => {
      const gt = rowAt(gates + t * N * G * F, rows, G);
      const hPrev = rowAt(prevStateAt(p, hs, t), rows, H);
      multiplyByWeight(w, wHh, rows.count, hPrev, H, gt, G, 1, N);
      w.k.lstm_fwd(gt, rowAt(prevStateAt(p, cs, t), rows, H), hPrev, rowAt(stateAt(p, cs, t), rows, H), rowAt(stateAt(p, hs, t), rows, H), rows.count, H, lengthsAt(len, rows), t);
    };
  },

  tapeArrays(p, { gates, hs, cs }) {
    const n = p.T * p.N * p.H;
    return { gates: [gates, 4 * n], hs: [statesAt(p, hs), n], cs: [statesAt(p, cs), n] };
  },

  uploadTape(w, p, tape) {
    return { gates: w.arena.put(tape.gates), hs: uploadStates(w, p, p.h0, tape.hs), cs: uploadStates(w, p, p.c0, tape.cs) };
  },

  backwardSteps(w, p, { len, gates, hs, cs }, grads, consumable) {
    // dG (T,N,4H): the pre-activation gradient per step; dc (N,H): ∂L/∂c, updated in place.
    // lstm_bwd loads a unit's four gates before it stores their gradients: dG may take the gates' place.
    const { T, N, H } = p;
    const G = 4 * H;
    const arena = w.arena;
    const dc = grads.dcN ? arena.put(grads.dcN) : arena.zeros(N * H);
    const dG = consumable ? gates : arena.alloc(T * N * G);
    const wHh = packRecurrent(w, p, arena.put(p.wHh));
    const step = (t: number, carry: number, dy: number, next: number, rows: BatchRows): number => {
      const dGt = rowAt(dG + t * N * G * F, rows, G);
      const nextRows = rowAt(next, rows, H);
      const ss = w.k.lstm_bwd(rowAt(gates + t * N * G * F, rows, G), rowAt(stateAt(p, cs, t), rows, H), rowAt(prevStateAt(p, cs, t), rows, H), rowAt(carry, rows, H), rowAt(dy, rows, H), dGt, rowAt(dc, rows, H), nextRows, rows.count, H, lengthsAt(len, rows), t);
      // ∂L/∂h_{t−1} = dG_t·w_hh on active rows (the kernel zeroed them), the carry on the others
      gemmPacked(w, false, rows.count, G, dGt, G, wHh, nextRows, H, 1, 0, N);
      return ss;
    };
    return { step, dGi: dG, dGh: dG, recurrentInputs: [[0, G, prevStatesMatrix(p, hs)]], dc };
  },
};
