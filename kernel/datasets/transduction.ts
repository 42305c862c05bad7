// Sequence transduction pairs for sequence-to-sequence models: reversal, sorting, and dates
// written in several human formats translated to ISO 8601. Character level, one shared
// Vocabulary. Input: source ids followed by <eos>, (S); target: target ids followed by <eos>,
// (Ty). The decoder's inputs (<sos> then the target shifted right) are made by the model.

import { defaultGenerator, type Generator } from '../engine/rng';
import { ArrayDataset, checkInteger, type DatasetInfo } from './arrayDataset';
import type { Example } from './types';
import { PAD, Vocabulary } from './vocabulary';

export class TransductionDataset extends ArrayDataset {
  constructor(
    info: DatasetInfo,
    examples: readonly Example[],
    readonly vocabulary: Vocabulary,
    /** [source, target] strings of each example. */
    readonly pairs: readonly (readonly [string, string])[],
  ) {
    super(info, examples);
  }
}

function build(name: string, vocabulary: Vocabulary, pairs: [string, string][]): TransductionDataset {
  const examples = pairs.map(([source, target]) => ({
    input: Float32Array.from(vocabulary.encode(source, { eos: true })),
    target: Float32Array.from(vocabulary.encode(target, { eos: true })),
  }));
  const info: DatasetInfo = { name, inputKind: 'tokens', inputSize: vocabulary.size, targetKind: 'tokenSequence', targetSize: vocabulary.size, padIndex: PAD };
  return new TransductionDataset(info, examples, vocabulary, pairs);
}

export interface SymbolSequenceOptions {
  size: number;
  /** Shortest and longest source (inclusive). Defaults 3 and 10. */
  minLength?: number;
  maxLength?: number;
  /** Symbols drawn uniformly with replacement. Default the letters a–j. */
  alphabet?: string;
  generator?: Generator;
}

function symbolPairs(where: string, options: SymbolSequenceOptions, transform: (s: string) => string): { vocabulary: Vocabulary; pairs: [string, string][] } {
  const minLength = options.minLength ?? 3;
  const maxLength = options.maxLength ?? 10;
  checkInteger(where, 'size', options.size);
  checkInteger(where, 'minLength', minLength);
  checkInteger(where, 'maxLength', maxLength, minLength);
  const alphabet = [...(options.alphabet ?? 'abcdefghij')];
  const gen = options.generator ?? defaultGenerator;
  const pairs: [string, string][] = [];
  for (let n = 0; n < options.size; n++) {
    const length = gen.randint(minLength, maxLength + 1);
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[gen.randint(0, alphabet.length)];
    pairs.push([s, transform(s)]);
  }
  return { vocabulary: new Vocabulary(alphabet), pairs };
}

/** "abc" → "cba". */
export function reversalPairs(options: SymbolSequenceOptions): TransductionDataset {
  const { vocabulary, pairs } = symbolPairs('reversalPairs', options, (s) => [...s].reverse().join(''));
  return build('reversal', vocabulary, pairs);
}

/** "cab" → "abc": the symbols sorted by their place in the alphabet. */
export function sortingPairs(options: SymbolSequenceOptions): TransductionDataset {
  const alphabet = [...(options.alphabet ?? 'abcdefghij')];
  const rank = new Map(alphabet.map((c, i) => [c, i]));
  const { vocabulary, pairs } = symbolPairs('sortingPairs', options, (s) => [...s].sort((a, b) => rank.get(a)! - rank.get(b)!).join(''));
  return build('sorting', vocabulary, pairs);
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** The human formats a date is written in; each example uses one, drawn uniformly. */
export const DATE_FORMATS = [
  (d: number, m: number, y: number) => `${d} ${MONTHS[m]} ${y}`, // 7 march 1998
  (d: number, m: number, y: number) => `${MONTHS[m]} ${d}, ${y}`, // march 7, 1998
  (d: number, m: number, y: number) => `${d} ${MONTHS[m]!.slice(0, 3)} ${y}`, // 7 mar 1998
  (d: number, m: number, y: number) => `${pad2(d)}.${pad2(m + 1)}.${y}`, // 07.03.1998
  (d: number, m: number, y: number) => `${WEEKDAYS[weekday(d, m, y)]}, ${MONTHS[m]} ${d}, ${y}`, // saturday, march 7, 1998
  (d: number, m: number, y: number) => `${WEEKDAYS[weekday(d, m, y)]!.slice(0, 3)} ${d} ${MONTHS[m]!.slice(0, 3)} ${y}`, // sat 7 mar 1998
] as const;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function weekday(d: number, m: number, y: number): number {
  return new Date(Date.UTC(y, m, d)).getUTCDay();
}

/** Every character any date format or the ISO form can produce. */
const DATE_ALPHABET = [...new Set([...'0123456789 ,.-', ...MONTHS.join(''), ...WEEKDAYS.join('')])].sort();

export interface DateOptions {
  size: number;
  /** Years drawn uniformly from [fromYear, toYear]. Defaults 1950 and 2049. */
  fromYear?: number;
  toYear?: number;
  generator?: Generator;
}

/** "saturday, march 7, 1998" → "1998-03-07" (dates uniform over the days of the year range). */
export function datePairs(options: DateOptions): TransductionDataset {
  checkInteger('datePairs', 'size', options.size);
  const fromYear = options.fromYear ?? 1950;
  const toYear = options.toYear ?? 2049;
  const gen = options.generator ?? defaultGenerator;
  const first = Date.UTC(fromYear, 0, 1);
  const days = Math.round((Date.UTC(toYear + 1, 0, 1) - first) / 86_400_000);
  const pairs: [string, string][] = [];
  for (let n = 0; n < options.size; n++) {
    const date = new Date(first + gen.randint(0, days) * 86_400_000);
    const [d, m, y] = [date.getUTCDate(), date.getUTCMonth(), date.getUTCFullYear()];
    const format = DATE_FORMATS[gen.randint(0, DATE_FORMATS.length)]!;
    pairs.push([format(d, m, y), `${y}-${pad2(m + 1)}-${pad2(d)}`]);
  }
  return build('dates → ISO 8601', new Vocabulary(DATE_ALPHABET), pairs);
}
