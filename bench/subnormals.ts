// Issue 18 §0, reproduced: an LSTM (I=16, H=128, B=32, sin inputs, loss on h_T, Adam) trained at
// growing T on one thread. The gradient ∂L/∂h_t decays through time (the phenomenon the samples
// teach) into the subnormal floats (|x| < FLT_MIN = 1.17549435e-38), where arithmetic on many x86
// CPUs is one to two orders of magnitude slower. `npm run bench -- --subnormals` prints, per T: the median
// forward, backward and optimizer step, and how many values of ∂L/∂h_t, ∂L/∂c_t, the weight
// gradients and Adam's moments are subnormal — with the engine's flush (setFlushDenormal) off and on.

import { FLT_MIN } from '../kernel/engine/denormal';
import { Adam, getFlushDenormal, LSTM, manualSeed, mseLoss, Module, select, setFlushDenormal, tensor, type Tensor } from '../kernel/engine/index';

/** The median (the upper of the two middle values for an even count, as callingThread's). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export { FLT_MIN };

export interface LongLstmShape {
  input: number;
  hidden: number;
  batch: number;
  seq: number;
}

export const ISSUE_SHAPE: Omit<LongLstmShape, 'seq'> = { input: 16, hidden: 128, batch: 32 };

/** Non-zero values below FLT_MIN in magnitude. */
export function countSubnormals(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v !== 0 && v < FLT_MIN && v > -FLT_MIN) n++;
  }
  return n;
}

/**
 * x (B,T,I): x[b,t,i] = sin(0.05·(i+1)·t + 2π·b/B), a frequency per input and a phase per row
 * (deterministic: no generator involved). The bench's lstm-long data; bench/torch_peer.py makes
 * the same for PyTorch.
 */
export function sinInputs(batch: number, seq: number, input: number): Tensor {
  const data = new Float32Array(batch * seq * input);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < seq; t++)
      for (let i = 0; i < input; i++) data[(b * seq + t) * input + i] = Math.sin(0.05 * (i + 1) * t + (2 * Math.PI * b) / batch);
  return tensor(data, [batch, seq, input]);
}

/** The target of h_T (B,H): a fixed pattern in (−0.5, 0.5). */
export function hiddenTarget(batch: number, hidden: number): Tensor {
  const data = new Float32Array(batch * hidden);
  for (let i = 0; i < data.length; i++) data[i] = 0.5 * Math.sin(1.7 * i + 0.3);
  return tensor(data, [batch, hidden]);
}

class LongLstm extends Module {
  lstm: LSTM;
  constructor(s: LongLstmShape) {
    super();
    this.lstm = new LSTM(s.input, s.hidden, { batchFirst: true });
  }
  /** x (B,T,I) → h_T (B,H) */
  forward(x: Tensor): Tensor {
    return select(this.lstm.forward(x).h, 0, 0);
  }
}

export interface PhaseTimes {
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  stepMs: number;
}

/**
 * Median forward (loss included), backward and Adam step of the model with the flush off and on,
 * over `steps` steps each after `warm` untimed ones: the two models take turns step by step (the
 * switch set before each), so that both see the same machine.
 */
export function timePhases(s: LongLstmShape, steps: number, warm = 2): { off: PhaseTimes; on: PhaseTimes } {
  const x = sinInputs(s.batch, s.seq, s.input);
  const y = hiddenTarget(s.batch, s.hidden);
  const runs = [false, true].map((flush) => {
    manualSeed(0);
    const model = new LongLstm(s);
    return { flush, model, opt: new Adam(model.parameters(), { lr: 1e-3 }), f: [] as number[], b: [] as number[], o: [] as number[] };
  });
  for (let i = 0; i < warm + steps; i++) {
    for (const r of i % 2 ? [...runs].reverse() : runs) {
      setFlushDenormal(r.flush);
      r.opt.zeroGrad();
      const t0 = performance.now();
      const loss = mseLoss(r.model.forward(x), y);
      const t1 = performance.now();
      loss.backward();
      const t2 = performance.now();
      r.opt.step();
      const t3 = performance.now();
      if (i < warm) continue;
      r.f.push(t1 - t0);
      r.b.push(t2 - t1);
      r.o.push(t3 - t2);
    }
  }
  const times = (r: (typeof runs)[number]): PhaseTimes => {
    const [forwardMs, backwardMs, optimizerMs] = [median(r.f), median(r.b), median(r.o)];
    return { forwardMs, backwardMs, optimizerMs, stepMs: forwardMs + backwardMs + optimizerMs };
  };
  return { off: times(runs[0]!), on: times(runs[1]!) };
}

export interface SubnormalCounts {
  /** Steps t whose ∂L/∂h_t (B·H values) holds a subnormal; first and last such t (−1: none). */
  dhSteps: number;
  dhFirst: number;
  dhLast: number;
  /** Subnormal values over all ∂L/∂h_t and ∂L/∂c_t, and how many are exactly 0. */
  dhSubnormal: number;
  dcSubnormal: number;
  dhZero: number;
  /** Of all T·B·H. */
  values: number;
  /** In the weight and bias gradients. */
  gradSubnormal: number;
  /** In Adam's m and v after `adamSteps` steps. */
  adamSubnormal: number;
  adamValues: number;
}

/**
 * The same model run one step per call (the state carried with its graph, h_t and c_t keeping
 * their gradients) so that ∂L/∂h_t and ∂L/∂c_t can be read for every t: the per-step backward
 * is the same kernels as the fused one (gate kernel, then dG·W_hh). Adam runs `adamSteps` steps on
 * the fused model to count subnormals in its moments (none: 0). Under this thread's
 * setFlushDenormal, as it is.
 */
export function countPhases(s: LongLstmShape, adamSteps: number): SubnormalCounts {
  manualSeed(0);
  const model = new LongLstm(s);
  const x = sinInputs(s.batch, s.seq, s.input);
  const y = hiddenTarget(s.batch, s.hidden);
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  let state: { h0: Tensor; c0: Tensor } | null = null;
  for (let t = 0; t < s.seq; t++) {
    const xt = x.narrow(1, t, 1); // (B,1,I)
    const r = model.lstm.forward(xt, state ?? {});
    r.h.retainGrad();
    r.c.retainGrad();
    hs.push(r.h);
    cs.push(r.c);
    state = { h0: r.h, c0: r.c };
  }
  mseLoss(select(state!.h0, 0, 0), y).backward();
  let dhSteps = 0;
  let dhFirst = -1;
  let dhLast = -1;
  let dhSubnormal = 0;
  let dcSubnormal = 0;
  let dhZero = 0;
  for (let t = 0; t < s.seq; t++) {
    const dh = hs[t]!.grad?.data ?? new Float32Array(s.batch * s.hidden);
    const n = countSubnormals(dh);
    dhSubnormal += n;
    dcSubnormal += countSubnormals(cs[t]!.grad?.data ?? []);
    for (const v of dh) if (v === 0) dhZero++;
    if (n > 0) {
      dhSteps++;
      if (dhFirst < 0) dhFirst = t;
      dhLast = t;
    }
  }
  let gradSubnormal = 0;
  for (const p of model.parameters()) gradSubnormal += countSubnormals(p.grad?.data ?? []);
  const counts = { dhSteps, dhFirst, dhLast, dhSubnormal, dcSubnormal, dhZero, values: s.seq * s.batch * s.hidden, gradSubnormal, adamSubnormal: 0, adamValues: 0 };
  if (adamSteps === 0) return counts;

  // Adam's moments after a few steps of the fused model.
  manualSeed(0);
  const fused = new LongLstm(s);
  const opt = new Adam(fused.parameters(), { lr: 1e-3 });
  for (let i = 0; i < adamSteps; i++) {
    opt.zeroGrad();
    mseLoss(fused.forward(x), y).backward();
    opt.step();
  }
  let adamSubnormal = 0;
  let adamValues = 0;
  for (const st of Object.values(opt.stateDict().state)) {
    for (const key of ['expAvg', 'expAvgSq']) {
      const v = st[key];
      if (v && typeof v === 'object' && 'data' in v) {
        adamSubnormal += countSubnormals(v.data as Float32Array);
        adamValues += (v.data as Float32Array).length;
      }
    }
  }
  return { ...counts, adamSubnormal, adamValues };
}

export interface SubnormalRow {
  seq: number;
  batch: number;
  flush: boolean;
  times: PhaseTimes;
  counts: SubnormalCounts | null;
}

/**
 * For each T (and batch), flush off and on: the phase times (taking turns) and, with `count`,
 * the subnormal counts. Restores the switch as it was.
 */
export function subnormalReport(seqs: readonly number[], batches: readonly number[], steps: number, count: boolean, log: (line: string) => void = () => {}): SubnormalRow[] {
  const before = getFlushDenormal();
  const rows: SubnormalRow[] = [];
  try {
    for (const batch of batches) {
      for (const seq of seqs) {
        const s = { ...ISSUE_SHAPE, batch, seq };
        const times = timePhases(s, steps, 2);
        for (const flush of [false, true]) {
          setFlushDenormal(flush);
          const counts = count ? countPhases(s, 5) : null;
          rows.push({ seq, batch, flush, times: flush ? times.on : times.off, counts });
          log(formatRow(rows[rows.length - 1]!));
        }
      }
    }
  } finally {
    setFlushDenormal(before);
  }
  return rows;
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

export function formatRow(r: SubnormalRow): string {
  const t = r.times;
  const c = r.counts;
  const counts = c
    ? `; ∂L/∂h subnormal at ${c.dhSteps} of ${r.seq} steps${c.dhFirst >= 0 ? ` (t = ${c.dhFirst}…${c.dhLast})` : ''}, ${c.dhSubnormal} values (${((100 * c.dhSubnormal) / c.values).toFixed(1)} %), ∂L/∂c ${c.dcSubnormal}, exact zeros in ∂L/∂h ${((100 * c.dhZero) / c.values).toFixed(1)} %; weight gradients ${c.gradSubnormal}; Adam m, v ${c.adamSubnormal} of ${c.adamValues}`
    : '';
  return `T=${r.seq} B=${r.batch} flush ${r.flush ? 'on ' : 'off'}: forward ${ms(t.forwardMs)} ms, backward ${ms(t.backwardMs)} ms, Adam ${ms(t.optimizerMs)} ms${counts}`;
}
