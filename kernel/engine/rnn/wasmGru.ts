// GRU over a whole sequence on the WebAssembly kernels, both forms (see gru.ts, the reference and
// the Float64Array path). PyTorch's form: per step one GEMM hh = h·w_hhᵀ (all three blocks) and
// one gate kernel. Cho form: r and z first, then the n block on r ⊙ h, so two GEMMs and two gate
// kernels per step (and likewise backward). The sequence around the steps is wasmCell.ts's.

import { gemmPacked } from '../wasm/gemm';
import { F } from '../wasm/instance';
import { multiplyByWeight } from '../wasm/weightOperand';
import { type GruTape } from './gru';
import { type WasmCell } from './wasmCell';
import { foldedBias, lengthsAt, packRecurrent, prevStateAt, prevStatesMatrix, projectInputWasm, recurrentOperand, rowAt, stateAt, statesAt, uploadStates, type BatchRows } from './wasmSequence';

export function gruWasm(resetAfter: boolean): WasmCell<GruTape<Float32Array>> {
  return {
    gates: 3,
    name: 'gruForward',
    split: resetAfter ? 'gru' : null,
    plain: { resetAfter },
    tapeFloats: ({ T, N, H }) => T * N * 4 * H,

    allocTape(w, p, x) {
      // gates (T,N,3H) = x·w_ihᵀ + b_ih, plus b_hh where it adds to the same pre-activation: r and
      // z always, n only in the Cho form; states (T+1,N,H); hidden (T,N,H) as in GruTape
      const { T, N, H } = p;
      const gates = projectInputWasm(w, p, x, 3 * H, foldedBias(p, resetAfter ? 2 * H : 3 * H));
      return { gates, hs: uploadStates(w, p, p.h0, null), hidden: w.arena.alloc(T * N * H) };
    },

    forwardStep(w, p, { len, gates, hs, hidden }) {
      const { N, H } = p;
      const G = 3 * H;
      const arena = w.arena;
      const wHh = arena.put(p.wHh);
      if (resetAfter) {
        const wAll = recurrentOperand(w, p, wHh, 0, G);
        const hh = arena.alloc(N * G);
        const bhn = p.bHh ? arena.put(p.bHh.subarray(2 * H)) : arena.zeros(H);
        return (t, rows) => {
          const hPrev = rowAt(prevStateAt(p, hs, t), rows, H);
          const hhRows = rowAt(hh, rows, G);
          multiplyByWeight(w, wAll, rows.count, hPrev, H, hhRows, G, 0, N);
          w.k.gru_fwd(rowAt(gates + t * N * G * F, rows, G), hhRows, bhn, hPrev, rowAt(stateAt(p, hs, t), rows, H), rowAt(hidden + t * N * H * F, rows, H), rows.count, H, lengthsAt(len, rows), t);
        };
      }
      const wRz = recurrentOperand(w, p, wHh, 0, 2 * H);
      const wN = recurrentOperand(w, p, wHh, 2 * H, H);
      return (t, rows) => {
        const gt = rowAt(gates + t * N * G * F, rows, G);
        const ht = rowAt(hidden + t * N * H * F, rows, H);
        const hPrev = rowAt(prevStateAt(p, hs, t), rows, H);
        const n = rows.count;
        multiplyByWeight(w, wRz, n, hPrev, H, gt, G, 1, N);
        w.k.gru_cho_rz(gt, hPrev, ht, n, H, lengthsAt(len, rows), t);
        multiplyByWeight(w, wN, n, ht, H, gt + 2 * H * F, G, 1, N);
        w.k.gru_cho_h(gt, hPrev, rowAt(stateAt(p, hs, t), rows, H), n, H, lengthsAt(len, rows), t);
      };
    },

    tapeArrays(p, { gates, hs, hidden }) {
      const n = p.T * p.N * p.H;
      return { gates: [gates, 3 * n], hs: [statesAt(p, hs), n], hidden: [hidden, n] };
    },

    uploadTape(w, p, tape) {
      return { gates: w.arena.put(tape.gates), hidden: w.arena.put(tape.hidden), hs: uploadStates(w, p, p.h0, tape.hs) };
    },

    backwardSteps(w, p, { len, gates, hs, hidden }, _grads, consumable) {
      // dGi (T,N,3H): pre-activation gradients seen from the input side; dGh from the hidden side
      // (they differ in the n block of PyTorch's form only; the Cho form has one buffer). gru_bwd
      // loads a unit's r, z, n before it stores: dGi may take the gates' place (not in the Cho
      // form, whose second kernel reads the gates after the first wrote dG).
      const { T, N, H } = p;
      const G = 3 * H;
      const arena = w.arena;
      const dGi = consumable && resetAfter ? gates : arena.alloc(T * N * G);
      const dGh = resetAfter ? arena.alloc(T * N * G) : dGi;
      const wHh = packRecurrent(w, p, arena.put(p.wHh)); // op(B)[g, h'] = w_hh[g, h'], K = 3H
      const prev = prevStatesMatrix(p, hs);
      if (resetAfter) {
        const step = (t: number, carry: number, dy: number, next: number, rows: BatchRows): number => {
          const dGht = rowAt(dGh + t * N * G * F, rows, G);
          const nextRows = rowAt(next, rows, H);
          const ss = w.k.gru_bwd(rowAt(gates + t * N * G * F, rows, G), rowAt(hidden + t * N * H * F, rows, H), rowAt(prevStateAt(p, hs, t), rows, H), rowAt(carry, rows, H), rowAt(dy, rows, H), rowAt(dGi + t * N * G * F, rows, G), dGht, nextRows, rows.count, H, lengthsAt(len, rows), t);
          gemmPacked(w, false, rows.count, G, dGht, G, wHh, nextRows, H, 1, 0, N);
          return ss;
        };
        return { step, dGi, dGh, recurrentInputs: [[0, G, prev]] };
      }
      const dRh = arena.alloc(N * H);
      const step = (t: number, carry: number, dy: number, next: number, rows: BatchRows): number => {
        const gt = rowAt(gates + t * N * G * F, rows, G);
        const hPrev = rowAt(prevStateAt(p, hs, t), rows, H);
        const dGt = rowAt(dGi + t * N * G * F, rows, G);
        const [n, nextRows, dRhRows, lens] = [rows.count, rowAt(next, rows, H), rowAt(dRh, rows, H), lengthsAt(len, rows)];
        const ss = w.k.gru_cho_bwd1(gt, hPrev, rowAt(carry, rows, H), rowAt(dy, rows, H), dGt, nextRows, n, H, lens, t);
        // ∂L/∂(r ⊙ h) = dn_pre·w_hn, then the r gradient and its share of ∂L/∂h_{t−1}
        gemmPacked(w, false, n, H, dGt + 2 * H * F, G, wHh, dRhRows, H, 0, 2 * H, N);
        w.k.gru_cho_bwd2(gt, hPrev, dRhRows, dGt, nextRows, n, H, lens, t);
        gemmPacked(w, false, n, 2 * H, dGt, G, wHh, nextRows, H, 1, 0, N);
        return ss;
      };
      // The n block's rows of dW_hh multiply r ⊙ h_{t−1} (hidden), not h_{t−1}.
      return { step, dGi, dGh, recurrentInputs: [[0, 2 * H, prev], [2 * H, H, hidden]] };
    },
  };
}
