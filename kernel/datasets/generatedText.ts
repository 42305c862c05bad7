// English-like text from a small seeded grammar: a character corpus of any length that costs
// nothing to ship. Sentences have regular structure (subject, verb, object, place, time), so a
// character model can learn words, agreement of "a"/"an", capitals and punctuation.

import { defaultGenerator, type Generator } from '../engine/rng';

const ADJECTIVES = ['old', 'young', 'quiet', 'clever', 'small', 'tired', 'brave', 'hungry', 'happy', 'gentle'];
const ANIMALS = ['fox', 'owl', 'cat', 'dog', 'horse', 'rabbit', 'crow', 'bear', 'mouse', 'goat'];
const VERBS_PAST = ['saw', 'followed', 'found', 'watched', 'called', 'helped', 'met', 'chased'];
const OBJECTS = ['apple', 'river', 'lantern', 'garden', 'boat', 'letter', 'orange', 'bridge', 'island', 'key'];
const PLACES = ['near the mill', 'by the river', 'in the forest', 'on the hill', 'under the bridge', 'at the market', 'behind the barn'];
const TIMES = ['in the morning', 'at night', 'after the rain', 'before dawn', 'in the spring', 'on a cold day'];
const SAYINGS = ['it is late', 'the road is long', 'we should go home', 'the water is cold', 'i am hungry', 'look at the stars'];

function pick<T>(gen: Generator, items: readonly T[]): T {
  return items[gen.randint(0, items.length)]!;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function nounPhrase(gen: Generator, nouns: readonly string[], definite: boolean): string {
  const words = gen.random() < 0.5 ? [pick(gen, ADJECTIVES), pick(gen, nouns)] : [pick(gen, nouns)];
  return `${definite ? 'the' : article(words[0]!)} ${words.join(' ')}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function sentence(gen: Generator): string {
  const subject = nounPhrase(gen, ANIMALS, gen.random() < 0.6);
  switch (gen.randint(0, 4)) {
    case 0:
      return `${capitalize(subject)} ${pick(gen, VERBS_PAST)} ${nounPhrase(gen, OBJECTS, gen.random() < 0.5)} ${pick(gen, PLACES)}.`;
    case 1:
      return `${capitalize(pick(gen, TIMES))}, ${subject} ${pick(gen, VERBS_PAST)} ${nounPhrase(gen, ANIMALS, true)}.`;
    case 2:
      return `"${capitalize(pick(gen, SAYINGS))}," said ${subject}.`;
    default:
      return `${capitalize(subject)} and ${nounPhrase(gen, ANIMALS, true)} walked ${pick(gen, PLACES)} ${pick(gen, TIMES)}.`;
  }
}

/** About `chars` characters of generated text: paragraphs of 3–6 sentences, ending at a sentence. */
export function generateText(chars: number, gen: Generator = defaultGenerator): string {
  const paragraphs: string[] = [];
  let total = 0;
  while (total < chars) {
    const count = gen.randint(3, 7);
    const p = Array.from({ length: count }, () => sentence(gen)).join(' ');
    paragraphs.push(p);
    total += p.length + 2;
  }
  return paragraphs.join('\n\n') + '\n';
}
