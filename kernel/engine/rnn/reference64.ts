// A plain float64 forward of a whole (multi-layer, bidirectional, variable-length) recurrent net,
// written straight from the equations one row and one step at a time, with no GEMM and no
// shared code with the kernels. Tests use it as ground truth for forwards and, by finite
// differences, for gradients (float64 makes small steps exact enough).

import { type CellSpec } from './cell';

export interface Reference64Config {
  cell: CellSpec;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
}

export interface Reference64Inputs {
  /** (T,N,I), or (N,T,I) with batchFirst */
  x: Float64Array;
  T: number;
  N: number;
  /** (L·D, N, H) or undefined for zeros */
  h0?: Float64Array;
  /** (L·D, N, H) or undefined for zeros (LSTM) */
  c0?: Float64Array;
  /** (N) or undefined for all T */
  lengths?: readonly number[];
}

/** Per layer and direction: states and gate activations (T,N,H), 0 past a row's length. */
export interface Reference64Internals {
  h: Float64Array;
  c: Float64Array | null;
  gates: Record<string, Float64Array>;
}

export interface Reference64Result {
  /** (T,N,D·H) or (N,T,D·H) with batchFirst */
  output: Float64Array;
  /** (L·D, N, H) */
  h: Float64Array;
  /** (L·D, N, H) for LSTM, else null */
  c: Float64Array | null;
  /** Keyed 'l0', 'l0_reverse', 'l1', … */
  internals: Record<string, Reference64Internals>;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** W (rows, cols) row `r` dotted with v, plus b[r]. */
function affine(W: Float64Array, cols: number, r: number, v: ArrayLike<number>, b: Float64Array | undefined): number {
  let s = b ? b[r]! : 0;
  for (let k = 0; k < cols; k++) s += W[r * cols + k]! * v[k]!;
  return s;
}

export function reference64Forward(config: Reference64Config, params: Record<string, Float64Array>, inputs: Reference64Inputs): Reference64Result {
  const { cell, hiddenSize: H, numLayers: L } = config;
  const D = config.bidirectional ? 2 : 1;
  const { T, N } = inputs;
  const lengths = inputs.lengths ?? new Array<number>(N).fill(T);
  const lstm = cell.kind === 'lstm';
  const gateNames = lstm ? ['i', 'f', 'g', 'o'] : cell.kind === 'gru' ? ['r', 'z', 'n'] : [];
  // layerIn[t][n] is the input vector of row n at step t
  let layerIn: Float64Array[][] = [];
  for (let t = 0; t < T; t++) {
    layerIn.push([]);
    for (let n = 0; n < N; n++) {
      const off = config.batchFirst ? (n * T + t) * config.inputSize : (t * N + n) * config.inputSize;
      layerIn[t]!.push(inputs.x.slice(off, off + config.inputSize));
    }
  }
  const hOut = new Float64Array(L * D * N * H);
  const cOut = new Float64Array(L * D * N * H);
  const internals: Record<string, Reference64Internals> = {};
  for (let l = 0; l < L; l++) {
    const inSize = l === 0 ? config.inputSize : D * H;
    const next: Float64Array[][] = Array.from({ length: T }, () => Array.from({ length: N }, () => new Float64Array(D * H)));
    for (let d = 0; d < D; d++) {
      const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const wIh = params[`weight_ih${suffix}`]!;
      const wHh = params[`weight_hh${suffix}`]!;
      const bIh = params[`bias_ih${suffix}`];
      const bHh = params[`bias_hh${suffix}`];
      const k = l * D + d;
      const rec: Reference64Internals = {
        h: new Float64Array(T * N * H),
        c: lstm ? new Float64Array(T * N * H) : null,
        gates: Object.fromEntries(gateNames.map((g) => [g, new Float64Array(T * N * H)])),
      };
      internals[suffix.slice(1)] = rec;
      for (let n = 0; n < N; n++) {
        let h = inputs.h0 ? inputs.h0.slice((k * N + n) * H, (k * N + n + 1) * H) : new Float64Array(H);
        let c = inputs.c0 ? inputs.c0.slice((k * N + n) * H, (k * N + n + 1) * H) : new Float64Array(H);
        const len = lengths[n]!;
        for (let s = 0; s < len; s++) {
          const t = d === 1 ? len - 1 - s : s; // the reverse direction starts at the row's own end
          const x = layerIn[t]![n]!;
          const hNew = new Float64Array(H);
          const cNew = new Float64Array(H);
          const at = (t * N + n) * H;
          // pre(gate, j): W_i· x + b_i· + W_h· h + b_h· for unit j of a gate block
          const pre = (gate: number, j: number): number => affine(wIh, inSize, gate * H + j, x, bIh) + affine(wHh, H, gate * H + j, h, bHh);
          if (cell.kind === 'rnn') {
            for (let j = 0; j < H; j++) hNew[j] = cell.nonlinearity === 'relu' ? Math.max(pre(0, j), 0) : Math.tanh(pre(0, j));
          } else if (lstm) {
            for (let j = 0; j < H; j++) {
              const [i, f, g, o] = [sigmoid(pre(0, j)), sigmoid(pre(1, j)), Math.tanh(pre(2, j)), sigmoid(pre(3, j))];
              cNew[j] = f * c[j]! + i * g;
              hNew[j] = o * Math.tanh(cNew[j]!);
              [rec.gates.i![at + j], rec.gates.f![at + j], rec.gates.g![at + j], rec.gates.o![at + j]] = [i, f, g, o];
            }
          } else {
            const r = Float64Array.from({ length: H }, (_, j) => sigmoid(pre(0, j)));
            const z = Float64Array.from({ length: H }, (_, j) => sigmoid(pre(1, j)));
            const rh = Float64Array.from({ length: H }, (_, j) => r[j]! * h[j]!);
            for (let j = 0; j < H; j++) {
              const nPre = cell.resetAfter
                ? affine(wIh, inSize, 2 * H + j, x, bIh) + r[j]! * affine(wHh, H, 2 * H + j, h, bHh) // r ⊙ (W_hn h + b_hn)
                : affine(wIh, inSize, 2 * H + j, x, bIh) + affine(wHh, H, 2 * H + j, rh, bHh); // W_hn (r ⊙ h) + b_hn
              const nn = Math.tanh(nPre);
              hNew[j] = (1 - z[j]!) * nn + z[j]! * h[j]!;
              [rec.gates.r![at + j], rec.gates.z![at + j], rec.gates.n![at + j]] = [r[j]!, z[j]!, nn];
            }
          }
          h = hNew;
          if (lstm) c = cNew;
          next[t]![n]!.set(h, d * H);
          rec.h.set(h, at);
          rec.c?.set(c, at);
        }
        hOut.set(h, (k * N + n) * H);
        cOut.set(c, (k * N + n) * H);
      }
    }
    layerIn = next;
  }
  const output = new Float64Array(T * N * D * H);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) output.set(layerIn[t]![n]!, (config.batchFirst ? n * T + t : t * N + n) * D * H);
  return { output, h: hOut, c: lstm ? cOut : null, internals };
}
