// A token vocabulary with the special tokens a sequence-to-sequence model needs.

export const PAD = 0;
export const SOS = 1;
export const EOS = 2;
export const SPECIAL_TOKENS = ['<pad>', '<sos>', '<eos>'] as const;

/** ids 0, 1, 2 are <pad>, <sos>, <eos>; the given symbols follow in order. */
export class Vocabulary {
  readonly tokens: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;
  readonly pad = PAD;
  readonly sos = SOS;
  readonly eos = EOS;

  constructor(symbols: readonly string[]) {
    this.tokens = [...SPECIAL_TOKENS, ...symbols];
    const ids = new Map<string, number>();
    this.tokens.forEach((t, i) => {
      if (ids.has(t)) throw new Error(`Vocabulary: token ${JSON.stringify(t)} appears twice`);
      ids.set(t, i);
    });
    this.ids = ids;
  }

  get size(): number {
    return this.tokens.length;
  }

  id(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`Vocabulary: unknown token ${JSON.stringify(token)}`);
    return id;
  }

  /** Ids of the symbols (characters of a string, or a list of tokens), optionally followed by <eos>. */
  encode(symbols: string | readonly string[], options: { eos?: boolean } = {}): number[] {
    const list = typeof symbols === 'string' ? [...symbols] : symbols;
    const out = list.map((s) => this.id(s));
    if (options.eos) out.push(EOS);
    return out;
  }

  /** Symbols up to the first <eos>, skipping <pad> and <sos>; joined with `separator` (default ''). */
  decode(ids: ArrayLike<number>, separator = ''): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === EOS) break;
      if (id === PAD || id === SOS) continue;
      const t = this.tokens[id];
      if (t === undefined) throw new Error(`Vocabulary.decode: id ${id} is out of range for ${this.tokens.length} tokens`);
      out.push(t);
    }
    return out.join(separator);
  }
}
