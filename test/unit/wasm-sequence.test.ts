// The batch-1 sequence kernels (wasm/wat/sequence.ts) on their own, without a helper thread:
// the caller's role run alone takes part 1 of every step and gives what the per-step part
// kernels give called in order (forward and reverse); a helper's role started after the caller
// finished finds every step taken and changes nothing. (recurrent-split runs them on two threads.)

import { describe, expect, it } from 'vitest';
import { packB } from '../../kernel/engine/wasm/gemm';
import { wasmKernels } from '../../kernel/engine/wasm/instance';
import { SEQ_PARAM, SEQ_PARAM_WORDS, SEQ_PART, SEQ_SYNC_CLAIMS } from '../../kernel/engine/wasm/wat/sequence';
import { seededValues } from './recurrent-helpers';

const F = 4;

describe('batch-1 sequence kernels', () => {
  it.each([false, true])('LSTM, reverse %s: the caller alone runs both parts of every step, as the part kernels in order', (reverse) => {
    const w = wasmKernels()!;
    const a = w.arena;
    const mark = a.mark();
    try {
      const T = 7;
      const H = 40;
      const G = 4;
      const split = 16; // part 0: units [0,16), part 1: [16,40)
      const parts = [
        [0, split],
        [split, H],
      ] as const;
      // Each part's rows of w_hh (all 4 gates of its units), packed for the GEMV
      const packs = parts.map(([u0, u1], q) => {
        const rows = a.put(seededValues(G * (u1 - u0) * H, 10 + q, -0.2, 0.2));
        return packB(w, rows, 4, H * F, H, G * (u1 - u0), true);
      });
      const gateInit = seededValues(T * G * H, 3);
      const len = a.putInt32(new Int32Array([5])); // steps 5, 6 past the length: states carried
      const state0 = seededValues(H, 4);
      const setUp = (): { hs: number; cs: number; gates: number } => {
        const hs = a.zeros((T + 1) * H);
        const cs = a.zeros((T + 1) * H);
        const first = reverse ? T : 0; // h0 sits where the first processed step reads it
        a.f32().set(state0, (hs >> 2) + first * H);
        a.f32().set(state0, (cs >> 2) + first * H);
        return { hs, cs, gates: a.put(gateInit) };
      };

      // Reference: the part kernels step by step, part 0 then part 1.
      const ref = setUp();
      for (let s = 0; s < T; s++) {
        const t = reverse ? T - 1 - s : s;
        const hPrev = ref.hs + (reverse ? t + 1 : t) * H * F;
        const hOut = ref.hs + (reverse ? t : t + 1) * H * F;
        const cPrev = ref.cs + (reverse ? t + 1 : t) * H * F;
        const cOut = ref.cs + (reverse ? t : t + 1) * H * F;
        parts.forEach(([u0, u1], q) => {
          const gt = ref.gates + (t * G * H + G * u0) * F;
          w.k.lstm_b1_part(hPrev, packs[q]!.at, H, gt, cPrev + u0 * F, hPrev + u0 * F, cOut + u0 * F, hOut + u0 * F, u1 - u0, len, t);
        });
      }

      const seq = setUp();
      const params = new Int32Array(SEQ_PARAM_WORDS);
      params[SEQ_PARAM.T] = T;
      params[SEQ_PARAM.REVERSE] = reverse ? 1 : 0;
      params[SEQ_PARAM.STATE_STRIDE] = H * F;
      params[SEQ_PARAM.HS] = seq.hs;
      params[SEQ_PARAM.CS] = seq.cs;
      params[SEQ_PARAM.GATES] = seq.gates;
      params[SEQ_PARAM.GATE_STRIDE] = G * H * F;
      params[SEQ_PARAM.K] = H;
      params[SEQ_PARAM.LEN] = len;
      params[SEQ_PARAM.SYNC] = a.zeros((SEQ_SYNC_CLAIMS >> 2) + T);
      parts.forEach(([u0, u1], q) => {
        const at = SEQ_PARAM.PART + q * SEQ_PARAM.PART_WORDS;
        params[at + SEQ_PART.UNIT_BYTES] = u0 * F;
        params[at + SEQ_PART.UNITS] = u1 - u0;
        params[at + SEQ_PART.W] = packs[q]!.at;
        params[at + SEQ_PART.GATE_BYTES] = G * u0 * F;
      });
      const p = a.putInt32(params);
      expect(w.k.lstm_b1_seq(0, p)).toBe(T); // no helper: the caller took part 1 of every step
      const read = (at: number, n: number): Float32Array => a.view(at, n).slice();
      expect(read(seq.hs, (T + 1) * H)).toEqual(read(ref.hs, (T + 1) * H));
      expect(read(seq.cs, (T + 1) * H)).toEqual(read(ref.cs, (T + 1) * H));
      expect(read(seq.gates, T * G * H)).toEqual(read(ref.gates, T * G * H));

      // A helper arriving after the caller finished: every step is taken, nothing changes.
      const before = read(seq.hs, (T + 1) * H);
      expect(w.k.lstm_b1_seq(1, p)).toBe(0);
      expect(read(seq.hs, (T + 1) * H)).toEqual(before);
    } finally {
      a.release(mark);
    }
  });
});
