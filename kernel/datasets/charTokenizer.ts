// A character tokenizer: one id per distinct character (Unicode code point), in sorted order.

export class CharTokenizer {
  /** chars[id] is the character with that id. */
  readonly chars: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor(chars: readonly string[]) {
    const ids = new Map<string, number>();
    chars.forEach((c, i) => {
      if ([...c].length !== 1) throw new Error(`CharTokenizer: "${c}" is not a single character`);
      if (ids.has(c)) throw new Error(`CharTokenizer: "${c}" appears twice`);
      ids.set(c, i);
    });
    this.chars = [...chars];
    this.ids = ids;
  }

  /** The vocabulary of `text`: its distinct characters, sorted by code point. */
  static fromText(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  /** Ids of the characters of `text`; throws on a character outside the vocabulary. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`CharTokenizer.encode: character ${JSON.stringify(c)} is not in the vocabulary of ${this.chars.length} characters`);
      out.push(id);
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const c = this.chars[ids[i]!];
      if (c === undefined) throw new Error(`CharTokenizer.decode: id ${ids[i]} is out of range for ${this.chars.length} characters`);
      s += c;
    }
    return s;
  }
}
