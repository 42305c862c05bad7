import { describe, expect, it } from 'vitest';
import { Generator } from '../../kernel/engine/rng';
import {
  CharTokenizer,
  charCorpus,
  corpusText,
  generateText,
  SENTIMENT_CLASSES,
  SONNETS,
  textClassification,
  WordTokenizer,
} from '../../kernel/datasets';

describe('character tokenizer and corpora', () => {
  it('encodes and decodes the shipped corpora losslessly', () => {
    for (const text of [SONNETS, corpusText('generated')]) {
      const tok = CharTokenizer.fromText(text);
      expect(tok.decode(tok.encode(text))).toBe(text);
      expect([...tok.chars]).toEqual([...new Set(text)].sort());
    }
    expect(() => CharTokenizer.fromText('abc').encode('abd')).toThrow(/"d" is not in the vocabulary/);
  });

  it('ships small corpora, and generated text is reproducible from its seed', () => {
    expect(SONNETS.length).toBeGreaterThan(4000);
    expect(SONNETS.length).toBeLessThan(200_000);
    expect(generateText(3000, new Generator(5))).toBe(generateText(3000, new Generator(5)));
    expect(generateText(3000, new Generator(5))).not.toBe(generateText(3000, new Generator(6)));
    const text = generateText(5000, new Generator(1));
    expect(text.length).toBeGreaterThanOrEqual(5000);
    // "an" before vowels, "a" before consonants, and every sentence ends with punctuation.
    expect(text).not.toMatch(/\ba [aeiou]/);
    expect(text).not.toMatch(/\ban [^aeiou]/);
    for (const p of text.trim().split('\n\n')) expect(p).toMatch(/[.]$/);
  });

  it('windows predict the next character at every step', () => {
    const ds = charCorpus({ text: 'sonnets', sequenceLength: 32 });
    expect(ds.inputKind).toBe('tokens');
    expect(ds.targetKind).toBe('tokenSequence');
    expect(ds.length).toBe(Math.floor((SONNETS.length - 1) / 32));
    const { input, target } = ds.get(3);
    expect(ds.tokenizer.decode(input)).toBe(SONNETS.slice(96, 128));
    expect(ds.tokenizer.decode(target)).toBe(SONNETS.slice(97, 129));
    const random = charCorpus({ text: 'generated', sequenceLength: 16, size: 50, generator: new Generator(2) });
    expect(random.length).toBe(50);
    for (let i = 0; i < 50; i++) {
      const e = random.get(i);
      expect(Array.from(e.target.subarray(0, 15))).toEqual(Array.from(e.input.subarray(1)));
    }
  });
});

describe('text classification set', () => {
  const ds = textClassification();

  it('is a fixed set of 600 distinct labelled sentences with a word vocabulary', () => {
    expect(ds.length).toBe(600);
    expect(new Set(ds.sentences).size).toBe(600);
    expect(ds.targetKind).toBe('class');
    expect(ds.targetSize).toBe(SENTIMENT_CLASSES.length);
    expect(textClassification().sentences).toEqual(ds.sentences);
    for (let i = 0; i < ds.length; i++) {
      expect(ds.tokenizer.decode(ds.get(i).input)).toBe(ds.sentences[i]);
      expect(ds.get(i).target[0]).toBe(ds.labels[i]);
    }
    expect(ds.inputSize).toBe(ds.tokenizer.vocabSize);
    expect(ds.inputSize).toBeLessThan(120);
    expect(new WordTokenizer(['a']).encode('a b')).toEqual([2, WordTokenizer.UNK]);
  });

  it('has every class well represented', () => {
    for (let c = 0; c < 3; c++) {
      const share = ds.labels.filter((l) => l === c).length / ds.length;
      expect(share).toBeGreaterThan(0.2);
    }
  });

  it('labels follow the stated rules (negation, contrast, neutral)', () => {
    ds.sentences.forEach((s, i) => {
      const label = SENTIMENT_CLASSES[ds.labels[i]!];
      if (s.includes('neither')) expect(label).toBe('neutral');
      else if (/^[a-z ]+ (was|were) not (good|great|excellent|wonderful|lovely|pleasant)$/.test(s)) expect(label).toBe('negative');
      else if (/^[a-z ]+ (was|were) not (bad|awful|terrible|boring|poor|disappointing)$/.test(s)) expect(label).toBe('positive');
      else if (/ but .* (was|were) (really |quite |truly )?(good|great|excellent|wonderful|lovely|pleasant)$/.test(s)) expect(label).toBe('positive');
      else if (s.startsWith('i did not')) expect(label).toBe('negative');
    });
    // The rules need word order: the same words appear in sentences of different classes.
    const notGood = ds.sentences.filter((s) => / not (good|great)$/.test(s));
    expect(notGood.length).toBeGreaterThan(0);
  });
});
