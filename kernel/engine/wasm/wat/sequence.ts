// A whole batch-1 sequence on two threads in one call each (rnn/splitSequence.ts): each thread
// loops over the time steps itself and runs its part of every step (wat/steps.ts `*_b1_part`),
// meeting the other thread through words in shared memory instead of one hand-over through
// JavaScript per step.
//
// Role 0 (the calling thread) runs part 0 of every step. Part 1 belongs to whoever claims it:
// the helper (role 1) claims step s's part 1 once both halves of step s−1 are done; the caller,
// when it finishes its own part of step s and finds part 1 unclaimed (the helper was not
// scheduled in time), claims and runs it itself, as runSplit takes a job back. Each part runs
// the same kernel on the same operands whoever runs it, so the results are those of one thread,
// bit for bit.
//
// Parameters (i32 words at `p`): see SEQ_PARAM. The sync block holds done0 (steps whose part 0
// is done), done1 (same for part 1), each on its own cache line, then one claim word per step
// (0 free, 1 helper, 2 caller); it must be zeroed before the call.

import { Func, get, i32, set } from './text';

/** Word offsets in the parameter block. */
export const SEQ_PARAM = {
  T: 0,
  REVERSE: 1,
  /** Bytes from one (1,H) state to the next. */
  STATE_STRIDE: 2,
  HS: 3,
  CS: 4,
  GATES: 5,
  /** Bytes from one step's G·H gates to the next. */
  GATE_STRIDE: 6,
  K: 7,
  LEN: 8,
  SYNC: 9,
  /** Part q's words start at PART + q·PART_WORDS. */
  PART: 10,
  PART_WORDS: 8,
} as const;

/** Within a part: its units' byte offset in a state, unit count, packed rows, gates' byte offset, GRU scratch. */
export const SEQ_PART = { UNIT_BYTES: 0, UNITS: 1, W: 2, GATE_BYTES: 3, HH: 4, BHN: 5, HIDDEN: 6 } as const;

export const SEQ_PARAM_WORDS = SEQ_PARAM.PART + 2 * SEQ_PARAM.PART_WORDS;
/** Sync block: done0 at 0, done1 at 64, claims from 128. */
export const SEQ_SYNC_CLAIMS = 128;

/** The part kernel of each cell and how its arguments are made. */
type Cell = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

/** A spin that has lasted this many rounds means the other thread is gone: trap instead of hanging. */
const SPIN_LIMIT = 1 << 30;

function seqFunction(cell: Cell): Func {
  const f = new Func(`${cell}_b1_seq`, true);
  f.param('role');
  f.param('p');
  f.returns('i32');
  for (const l of ['T', 's', 't', 'hPrev', 'hOut', 'cPrev', 'cOut', 'sync', 'taken', 'spins']) f.local(l, 'i32');
  const word = (w: number): string => `(i32.load offset=${4 * w} ${get('p')})`;
  const partWord = (q: number, w: number): string => word(SEQ_PARAM.PART + q * SEQ_PARAM.PART_WORDS + w);
  const done = (q: number): string => `(i32.add ${get('sync')} ${i32(64 * q)})`;
  const claim = `(i32.add (i32.add ${get('sync')} ${i32(SEQ_SYNC_CLAIMS)}) (i32.shl ${get('s')} ${i32(2)}))`;
  // Spin while `cond` holds (a condition on atomic loads); trap past SPIN_LIMIT rounds.
  const spinWhile = (label: string, cond: string): string[] => [
    set('spins', i32(0)),
    `(block $${label}_end (loop $${label}`,
    `  (br_if $${label}_end (i32.eqz ${cond}))`,
    `  ${set('spins', `(i32.add ${get('spins')} ${i32(1)})`)}`,
    `  (if (i32.gt_u ${get('spins')} ${i32(SPIN_LIMIT)}) (then unreachable))`,
    `  (br $${label})))`,
  ];
  const part = (q: number): string => {
    const unit = (base: string): string => `(i32.add ${get(base)} ${partWord(q, SEQ_PART.UNIT_BYTES)})`;
    const gt = `(i32.add (i32.add ${word(SEQ_PARAM.GATES)} (i32.mul ${get('t')} ${word(SEQ_PARAM.GATE_STRIDE)})) ${partWord(q, SEQ_PART.GATE_BYTES)})`;
    const head = [get('hPrev'), partWord(q, SEQ_PART.W), word(SEQ_PARAM.K), gt];
    const tail = [partWord(q, SEQ_PART.UNITS), word(SEQ_PARAM.LEN), get('t')];
    const args =
      cell === 'lstm'
        ? [...head, unit('cPrev'), unit('hPrev'), unit('cOut'), unit('hOut'), ...tail]
        : cell === 'gru'
          ? [...head, partWord(q, SEQ_PART.HH), partWord(q, SEQ_PART.BHN), unit('hPrev'), unit('hOut'), partWord(q, SEQ_PART.HIDDEN), ...tail]
          : [...head, unit('hPrev'), unit('hOut'), ...tail];
    return `(call $${cell}_b1_part ${args.join(' ')})`;
  };
  // This step's addresses: t = s (or T−1−s in reverse); states (T+1, 1, H) as in wasmSequence.ts.
  const at = (base: number, plus: string): string => `(i32.add ${word(base)} (i32.mul ${plus} ${word(SEQ_PARAM.STATE_STRIDE)}))`;
  const stepAddresses = [
    set('t', `(select (i32.sub (i32.sub ${get('T')} ${i32(1)}) ${get('s')}) ${get('s')} ${word(SEQ_PARAM.REVERSE)})`),
    set('hPrev', at(SEQ_PARAM.HS, `(i32.add ${get('t')} ${word(SEQ_PARAM.REVERSE)})`)),
    set('hOut', at(SEQ_PARAM.HS, `(i32.add ${get('t')} (i32.eqz ${word(SEQ_PARAM.REVERSE)}))`)),
    set('cPrev', at(SEQ_PARAM.CS, `(i32.add ${get('t')} ${word(SEQ_PARAM.REVERSE)})`)),
    set('cOut', at(SEQ_PARAM.CS, `(i32.add ${get('t')} (i32.eqz ${word(SEQ_PARAM.REVERSE)}))`)),
  ];
  const next = `(i32.add ${get('s')} ${i32(1)})`;
  const caller = [
    ...stepAddresses,
    part(0),
    `(i32.atomic.store ${done(0)} ${next})`,
    `(if (i32.eqz (i32.atomic.rmw.cmpxchg ${claim} ${i32(0)} ${i32(2)}))`,
    `  (then ${part(1)} (i32.atomic.store ${done(1)} ${next}) ${set('taken', `(i32.add ${get('taken')} ${i32(1)})`)})`,
    `  (else ${spinWhile('wait1', `(i32.lt_u (i32.atomic.load ${done(1)}) ${next})`).join(' ')}))`,
  ];
  const helper = [
    ...spinWhile('wait', `(i32.or (i32.lt_u (i32.atomic.load ${done(0)}) ${get('s')}) (i32.lt_u (i32.atomic.load ${done(1)}) ${get('s')}))`),
    `(if (i32.eqz (i32.atomic.rmw.cmpxchg ${claim} ${i32(0)} ${i32(1)}))`,
    `  (then ${stepAddresses.join(' ')} ${part(1)} (i32.atomic.store ${done(1)} ${next})))`,
  ];
  const loop = (label: string, body: string[]): string[] => [
    set('s', i32(0)),
    `(block $${label}_end (loop $${label}`,
    `  (br_if $${label}_end (i32.ge_u ${get('s')} ${get('T')}))`,
    ...body.map((l) => '  ' + l),
    `  ${set('s', next)}`,
    `  (br $${label})))`,
  ];
  f.emit(set('T', word(SEQ_PARAM.T)), set('sync', word(SEQ_PARAM.SYNC)), set('taken', i32(0)));
  f.emit(`(if (i32.eqz ${get('role')}) (then`, ...loop('callerSteps', caller), ') (else', ...loop('helperSteps', helper), '))');
  f.emit(get('taken'));
  return f;
}

export function sequenceFunctions(): Func[] {
  return (['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const).map(seqFunction);
}
