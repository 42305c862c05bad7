// Character-level language modelling: windows of a text as (T) ids, targets shifted by one.

import { defaultGenerator, Generator } from '../engine/rng';
import { ArrayDataset, checkInteger, type DatasetInfo } from './arrayDataset';
import { CharTokenizer } from './charTokenizer';
import { generateText } from './generatedText';
import { SONNETS } from './sonnets';
import type { Example } from './types';

/** The corpora that ship: Shakespeare sonnets (typed out), or text from a seeded grammar. */
export type CorpusName = 'sonnets' | 'generated';

/** The text of a shipped corpus. 'generated' is 20 000 characters from seed 0 unless told otherwise. */
export function corpusText(name: CorpusName, options: { chars?: number; seed?: number } = {}): string {
  if (name === 'sonnets') return SONNETS;
  return generateText(options.chars ?? 20_000, new Generator(options.seed ?? 0));
}

export interface CharCorpusOptions {
  /** The text itself, or the name of a shipped corpus. */
  text: string | CorpusName;
  /** Window length T. */
  sequenceLength: number;
  /**
   * How windows are chosen. Without `size`: consecutive windows every `stride` characters
   * (default T, no overlap). With `size`: that many windows at random offsets from the generator.
   */
  stride?: number;
  size?: number;
  /** Defaults to the text's own characters. */
  tokenizer?: CharTokenizer;
  generator?: Generator;
}

export class CharCorpusDataset extends ArrayDataset {
  constructor(
    info: DatasetInfo,
    examples: readonly Example[],
    readonly tokenizer: CharTokenizer,
    readonly text: string,
  ) {
    super(info, examples);
  }
}

/** Input text[s..s+T) as ids, target text[s+1..s+T+1): next-character prediction at every step. */
export function charCorpus(options: CharCorpusOptions): CharCorpusDataset {
  const where = 'charCorpus';
  const named = options.text === 'sonnets' || options.text === 'generated';
  const text = named ? corpusText(options.text as CorpusName) : options.text;
  const T = options.sequenceLength;
  checkInteger(where, 'sequenceLength', T);
  const tokenizer = options.tokenizer ?? CharTokenizer.fromText(text);
  const ids = Float32Array.from(tokenizer.encode(text));
  if (ids.length < T + 1) throw new Error(`${where}: the text has ${ids.length} characters, fewer than sequenceLength + 1 = ${T + 1}`);
  const starts: number[] = [];
  if (options.size !== undefined) {
    checkInteger(where, 'size', options.size);
    const gen = options.generator ?? defaultGenerator;
    for (let n = 0; n < options.size; n++) starts.push(gen.randint(0, ids.length - T));
  } else {
    const stride = options.stride ?? T;
    checkInteger(where, 'stride', stride);
    for (let s = 0; s + T + 1 <= ids.length; s += stride) starts.push(s);
  }
  const examples: Example[] = starts.map((s) => ({ input: ids.slice(s, s + T), target: ids.slice(s + 1, s + T + 1) }));
  const name = named ? options.text : 'text';
  return new CharCorpusDataset(
    { name: `characters of ${name} (T=${T})`, inputKind: 'tokens', inputSize: tokenizer.vocabSize, targetKind: 'tokenSequence', targetSize: tokenizer.vocabSize },
    examples,
    tokenizer,
    text,
  );
}
