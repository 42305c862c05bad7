import { describe, expect, it } from 'vitest';
import { Generator } from '../../kernel/engine/rng';
import {
  generateEmbeddedReber,
  generateReber,
  isEmbeddedReber,
  isReber,
  REBER_SYMBOLS,
  reberGrammar,
  reberSuccessors,
  type ReberSymbol,
} from '../../kernel/datasets';

describe('Reber grammar acceptor', () => {
  it('accepts strings of the graph and rejects others', () => {
    for (const s of ['BTXSE', 'BPVVE', 'BTSXXTVVE', 'BPTVPXVVE', 'BTSSSXSE', 'BPVPSE']) expect(isReber(s)).toBe(true);
    for (const s of ['', 'BTE', 'BTSSPXSE', 'TXSE', 'BTXS', 'BTXSEE', 'BPVVXE']) expect(isReber(s)).toBe(false);
    expect(isEmbeddedReber('BTBTXSETE')).toBe(true);
    expect(isEmbeddedReber('BPBPVVEPE')).toBe(true);
    expect(isEmbeddedReber('BTBTXSEPE')).toBe(false); // the branch symbol is not repeated
    expect(isEmbeddedReber('BTBTXSTE')).toBe(false);
  });

  it('generated strings are accepted, and every branch is taken about half the time', () => {
    const gen = new Generator(4);
    let tBranch = 0;
    for (let i = 0; i < 2000; i++) {
      expect(isReber(generateReber(gen))).toBe(true);
      const e = generateEmbeddedReber(gen);
      expect(isEmbeddedReber(e)).toBe(true);
      if (e[1] === 'T') tBranch++;
    }
    expect(tBranch / 2000).toBeGreaterThan(0.45);
    expect(tBranch / 2000).toBeLessThan(0.55);
  });

  it('a corrupted symbol is rejected', () => {
    const gen = new Generator(5);
    for (let i = 0; i < 300; i++) {
      const s = generateEmbeddedReber(gen);
      const pos = gen.randint(0, s.length);
      const replacement: ReberSymbol = REBER_SYMBOLS.filter((c) => c !== s[pos])[gen.randint(0, 6)]!;
      const corrupted = s.slice(0, pos) + replacement + s.slice(pos + 1);
      // Some substitutions stay inside the language (e.g. a loop symbol); they must then be
      // accepted by the plain walk too, so check the acceptor against successor sets.
      const legal = pos === 0 ? replacement === 'B' : reberSuccessors(s, true)[pos - 1]!.has(replacement);
      if (!legal) expect(isEmbeddedReber(corrupted)).toBe(false);
    }
  });
});

describe('embedded Reber dataset', () => {
  const ds = reberGrammar({ size: 500, generator: new Generator(6) });

  it('inputs are one-hot symbols and targets are the legal successors', () => {
    expect(ds.inputSize).toBe(7);
    expect(ds.targetKind).toBe('valueSequence');
    for (let n = 0; n < ds.length; n++) {
      const s = ds.strings[n]!;
      expect(isEmbeddedReber(s)).toBe(true);
      const { input, target } = ds.get(n);
      const steps = s.length - 1;
      expect(input.length).toBe(steps * 7);
      const successors = reberSuccessors(s, true);
      for (let t = 0; t < steps; t++) {
        const row = Array.from(input.subarray(t * 7, t * 7 + 7));
        expect(REBER_SYMBOLS[row.indexOf(1)]).toBe(s[t]);
        const legal = REBER_SYMBOLS.filter((_, k) => target[t * 7 + k] === 1);
        expect(new Set(legal)).toEqual(successors[t]);
        // The symbol that actually follows is always legal.
        expect(legal).toContain(s[t + 1]);
      }
      // The long-range dependency: before the final E only the remembered branch is legal.
      const lastRow = Array.from(target.subarray((steps - 2) * 7, (steps - 1) * 7));
      expect(lastRow.reduce((a, b) => a + b, 0)).toBe(1);
      expect(REBER_SYMBOLS[lastRow.indexOf(1)]).toBe(s[1]);
    }
  });
});
