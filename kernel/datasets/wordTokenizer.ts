// A word tokenizer for short lowercase sentences: split on spaces, <pad> = 0, <unk> = 1.

export class WordTokenizer {
  static readonly PAD = 0;
  static readonly UNK = 1;
  readonly words: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  /** words[id]; ids 0 and 1 are '<pad>' and '<unk>' and must not be given. */
  constructor(words: readonly string[]) {
    this.words = ['<pad>', '<unk>', ...words];
    this.ids = new Map(this.words.map((w, i) => [w, i]));
    if (this.ids.size !== this.words.length) throw new Error('WordTokenizer: a word appears twice');
  }

  /** The sorted distinct words of the texts. */
  static fromTexts(texts: readonly string[]): WordTokenizer {
    const words = new Set<string>();
    for (const t of texts) for (const w of WordTokenizer.split(t)) words.add(w);
    return new WordTokenizer([...words].sort());
  }

  static split(text: string): string[] {
    return text.trim().split(/\s+/).filter((w) => w.length > 0);
  }

  get vocabSize(): number {
    return this.words.length;
  }

  /** Unknown words map to <unk>. */
  encode(text: string): number[] {
    return WordTokenizer.split(text).map((w) => this.ids.get(w) ?? WordTokenizer.UNK);
  }

  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) if (ids[i] !== WordTokenizer.PAD) out.push(this.words[ids[i]!] ?? '<unk>');
    return out.join(' ');
  }
}
