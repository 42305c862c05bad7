// A small three-class sentiment set for the seed's LSTMModel (embedding → LSTM → linear on the
// last hidden state). It is synthetic: short review sentences generated from templates by a
// seeded grammar, labelled by fixed rules, so it ships as code (no data file) and is the same
// on every machine. The rules need more than a bag of words:
//   - negation flips polarity: "the soup was not good" is negative, "not bad" is positive;
//   - in "X was good but Y was awful" the clause after "but" decides;
//   - "neither good nor bad" and factual sentences are neutral.
// Classes: 0 negative, 1 neutral, 2 positive.

import { Generator } from '../engine/rng';
import { ArrayDataset, checkInteger, type DatasetInfo } from './arrayDataset';
import type { Example } from './types';
import { WordTokenizer } from './wordTokenizer';

export const SENTIMENT_CLASSES = ['negative', 'neutral', 'positive'] as const;
const NEGATIVE = 0;
const NEUTRAL = 1;
const POSITIVE = 2;

const THINGS = ['the film', 'the soup', 'the hotel', 'this phone', 'the service', 'the book', 'the concert', 'our room', 'the coffee', 'the game', 'the staff', 'the music'];
const GOOD = ['good', 'great', 'excellent', 'wonderful', 'lovely', 'pleasant'];
const BAD = ['bad', 'awful', 'terrible', 'boring', 'poor', 'disappointing'];
const INTENSIFIERS = ['', 'really ', 'quite ', 'truly '];
const VERB_INTENSIFIERS = ['', 'really ', 'truly '];
const LIKE = ['liked', 'loved', 'enjoyed'];
const DISLIKE = ['disliked', 'hated'];
/** Neutral statements that fit any of the things ("{}" is the thing). */
const FACTS = [
  'i wrote about {} yesterday',
  'we talked about {} on monday',
  '{} was mentioned in the paper',
  'there is a review of {} online',
  'i asked my friend about {}',
  'my sister told me about {}',
  'we will see {} next week',
  'i read about {} last year',
];

function pick<T>(gen: Generator, items: readonly T[]): T {
  return items[gen.randint(0, items.length)]!;
}

/** A polar clause about a thing, with its polarity (+1 or −1). */
function polarClause(gen: Generator, thing: string): [string, number] {
  const positive = gen.random() < 0.5;
  const negated = gen.random() < 0.3;
  const adjective = pick(gen, positive ? GOOD : BAD);
  const verb = thing === 'the staff' ? 'were' : 'was';
  const polarity = (positive ? 1 : -1) * (negated ? -1 : 1);
  return [negated ? `${thing} ${verb} not ${adjective}` : `${thing} ${verb} ${pick(gen, INTENSIFIERS)}${adjective}`, polarity];
}

/** One labelled sentence. */
export function generateSentence(gen: Generator): [string, number] {
  const thing = pick(gen, THINGS);
  const r = gen.random();
  if (r < 0.33) {
    const [clause, polarity] = polarClause(gen, thing);
    return [clause, polarity > 0 ? POSITIVE : NEGATIVE];
  }
  if (r < 0.47) {
    // Contrast: the clause after "but" decides.
    let other = pick(gen, THINGS);
    while (other === thing) other = pick(gen, THINGS);
    const [first] = polarClause(gen, thing);
    const [second, polarity] = polarClause(gen, other);
    return [`${first} but ${second}`, polarity > 0 ? POSITIVE : NEGATIVE];
  }
  if (r < 0.65) {
    const positive = gen.random() < 0.5;
    if (!positive && gen.random() < 0.5) return [`i did not ${pick(gen, ['like', 'enjoy'])} ${thing}`, NEGATIVE];
    return [`i ${pick(gen, VERB_INTENSIFIERS)}${pick(gen, positive ? LIKE : DISLIKE)} ${thing}`, positive ? POSITIVE : NEGATIVE];
  }
  if (r < 0.77) {
    const verb = thing === 'the staff' ? 'were' : 'was';
    return [`${thing} ${verb} neither ${pick(gen, GOOD)} nor ${pick(gen, BAD)}`, NEUTRAL];
  }
  return [pick(gen, FACTS).replace('{}', thing), NEUTRAL];
}

export interface TextClassificationOptions {
  /** Number of distinct sentences. Default 600. */
  size?: number;
  /** Seed of the grammar; the default 2024 gives the set the notebooks use. */
  seed?: number;
  /** Generator to draw from instead of `seed`. */
  generator?: Generator;
}

export class TextClassificationDataset extends ArrayDataset {
  constructor(
    info: DatasetInfo,
    examples: readonly Example[],
    readonly tokenizer: WordTokenizer,
    readonly sentences: readonly string[],
    readonly labels: readonly number[],
  ) {
    super(info, examples);
  }
}

/**
 * `size` distinct sentences (duplicates are redrawn, so a random split cannot leak a sentence
 * into both halves). Inputs are word ids (T), the target is the class index.
 */
export function textClassification(options: TextClassificationOptions = {}): TextClassificationDataset {
  const size = options.size ?? 600;
  checkInteger('textClassification', 'size', size);
  const gen = options.generator ?? new Generator(options.seed ?? 2024);
  const seen = new Map<string, number>();
  let attempts = 0;
  while (seen.size < size) {
    if (++attempts > size * 100) throw new Error(`textClassification: the grammar did not yield ${size} distinct sentences`);
    const [s, label] = generateSentence(gen);
    if (!seen.has(s)) seen.set(s, label);
  }
  const sentences = [...seen.keys()];
  const labels = [...seen.values()];
  const tokenizer = WordTokenizer.fromTexts(sentences);
  const examples = sentences.map((s, i) => ({ input: Float32Array.from(tokenizer.encode(s)), target: new Float32Array([labels[i]!]) }));
  return new TextClassificationDataset(
    { name: 'synthetic review sentiment', inputKind: 'tokens', inputSize: tokenizer.vocabSize, targetKind: 'class', targetSize: SENTIMENT_CLASSES.length, padIndex: WordTokenizer.PAD },
    examples,
    tokenizer,
    sentences,
    labels,
  );
}
