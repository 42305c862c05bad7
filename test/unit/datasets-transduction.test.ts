import { describe, expect, it } from 'vitest';
import { Generator } from '../../kernel/engine/rng';
import { datePairs, EOS, reversalPairs, sortingPairs, Vocabulary } from '../../kernel/datasets';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

describe('transduction pairs', () => {
  it('reversal: target is the reversed source, both end with <eos>', () => {
    const ds = reversalPairs({ size: 300, minLength: 2, maxLength: 7, generator: new Generator(1) });
    const lengths = new Set<number>();
    ds.pairs.forEach(([src, tgt], i) => {
      expect(tgt).toBe([...src].reverse().join(''));
      lengths.add(src.length);
      const { input, target } = ds.get(i);
      expect(input[input.length - 1]).toBe(EOS);
      expect(target[target.length - 1]).toBe(EOS);
      expect(ds.vocabulary.decode(input)).toBe(src);
      expect(ds.vocabulary.decode(target)).toBe(tgt);
    });
    expect([...lengths].sort()).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('sorting: target is the sorted source', () => {
    const ds = sortingPairs({ size: 100, alphabet: '0123456789', generator: new Generator(2) });
    for (const [src, tgt] of ds.pairs) {
      expect(tgt).toBe([...src].sort().join(''));
      expect(tgt.length).toBe(src.length);
    }
  });

  it('dates: every source format names the same day as its ISO target', () => {
    const ds = datePairs({ size: 2000, generator: new Generator(3) });
    const shapes = new Set<string>();
    for (const [src, iso] of ds.pairs) {
      const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
      expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(y >= 1950 && y <= 2049).toBe(true);
      const date = new Date(Date.UTC(y, m - 1, d));
      expect(date.getUTCDate()).toBe(d); // a real calendar day
      const month = MONTHS[m - 1]!;
      const weekday = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][date.getUTCDay()]!;
      const candidates = [
        `${d} ${month} ${y}`,
        `${month} ${d}, ${y}`,
        `${d} ${month.slice(0, 3)} ${y}`,
        `${String(d).padStart(2, '0')}.${String(m).padStart(2, '0')}.${y}`,
        `${weekday}, ${month} ${d}, ${y}`,
        `${weekday.slice(0, 3)} ${d} ${month.slice(0, 3)} ${y}`,
      ];
      const k = candidates.indexOf(src);
      expect(k).toBeGreaterThanOrEqual(0);
      shapes.add(String(k));
    }
    expect(shapes.size).toBe(6);
  });

  it('vocabulary reserves <pad>, <sos>, <eos> and rejects unknown symbols', () => {
    const v = new Vocabulary(['a', 'b']);
    expect(v.tokens.slice(0, 3)).toEqual(['<pad>', '<sos>', '<eos>']);
    expect(v.encode('ab', { eos: true })).toEqual([3, 4, 2]);
    expect(v.decode([1, 3, 4, 2, 3])).toBe('ab');
    expect(() => v.encode('c')).toThrow(/unknown token "c"/);
  });
});
