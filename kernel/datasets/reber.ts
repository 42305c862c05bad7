// The Reber grammar (Reber 1967) and the embedded Reber grammar (Fahlman's benchmark, used in
// Hochreiter & Schmidhuber 1997, Experiment 1). The task is next-symbol prediction: at each
// step the target is the set of symbols the grammar allows next (a multi-hot vector), so a
// network that has learned the grammar puts its mass exactly on the legal successors.
//
//   state 0 ─B→ 1
//   state 1 ─T→ 2   ─P→ 3
//   state 2 ─S→ 2   ─X→ 4
//   state 3 ─T→ 3   ─V→ 5
//   state 4 ─X→ 3   ─S→ 6
//   state 5 ─P→ 4   ─V→ 6
//   state 6 ─E→ end
//
// Embedded: B, then T or P, then a Reber string, then the same T or P again, then E. Predicting
// that second-to-last symbol needs the second symbol, remembered across the inner string.

import { defaultGenerator, type Generator } from '../engine/rng';
import { ArrayDataset, checkInteger, type DatasetInfo } from './arrayDataset';
import type { Example } from './types';

export const REBER_SYMBOLS = ['B', 'T', 'P', 'S', 'X', 'V', 'E'] as const;
export type ReberSymbol = (typeof REBER_SYMBOLS)[number];

/** transitions[state] = [symbol, next state] pairs; next state -1 is the end. */
const TRANSITIONS: readonly (readonly [ReberSymbol, number])[][] = [
  [['B', 1]],
  [['T', 2], ['P', 3]],
  [['S', 2], ['X', 4]],
  [['T', 3], ['V', 5]],
  [['X', 3], ['S', 6]],
  [['P', 4], ['V', 6]],
  [['E', -1]],
];

/** A Reber string; each branch is taken with probability 1/2. */
export function generateReber(gen: Generator = defaultGenerator): string {
  let state = 0;
  let out = '';
  while (state !== -1) {
    const options = TRANSITIONS[state]!;
    const [symbol, next] = options.length === 1 ? options[0]! : options[gen.randint(0, options.length)]!;
    out += symbol;
    state = next;
  }
  return out;
}

export function generateEmbeddedReber(gen: Generator = defaultGenerator): string {
  const branch = gen.random() < 0.5 ? 'T' : 'P';
  return `B${branch}${generateReber(gen)}${branch}E`;
}

/** Does the Reber graph accept `s`? Walks the graph; each symbol must be a legal edge. */
export function isReber(s: string): boolean {
  let state = 0;
  for (const symbol of s) {
    if (state === -1) return false;
    const edge = TRANSITIONS[state]!.find(([sym]) => sym === symbol);
    if (!edge) return false;
    state = edge[1];
  }
  return state === -1;
}

export function isEmbeddedReber(s: string): boolean {
  if (s.length < 4 || s[0] !== 'B' || s[s.length - 1] !== 'E') return false;
  const branch = s[1];
  if ((branch !== 'T' && branch !== 'P') || s[s.length - 2] !== branch) return false;
  return isReber(s.slice(2, -2));
}

/**
 * The legal next symbols after each prefix of an (embedded) Reber string: result[t] is the set
 * allowed after s[0..t]. The walk is deterministic because each state's edges carry distinct symbols.
 */
export function reberSuccessors(s: string, embedded: boolean): Set<ReberSymbol>[] {
  const out: Set<ReberSymbol>[] = [];
  if (!embedded) {
    let state = 0;
    for (const symbol of s) {
      const edge = TRANSITIONS[state]?.find(([sym]) => sym === symbol);
      if (!edge) throw new Error(`reberSuccessors: "${s}" is not a Reber string`);
      state = edge[1];
      out.push(new Set(state === -1 ? [] : TRANSITIONS[state]!.map(([sym]) => sym)));
    }
    return out;
  }
  if (!isEmbeddedReber(s)) throw new Error(`reberSuccessors: "${s}" is not an embedded Reber string`);
  const branch = s[1] as ReberSymbol;
  out.push(new Set<ReberSymbol>(['T', 'P'])); // after B
  out.push(new Set<ReberSymbol>(['B'])); // after the branch symbol: the inner string starts
  const inner = reberSuccessors(s.slice(2, -2), false);
  inner[inner.length - 1] = new Set([branch]); // after the inner E: the remembered branch
  out.push(...inner);
  out.push(new Set<ReberSymbol>(['E'])); // after the repeated branch symbol
  out.push(new Set()); // after the final E
  return out;
}

export interface ReberOptions {
  size: number;
  /** The embedded grammar (the long-range version). Default true. */
  embedded?: boolean;
  generator?: Generator;
}

/**
 * Next-symbol prediction. Input: one-hot symbols s[0..L−2], (L−1, 7). Target: for each input
 * step, the multi-hot set of legal next symbols, (L−1, 7). Symbol order is REBER_SYMBOLS.
 * Train with a per-symbol sigmoid and binary cross-entropy (or MSE); at test time a string is
 * "correctly predicted" when at every step the legal successors get the highest outputs.
 */
export function reberGrammar(options: ReberOptions): ReberDataset {
  checkInteger('reberGrammar', 'size', options.size);
  const embedded = options.embedded ?? true;
  const gen = options.generator ?? defaultGenerator;
  const S = REBER_SYMBOLS.length;
  const strings: string[] = [];
  const examples: Example[] = [];
  for (let n = 0; n < options.size; n++) {
    const s = embedded ? generateEmbeddedReber(gen) : generateReber(gen);
    const successors = reberSuccessors(s, embedded);
    const steps = s.length - 1;
    const input = new Float32Array(steps * S); // (L−1, 7)
    const target = new Float32Array(steps * S); // (L−1, 7)
    for (let t = 0; t < steps; t++) {
      input[t * S + REBER_SYMBOLS.indexOf(s[t] as ReberSymbol)] = 1;
      for (const next of successors[t]!) target[t * S + REBER_SYMBOLS.indexOf(next)] = 1;
    }
    strings.push(s);
    examples.push({ input, target });
  }
  return new ReberDataset(
    { name: embedded ? 'embedded Reber grammar' : 'Reber grammar', inputKind: 'features', inputSize: S, targetKind: 'valueSequence', targetSize: S },
    examples,
    strings,
  );
}

/** The examples together with the strings they encode (strings[i] belongs to example i). */
export class ReberDataset extends ArrayDataset {
  constructor(
    info: DatasetInfo,
    examples: readonly Example[],
    readonly strings: readonly string[],
  ) {
    super(info, examples);
  }
}
