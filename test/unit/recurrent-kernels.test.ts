// The fused kernels on their own, in float64: the strided GEMM against a naive product, and every
// cell's BPTT backward against central finite differences of its forward (forward and reverse
// direction, with and without lengths, with and without h0/c0, both GRU forms, tanh and relu).

import { describe, expect, it } from 'vitest';
import { gemmStrided as gemm } from '../../kernel/engine/gemm';
import { cellBackward, cellForward, gateCount, type CellSpec } from '../../kernel/engine/rnn/cell';
import { type SequenceProblem } from '../../kernel/engine/rnn/sequence';
import { seededValues, toleranceRatio } from './recurrent-helpers';

function f64(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from(seededValues(n, seed, -scale, scale));
}

describe('strided gemm', () => {
  for (const [transA, transB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`op(A)=${transA ? 'Aᵀ' : 'A'}, op(B)=${transB ? 'Bᵀ' : 'B'} with offsets, leading dimensions and odd sizes`, () => {
      for (const [M, N, K] of [
        [1, 1, 1],
        [3, 5, 7],
        [4, 8, 2],
        [7, 6, 9],
        [6, 9, 150], // longer than one chunk of the reduction
      ] as const) {
        const lda = (transA ? M : K) + 2;
        const ldb = (transB ? K : N) + 3;
        const ldc = N + 1;
        const [aOff, bOff, cOff] = [5, 2, 3];
        const A = f64(aOff + lda * (transA ? K : M), 1);
        const B = f64(bOff + ldb * (transB ? N : K), 2);
        const C0 = f64(cOff + ldc * M, 3);
        for (const beta of [0, 1] as const) {
          const C = new Float64Array(C0);
          gemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, beta);
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = beta ? C0[cOff + i * ldc + j]! : 0;
              for (let k = 0; k < K; k++) {
                const a = transA ? A[aOff + k * lda + i]! : A[aOff + i * lda + k]!;
                const b = transB ? B[bOff + j * ldb + k]! : B[bOff + k * ldb + j]!;
                s += a * b;
              }
              expect(C[cOff + i * ldc + j]).toBeCloseTo(s, 10);
            }
          // Padding between rows of C is untouched.
          for (let i = 0; i < M; i++) expect(C[cOff + i * ldc + N]).toBe(C0[cOff + i * ldc + N]);
        }
      }
    });
  }
});

const cells: [string, CellSpec][] = [
  ['lstm', { kind: 'lstm' }],
  ['gru (resetAfter)', { kind: 'gru', resetAfter: true }],
  ['gru (Cho)', { kind: 'gru', resetAfter: false }],
  ['rnn tanh', { kind: 'rnn', nonlinearity: 'tanh' }],
  ['rnn relu', { kind: 'rnn', nonlinearity: 'relu' }],
];

interface Case {
  reverse: boolean;
  lengths: number[] | null;
  initial: boolean;
  bias: boolean;
}

const cases: Case[] = [];
for (const reverse of [false, true])
  for (const lengths of [null, [3, 5, 1]])
    for (const initial of [false, true]) cases.push({ reverse, lengths, initial, bias: true });
cases.push({ reverse: true, lengths: [2, 5, 4], initial: true, bias: false });

describe('kernel BPTT matches finite differences (float64)', () => {
  for (const [label, cell] of cells) {
    for (const c of cases) {
      const name = `${label}, ${c.reverse ? 'reverse' : 'forward'}, ${c.lengths ? `lengths [${c.lengths.join(',')}]` : 'full'}, ${c.initial ? 'h0/c0' : 'zero state'}${c.bias ? '' : ', no bias'}`;
      it(name, () => {
        const [T, N, I, H] = [5, 3, 3, 4];
        const G = gateCount(cell) * H;
        const lstm = cell.kind === 'lstm';
        const p: SequenceProblem<Float64Array> = {
          T,
          N,
          I,
          H,
          reverse: c.reverse,
          lengths: Int32Array.from(c.lengths ?? [T, T, T]),
          x: f64(T * N * I, 11),
          wIh: f64(G * I, 12, 0.6),
          wHh: f64(G * H, 13, 0.6),
          bIh: c.bias ? f64(G, 14, 0.5) : null,
          bHh: c.bias ? f64(G, 15, 0.5) : null,
          h0: c.initial ? f64(N * H, 16) : new Float64Array(N * H),
          c0: lstm && c.initial ? f64(N * H, 17) : null,
        };
        // loss = Σ y⊙wy + Σ h_n⊙wh + Σ c_n⊙wc
        const wy = f64(T * N * H, 21);
        const wh = f64(N * H, 22);
        const wc = f64(N * H, 23);
        const loss = (): number => {
          const out = { y: new Float64Array(T * N * H), hN: new Float64Array(N * H), cN: lstm ? new Float64Array(N * H) : null };
          cellForward(cell, p, out);
          let s = 0;
          for (let i = 0; i < out.y.length; i++) s += out.y[i]! * wy[i]!;
          for (let i = 0; i < out.hN.length; i++) s += out.hN[i]! * wh[i]!;
          if (out.cN) for (let i = 0; i < out.cN.length; i++) s += out.cN[i]! * wc[i]!;
          return s;
        };
        const out = { y: new Float64Array(T * N * H), hN: new Float64Array(N * H), cN: lstm ? new Float64Array(N * H) : null };
        const tape = cellForward(cell, p, out);
        const stepNorms = new Float64Array(T);
        const g = cellBackward(p, tape, { dy: wy, dhN: wh, dcN: lstm ? wc : null }, { needDx: true, stepNorms });

        // Outputs past a row's length are exactly 0, and so is the input gradient there.
        for (let t = 0; t < T; t++)
          for (let n = 0; n < N; n++)
            if (t >= p.lengths[n]!) {
              for (let j = 0; j < H; j++) expect(out.y[(t * N + n) * H + j]).toBe(0);
              for (let j = 0; j < I; j++) expect(g.dx![(t * N + n) * I + j]).toBe(0);
            }

        const targets: [string, Float64Array | null, Float64Array | null][] = [
          ['x', p.x, g.dx],
          ['w_ih', p.wIh, g.dWih],
          ['w_hh', p.wHh, g.dWhh],
          ['b_ih', p.bIh, g.dbIh],
          ['b_hh', p.bHh, g.dbHh],
          ['h0', p.h0, g.dh0],
          ['c0', p.c0, g.dc0],
        ];
        const eps = 1e-6;
        for (const [what, value, grad] of targets) {
          if (value === null) {
            expect(grad, what).toBeNull();
            continue;
          }
          const numeric = new Float64Array(value.length);
          for (let i = 0; i < value.length; i++) {
            const orig = value[i]!;
            value[i] = orig + eps;
            const up = loss();
            value[i] = orig - eps;
            const down = loss();
            value[i] = orig;
            numeric[i] = (up - down) / (2 * eps);
          }
          expect(toleranceRatio(grad!, numeric, 1e-7, 1e-6), what).toBeLessThanOrEqual(1);
        }
        // Step norms: the last processed step of a full batch sees dy + dh_n only.
        if (!c.lengths) {
          const t = c.reverse ? 0 : T - 1;
          let s = 0;
          for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) s += (wy[(t * N + n) * H + j]! + wh[n * H + j]!) ** 2;
          expect(stepNorms[t]).toBeCloseTo(Math.sqrt(s), 12);
        }
      });
    }
  }
});
